/**
 * A status reason written as bytes (src/margin/status-reason.ts writePooledStatusReason, money-text.ts writeAmount) is
 * the UTF-8 of the reason as text, whatever the figures: usual amounts (written digit by digit), and those it leaves to
 * the text (a fraction of a cent, near a half cent, 1e11 and past it, −0, NaN, ±Infinity).
 */
import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX_BYTES, amount, writeAmount } from '../../src/margin/money-text.js';
import { isolatedStatusReason, POOLED_REASON_MAX_BYTES, pooledStatusReason, writePooledStatusReason } from '../../src/margin/status-reason.js';
import { STATUS } from '../../src/margin/status.js';
import { mulberry32 } from '../support/random.js';

const encoder = new TextEncoder();
const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** Amounts of every magnitude and sign, at and near half cents, and the ones writeAmount leaves to the text. */
function amounts(): number[] {
  const rnd = mulberry32(11);
  const xs = [0, -0, 0.004, -0.004, 0.005, 0.015, 1.005, 2.675, 999.995, 91_500, 99_999_999_999.99, 1e11, -1e11, 1e15, 1e21, NaN, Infinity, -Infinity, 123_456.785];
  for (let i = 0; i < 20_000; i++) {
    const x = (rnd() - 0.5) * 10 ** (rnd() * 14 - 3);
    xs.push(x, Math.round(x * 100) / 100, Math.floor(x) + 0.005, Math.floor(x) + 0.995);
  }
  return xs;
}

describe('status reasons as bytes', () => {
  it('writeAmount writes amount\'s text for the usual amount, and nothing (−1) for the others', () => {
    const out = new Uint8Array(AMOUNT_MAX_BYTES + 8).fill(0xee);
    let written = 0;
    for (const x of amounts()) {
      const end = writeAmount(x, out, 3);
      if (end < 0) continue;
      written++;
      expect(end - 3).toBeLessThanOrEqual(AMOUNT_MAX_BYTES);
      if (ascii(out.subarray(3, end)) !== amount(x)) expect(ascii(out.subarray(3, end)), String(x)).toBe(amount(x));
    }
    expect(written).toBeGreaterThan(30_000); // all but the amounts near a half cent, or outside the usual range, take the byte path
    for (const x of [0.004, 1e11, 1e21, NaN, Infinity, -0.001]) expect(writeAmount(x, out, 0), String(x)).toBe(-1);
    expect(ascii(out.subarray(0, writeAmount(-0, out, 0)))).toBe('-0.00');
    expect(ascii(out.subarray(0, writeAmount(1_234_567.891, out, 0)))).toBe('1,234,567.89');
  });

  it('writePooledStatusReason writes the UTF-8 of pooledStatusReason for every status, or −1 when a figure is not usual', () => {
    const xs = amounts(), rnd = mulberry32(5);
    const out = new Uint8Array(POOLED_REASON_MAX_BYTES + 16);
    let written = 0;
    for (let i = 0; i < 20_000; i++) {
      const pick = () => xs[Math.floor(rnd() * xs.length)];
      const f = { equity: pick(), equityIm: pick(), equityMm: pick(), im: pick(), mm: rnd() < 0.1 ? 0 : pick() };
      for (const status of STATUS) {
        const end = writePooledStatusReason(status, f, out, 7);
        if (end < 0) continue;
        written++;
        expect(end - 7).toBeLessThanOrEqual(POOLED_REASON_MAX_BYTES);
        const expected = encoder.encode(pooledStatusReason(status, f));
        if (!expected.every((b, k) => out[7 + k] === b) || end - 7 !== expected.length) expect(new TextDecoder().decode(out.subarray(7, end))).toBe(pooledStatusReason(status, f));
      }
    }
    expect(written).toBeGreaterThan(30_000);
    expect(new TextDecoder().decode(out.subarray(0, writePooledStatusReason('healthy', { equity: 1, equityIm: 161_184.11, equityMm: 1, im: 29_117.12, mm: 1 }, out, 0))))
      .toBe('equity for IM 161,184.11 ≥ IM 29,117.12');
    expect(writePooledStatusReason('bankrupt', { equity: -1e12, equityIm: 0, equityMm: 0, im: 0, mm: 0 }, out, 0)).toBe(-1);
  });
});

describe('figures compared in a reason never read the same when they differ', () => {
  it('at a liquidation price: "equity for MM 960.2 < MM 960.2" shows the digits that tell them apart', () => {
    const f = { equity: 960.2, equityIm: 960.2, equityMm: 960.1999999999999, im: 1_900, mm: 960.2 };
    expect(pooledStatusReason('liquidatable', f)).toBe('equity for MM 960.1999999999999 < MM 960.2000000000000');
    // the bytes leave such a pair to the text
    expect(writePooledStatusReason('liquidatable', f, new Uint8Array(POOLED_REASON_MAX_BYTES), 0)).toBe(-1);
    // a coin account's, past its 8 decimals
    expect(pooledStatusReason('liquidatable', { ...f, equityMm: 0.123456781, mm: 0.123456784 }, 'BTC')).toBe('equity for MM 0.123456781 BTC < MM 0.123456784 BTC');
    // figures that read apart keep their usual form
    expect(pooledStatusReason('liquidatable', { ...f, equityMm: 955 })).toBe('equity for MM 955.00 < MM 960.20');
  });
});

describe('an isolated position\'s reason tells its equity and requirement apart too', () => {
  it('allocated 499.9999999 against MM 500: the equity and MM show the digits that differ', () => {
    expect(isolatedStatusReason('liquidatable', 'BTC-PERP', { allocated: 499.9999999, markToMarket: 0, im: 1_000, mm: 500 }))
      .toBe('isolated position BTC-PERP: allocated 500.00 + P&L 0.00 = 499.9999999 < MM 500.0000000');
    expect(isolatedStatusReason('liquidatable', 'BTC-PERP', { allocated: 450, markToMarket: 0, im: 1_000, mm: 500 }))
      .toBe('isolated position BTC-PERP: allocated 450.00 + P&L 0.00 = 450.00 < MM 500.00');
  });
});
