/**
 * Properties of the master policies on generated books (src/sample/generate.ts, `accountsPerMaster`).
 * - independent: every account's figures are today's, bit for bit (the book without masters).
 * - cross: pooling never increases a group's requirement when the requirement is subadditive in the positions: flat
 *   linear rates (|q₁ + q₂| ≤ |q₁| + |q₂| per instrument; short-option terms are per unit too) and the scenario
 *   grid (the worst loss of a sum is at most the sum of the worst losses). With the default size tiers it can
 *   increase: a bigger net position climbs to a higher bracket (docs/subaccounts.md).
 * - cross: pooling moves no money: the pool's equity is the members' equity summed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { ROOT } from '../support/cli.js';

const engines = await allEngines();
const [js, , simd] = engines;

function sample(seed: number, k: number) {
  return generateSample({ accounts: 60, seed, accountsPerMaster: k });
}

function withoutMasters<T extends { accounts: { master?: string }[] }>(book: T): T {
  return { ...book, accounts: book.accounts.map(({ master: _m, ...rest }) => rest) };
}

describe('master policies on generated books', () => {
  it('independent gives every account the figures it has without masters, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 7 }), fc.constantFrom('cross', 'portfolio', 'var'), (seed, k, method) => {
        const { book, market } = sample(seed, k);
        for (const engine of [js, simd]) {
          const grouped = engine.margin(book, market, { method });
          const plain = engine.margin(withoutMasters(book), market, { method });
          expect(grouped.accounts.map(({ master: _m, ...row }) => row)).toEqual(plain.accounts);
          expect(grouped.totals).toEqual(plain.totals);
          expect(grouped.subaccounts!.totals.im).toBe(grouped.subaccounts!.totals.standaloneIm);
        }
      }),
      { numRuns: 8 },
    );
  });

  it('cross: pooling never increases a group requirement under flat rates or the scenario grid, and keeps equity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 7 }), fc.constantFrom('cross', 'portfolio'), (seed, k, method) => {
        const { book, market } = sample(seed, k);
        const flat = [{ imRate: 0.01, mmRate: 0.005 }];
        const linear = Object.fromEntries([...Object.keys(market.assets), 'default'].map((a) => [a, flat]));
        const r = js.margin(book, market, { method, params: { linear, subaccounts: { policy: 'cross' } } });
        for (const m of r.subaccounts!.masters) {
          if (m.standalone.status === 'error') continue;
          expect(m.combined.im).toBeLessThanOrEqual(m.standalone.im * (1 + 1e-12));
          expect(m.imFreed).toBeGreaterThanOrEqual(-1e-12 * m.standalone.im);
          expect(m.combined.equity).toBeCloseTo(m.standalone.equity, 6);
        }
        expect(r.subaccounts!.totals.im).toBeLessThanOrEqual(r.subaccounts!.totals.standaloneIm * (1 + 1e-12));
      }),
      { numRuns: 12 },
    );
  });

  it("a pool's figures, liquidation and stress do not depend on the order its subaccounts are listed in", () => {
    // each group's subaccounts reversed in place (the masters and everyone else where they were): the pool sums its
    // members by id, so the pooled figures and everything acting on them keep their bits
    const reversedMembers = (accounts: { id: string; master?: string }[]) => {
      const out = [...accounts];
      const slots = new Map<string, number[]>();
      accounts.forEach((a, i) => a.master !== undefined && slots.set(a.master, [...(slots.get(a.master) ?? []), i]));
      for (const at of slots.values()) at.map((i) => accounts[i]).reverse().forEach((a, k) => (out[at[k]] = a));
      return out;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 3, max: 6 }), fc.constantFrom('cross', 'portfolio', 'var'), (seed, k, method) => {
        const { book, market } = sample(seed, k);
        const other = { ...book, accounts: reversedMembers(book.accounts) };
        expect(other.accounts).not.toEqual(book.accounts);
        const params = { subaccounts: { policy: 'cross' }, liquidation: { insuranceFund: { balanceUsd: 0 } } };
        const figures = (b: typeof book) => JSON.stringify(js.margin(b, market, { method, params }).subaccounts);
        expect(figures(other)).toBe(figures(book));
        const plan = (b: typeof book) => JSON.stringify(js.liquidate(b, market, { method, params }).totals);
        expect(plan(other)).toBe(plan(book));
        const shocked = (b: typeof book) => JSON.stringify(js.stress(b, market, { spot: { BTC: -0.08 } }, { method, params }).cascades[0].metrics);
        expect(shocked(other)).toBe(shocked(book));
      }),
      { numRuns: 6 },
    );
  });

  it("backstop: the masters' covers total, summed exactly, is the same whatever order the masters are listed in", () => {
    // three groups whose one subaccount is short of MM by 0.1, 0.2 and 0.3 USD (cash MM − shortfall + half a cent: a
    // shortfall is rounded up to the cent); 0.1 + 0.2 + 0.3 added in that order is 0.6000000000000001, exactly 0.6
    const market = JSON.parse(readFileSync(join(ROOT, 'data/examples/market.json'), 'utf8'));
    const { instruments } = JSON.parse(readFileSync(join(ROOT, 'data/examples/subaccounts-book.json'), 'utf8'));
    const long = { instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 };
    const mm = js.margin({ instruments, accounts: [{ id: 'x', positions: [long] }] }, market, { method: 'cross' }).accounts[0].mm;
    const accounts = [0.1, 0.2, 0.3].flatMap((short, g) => [
      { id: `m${g}`, collateral: [{ asset: 'USDC', amount: 10_000 }] },
      { id: `s${g}`, master: `m${g}`, positions: [long], cashUsd: mm - short + 0.005 },
    ]);
    const options = { method: 'cross', params: { subaccounts: { policy: 'backstop' } } };
    for (const listed of [accounts, [...accounts].reverse()]) {
      const r = js.margin({ instruments, accounts: listed }, market, options).subaccounts!;
      expect(r.masters.map((m) => m.backstop?.coveredUsd).sort()).toEqual([0.1, 0.2, 0.3]);
      expect(r.totals.backstopUsd).toBe(0.6);
    }
  });

  it('cross gives the same figures on every backend', () => {
    const { book, market } = sample(42, 5);
    const reports = engines.map((e) => e.margin(book, market, { method: 'portfolio', params: { subaccounts: { policy: 'cross' } } }).subaccounts);
    expect(reports[1]).toEqual(reports[0]);
    expect(reports[2]).toEqual(reports[0]);
  });
});

describe('generateSample accountsPerMaster', () => {
  it('makes every k-th account a master of the k − 1 after it, and changes nothing else', () => {
    const grouped = generateSample({ accounts: 7, seed: 9, accountsPerMaster: 3 }).book.accounts;
    const plain = generateSample({ accounts: 7, seed: 9 }).book.accounts;
    expect(grouped.map((a) => a.master)).toEqual([undefined, plain[0].id, plain[0].id, undefined, plain[3].id, plain[3].id, undefined]);
    expect(withoutMasters({ accounts: grouped }).accounts).toEqual(plain);
    expect(() => generateSample({ accounts: 7, seed: 9, accountsPerMaster: 0 })).toThrow('options.accountsPerMaster: expected an integer ≥ 1, got 0');
  });
});
