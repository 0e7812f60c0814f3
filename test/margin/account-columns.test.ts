/**
 * accountColumns(report): every account's figures as typed columns, row k of each column being report.accounts[k],
 * whether the rows were built yet or not, from one process or from a sharded book's parts. The hand case's figures are
 * worked from the documented rules (the same account as test/margin/summary-rows.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { accountColumns, createEngine, generateSample, STATUS, type Engine, type MarginReport } from '../../src/index.js';
import type { AccountColumns } from '../../src/margin/account-columns.js';
import { SUMMARY_FIGURES } from '../../src/margin/summary-rows.js';
import { validateInputs } from '../../src/model/validate.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { callAndCashBook, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

// the hand case (callAndCashBook): IM 900, MM 450, equity 600, a margin call; and 50,000 USDC alone (no margin: health
// and efficiency are +Infinity)
const BOOK = callAndCashBook();
const HAND = {
  ids: ['call', 'cash'], status: ['margin_call', 'healthy'],
  equity: [600, 50_000], im: [900, 0], mm: [450, 0], health: [600 / 450, Infinity], excessOverMm: [150, 50_000],
  grossNotional: [100_000, 0], efficiency: [100_000 / 900, Infinity], collateralValue: [600, 50_000],
};

function expectHand(c: AccountColumns): void {
  expect(c.count).toBe(2);
  expect(c.ids).toEqual(HAND.ids);
  expect(Array.from(c.status, (code) => STATUS[code])).toEqual(HAND.status);
  for (const name of ['equity', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency', 'collateralValue'] as const) {
    expect(Array.from(c[name]), name).toEqual(HAND[name]);
  }
  expect(Array.from(c.cashUsd)).toEqual([0, 0]);
  expect(c.errors.size).toBe(0);
}

/** Every column of `c` against the report's rows, bit for bit (Object.is: NaN, −0 and the infinities too). */
function expectSameAsRows(c: AccountColumns, report: MarginReport): void {
  const rows = report.accounts;
  expect(c.count).toBe(rows.length);
  rows.forEach((row, k) => {
    expect(c.ids[k]).toBe(row.id);
    expect(STATUS[c.status[k]]).toBe(row.status);
    expect(c.cashUsd[k]).toBe(row.cashUsd ?? 0);
    expect(c.errors.get(k)).toBe(row.error);
    for (const name of SUMMARY_FIGURES) if (!Object.is(c[name][k], row[name])) throw new Error(`${name}[${k}]: ${c[name][k]} ≠ ${row[name]}`);
  });
}

describe('accountColumns', () => {
  it('gives the hand-computed figures before and after the rows are built', () => {
    const report = engine.margin(BOOK, market(), { method: 'cross' });
    expectHand(accountColumns(report));
    expect(Object.getOwnPropertyDescriptor(report, 'accounts')?.get).toBeTypeOf('function'); // reading columns built no row
    void report.accounts;
    expectHand(accountColumns(report));
  });

  it('reads reports whose rows are objects (breakdown), and rows a caller assigned instead of the columns', () => {
    expectHand(accountColumns(engine.margin(BOOK, market(), { method: 'cross', breakdown: true })));
    const replaced = engine.margin(BOOK, market(), { method: 'cross' });
    replaced.accounts = replaced.accounts.slice(1);
    expect(accountColumns(replaced).ids).toEqual(['cash']);
    const early = engine.margin(BOOK, market(), { method: 'cross' });
    early.accounts = []; // before the first read
    expect(accountColumns(early).count).toBe(0);
    const frozen = Object.freeze(engine.margin(BOOK, market(), { method: 'cross' }));
    expectHand(accountColumns(frozen));
  });

  it('refuses what is not a margin report with one clear line', () => {
    for (const bad of [undefined, null, 42, {}, { accounts: 'x' }, JSON.parse('{"__proto__": {"accounts": []}}')]) {
      expect(() => accountColumns(bad as never)).toThrow(/^accountColumns: expected a margin report/);
    }
  });

  it('equals the rows bit for bit on a generated book, in one process and from 1 to 3 shards, every method', async () => {
    const sample = generateSample({ accounts: 400, seed: 31 });
    const { book: valid, market: validMarket } = validateInputs(sample.book, sample.market);
    for (const method of ['isolated', 'cross', 'portfolio', 'var']) {
      const report = engine.margin(valid, validMarket, { method });
      const before = accountColumns(report);
      expectSameAsRows(before, report);
      expectSameAsRows(accountColumns(report), report);
      for (const shards of [1, 3]) {
        const sharded = await engine.openShardedBook(valid, new LocalTransport(engine, shards));
        const merged = await sharded.margin(validMarket, { method });
        const columns = accountColumns(merged);
        expectSameAsRows(columns, report);
        for (const name of SUMMARY_FIGURES) expect(columns[name]).toEqual(before[name]);
        await sharded.release();
      }
    }
  });
});
