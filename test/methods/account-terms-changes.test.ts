/** Account terms (src/methods/account-terms.ts) under fills, transfers and cash: the bits of the what-if by changes. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample, validateInputs } from '../../src/index.js';
import type { AccountChange } from '../../src/margin/account-changes.js';
import { STATUS } from '../../src/margin/status.js';
import { type PreparedRun, trialOf } from '../../src/session/prepared-run.js';

// Account terms take fills, transfers and USD cash (AccountTerms.apply with an AccountChange, by the book's change rule):
// cross margin's terms, changed in place, must give the bits of cross margin's own what-if by changes (withChanges,
// a separate path: a scratch copy of the account and the kernel's twin), and of a fresh margin run on the changed
// book; terms over whole holdings (isolated margin) take cash and refuse fills with a RangeError.
describe('account terms under fills, transfers and cash', () => {
  it('cross: the bits of withChanges, one change after another, on every backend', async () => {
    const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 6 });
    sample.book.accounts[0].collateral = [...(sample.book.accounts[0].collateral ?? []), { asset: 'BTC', amount: 12.5 }, { asset: 'ETH', amount: -40 }];
    sample.book.accounts[0].cashUsd = 2500;
    // two linear positions whose entries are off the mark (a fill nets into them: average entry, realised P&L to cash)
    const linear = sample.book.instruments.filter((i) => i.kind !== 'option').slice(0, 2).map((i) => i.id);
    expect(linear.length).toBe(2);
    const mark = (id: string) => sample.market.marks?.[id] as number;
    sample.book.accounts[0].positions = [
      ...(sample.book.accounts[0].positions ?? []),
      { instrument: linear[0], quantity: 3, entryPrice: mark(linear[0]) * 1.02 },
      { instrument: linear[1], quantity: -2, entryPrice: mark(linear[1]) * 0.97 },
    ];
    const { book, market } = validateInputs(sample.book, sample.market);
    const account = book.accounts[0];
    const slotOf = (id: string) => account.positions.findIndex((p) => p.instrument === id);
    for (const backend of ['js', 'wasm'] as const) {
      const engine = await createEngine({ backend });
      const session = engine.openBook(book);
      const run = session.prepare(market, { method: 'cross' });
      run.run();
      const layout = (run as PreparedRun).context.layout, pos = layout.positions, col = layout.collateral;
      const rows = pos.column<'i32'>('instrument').array, assets = col.column<'i32'>('asset').array;
      const p0 = pos.start.array[0], c0 = col.start.array[0];
      const x = p0 + slotOf(linear[0]), y = p0 + slotOf(linear[1]), o = p0;
      const q = pos.column<'f64'>('quantity').array;
      // a sequence: half of linear x closed 1% off the mark (P&L realised), linear y added to (average entry), x flipped,
      // option o added to (premium paid), a deposit of balance 1's asset, a withdrawal of balance 2's, and USD cash
      const changes: AccountChange[] = [
        { instrument: rows[x], quantity: -q[x] / 2, price: mark(linear[0]) * 0.99 },
        { instrument: rows[y], quantity: q[y], price: mark(linear[1]) },
        { instrument: rows[x], quantity: -q[x], price: mark(linear[0]) * 1.01 },
        { instrument: rows[o], quantity: 5, price: 12.5 },
        { asset: assets[c0 + 1], amount: 3.25 },
        { asset: assets[c0 + 2], amount: -7 },
        { cashUsd: -1234.5 },
      ];
      const holdings = {
        quantity: Float64Array.from(account.positions, (p) => p.quantity), isolatedMargin: Float64Array.from(account.positions, () => NaN),
        amount: Float64Array.from(account.collateral, (c) => c.amount), cashUsd: account.cashUsd ?? 0,
      };
      const terms = trialOf(run).terms(0, holdings);
      const before = terms.fork();
      for (let k = 1; k <= changes.length; k++) {
        terms.apply(changes[k - 1]);
        const got = terms.figures(), want = trialOf(run).withChanges(0, changes.slice(0, k));
        for (const key of ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'grossNotional'] as const) expect(Object.is(got[key], want[key]), `${backend} after ${k} changes: ${key} ${got[key]} vs ${want[key]}`).toBe(true);
        expect(STATUS[got.status], `${backend} after ${k} changes: status`).toBe(want.status);
      }
      // the fork taken before is as the account was; a fork now carries the fills' entries
      const now = terms.figures(), fork = terms.fork().figures(), was = before.figures(), base = trialOf(run).withChanges(0, []);
      for (const key of ['equity', 'im', 'mm'] as const) {
        expect(Object.is(fork[key], now[key]), `${backend} fork ${key}`).toBe(true);
        expect(Object.is(was[key], base[key]), `${backend} earlier fork ${key}`).toBe(true);
      }
      // a fill on an instrument the account does not hold opens a slot: refused, the terms unchanged
      const unheld = [...Array(layout.instruments.count).keys()].find((i) => !Array.from(rows.subarray(p0, pos.end.array[0])).includes(i));
      expect(unheld, 'an instrument the account does not hold').toBeDefined();
      expect(() => terms.apply({ instrument: unheld as number, quantity: 1, price: 1 })).toThrow(RangeError);
      expect(Object.is(terms.figures().mm, now.mm)).toBe(true);
      run.release();
      session.release();
    }
  });

  it('isolated: cash by the change rule, fills and transfers refused', async () => {
    const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 4 });
    const { book, market } = validateInputs(sample.book, sample.market);
    const engine = await createEngine({ backend: 'js' });
    const session = engine.openBook(book);
    const run = session.prepare(market, { method: 'isolated' });
    run.run();
    const account = book.accounts[0];
    const holdings = {
      quantity: Float64Array.from(account.positions, (p) => p.quantity), isolatedMargin: Float64Array.from(account.positions, (p) => p.isolatedMargin ?? NaN),
      amount: Float64Array.from(account.collateral, (c) => c.amount), cashUsd: account.cashUsd ?? 0,
    };
    const terms = trialOf(run).terms(0, holdings);
    const got = terms.apply({ cashUsd: 500 }).figures(), want = trialOf(run).withChanges(0, [{ cashUsd: 500 }]);
    for (const key of ['equity', 'equityIm', 'equityMm', 'im', 'mm'] as const) expect(Object.is(got[key], want[key]), `isolated ${key}`).toBe(true);
    expect(() => terms.apply({ instrument: 0, quantity: 1, price: 1 })).toThrow(RangeError);
    expect(() => terms.apply({ asset: 0, amount: 1 })).toThrow(RangeError);
    run.release();
    session.release();
  });
});
