/** Reverse stress test and Monte Carlo stress: hand cases and the draws' statistics. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample } from '../../src/index.js';
import { distribution, monteCarloShocks } from '../../src/stress/monte-carlo.js';
import { validateMarket } from '../../src/model/validate.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['X'], matrix: [[1]] },
};
const oneLong = {
  instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
  accounts: [{ id: 'long', positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: 100 }] }],
};
const params = {
  linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] },
  liquidation: { feeRate: 0, maxFractionPerStep: 1, smallShortfallUsd: 0 },
  stress: { impact: { X: { model: 'linear', pricePerUnit: 0.5, permanent: 1 } } },
};

describe('reverse stress test', () => {
  it('finds the fall at which one long\'s bad debt passes 2 USD: 7.7%, by hand', () => {
    // At price p = 100(1 − s) the long has equity 10p − 900. Where no partial close restores MM·1.02 (the slack
    // 10p − 900 − 0.25q² − 0.051p(10 − q) stays below 0 for every q, true below p ≈ 92.5), it closes all 10 at p − 2.5
    // (linear depth κ = 0.5, filled at the mid): bad debt 25 − (10p − 900) = 1000s − 75, above 2 for s > 0.077.
    // Direction: X −10%, so λ = 0.77.
    for (const engine of engines) {
      const r = engine.stress(oneLong, market, { spot: { X: -0.1 } }, { params, reverse: { thresholdUsd: 2 } });
      const rev = r.reverse![0];
      expect(rev.scale).toBeCloseTo(0.77, 2);
      expect(rev.tolerance).toBeLessThanOrEqual(1e-3);
      expect(rev.badDebt!).toBeGreaterThan(2);
      expect(rev.badDebtBelow).toBeLessThanOrEqual(2);
      expect(rev.moves!.X).toBeCloseTo(-0.077, 3);
      expect(rev.badDebt!).toBeCloseTo(1000 * 0.1 * rev.scale! - 75, 6);
    }
  });

  it('says "not reached" when even a fall to almost nothing keeps bad debt below the threshold', () => {
    const r = engines[0].stress(oneLong, market, { spot: { X: -0.1 } }, { params, reverse: { thresholdUsd: 1e6 } });
    expect(r.reverse![0].scale).toBeNull();
    expect(r.reverse![0].badDebt).toBeNull();
    expect(r.reverse![0].badDebtBelow).toBeLessThan(1e6);
  });
});

describe('Monte Carlo stress', () => {
  it('draws the same shocks on every backend; percentiles are order statistics; more paths, same first paths', () => {
    const { book, market: m } = generateSample({ accounts: 40, seed: 3 });
    const runs = engines.map((e) => e.stress(book, m, { spot: { BTC: -0.05 } }, { paths: 60, seed: 9, horizonDays: 3 }));
    expect(JSON.stringify(runs[0].monteCarlo)).toBe(JSON.stringify(runs[1].monteCarlo));
    const mc = runs[0].monteCarlo![0];
    expect(mc.paths).toBe(60);
    expect(mc.badDebt.p95).toBeLessThanOrEqual(mc.badDebt.p99);
    expect(mc.badDebt.p99).toBeLessThanOrEqual(mc.badDebt.max);
    expect(mc.worst[0].badDebt).toBe(mc.badDebt.max);
    expect(mc.worst).toHaveLength(5);
    // the BTC moves of the worst paths are 3-day moves: |r| within 6σ·√(3/365)
    for (const p of mc.worst) expect(Math.abs(p.moves.BTC)).toBeLessThan(6 * 0.4648 * Math.sqrt(3 / 365) + 1e-12);
  });

  it('distribution: mean and the ⌈p·N⌉-th smallest values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100
    expect(distribution(values)).toEqual({ mean: 50.5, p95: 95, p99: 99, max: 100 });
    expect(distribution([3])).toEqual({ mean: 3, p95: 3, p99: 3, max: 3 });
  });

  it('correlated draws have the market\'s vols and correlation (4,000 paths, within sampling error)', () => {
    const m2 = validateMarket({
      valuationTime: '2026-11-20T08:00:00Z',
      assets: { X: { price: 100, vol: 0.5 }, Y: { price: 10, vol: 1 }, USDC: { price: 1, vol: 0 } },
      correlation: { assets: ['X', 'Y'], matrix: [[1, 0.6], [0.6, 1]] },
    });
    const n = 4000;
    const steps = monteCarloShocks(m2, n, 1, 4);
    const x = steps.map((s) => s.move.returns.get('X') ?? 0), y = steps.map((s) => s.move.returns.get('Y') ?? 0);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(x), my = mean(y);
    const cov = (a: number[], ma: number, b: number[], mb: number) => a.reduce((acc, ai, i) => acc + (ai - ma) * (b[i] - mb), 0) / (n - 1);
    const sx = Math.sqrt(cov(x, mx, x, mx)), sy = Math.sqrt(cov(y, my, y, my));
    // σ·√(h/365): 0.5·√(4/365) = 0.05234, 1·√(4/365) = 0.10468; standard error of a standard deviation ≈ σ/√(2n) ≈ 1.1%
    expect(sx / (0.5 * Math.sqrt(4 / 365))).toBeCloseTo(1, 1);
    expect(sy / Math.sqrt(4 / 365)).toBeCloseTo(1, 1);
    // standard error of ρ ≈ (1 − ρ²)/√n = 0.01
    expect(Math.abs(cov(x, mx, y, my) / (sx * sy) - 0.6)).toBeLessThan(0.04);
    expect(steps).toHaveLength(n);
    expect(monteCarloShocks(m2, 10, 1, 4).map((s) => s.move.returns.get('X'))).toEqual(x.slice(0, 10)); // counter-based: a prefix
  });
});
