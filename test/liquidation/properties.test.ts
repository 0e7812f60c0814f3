/**
 * Liquidation properties on random books (fast-check): generated books under a random market shock, every method,
 * every backend. Money is conserved (the run's identity, and each account's equity waterfall); a step never raises MM; no account is left being liquidated while a close that
 * lowers MM remains (rule-based methods: never); the plan is the same bits on every backend.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, type LiquidationReport, MARGIN_METHODS } from '../../src/index.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'wasm' })];
});

/** A generated book and its market with every non-stable asset moved by `shock` (linear marks with it, options repriced). */
function shocked(seed: number, accounts: number, shock: number) {
  const { book, market } = generateSample({ accounts, seed });
  const m = structuredClone(market);
  const under = new Map(book.instruments.map((i) => [i.id, i]));
  for (const [symbol, a] of Object.entries(m.assets)) if (a.vol > 0) a.price *= 1 + shock * (symbol === 'BTC' ? 1 : 1.3);
  for (const id of Object.keys(m.marks ?? {})) {
    const ins = under.get(id)!;
    if (ins.kind === 'option') delete m.marks![id];
    else m.marks![id] *= 1 + shock * (ins.underlying === 'BTC' ? 1 : 1.3);
  }
  return { book, market: m };
}

describe('liquidation properties', () => {
  // fast-check's counterexample (seed 570002, shock +19.94%, queue, no fund): under VaR, an account a hair under its
  // target had its small shortfall closed by selling all of a long that part-hedged its shorts, raising MM 4,976 → 5,698
  it('a small shortfall never closes a whole holding whose close raises MM (VaR hedge leg)', () => {
    const { book, market } = shocked(570002, 40, 0.1994058235791387);
    for (const engine of engines) {
      const r = engine.liquidate(book, market, { method: 'var', liquidation: { adl: 'queue', insuranceFund: { balanceUsd: 0 } } });
      const account = r.accounts.find((a) => a.id === 'directional-perp-000025')!;
      expect(account.state, engine.backend).toBe('resolved');
      for (const s of account.steps) expect(s.mmAfter, `${engine.backend} ${s.id}`).toBeLessThanOrEqual(s.mmBefore * (1 + 1e-12) + 1e-9);
    }
  });

  it('conserve money, never raise MM, leave nobody half-liquidated, and agree on every backend', () => {
    let writtenOffRuns = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -0.25, max: 0.2, noNaN: true }), fc.constantFrom('queue', 'pro-rata'), fc.double({ min: 0, max: 50_000, noNaN: true }), (seed, shock, adl, fund) => {
        const { book, market } = shocked(seed, 40, shock);
        for (const method of MARGIN_METHODS) {
          const options = { method, liquidation: { adl, insuranceFund: { balanceUsd: fund } } };
          const reports = engines.map((e) => e.liquidate(book, market, options));
          const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
          for (const r of reports) expect(text(r), method).toBe(text(reports[0]));
          const r = reports[0];
          const scale = r.totals.closedNotional + r.totals.fundStart + 1;
          expect(Math.abs(r.totals.conservationResidual), `${method} residual`).toBeLessThan(1e-9 * scale);
          for (const a of r.accounts) {
            const w = a.waterfall;
            expect([w.equityBefore, w.equityAfter]).toEqual([a.before.equity, a.after.equity]);
            const gross = a.steps.reduce((n, s) => n + s.notional, 0) + Math.abs(w.equityBefore) + 1;
            expect(Math.abs(w.equityBefore - w.slippage - w.fees + w.insuranceFund + w.adl + w.writtenOff - w.equityAfter), `${method} ${a.id} waterfall`).toBeLessThan(1e-9 * gross);
            // an isolated position's deficit is written off, never charged to the rest of the account; pooled deficits stay on it
            if (method !== 'isolated') expect(w.writtenOff).toBe(0);
            for (const s of a.steps) expect(s.mmAfter, `${method} ${a.id}`).toBeLessThanOrEqual(s.mmBefore * (1 + 1e-12) + 1e-9);
            if (a.state === 'being_liquidated') {
              expect(method === 'isolated' || method === 'cross', `${method} ${a.id}: ${a.note}`).toBe(false);
              expect(a.note).toMatch(/nothing left to close|no close left that lowers MM/);
            }
          }
          expect(r.totals.badDebt).toBeCloseTo(r.totals.fundPaid + r.totals.adlAbsorbed + r.totals.uncovered, 6);
          expect(r.totals.writtenOff).toBeCloseTo(r.accounts.reduce((n, a) => n + a.waterfall.writtenOff, 0), 6);
          if (r.totals.writtenOff > 0) writtenOffRuns++;
        }
      }),
      { numRuns: 15 },
    );
    expect(writtenOffRuns).toBeGreaterThan(0); // the isolated write-off was exercised
  });
});
