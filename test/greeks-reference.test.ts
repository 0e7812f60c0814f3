import { beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../src/index.js';
import { bsmRef } from './reference/decimal-bsm.js';
import { allEngines, randomInput, toInput } from './support/engines.js';
import { mulberry32 } from './support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/**
 * Worked examples from E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007),
 * ch. 1 (generalised BSM, cost of carry b = r − q) and ch. 2 (Greeks), quoted to 4 decimals.
 */
const HAUG = [
  { what: 'call price (1.1.1: S 60, K 65, T 0.25, r 8%, b = r, σ 30%)', o: { isCall: true, spot: 60, strike: 65, expiryYears: 0.25, vol: 0.3, rate: 0.08, carry: 0 }, field: 'price', value: 2.1334 },
  { what: 'put price on an index (1.1.3, Merton: S 100, K 95, T 0.5, r 10%, q 5%, σ 20%)', o: { isCall: false, spot: 100, strike: 95, expiryYears: 0.5, vol: 0.2, rate: 0.1, carry: 0.05 }, field: 'price', value: 2.4648 },
  { what: 'Black-76 call on a future (1.1.4: F 19, K 19, T 0.75, r 10%, σ 28%)', o: { isCall: true, spot: 19, strike: 19, expiryYears: 0.75, vol: 0.28, rate: 0.1, carry: 0.1 }, field: 'price', value: 1.7011 },
  { what: 'Black-76 put on the same future', o: { isCall: false, spot: 19, strike: 19, expiryYears: 0.75, vol: 0.28, rate: 0.1, carry: 0.1 }, field: 'price', value: 1.7011 },
  { what: 'call delta on a future (2.1.1: F 105, K 100, T 0.5, r 10%, b 0, σ 36%)', o: { isCall: true, spot: 105, strike: 100, expiryYears: 0.5, vol: 0.36, rate: 0.1, carry: 0.1 }, field: 'delta', value: 0.5946 },
  { what: 'put delta on the same future', o: { isCall: false, spot: 105, strike: 100, expiryYears: 0.5, vol: 0.36, rate: 0.1, carry: 0.1 }, field: 'delta', value: -0.3566 },
  { what: 'gamma (2.3.1: S 55, K 60, T 0.75, r 10%, b 10%, σ 30%)', o: { isCall: true, spot: 55, strike: 60, expiryYears: 0.75, vol: 0.3, rate: 0.1, carry: 0 }, field: 'gamma', value: 0.0278 },
  { what: 'vega (2.4.1, the same option as the gamma example)', o: { isCall: true, spot: 55, strike: 60, expiryYears: 0.75, vol: 0.3, rate: 0.1, carry: 0 }, field: 'vega', value: 18.9358 },
  { what: 'put theta per year (2.5.1: S 430, K 405, T 0.0833, r 7%, b 2%, σ 20%)', o: { isCall: false, spot: 430, strike: 405, expiryYears: 0.0833, vol: 0.2, rate: 0.07, carry: 0.05 }, field: 'theta', value: -31.1924 },
  { what: 'call rho (2.6.1: S 72, K 75, T 1, r 9%, b 9%, σ 19%)', o: { isCall: true, spot: 72, strike: 75, expiryYears: 1, vol: 0.19, rate: 0.09, carry: 0 }, field: 'rho', value: 38.7325 },
] as const;

describe("Haug's textbook examples", () => {
  for (const { what, o, field, value } of HAUG) {
    test(`${what} = ${value}`, () => {
      for (const engine of engines) {
        const out = engine.greeks(toInput([o]));
        expect(out[field][0], engine.backend).toBeCloseTo(value, 4);
      }
    });
  }
});

test('price and every Greek match a 50-digit reference to 1e-12 relative on 600 random options', () => {
  const rnd = mulberry32(11);
  const n = 600;
  const input = randomInput(n, rnd);
  // The reference takes the general formula, so keep to its regime (T > 0, σ√T not tiny).
  for (let i = 0; i < n; i++) {
    if (!(input.expiryYears[i] > 1e-3)) input.expiryYears[i] = 0.01 + rnd();
    if (!(input.vol[i] > 0.01)) input.vol[i] = 0.05 + rnd();
  }
  const refs = Array.from({ length: n }, (_, i) =>
    bsmRef({
      isCall: input.isCall[i] === 1, spot: input.spot[i], strike: input.strike[i], expiryYears: input.expiryYears[i],
      vol: input.vol[i], rate: input.rate[i], carry: input.carry[i],
    }),
  );
  for (const engine of engines) {
    const out = engine.greeks(input);
    for (const field of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) {
      for (let i = 0; i < n; i++) {
        const ref = refs[i][field];
        // Natural scale of each output, for values that are tiny by cancellation (deep OTM).
        const s = input.spot[i], k = input.strike[i];
        const scale = { price: Math.max(s, k), delta: 1, gamma: 1 / s, vega: s, theta: Math.max(s, k), rho: k }[field];
        const tolerance = 1e-12 * Math.abs(ref) + 1e-15 * scale;
        expect(Math.abs(out[field][i] - ref), `${engine.backend} ${field}[${i}] ref ${ref}`).toBeLessThanOrEqual(tolerance);
      }
    }
  }
});
