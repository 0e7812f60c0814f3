/**
 * Cascade properties on random books (fast-check): the reverse search returns a shock whose bad debt crosses the
 * threshold and no smaller grid shock does; money is conserved in every round; the loop ends at a fixed point within
 * the round cap; every backend and every run give the same bits; a cascade after the book was put back (reverse,
 * Monte Carlo) equals one from scratch. MARGIN_CORE_PROPERTY_RUNS / _SEED make the runs longer or replay one.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, MARGIN_METHODS, type StressReport } from '../../src/index.js';
import { mulberry32 } from '../support/random.js';
import { propertyRuns } from '../support/property-runs.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'wasm' })];
});

const strip = (r: StressReport) => JSON.stringify({ ...r, backend: '', cascades: r.cascades.map((c) => ({ ...c, backend: '' })) });

/** A linear book on two assets: random longs and shorts of perps with USDC collateral. */
function linearBook(rand: () => number, accounts: number) {
  return {
    instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }, { id: 'Y-PERP', kind: 'perpetual', underlying: 'Y' }],
    accounts: Array.from({ length: accounts }, (_, i) => ({
      id: `a${i}`,
      positions: [
        { instrument: 'X-PERP', quantity: Math.round((rand() * 2 - 0.6) * 100) / 10 || 1, entryPrice: 100 },
        ...(rand() < 0.5 ? [{ instrument: 'Y-PERP', quantity: Math.round((rand() * 2 - 1) * 200) / 10 || 1, entryPrice: 50 }] : []),
      ],
      collateral: [{ asset: 'USDC', amount: Math.round(20 + rand() * 200) }],
    })),
  };
}

const twoAssetMarket = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { X: { price: 100, vol: 0.6 }, Y: { price: 50, vol: 0.9 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['X', 'Y'], matrix: [[1, 0.7], [0.7, 1]] },
};

const params = {
  linear: { default: [{ upTo: 1000, imRate: 0.1, mmRate: 0.05 }, { imRate: 0.2, mmRate: 0.1 }] },
  liquidation: { insuranceFund: { balanceUsd: 50 } },
  stress: { impact: { X: { model: 'linear', pricePerUnit: 0.05, permanent: 0.8 }, Y: { model: 'sqrt', y: 1, advUsd: 20_000, permanent: 0.5, spotVolBeta: -0.5 } } },
};

