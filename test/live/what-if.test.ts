/**
 * The what-if fast path of every method (MethodTrial.withChanges): the result equals, bit for bit, the row remargin
 * gives after the changes are applied to the layout, and a fresh run on the changed book; it never changes any
 * state. Every method and VaR model, every backend, random fills, transfers and cash.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { LayoutAccount } from '../../src/margin/layout-account.js';
import type { AccountRequirement } from '../../src/margin/what-if.js';
import type { AccountMargin } from '../../src/margin/report.js';
import { allEngines } from '../support/engines.js';
import { accountSnapshot, randomChanges, variants } from '../support/live.js';
import { mulberry32 } from '../support/random.js';
import { INSTRUMENTS, market as marginMarket } from '../support/margin-books.js';

const sample = generateSample({ accounts: 150, seed: 3 });
const risky = Object.entries(sample.market.assets).filter(([, a]) => a.vol > 0).map(([s]) => s);

/** The fields a what-if shares with a report row, compared bit for bit (Object.is: −0, NaN). */
function expectSameBits(r: AccountRequirement, row: AccountMargin, where: string): void {
  const fields = ['status', 'equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'grossNotional', 'collateralValue'] as const;
  for (const f of fields) expect(Object.is(r[f], row[f]), `${where}: ${f} ${String(r[f])} vs ${String(row[f])}`).toBe(true);
  expect(r.cashUsd, `${where}: cashUsd`).toBe(row.cashUsd ?? 0);
}

describe('whatIf equals remargin after applying the changes, and a fresh run', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  for (const variant of variants(risky)) {
    it(`${variant.name}: 40 random what-ifs, each then applied`, () => {
      for (const engine of engines) {
        const { book, market } = validateInputs(sample.book, sample.market);
        const session = engine.openBook(book);
        const run = session.prepare(market, { method: variant.method, params: variant.params });
        try {
          run.run();
          const layout = session.layout;
          const rnd = mulberry32(31);
          const ids = layout.accountIds.filter((id): id is string => id !== null);
          const assets = layout.assets.map((_, i) => i);
          for (let step = 0; step < 40; step++) {
            const id = ids[Math.floor(rnd() * ids.length)];
            const a = layout.accountIndex(id);
            const changes = randomChanges(layout, a, rnd, assets);
            const before = accountSnapshot(layout, a);
            const rowBefore = JSON.stringify(run.account(id));
            const r = run.whatIf(id, changes);
            expect(accountSnapshot(layout, a)).toEqual(before);
            expect(JSON.stringify(run.account(id))).toBe(rowBefore);
            const editor = new LayoutAccount(layout, a);
            expect(editor.apply(changes)).toBeUndefined();
            editor.commit();
            run.remargin(id);
            expectSameBits(r, run.account(id), `${engine.backend} step ${step} ${id} ${JSON.stringify(changes)}`);
            // a what-if with no changes is the account as it stands
            expectSameBits(run.whatIf(id, []), run.account(id), `${engine.backend} step ${step} ${id} (no changes)`);
          }
          const changed = validateInputs(layoutToBook(layout), sample.market);
          const fresh = engine.margin(changed.book, changed.market, { method: variant.method, params: variant.params });
          expect(JSON.stringify(run.report()), engine.backend).toBe(JSON.stringify(fresh));
        } finally {
          run.release();
          session.release();
        }
      }
    });
  }

  it('repeated what-ifs on one account reuse its cache and stay exact', () => {
    const engine = engines[2];
    for (const variant of variants(risky).filter((v) => v.method === 'portfolio' || v.method === 'var')) {
      const { book, market } = validateInputs(sample.book, sample.market);
      const session = engine.openBook(book);
      const run = session.prepare(market, { method: variant.method, params: variant.params });
      run.run();
      const layout = session.layout;
      const id = layout.accountIds[20]!;
      const a = layout.accountIndex(id);
      const rnd = mulberry32(5);
      const assets = layout.assets.map((_, i) => i);
      const tries = Array.from({ length: 12 }, () => randomChanges(layout, a, rnd, assets));
      const first = tries.map((changes) => run.whatIf(id, changes));
      // the same questions again, in reverse order, from the warm cache
      const again = [...tries].reverse().map((changes) => run.whatIf(id, changes)).reverse();
      expect(again, variant.name).toEqual(first);
      run.release();
      session.release();
    }
  });

  it('a change that leaves the domain is refused with its index, and nothing changes', () => {
    const { book, market } = validateInputs(sample.book, sample.market);
    const session = engines[0].openBook(book);
    const run = session.prepare(market, { method: 'portfolio' });
    run.run();
    const id = session.layout.accountIds[0]!;
    const before = JSON.stringify(run.report());
    // each within the domain's cash bound (1e15 USD), their sum not
    expect(() => run.whatIf(id, [{ cashUsd: 1 }, { cashUsd: 6e14 }, { cashUsd: 6e14 }])).toThrow(/changes\[2\]: the account cash would leave the domain: .* is above the largest cash 1e15/);
    expect(() => run.whatIf(id, [{ cashUsd: Number.MAX_VALUE }])).toThrow(/changes\[0\]: the account cash would leave the domain/);
    expect(JSON.stringify(run.report())).toBe(before);
    run.release();
    session.release();
  });
});

describe('portfolio whatIf on an account with a single slot as the run’s first what-if', () => {
  it('a cash-only account (one USDC balance, no positions) answers its own figures', async () => {
    // regression: the first group set the cache is built in had no P&L rows, so a one-slot account crashed the what-if
    for (const engine of await allEngines()) {
      const book = { instruments: INSTRUMENTS, accounts: [{ id: 'cash', collateral: [{ asset: 'USDC', amount: 1_000 }] }] };
      const market = marginMarket();
      const session = engine.openBook(validateInputs(book, market).book);
      const run = session.prepare(validateInputs(book, market).market, { method: 'portfolio' });
      try {
        run.run();
        expectSameBits(run.whatIf('cash', []), run.account('cash'), engine.backend);
        expect(run.whatIf('cash', []).equity).toBe(1_000);
      } finally {
        run.release();
        session.release();
      }
    }
  });
});
