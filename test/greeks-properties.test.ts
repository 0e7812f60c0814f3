import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Engine, GreeksInput } from '../src/index.js';
import { GREEKS_LIMITS } from '../src/greeks/index.js';
import { allEngines, type OptionSpec, toInput } from './support/engines.js';

let engines: Engine[];
let js: Engine;
beforeAll(async () => {
  engines = await allEngines();
  js = engines[0];
});

/** A plain option in the general regime (T > 0, σ√T well above 0). */
const optionArb = fc.record({
  isCall: fc.boolean(),
  spot: fc.double({ min: 1, max: 1e5, noNaN: true }),
  moneyness: fc.double({ min: 0.3, max: 3, noNaN: true }),
  expiryYears: fc.double({ min: 0.01, max: 5, noNaN: true }),
  vol: fc.double({ min: 0.05, max: 2, noNaN: true }),
  rate: fc.double({ min: -0.02, max: 0.15, noNaN: true }),
  carry: fc.double({ min: -0.05, max: 0.15, noNaN: true }),
}).map(({ moneyness, ...o }): OptionSpec => ({ ...o, strike: o.spot * moneyness }));

function one(engine: Engine, o: OptionSpec) {
  const out = engine.greeks(toInput([o]));
  return { price: out.price[0], delta: out.delta[0], gamma: out.gamma[0], vega: out.vega[0], theta: out.theta[0], rho: out.rho[0] };
}

test('put-call parity: C − P = S·e^(−qT) − K·e^(−rT)', () => {
  fc.assert(
    fc.property(optionArb, (o) => {
      const c = one(js, { ...o, isCall: true }).price;
      const p = one(js, { ...o, isCall: false }).price;
      const forward = o.spot * Math.exp(-o.carry! * o.expiryYears) - o.strike * Math.exp(-o.rate * o.expiryYears);
      expect(Math.abs(c - p - forward)).toBeLessThanOrEqual(1e-12 * Math.max(o.spot, o.strike));
    }),
    { numRuns: 500, seed: 21 },
  );
});