describe('cascade properties', () => {
  // Bad debt is not monotone in the shock (test/stress/rules.test.ts has a case), so the reverse search scans a grid.
  // Book seed 212003843 is the counterexample that made isolated margin write an isolated position's deficit off
  // instead of charging it to the rest of its account (issue 15). Book seed 784696585 (isolated, threshold 5) left the
  // fund at 5.6e-17 after a round, which the next round's params refused as below the smallest parameter.
  it('on linear books under every method, the reverse search returns a shock that crosses the threshold, and no smaller grid shock does', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom(...MARGIN_METHODS), fc.double({ min: 5, max: 150, noNaN: true }), (seed, method, threshold) => {
        const book = linearBook(mulberry32(seed), 12);
        const shock = { spot: { X: -0.3 } };
        const r = engines[0].stress(book, twoAssetMarket, shock, { method, params, reverse: { thresholdUsd: threshold } });
        const rev = r.reverse![0];
        const badDebtAt = (lambda: number) => engines[0].stress(book, twoAssetMarket, { spot: { X: -0.3 * lambda } }, { method, params }).cascades[0].metrics.badDebt;
        expect(rev.gridStep).toBeCloseTo(0.005 / 0.3, 12);
        if (rev.scale === null) {
          expect(rev.badDebtBelow).toBeLessThanOrEqual(threshold); // not reached, even at the largest λ
          return;
        }
        found++;
        expect(rev.badDebt!).toBeGreaterThan(threshold);
        expect(badDebtAt(rev.scale)).toBe(rev.badDebt);
        expect(rev.badDebtBelow).toBeLessThanOrEqual(threshold);
        expect(rev.tolerance).toBeLessThanOrEqual(1e-3);
        for (let k = 1; k * rev.gridStep < rev.scale - 1e-12; k++) expect(badDebtAt(k * rev.gridStep), `${method} grid point ${k}`).toBeLessThanOrEqual(threshold);
      }),
      { ...propertyRuns(6), examples: [[212003843, 'isolated', 40], [784696585, 'isolated', 5]] },
    );
    expect(found).toBeGreaterThan(0);
  });

  // Book seed 448523 unshocked is the counterexample that re-liquidated an account that only borrows (MM 0) every round:
  // sold back to zero slack, its own sale's price impact put it below again (target-slack.ts puts a buffer on haircuts).
  it('conserve money every round, end within the round cap, and give the same bits on every backend and run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -0.3, max: 0.2, noNaN: true }).map((x) => (Math.abs(x) < 1e-12 ? 0 : x)), (seed, shock) => {
        const { book, market } = generateSample({ accounts: 30, seed });
        const reports = engines.map((e) => e.stress(book, market, { spot: { BTC: shock, ETH: shock * 1.2 }, volPoints: { BTC: 10 } }, { method: 'all', params: { stress: { maxRounds: 40 } } }));
        for (const r of reports) expect(strip(r)).toBe(strip(reports[0]));
        expect(strip(engines[0].stress(book, market, { spot: { BTC: shock, ETH: shock * 1.2 }, volPoints: { BTC: 10 } }, { method: 'all', params: { stress: { maxRounds: 40 } } }))).toBe(strip(reports[0]));
        const r = reports[0];
        expect(r.cascades.map((c) => c.method)).toEqual([...MARGIN_METHODS]);
        for (const c of r.cascades) {
          for (const s of c.stops) expect(s.stoppedBy, c.method).not.toBe('round-cap');
          let fund = c.metrics.fundStart;
          for (const x of c.rounds) {
            expect(Math.abs(x.conservationResidual), `${c.method} round ${x.round}`).toBeLessThan(1e-9 * (x.liquidatedNotional + c.metrics.fundStart + 1));
            // the round's bad debt is its three parts; the fund moves by its fees in and what it paid out
            expect(x.badDebt, `${c.method} round ${x.round}`).toBe(x.fundPaid + x.adlAbsorbed + x.uncovered);
            expect(x.insuranceFund, `${c.method} round ${x.round}`).toBeCloseTo(fund + x.feesToFund - x.fundPaid, 6);
            fund = x.insuranceFund;
          }
          expect(c.metrics.badDebt).toBeCloseTo(c.rounds.reduce((n, x) => n + x.badDebt, 0), 6);
          expect(c.metrics.fundPaid).toBeCloseTo(c.rounds.reduce((n, x) => n + x.fundPaid, 0), 6);
        }
      }),
      { ...propertyRuns(4), examples: [[448523, 0]] },
    );
  });

  it('a cascade run after the book was put back (reverse, Monte Carlo) equals one from scratch', () => {
    const { book, market } = generateSample({ accounts: 60, seed: 11 });
    const shock = { spot: { BTC: -0.2 } };
    const plain = engines[2].stress(book, market, shock, { method: 'cross' });
    const withMore = engines[2].stress(book, market, shock, { method: 'cross', reverse: true, paths: 20, seed: 5 });
    expect(JSON.stringify(withMore.cascades)).toBe(JSON.stringify(plain.cascades));
    // each Monte Carlo path equals the same moves given as a shock to a fresh book
    const mc = withMore.monteCarlo![0];
    for (const p of mc.worst.slice(0, 3)) {
      const alone = engines[2].stress(book, market, { spot: p.moves }, { method: 'cross' }).cascades[0].metrics;
      expect([alone.badDebt, alone.liquidatedNotional, alone.rounds]).toEqual([p.badDebt, p.liquidatedNotional, p.rounds]);
    }
  });
});
