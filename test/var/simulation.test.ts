import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { ewmaCovariance } from '../../src/methods/var/covariance.js';
import { allEngines } from '../support/engines.js';
import { problemLines } from '../support/problems.js';
import { lcg, varBook, varMarket, varReport } from './support.js';

let engine: Engine;
let engines: Engine[];
beforeAll(async () => {
  engine = await createEngine();
  engines = await allEngines();
});

const problemsOf = problemLines;

describe('historical simulation', () => {
  // Long 1 BTC-PERP at 50,000 (d = 50,000). BTC daily returns −10%, +2%, −5%, +3%, +1%:
  // P&L 50,000·r = −5,000, 1,000, −2,500, 1,500, 500 → losses 5,000, −1,000, 2,500, −1,500, −500.
  const returns = { assets: ['BTC', 'ETH'], matrix: [[-0.1, 0], [0.02, 0], [-0.05, 0], [0.03, 0], [0.01, 0]] };
  const book = () => varBook({ positions: [['BTC-PERP', 1]] });

  test('VaR and ES from the scenarios (hand-computed)', () => {
    // α = 0.8: K = ⌈0.2·5⌉ = 1 → VaR = ES = 5,000 (the worst loss).
    const a80 = varReport(engine, book(), varMarket(), { model: 'historical', returns, confidence: 0.8 }).accounts[0];
    expect(a80.var!.var).toBeCloseTo(5_000, 8);
    expect(a80.var!.es).toBeCloseTo(5_000, 8);
    // α = 0.6: K = 2 → VaR = 2,500 (2nd largest), ES = (5,000 + 2,500)/2 = 3,750.
    const a60 = varReport(engine, book(), varMarket(), { model: 'historical', returns, confidence: 0.6, measure: 'es' }).accounts[0];
    expect(a60.var!.var).toBeCloseTo(2_500, 8);
    expect(a60.var!.es).toBeCloseTo(3_750, 8);
    expect(a60.im).toBeCloseTo(3_750, 8);
    expect(a60.var!.scenarios).toBe(5);
    // Components: all BTC; ES component = mean BTC loss over the 2 tail scenarios.
    expect(a60.var!.components).toEqual([{ underlying: 'BTC', contribution: expect.closeTo(3_750, 8) }]);
  });

  test('tail count at the boundaries: K = ⌈(1 − α)·M⌉ of the decimal α, on every backend (issue 21.4)', () => {
    // M dates with BTC returns −d/1,000, d = 1..M: long 1 BTC-PERP at 50,000 loses 50·d, so the K-th largest
    // loss is 50·(M − K + 1) and the mean of the K largest 50·(M − (K − 1)/2). K by hand from the decimal α:
    //   α 0.95,  M 60:  0.05·60 = 3     → K 3: VaR 2,900, ES 2,950  (literal float product 3.0000000000000027 → 4)
    //   α 0.95,  M 61:  0.05·61 = 3.05  → K 4: VaR 2,900, ES 2,975
    //   α 0.95,  M 20:  0.05·20 = 1     → K 1: VaR = ES = 1,000     (literal 1.0000000000000009 → 2)
    //   α 0.99,  M 100: 0.01·100 = 1    → K 1: VaR = ES = 5,000     (literal 1.0000000000000009 → 2)
    //   α 0.975, M 40:  0.025·40 = 1    → K 1: VaR = ES = 2,000     (literal 1.0000000000000009 → 2)
    //   α 0.9,   M 10:  0.1·10 = 1      → K 1: VaR = ES = 500       (literal 0.9999999999999998 → 1)
    //   α 0.9,   M 11:  0.1·11 = 1.1    → K 2: VaR 500, ES 525
    const cases = [
      { alpha: 0.95, M: 60, v: 2_900, es: 2_950 }, { alpha: 0.95, M: 61, v: 2_900, es: 2_975 },
      { alpha: 0.95, M: 20, v: 1_000, es: 1_000 }, { alpha: 0.99, M: 100, v: 5_000, es: 5_000 },
      { alpha: 0.975, M: 40, v: 2_000, es: 2_000 }, { alpha: 0.9, M: 10, v: 500, es: 500 }, { alpha: 0.9, M: 11, v: 500, es: 525 },
    ];
    for (const { alpha, M, v, es } of cases) {
      const history = { assets: ['BTC', 'ETH'], matrix: Array.from({ length: M }, (_, d) => [-(d + 1) / 1_000, 0]) };
      for (const e of engines) {
        const a = varReport(e, book(), varMarket(), { model: 'historical', returns: history, confidence: alpha, measure: 'es' }).accounts[0];
        const at = `${e.backend} α ${alpha} M ${M}`;
        expect(a.var!.scenarios, at).toBe(M);
        expect(a.var!.var, at).toBeCloseTo(v, 6);
        expect(a.var!.es, at).toBeCloseTo(es, 6);
      }
    }
  });

  test('a 4-day horizon scales daily returns by √4 = 2', () => {
    const a = varReport(engine, book(), varMarket(), { model: 'historical', returns, confidence: 0.8, horizonDays: 4 }).accounts[0];
    expect(a.var!.var).toBeCloseTo(10_000, 8);
  });

  test('options are fully revalued: the risk-array P&L matches independent BSM repricing', () => {
    // Short 2 BTC-C-50000 (28 days, implied vol 0.6, r = q = 0). Scenario P&L = −2·(C(S·(1 + r)) − C(S)),
    // C priced here by the Greeks kernel at the shocked spot (a different formula path: the risk-array
    // kernel splits ln(S'/K) = ln(S/K) + ln(1 + r)). Worst scenario for a short call: +3% → VaR at K = 1.
    const priceAt = (spot: number) => engine.greeks({
      isCall: Uint8Array.of(1), spot: Float64Array.of(spot), strike: Float64Array.of(50_000),
      expiryYears: Float64Array.of(28 / 365), vol: Float64Array.of(0.6), rate: Float64Array.of(0),
    }).price[0];
    const base = priceAt(50_000);
    const losses = [-0.1, 0.02, -0.05, 0.03, 0.01].map((r) => 2 * (priceAt(50_000 * (1 + r)) - base)).sort((x, y) => y - x);
    const a = varReport(engine, varBook({ positions: [['BTC-C-50000', -2]] }), varMarket(), { model: 'historical', returns, confidence: 0.6 }).accounts[0];
    expect(Math.abs(a.var!.var / losses[1] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(a.var!.es / ((losses[0] + losses[1]) / 2) - 1)).toBeLessThan(1e-12);
  });

  test('the returns must cover every risky asset of the book', () => {
    const only = { assets: ['ETH'], matrix: [[0.01]] };
    expect(problemsOf(() => varReport(engine, book(), varMarket(), { model: 'historical', returns: only }))).toEqual([
      'params.var.returns.assets: missing "BTC": the book is exposed to it (market vol > 0)',
    ]);
  });
});

describe('EWMA covariance', () => {
  test('hand-computed weights for two dates, λ = 0.5', () => {
    // Weights (1 − λ)λ^k / (1 − λ²): newest 0.5/0.75 = 2/3, older 0.25/0.75 = 1/3.
    // r_old = (0.1, −0.2), r_new = (0.3, 0.0):
    //   Σ11 = (1/3)·0.01 + (2/3)·0.09 = 0.06333…, Σ12 = (1/3)·(−0.02) = −0.00666…, Σ22 = (1/3)·0.04 = 0.01333…
    const s = ewmaCovariance(Float64Array.of(0.1, -0.2, 0.3, 0.0), 2, 2, 0.5);
    expect(s[0]).toBeCloseTo(0.19 / 3, 15);
    expect(s[1]).toBeCloseTo(-0.02 / 3, 15);
    expect(s[2]).toBe(s[1]);
    expect(s[3]).toBeCloseTo(0.04 / 3, 15);
  });

  test('covariance ewma drives delta-normal: Σ scaled by horizonDays / periodDays', () => {
    // Long 1 BTC-PERP (d = 50,000), one date with r_BTC = 0.02: Σ_BTC = 0.0004 per day, λ irrelevant.
    // 9 days: 0.0036, σ = 0.06 → VaR99 = 2.3263478740408408·0.06·50,000 = 6,979.043622122522.
    const returns = { assets: ['BTC', 'ETH'], matrix: [[0.02, 0.01]] };
    const a = varReport(engine, varBook({ positions: [['BTC-PERP', 1]] }), varMarket(), { covariance: 'ewma', returns, horizonDays: 9 }).accounts[0];
    expect(a.var!.var).toBeCloseTo(6_979.043622122522, 7);
  });

  test('Monte Carlo accepts a singular EWMA covariance (one date, two assets: rank 1)', () => {
    // Σ = r·rᵀ with r = (0.02, 0.01): every draw is z·r, so long 1 BTC-PERP ($50,000 → $1,000·z) against
    // short 40 ETH-PERP ($100,000 → −$1,000·z) is flat in every scenario. Cholesky stops at ETH's zero pivot;
    // the semidefinite factor takes over.
    const returns = { assets: ['BTC', 'ETH'], matrix: [[0.02, 0.01]] };
    const hedged = varReport(engine, varBook({ positions: [['BTC-PERP', 1], ['ETH-PERP', -40]] }), varMarket(), { model: 'monte-carlo', covariance: 'ewma', returns }).accounts[0];
    expect(Math.abs(hedged.var!.var)).toBeLessThan(1e-9);
    // Alone, the BTC leg loses $1,000·z: VaR99 ≈ 1,000 × 2.326 (sampling error ~5% at 1,000 scenarios).
    const alone = varReport(engine, varBook({ positions: [['BTC-PERP', 1]] }), varMarket(), { model: 'monte-carlo', covariance: 'ewma', returns }).accounts[0];
    expect(alone.var!.var / 2_326.3478740408408).toBeGreaterThan(0.85);
    expect(alone.var!.var / 2_326.3478740408408).toBeLessThan(1.15);
  });
});

describe('Monte Carlo', () => {
  test('a perfectly correlated pair (PSD but singular) runs: a vol-matched hedge is flat in every scenario', () => {
    // ρ = 1: x_ETH = (s_ETH / s_BTC)·x_BTC. Long 1 BTC-PERP (δ$ 50,000 at vol 0.5) against short 12.5 ETH-PERP
    // (δ$ 31,250 at vol 0.8): 50,000 × 0.5 = 31,250 × 0.8, so the P&L is 0 up to rounding.
    const hedged = varReport(engine, varBook({ positions: [['BTC-PERP', 1], ['ETH-PERP', -12.5]] }), varMarket({ rho: 1 }), { model: 'monte-carlo' }).accounts[0];
    expect(hedged.status).not.toBe('error');
    expect(Math.abs(hedged.var!.var)).toBeLessThan(1e-6);
    expect(Math.abs(hedged.var!.es)).toBeLessThan(1e-6);
  });

  test('converges to delta-normal on a linear book as the scenario count grows', () => {
    const book = varBook({ positions: [['BTC-PERP', 2], ['ETH-PERP', -20]], collateral: [['USDC', 1e5], ['ETH', 4]] });
    const exact = varReport(engine, book, varMarket(), {}).accounts[0].var!;
    const error = (scenarios: number, seed: number) => {
      const mc = varReport(engine, book, varMarket(), { model: 'monte-carlo', scenarios, seed }).accounts[0].var!;
      return { v: Math.abs(mc.var / exact.var - 1), es: Math.abs(mc.es / exact.es - 1) };
    };
    // Standard error of a 99% quantile from M normal draws ≈ √(0.99·0.01/M)/φ(2.326)/2.326 ≈ 1.6/√M:
    // 5% at M = 1,000, 0.5% at M = 100,000. Mean absolute error over seeds must shrink accordingly.
    const mean = (M: number) => {
      let v = 0, es = 0;
      for (const seed of [1, 2, 3, 4]) {
        const e = error(M, seed);
        v += e.v / 4;
        es += e.es / 4;
      }
      return { v, es };
    };
    const small = mean(1_000), large = mean(100_000);
    expect(large.v).toBeLessThan(0.015);
    expect(large.es).toBeLessThan(0.015);
    expect(large.v).toBeLessThan(small.v);
  });

  test('ES is sub-additive: ES(A + B) ≤ ES(A) + ES(B) on the same scenarios', () => {
    const rnd = lcg(11);
    const ids = ['BTC-PERP', 'ETH-PERP', 'BTC-C-50000', 'BTC-P-50000', 'BTC-C-60000', 'ETH-P-2400'];
    for (let trial = 0; trial < 10; trial++) {
      const a: [string, number][] = ids.map((id) => [id, Math.round((rnd() - 0.5) * 20)]);
      const b: [string, number][] = ids.map((id) => [id, Math.round((rnd() - 0.5) * 20)]);
      const both: [string, number][] = ids.map((id, i) => [id, a[i][1] + b[i][1]]);
      const [ra, rb, rab] = varReport(engine, varBook({ positions: a }, { positions: b }, { positions: both }), varMarket(), { model: 'monte-carlo', scenarios: 500, seed: trial }).accounts;
      expect(rab.var!.es).toBeLessThanOrEqual(ra.var!.es + rb.var!.es + 1e-9 * (ra.var!.es + rb.var!.es));
    }
  });

  test('components sum to the measure (VaR: the VaR scenario; ES: the tail mean)', () => {
    const book = varBook({ positions: [['BTC-C-50000', -10], ['ETH-P-2400', 5], ['BTC-PERP', 3]], collateral: [['USDC', 1e6], ['ETH', 10]] });
    for (const measure of ['var', 'es'] as const) {
      const e = varReport(engine, book, varMarket(), { model: 'monte-carlo', measure, scenarios: 2_000 }).accounts[0].var!;
      const sum = e.components.reduce((s, c) => s + c.contribution, 0);
      expect(sum).toBeCloseTo(measure === 'var' ? e.var : e.es, 6);
      expect(e.components.map((c) => c.underlying)).toEqual(['BTC', 'ETH']);
    }
  });

  test('the same seed gives the same numbers; another seed different ones', () => {
    const book = varBook({ positions: [['BTC-C-50000', -10], ['ETH-PERP', 5]] });
    const run = (seed: number) => varReport(engine, book, varMarket(), { model: 'monte-carlo', seed }).accounts[0].var!.var;
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });
});

describe('WASM / JS parity (exact)', () => {
  test('every model gives identical reports on wasm-simd, wasm-scalar and js', () => {
    const rnd = lcg(5);
    const ids = ['BTC-PERP', 'ETH-PERP', 'BTC-C-50000', 'BTC-P-50000', 'BTC-C-60000', 'ETH-P-2400'];
    const accounts = Array.from({ length: 40 }, () => ({
      positions: ids.filter(() => rnd() < 0.5).map((id) => [id, Math.round((rnd() - 0.5) * 40) || 1] as [string, number]),
      collateral: [['USDC', Math.round(rnd() * 1e6)], ['ETH', Math.round((rnd() - 0.3) * 50)]] as [string, number][],
    }));
    const book = varBook(...accounts);
    const returns = { assets: ['BTC', 'ETH'], matrix: Array.from({ length: 300 }, () => [(rnd() - 0.5) * 0.1, (rnd() - 0.5) * 0.14]) };
    for (const params of [
      { model: 'delta-normal' }, { model: 'delta-gamma', measure: 'es' }, { model: 'monte-carlo', scenarios: 777, seed: 3 },
      { model: 'historical', returns }, { model: 'delta-normal', covariance: 'ewma', returns },
    ]) {
      const [js, scalar, simd] = engines.map((e) => varReport(e, book, varMarket(), params));
      expect([js.backend, scalar.backend, simd.backend]).toEqual(['js', 'wasm-scalar', 'wasm-simd']);
      expect(scalar.accounts).toEqual(js.accounts);
      expect(simd.accounts).toEqual(js.accounts);
      for (let a = 0; a < js.accounts.length; a++) {
        expect(Object.is(simd.accounts[a].im, js.accounts[a].im)).toBe(true);
        expect(Object.is(scalar.accounts[a].var!.es, js.accounts[a].var!.es)).toBe(true);
      }
    }
  });
});
