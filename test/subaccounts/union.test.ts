/**
 * The cross policy's pools margined from the standalone run (src/subaccounts/union.ts, MethodRun.pools.unionMargin) against
 * the definition: the pooled book — each master with its subaccounts' positions appended and its balances summed per
 * asset — margined as an ordinary book by the master's method. Built here from the book JSON, not by the code under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';

const engines = await allEngines();
/** Methods a pool can have (isolated cannot: it allocates collateral to positions). */
const POOL_METHODS = ['cross', 'portfolio', 'var'];

type RawAccount = { id: string; master?: string; method?: string; positions?: { instrument: string; quantity: number; entryPrice: number }[]; collateral?: { asset: string; amount: number }[]; cashUsd?: number };

/** The pooled book of the README's definition, from the raw book (members: master first, then subaccounts by id). */
function pooledByHand(book: { instruments: unknown[]; accounts: RawAccount[] }): { instruments: unknown[]; accounts: RawAccount[] } {
  const accounts: RawAccount[] = [];
  for (const a of book.accounts) {
    if (a.master !== undefined) continue;
    const members = [a, ...book.accounts.filter((s) => s.master === a.id).sort((x, y) => (x.id < y.id ? -1 : 1))];
    const amounts = new Map<string, number>();
    let cashUsd = 0;
    for (const m of members) {
      for (const b of m.collateral ?? []) amounts.set(b.asset, (amounts.get(b.asset) ?? 0) + b.amount);
      cashUsd = cashUsd + (m.cashUsd ?? 0);
    }
    accounts.push({
      id: a.id, positions: members.flatMap((m) => m.positions ?? []), collateral: [...amounts].map(([asset, amount]) => ({ asset, amount })),
      ...(cashUsd !== 0 ? { cashUsd } : {}), ...(a.method ? { method: a.method } : {}),
    });
  }
  return { instruments: book.instruments, accounts };
}

const figures = (r: { equity: number; equityIm: number; equityMm: number; im: number; mm: number; status: string }) =>
  [r.equity, r.equityIm, r.equityMm, r.im, r.mm, r.status];

describe('cross policy: a pool margined from the standalone run', () => {
  it('nets opposite positions of two subaccounts and realises their P&L into the pool (hand case, every backend)', () => {
    // s1 long 1 BTC-PERP at 100,000, s2 short 0.4 at 110,000, BTC at 100,000 (test/support/margin-books.ts).
    // Pool: +0.6 at 100,000 and 0.4 × (110,000 − 100,000) = 4,000 USD realised; notional 60,000:
    // IM = 50,000 × 0.8% + 10,000 × 1% = 500, MM = 50,000 × 0.4% + 10,000 × 0.5% = 250 (brackets: policies.test.ts).
    // Equity = 10,000 + 2,000 + 150 USDC + 4,000 realised + 0.6 × (100,000 − 100,000) = 16,150.
    const book = {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
        { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
        { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.4, entryPrice: 110_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
      ],
    };
    for (const engine of engines) {
      const m = engine.margin(book, market(), { method: 'cross', params: { subaccounts: { policy: 'cross' } } }).subaccounts!.masters[0];
      expect(figures(m.combined)).toEqual([16_150, 16_150, 16_150, 500, 250, 'healthy']);
      expect(m.standalone.im).toBe(900 + 320); // short 0.4: notional 40,000 × 0.8%
    }
  });

  it('gives the pooled book’s figures bit for bit on generated books, mixed methods, every backend', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 9 }), fc.boolean(), fc.constantFrom(...POOL_METHODS), (seed, k, mixed, method) => {
        const { book, market: mkt } = generateSample({ accounts: 80, seed, accountsPerMaster: k });
        // mixed: every third subaccount margined alone by another method (the pool keeps its master's method)
        const other = method === 'cross' ? 'portfolio' : 'cross';
        const accounts = (book.accounts as RawAccount[]).map((a, i) => (mixed && a.master !== undefined && i % 3 === 0 ? { ...a, method: other } : a));
        const grouped = { ...book, accounts };
        const pooled = pooledByHand(grouped as never);
        for (const engine of engines) {
          const r = engine.margin(grouped, mkt, { method, params: { subaccounts: { policy: 'cross' } } });
          const byId = new Map(engine.margin(pooled, mkt, { method }).accounts.map((row) => [row.id, row]));
          for (const m of r.subaccounts!.masters) {
            const p = byId.get(m.id)!;
            expect(figures(m.combined)).toEqual(figures(p));
            expect(m.combined.health).toBe(p.health);
            expect(m.combined.excessOverMm).toBe(p.excessOverMm);
          }
        }
      }),
      { numRuns: 16 },
    );
  });
});
