/**
 * session.marginInto (src/session/session.ts): margin written into the columns of the report the caller gives back.
 * Its report must be engine.margin's to the bit on every backend (a fresh engine.margin on the same book and market is
 * the reference), its columns must be the given report's memory, and a report that does not fit the session's
 * accounts must be refused with an InputError naming `report`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, InputError, type MarginReport } from '../../src/index.js';
import { accountColumns } from '../../src/margin/account-columns.js';
import { allEngines } from '../support/engines.js';
import { firstDifference } from '../support/bits.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { callAndCashBook, market as handMarket } from '../support/margin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

// USD, USDC-linear, BTC- and ETH-margined accounts, and two masters with two subaccounts each
const BOOK = venueBook(mulberry32(53), 18);

/** The venue market with BTC and ETH moved by `btc` and `eth` (fractions) and a vol shift: successive snapshots. */
function moved(btc: number, eth: number, vol: number) {
  const m = venueMarket();
  m.assets.BTC.price *= 1 + btc;
  m.assets.ETH.price *= 1 + eth;
  m.assets.BTC.vol += vol;
  m.assets.ETH.vol += vol;
  return m;
}
const MARKETS = [moved(0, 0, 0), moved(-0.12, -0.2, 0.1), moved(0.05, 0.03, -0.05), moved(-0.3, -0.35, 0.2)];

/** A report's figures column's memory (the buffer its rows' figures are views on). */
const memoryOf = (report: MarginReport) => accountColumns(report).equity.buffer;

function expectSameBits(got: MarginReport, expected: MarginReport): void {
  // the rows read as columns and as objects, then the whole report (totals, roll-up, warnings)
  expect(firstDifference(accountColumns(got), accountColumns(expected))).toBeNull();
  expect(firstDifference(got, expected)).toBeNull();
}

const CASES: { name: string; options: Record<string, unknown> }[] = [
  { name: 'cross', options: { method: 'cross' } },
  { name: 'portfolio (coin accounts set aside)', options: { method: 'portfolio' } },
  { name: 'cross under the cross policy', options: { method: 'cross', params: { subaccounts: { policy: 'cross' } } } },
  { name: 'cross under the backstop policy', options: { method: 'cross', params: { subaccounts: { policy: 'backstop' } } } },
];

describe('session.marginInto', () => {
  for (const { name, options } of CASES) {
    it(`gives engine.margin's report to the bit in the given report's memory, market after market: ${name}`, () => {
      for (const engine of engines) {
        const session = engine.openBook(BOOK);
        try {
          let report = session.margin(MARKETS[0], options);
          let built: MarginReport['accounts'] | undefined; // the rows of `report` read before it was given back
          for (const market of MARKETS.slice(1)) {
            const memory = memoryOf(report);
            const expected = engine.margin(BOOK, market, options);
            const next = session.marginInto(report, market, options);
            expect(memoryOf(next), engine.backend).toBe(memory);
            expectSameBits(next, expected);
            // the given report is consumed: its unread rows would be the new figures under its head, so they are
            // refused; rows read before are objects of their own and stay as they were
            if (built === undefined) expect(() => report.accounts).toThrow(/given to session.marginInto/);
            else expect(report.accounts).toBe(built);
            built = next.accounts;
            report = next;
          }
        } finally {
          session.release();
        }
      }
    });
  }

  it('writes the hand-worked figures of a margin call into the reused columns', () => {
    // callAndCashBook: IM 900, MM 450, equity 600 at BTC 100,000 (test/margin/summary-rows.test.ts works them out);
    // 50,000 USDC alone is equity 50,000 and no requirement
    for (const engine of engines) {
      const session = engine.openBook(callAndCashBook());
      const first = session.margin(handMarket(), { method: 'cross' });
      const memory = memoryOf(first);
      const again = session.marginInto(first, handMarket(), { method: 'cross' });
      expect(memoryOf(again)).toBe(memory);
      const c = accountColumns(again);
      expect([...c.equity]).toEqual([600, 50_000]);
      expect([...c.im]).toEqual([900, 0]);
      expect([...c.mm]).toEqual([450, 0]);
      expect(again.accounts[0]).toMatchObject({ id: 'call', status: 'margin_call', health: 600 / 450, excessOverMm: 150 });
      session.release();
    }
  });

  it('refuses a sharded book\'s report (its rows lie in each shard\'s block), naming the argument', async () => {
    const engine = engines[0];
    const plain = venueBook(mulberry32(53), 18, false); // a sharded book takes no masters
    const sharded = await engine.openShardedBook(plain, new LocalTransport(engine, 3));
    const session = engine.openBook(plain);
    try {
      const report = await sharded.margin(MARKETS[0], { method: 'cross' });
      expect(() => session.marginInto(report, MARKETS[1], { method: 'cross' })).toThrow(InputError);
      expect(() => session.marginInto(report, MARKETS[1], { method: 'cross' })).toThrow(/not of a sharded book/);
    } finally {
      session.release();
      await sharded.release();
    }
  });

  it('refuses a report that does not fit the session\'s accounts, naming the argument', () => {
    const engine = engines[0];
    const session = engine.openBook(BOOK);
    const other = venueBook(mulberry32(7), 18); // as many accounts, drawn again: the same ids
    const renamed = { ...other, accounts: other.accounts.map((a, k) => (k === 3 ? { ...a, id: 'z3' } : a)) };
    const shorter = venueBook(mulberry32(53), 12);
    const refused = (report: unknown, message: RegExp, options: Record<string, unknown> = { method: 'cross' }, path = 'report') => {
      let error: unknown;
      try {
        session.marginInto(report as MarginReport, MARKETS[1], options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problems[0]).toMatchObject({ path, message: expect.stringMatching(message) });
    };
    try {
      refused(engine.margin(renamed, MARKETS[0], { method: 'cross' }), /row 3 is account "z3", this book's is "a3"/);
      refused(engine.margin(shorter, MARKETS[0], { method: 'cross' }), /lists 18 accounts, this book 24/);
      refused(engine.margin(BOOK, MARKETS[0], { method: 'cross', breakdown: true }), /rows are columns/);
      refused({ accounts: [] }, /rows are columns/);
      refused(null, /expected a margin report/);
      refused(session.margin(MARKETS[0], { method: 'cross' }), /breakdown report/, { method: 'cross', breakdown: true }, 'options.breakdown');
      // a report of the same ids from another book is the same rows: accepted (its columns fit)
      expect(session.marginInto(engine.margin(other, MARKETS[0], { method: 'cross' }), MARKETS[1], { method: 'cross' }).totals.accounts).toBe(24);
      // a report given back once is consumed: giving it again is refused
      const given = session.margin(MARKETS[0], { method: 'cross' });
      session.marginInto(given, MARKETS[1], { method: 'cross' });
      refused(given, /already given to marginInto/);
    } finally {
      session.release();
    }
  });
});
