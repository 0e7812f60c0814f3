import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { cornishFisherMonotone } from '../../src/methods/var/parametric.js';
import { normalDensity, normalQuantile } from '../../src/methods/var/normal-quantile.js';
import { varBook, varMarket, varReport } from './support.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

/** Years from the market's valuation time (2026-11-20T08:00Z) to 2026-12-18T08:00Z: 28 days / 365. */
const T_DEC = 28 / 365;

describe('delta-gamma with Cornish–Fisher', () => {
  test('a linear book has no gamma: identical bits to delta-normal', () => {
    const book = varBook({ positions: [['BTC-PERP', 3], ['ETH-PERP', -7]], collateral: [['ETH', 2]] });
    for (const measure of ['var', 'es'] as const) {
      const dn = varReport(engine, book, varMarket(), { measure }).accounts[0];
      const dg = varReport(engine, book, varMarket(), { model: 'delta-gamma', measure }).accounts[0];
      expect(Object.is(dg.var!.var, dn.var!.var)).toBe(true);
      expect(Object.is(dg.var!.es, dn.var!.es)).toBe(true);
      expect(dg.im).toBe(dn.im);
    }
  });

  test('one option: the cumulants of δ·r + ½γ·r² and the expansion, written out', () => {
    // Short 10 BTC-C-50000 (28 days, implied vol 0.6, r = q = 0); BTC σ = 0.5, horizon 10 days:
    // s² = 0.25·10/365. Exposures from the engine's Greeks: d = q·Δ·S, γ = q·Γ·S².
    const S = 50_000, q = -10, horizonDays = 10;
    const g = engine.greeks({ isCall: Uint8Array.of(1), spot: Float64Array.of(S), strike: Float64Array.of(50_000), expiryYears: Float64Array.of(T_DEC), vol: Float64Array.of(0.6), rate: Float64Array.of(0) });
    const d = q * g.delta[0] * S, gam = q * g.gamma[0] * S * S, s2 = (0.25 * horizonDays) / 365;
    // X = d·r + ½γ·r², r ~ N(0, s²) (scalar case of the cumulants in src/methods/var/parametric.ts):
    const k1 = 0.5 * gam * s2;
    const k2 = d * d * s2 + 0.5 * gam * gam * s2 * s2;
    const k3 = 3 * d * d * gam * s2 * s2 + gam ** 3 * s2 ** 3;
    const k4 = 12 * d * d * gam * gam * s2 ** 3 + 3 * gam ** 4 * s2 ** 4;
    const sd = Math.sqrt(k2), S3 = -k3 / sd ** 3, K4 = k4 / (k2 * k2); // of the loss −X
    const z = normalQuantile(0.99);
    const h = z + ((z * z - 1) * S3) / 6 + ((z ** 3 - 3 * z) * K4) / 24 - ((2 * z ** 3 - 5 * z) * S3 * S3) / 36;
    const es = -k1 + (sd * normalDensity(z)) / 0.01 * (1 + (S3 * z) / 6 + (K4 * (z * z - 1)) / 24 - (S3 * S3 * (2 * z * z - 1)) / 36);
    expect(cornishFisherMonotone(S3, K4)).toBe(true);
    const e = varReport(engine, varBook({ positions: [['BTC-C-50000', q]] }), varMarket(), { model: 'delta-gamma', horizonDays }).accounts[0].var!;
    expect(e.var).toBeCloseTo(-k1 + sd * h, 6);
    expect(e.es).toBeCloseTo(es, 6);
    expect(e.note).toBeUndefined();
    expect(e.exposures).toEqual([{ underlying: 'BTC', dollarDelta: expect.closeTo(d, 6), dollarGamma: expect.closeTo(gam, 4), vega: expect.closeTo(q * g.vega[0], 9) }]);
    // Short gamma: the loss is right-skewed, so CF VaR exceeds the delta-normal one.
    expect(e.var).toBeGreaterThan(z * Math.abs(d) * Math.sqrt(s2));
  });

  test('close to full-revaluation Monte Carlo on a directional short-option book', () => {
    // Measured at 50,000 scenarios: delta-normal ES 23,142, delta-gamma 26,988, Monte Carlo 26,497.
    // (Near delta-neutral books are harder: a short straddle gave delta-gamma 6–9% above Monte Carlo;
    // docs/var-margin.md.)
    const book = varBook({ positions: [['BTC-C-50000', -10], ['BTC-C-60000', -5], ['ETH-P-2400', -3]] });
    const dg = varReport(engine, book, varMarket(), { model: 'delta-gamma', measure: 'es' }).accounts[0].var!;
    const mc = varReport(engine, book, varMarket(), { model: 'monte-carlo', measure: 'es', scenarios: 50_000 }).accounts[0].var!;
    expect(Math.abs(dg.var / mc.var - 1)).toBeLessThan(0.03);
    expect(Math.abs(dg.es / mc.es - 1)).toBeLessThan(0.03);
    const sum = dg.components.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(dg.es, 6);
  });

  test('a delta-hedged long straddle falls outside the monotone domain: moment-matched normal, flagged', () => {
    // Long gamma, loss skewed left (bounded by the premium's decay): h(z) turns down for large z.
    const book = varBook({ positions: [['BTC-C-50000', 10], ['BTC-P-50000', 10], ['BTC-PERP', -0.6]] });
    const e = varReport(engine, book, varMarket(), { model: 'delta-gamma' }).accounts[0].var!;
    expect(e.note).toMatch(/not monotone/);
    expect(e.es).toBeGreaterThan(e.var);
  });

  test('monotone domain of the expansion', () => {
    expect(cornishFisherMonotone(0, 0)).toBe(true);
    expect(cornishFisherMonotone(Math.sqrt(8), 12)).toBe(true); // short gamma (χ²₁ loss): increasing on [0, ∞)
    expect(cornishFisherMonotone(-Math.sqrt(8), 12)).toBe(false); // long gamma: h′ < 0 near z = 2.8
    expect(cornishFisherMonotone(0, 10)).toBe(false); // h′(0) = 1 − 10/8 < 0
    expect(cornishFisherMonotone(0.5, -1)).toBe(false); // c2 < 0: h′ → −∞
  });
});
