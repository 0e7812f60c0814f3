/**
 * A summary report holds its rows as columns and builds `report.accounts` on first read (src/margin/summary-rows.ts),
 * for the single-process engine and the sharded one alike. What a reader sees must not change: a plain array of plain
 * rows, the same keys in the same order, the same JSON, structured clone and util.inspect output, before or after the
 * first read. Figures are hand-computed from the documented rules (test/status-reason.test.ts derives the same ones).
 */
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type MarginReport } from '../../src/index.js';
import { validateInputs } from '../../src/model/validate.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { book, callAndCashBook, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

// the hand case: see callAndCashBook (IM 900, MM 450, equity 600: a margin call; and 50,000 USDC alone)
const BOOK = callAndCashBook();
const CALL_ROW = {
  id: 'call', status: 'margin_call', statusReason: 'equity for IM 600 < IM 900 (equity for MM 600 ≥ MM 450)',
  equity: 600, equityIm: 600, equityMm: 600, im: 900, mm: 450, health: 600 / 450, excessOverMm: 150,
  grossNotional: 100_000, efficiency: 100_000 / 900, collateralValue: 600,
};
const CASH_ROW = {
  id: 'cash', status: 'healthy', statusReason: 'equity for IM 50000 ≥ IM 0',
  equity: 50_000, equityIm: 50_000, equityMm: 50_000, im: 0, mm: 0, health: Infinity, excessOverMm: 50_000,
  grossNotional: 0, efficiency: Infinity, collateralValue: 50_000,
};

const fresh = (): MarginReport => engine.margin(BOOK, market(), { method: 'cross' });

describe('summary report rows', () => {
  it('read as a plain array of plain rows with the hand-computed figures, keys in the report order', () => {
    const report = fresh();
    expect(Object.keys(report)).toEqual(['method', 'valuationTime', 'backend', 'accounts', 'totals']);
    expect(Array.isArray(report.accounts)).toBe(true);
    expect(report.accounts.map((row) => Object.getPrototypeOf(row))).toEqual([Object.prototype, Object.prototype]);
    expect(report.accounts).toStrictEqual([CALL_ROW, CASH_ROW]);
    expect(Object.keys(report.accounts[0])).toEqual(Object.keys(CALL_ROW));
    expect(report.totals).toMatchObject({ accounts: 2, equity: 50_600, im: 900, mm: 450, grossNotional: 100_000, efficiency: 100_000 / 900 });
  });

  it('are built on the first read only, then are the same array; assigning replaces them', () => {
    const report = fresh();
    expect(Object.getOwnPropertyDescriptor(report, 'accounts')?.get).toBeTypeOf('function'); // nothing built yet
    const rows = report.accounts;
    expect(Object.getOwnPropertyDescriptor(report, 'accounts')).toEqual({ value: rows, writable: true, enumerable: true, configurable: true });
    expect(report.accounts).toBe(rows);
    const other = fresh();
    other.accounts = [];
    expect(other.accounts).toEqual([]);
    expect(Object.keys(other)).toEqual(['method', 'valuationTime', 'backend', 'accounts', 'totals']);
    const frozen = Object.freeze(fresh()); // the accessor cannot be replaced: it serves the rows it built, once
    expect(frozen.accounts).toStrictEqual([CALL_ROW, CASH_ROW]);
    expect(frozen.accounts).toBe(frozen.accounts);
  });

  it('give the same JSON, structured clone, spread and util.inspect output before the first read as after it', () => {
    const read = fresh();
    void read.accounts;
    expect(JSON.stringify(fresh())).toBe(JSON.stringify(read));
    expect(JSON.parse(JSON.stringify(fresh())).accounts[1].health).toBeNull(); // Infinity, as JSON writes it
    expect(structuredClone(fresh())).toStrictEqual(structuredClone(read));
    expect({ ...fresh() }).toStrictEqual({ ...read });
    const shown = inspect(fresh(), { depth: 4 });
    expect(shown).toBe(inspect(read, { depth: 4 }));
    expect(shown).toContain("statusReason: 'equity for IM 600 < IM 900 (equity for MM 600 ≥ MM 450)'");
    expect(shown).not.toContain('Getter');
  });

  it('carry a method’s own status reason beside pooled ones, in one process and across shards', async () => {
    // isolated: long 1 BTC-PERP entered at 110,000 and marked 100,000 with 2,000 allocated: 2,000 − 10,000 < 0, the
    // position (so the account) is bankrupt; the cash-only account has no position, so its reason is the pooled one
    const mixed = book(
      { id: 'iso', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 110_000, isolatedMargin: 2_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 'cash', collateral: [{ asset: 'USDC', amount: 50_000 }] },
    );
    const expected = ['isolated position BTC-PERP: allocated 2000 + P&L -10000 = -8000 < 0', 'equity for IM 50000 ≥ IM 0'];
    expect(engine.margin(mixed, market(), { method: 'isolated' }).accounts.map((r) => r.statusReason)).toEqual(expected);
    const { book: valid, market: validMarket } = validateInputs(mixed, market());
    for (const shards of [1, 2]) {
      const sharded = await engine.openShardedBook(valid, new LocalTransport(engine, shards));
      const report = await sharded.margin(validMarket, { method: 'isolated' });
      expect(report.accounts.map((r) => r.statusReason)).toEqual(expected);
      // the sharded report also says who computed which shards (computedBy); the rest is the same bytes
      const { computedBy: _by, ...rest } = report;
      expect(JSON.stringify(rest)).toBe(JSON.stringify(engine.margin(mixed, market(), { method: 'isolated' })));
      await sharded.release();
    }
  });
});