describe('Greeks agree with finite differences of the price', () => {
  // Central differences carry O(h²) truncation error (relTol) and rounding noise of about
  // ε·price/h (first derivatives) or ε·price/h² (gamma), which the tolerance must include.
  const relTol = 2e-6;
  const EPS = 2 ** -52;
  const close = (analytic: number, numeric: number, scale: number, noise: number) =>
    expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(relTol * (Math.abs(numeric) + scale) + noise);

  test('delta and gamma (bumping spot), vega, rho, theta', () => {
    // Away from the last days before expiry, where ∂³V/∂T³ blows up and central differences in T fail.
    const arb = optionArb.filter((o) => o.expiryYears >= 0.05);
    fc.assert(
      fc.property(arb, (o) => {
        const g = one(js, o);
        const price = (p: Partial<OptionSpec>) => one(js, { ...o, ...p }).price;
        const hs = o.spot * 1e-4 * Math.min(1, o.vol * Math.sqrt(o.expiryYears)); // derivatives scale with 1/(S·σ√T)
        const up = price({ spot: o.spot + hs }), down = price({ spot: o.spot - hs });
        const noise = (h: number) => (8 * EPS * Math.max(g.price, o.spot, o.strike)) / h;
        close(g.delta, (up - down) / (2 * hs), 1e-6, noise(hs));
        close(g.gamma, (up - 2 * g.price + down) / (hs * hs), 1e-6 / o.spot, noise(hs) / hs);
        const hv = 1e-5;
        close(g.vega, (price({ vol: o.vol + hv }) - price({ vol: o.vol - hv })) / (2 * hv), 1e-4 * o.spot, noise(hv));
        const hr = 1e-5;
        close(g.rho, (price({ rate: o.rate + hr }) - price({ rate: o.rate - hr })) / (2 * hr), 1e-4 * o.strike, noise(hr));
        // theta = ∂V/∂t as calendar time passes = −∂V/∂T.
        const ht = Math.min(1e-5, o.expiryYears / 10);
        close(g.theta, -(price({ expiryYears: o.expiryYears + ht }) - price({ expiryYears: o.expiryYears - ht })) / (2 * ht), 1e-4 * o.spot, noise(ht));
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});

describe('no-arbitrage bounds and monotonicity', () => {
  test('max(S·e^(−qT) − K·e^(−rT), 0) ≤ call ≤ S·e^(−qT); put ≤ K·e^(−rT)', () => {
    fc.assert(
      fc.property(optionArb, (o) => {
        const sq = o.spot * Math.exp(-o.carry! * o.expiryYears), kr = o.strike * Math.exp(-o.rate * o.expiryYears);
        const eps = 1e-12 * Math.max(o.spot, o.strike);
        const c = one(js, { ...o, isCall: true }).price, p = one(js, { ...o, isCall: false }).price;
        expect(c).toBeGreaterThanOrEqual(Math.max(sq - kr, 0) - eps);
        expect(c).toBeLessThanOrEqual(sq + eps);
        expect(p).toBeGreaterThanOrEqual(Math.max(kr - sq, 0) - eps);
        expect(p).toBeLessThanOrEqual(kr + eps);
      }),
      { numRuns: 500, seed: 23 },
    );
  });

  test('gamma and vega are non-negative; call delta in [0, e^(−qT)], put delta in [−e^(−qT), 0]', () => {
    fc.assert(
      fc.property(optionArb, (o) => {
        const g = one(js, o);
        const dq = Math.exp(-o.carry! * o.expiryYears);
        expect(g.gamma).toBeGreaterThanOrEqual(0);
        expect(g.vega).toBeGreaterThanOrEqual(0);
        if (o.isCall) expect(g.delta >= 0 && g.delta <= dq * (1 + 1e-15)).toBe(true);
        else expect(g.delta <= 0 && g.delta >= -dq * (1 + 1e-15)).toBe(true);
      }),
      { numRuns: 500, seed: 24 },
    );
  });
});

describe('degenerate regimes, handled before the general formula', () => {
  const base = { spot: 100, strike: 90, rate: 0.05, carry: 0.01 };

  test('an expired option is worth its intrinsic value, with delta ±1/±½/0 and the other Greeks 0', () => {
    for (const engine of engines) {
      const rows: OptionSpec[] = [
        { ...base, isCall: true, expiryYears: 0, vol: 0.5 },
        { ...base, isCall: false, expiryYears: -0.1, vol: 0.5 },
        { ...base, isCall: true, strike: 100, expiryYears: 0, vol: 0.5 },
        { ...base, isCall: false, strike: 110, expiryYears: -2, vol: 0.5 },
      ];
      const out = engine.greeks(toInput(rows));
      expect(Array.from(out.price)).toEqual([10, 0, 0, 10]);
      expect(Array.from(out.delta).map((x) => x + 0)).toEqual([1, 0, 0.5, -1]);
      for (const f of ['gamma', 'vega', 'theta', 'rho'] as const) expect(Array.from(out[f]).every((x) => x === 0), f).toBe(true);
    }
  });

  test('zero vol values the option at its discounted intrinsic value on the forward', () => {
    for (const engine of engines) {
      const T = 0.5;
      const sq = 100 * Math.exp(-0.01 * T), kr = 90 * Math.exp(-0.05 * T);
      const out = engine.greeks(toInput([{ ...base, isCall: true, expiryYears: T, vol: 0 }, { ...base, isCall: false, expiryYears: T, vol: 0 }]));
      expect(out.price[0]).toBeCloseTo(sq - kr, 12);
      expect(out.price[1]).toBe(0);
      expect(out.delta[0]).toBeCloseTo(Math.exp(-0.01 * T), 15);
      expect(out.gamma[0]).toBe(0);
      expect(out.vega[0]).toBe(0);
      expect(out.rho[0]).toBeCloseTo(T * kr, 12);
      expect(out.theta[0]).toBeCloseTo(0.01 * sq - 0.05 * kr, 12); // pure carry
    }
  });

  test('vol near zero joins the zero-vol limit continuously', () => {
    for (const engine of engines) {
      const out = engine.greeks(toInput([1e-6, 1e-10, 1e-13, 0].map((vol) => ({ ...base, isCall: true, expiryYears: 1, vol }))));
      for (let i = 1; i < 4; i++) expect(Math.abs(out.price[i] - out.price[3])).toBeLessThanOrEqual(1e-12 * 100);
      expect(Math.abs(out.price[0] - out.price[3])).toBeLessThanOrEqual(1e-9);
    }
  });

  test('deep in and out of the money: prices are exact limits, never negative, never NaN', () => {
    for (const engine of engines) {
      const out = engine.greeks(toInput([
        { isCall: true, spot: 100, strike: 1e-3, expiryYears: 1, vol: 0.2, rate: 0.05, carry: 0 },
        { isCall: true, spot: 100, strike: 1e5, expiryYears: 1, vol: 0.2, rate: 0.05, carry: 0 },
        { isCall: false, spot: 100, strike: 1e-3, expiryYears: 1, vol: 0.2, rate: 0.05, carry: 0 },
        { isCall: false, spot: 1e-3, strike: 100, expiryYears: 1, vol: 0.2, rate: 0.05, carry: 0 },
      ]));
      expect(out.price[0]).toBeCloseTo(100 - 1e-3 * Math.exp(-0.05), 12);
      expect(out.delta[0]).toBe(1);
      // Worth ~1e-256 and ~1e-280: tiny but positive, as the 50-digit reference test checks.
      expect(out.price[1] >= 0 && out.price[1] < 1e-200).toBe(true);
      expect(out.price[2] >= 0 && out.price[2] < 1e-200).toBe(true);
      expect(out.delta[3]).toBe(-1);
      for (const f of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(out[f].every((x) => Number.isFinite(x))).toBe(true);
    }
  });

  test('price scales with spot and strike from 1e-100 to 1e100 (homogeneity of degree one)', () => {
    for (const engine of engines) {
      const o = { isCall: true, spot: 2, strike: 2.2, expiryYears: 0.7, vol: 0.6, rate: 0.03, carry: 0.01 };
      const unit = one(engine, o);
      for (const scale of [1e-100, 1e-40, 1e-8, 1e8, 1e40, 1e99]) {
        const g = one(engine, { ...o, spot: o.spot * scale, strike: o.strike * scale });
        expect(Math.abs(g.price / scale - unit.price)).toBeLessThanOrEqual(1e-13 * unit.price);
        expect(Math.abs(g.delta - unit.delta)).toBeLessThanOrEqual(1e-13);
        expect(Math.abs(g.gamma * scale - unit.gamma)).toBeLessThanOrEqual(1e-13 * unit.gamma);
      }
    }
  });

  test('no output is ever NaN or infinite anywhere in the supported domain', () => {
    const edge = fc.record({
      isCall: fc.boolean(),
      spot: fc.double({ min: 1e-100, max: 1e100, noNaN: true }),
      strike: fc.double({ min: 1e-100, max: 1e100, noNaN: true }),
      expiryYears: fc.oneof(fc.constantFrom(0, -1, 1e-300, 1e-15), fc.double({ min: -10, max: 50, noNaN: true })),
      vol: fc.oneof(fc.constantFrom(0, 1e-300, 1e-14, 10, GREEKS_LIMITS.volMax), fc.double({ min: 0, max: GREEKS_LIMITS.volMax, noNaN: true })),
      rate: fc.double({ min: -2, max: 2, noNaN: true }),
      carry: fc.double({ min: -2, max: 2, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(edge, { minLength: 1, maxLength: 40 }), (options) => {
        const input: GreeksInput = toInput(options);
        for (const engine of engines) {
          const out = engine.greeks(input);
          for (const f of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) {
            expect(out[f].every((x) => Number.isFinite(x)), `${engine.backend} ${f}`).toBe(true);
          }
          expect(out.price.every((x) => x >= 0)).toBe(true);
        }
      }),
      { numRuns: 300, seed: 25 },
    );
  });
});
