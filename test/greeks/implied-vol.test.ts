/**
 * The vol a price implies (src/greeks/implied-vol.ts), against Black-76 prices (rate and carry 0) computed with mpmath
 * at 50 digits from a known vol and rounded to doubles: the vol comes back to 1e-10 relative. Outside the prices a vol
 * can give, no vol.
 */
import { describe, expect, it } from 'vitest';
import { impliedVol } from '../../src/greeks/implied-vol.js';
import { optionPrice } from '../../src/greeks/one-option.js';

// [call, spot, strike, expiryYears, vol, mpmath price]
const CASES: [boolean, number, number, number, number, number][] = [
  [true, 100_000, 110_000, 0.25, 0.6, 8141.012048964208],
  [false, 100_000, 90_000, 7 / 365, 0.45, 110.5560604832062],
  [true, 3_000, 3_000, 1, 0.8, 932.530449661945],
  [true, 100_000, 200_000, 0.1, 1.2, 706.4729700411551],
  [false, 100_000, 60_000, 0.5, 0.9, 5724.3274382462],
];

describe('impliedVol', () => {
  it.each(CASES)('call %s, spot %d, strike %d, %d years: the vol %d back from its price', (call, spot, strike, years, vol, price) => {
    const implied = impliedVol(call, spot, strike, years, price, 0, 0)!;
    expect(Math.abs(implied - vol) / vol).toBeLessThan(1e-10);
    // and the engine prices the option back at the price, to its own rounding
    expect(Math.abs(optionPrice(call, spot, strike, years, implied, 0, 0) - price) / price).toBeLessThan(1e-12);
  });

  it('has none outside the prices a vol gives: at or below the intrinsic, at or above the spot, or at expiry', () => {
    expect(impliedVol(true, 100_000, 90_000, 0.25, 10_000, 0, 0)).toBeUndefined(); // the intrinsic is 10,000
    expect(impliedVol(true, 100_000, 90_000, 0.25, 9_000, 0, 0)).toBeUndefined();
    expect(impliedVol(true, 100_000, 110_000, 0.25, 100_000, 0, 0)).toBeUndefined(); // a call is worth less than the spot
    expect(impliedVol(false, 100_000, 110_000, 0.25, 110_000, 0, 0)).toBeUndefined(); // a put less than the strike
    expect(impliedVol(true, 100_000, 110_000, 0, 1_000, 0, 0)).toBeUndefined();
    expect(impliedVol(true, 100_000, 110_000, 0.25, 0, 0, 0)).toBeUndefined();
    expect(impliedVol(true, 100_000, 110_000, 0.25, Number.NaN, 0, 0)).toBeUndefined();
  });
});
