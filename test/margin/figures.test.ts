/**
 * The account figures are one table (src/margin/figures.ts): a figure added to it, with its formula, reaches every form
 * of the report with nothing else written. The figure here, `equityOverMm` = equity − MM, is added through the test
 * hook (FIGURE_EXTENSION) and removed after; its values are hand-computed on the report-shape book (test/support/margin-
 * books.ts callAndCashBook: 'call' equity 600, MM 450 → 150; 'cash' 50,000 USDC, no margin → 50,000) and on a BTC
 * account of 2 BTC alone (equity 2 BTC, MM 0 → 2 BTC, 200,000 USD at BTC 100,000).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { writeArrowReport } from '../../src/io/arrow/write-report.js';
import { accountColumns } from '../../src/margin/account-columns.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import { assembledMakers, extendFigures, FIGURE_EXTENSION, figureModel, modelOf } from '../../src/margin/figure-model.js';
import { FIGURE_TABLE } from '../../src/margin/figures.js';
import { SUMMARY_FIGURES, summaryRowsOfReport } from '../../src/margin/summary-rows.js';
import { BUILT_IN_METHODS } from '../../src/methods/registry.js';
import { validateInputs } from '../../src/model/validate.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { packRows, unpackRow } from '../../src/scale/packed-rows.js';
import { reportSchema } from '../../src/schemas/generate.js';
import { coinBook, coinMarket } from '../support/coin-books.js';
import { callAndCashBook, INSTRUMENTS, market } from '../support/margin-books.js';

let engine: Engine;
let restore: (() => void) | undefined;
beforeAll(async () => {
  engine = await createEngine();
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

const EQUITY_OVER_MM = {
  equityOverMm: { unit: 'money', of: ['equity', 'mm'], formula: (equity: number, mm: number) => equity - mm, schema: { description: 'equity − mm (test figure)' } },
} as const;
const addFigure = () => (restore = extendFigures[FIGURE_EXTENSION](EQUITY_OVER_MM));
type Row = Record<string, unknown>;

describe('the figure table', () => {
  it('lists the report row\'s figures in key order, the stored ones a compact block holds, and the money ones', () => {
    const model = figureModel();
    expect(model.names).toEqual(['equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'grossNotional', 'efficiency', 'collateralValue']);
    expect(model.stored).toEqual(['equity', 'equityIm', 'equityMm', 'im', 'mm', 'grossNotional', 'collateralValue']);
    expect(model.money).toEqual(['equity', 'equityIm', 'equityMm', 'im', 'mm', 'excessOverMm', 'grossNotional', 'collateralValue']);
    expect(SUMMARY_FIGURES).toEqual(model.names);
  });

  it('refuses a derived figure that reads a derived one, a figure with neither column nor formula, and one named as a row key', () => {
    expect(() => modelOf({ ...FIGURE_TABLE, bad: { unit: 'ratio', of: ['health', 'mm'], formula: (x, y) => x * y } })).toThrow(/health.*derived, not stored/);
    expect(() => modelOf({ ...FIGURE_TABLE, bad: { unit: 'ratio' } })).toThrow(/bad needs a kernel column or a formula/);
    expect(() => modelOf({ ...FIGURE_TABLE, cashUsd: { unit: 'money', column: 'equity' } })).toThrow(/overwrite the row's own key cashUsd/);
  });

  it('builds the same rows compiled or assembled key by key (the builder of a runtime without code generation)', () => {
    const model = figureModel(), assembled = assembledMakers(model);
    const f = Float64Array.from({ length: model.names.length * 2 }, (_, k) => (k % 3 === 0 ? NaN : k / 7 - 1));
    for (const master of [undefined, 'M']) {
      const a = model.row('x', master, 'healthy', f, 2, 1), b = assembled.row('x', master, 'healthy', f, 2, 1);
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect(a).toStrictEqual(b);
      expect(model.usdView(a, 3)).toStrictEqual(assembled.usdView(a, 3));
    }
    // the derived figures of a block of 5 rows, mm 0 and equityMm of both signs among them (health ±∞)
    const n = 5, block = Float64Array.from({ length: model.names.length * n }, (_, k) => ((k * 7919) % 13) - 6);
    const compiled = block.slice(), assembledBlock = block.slice();
    model.deriveRows(compiled, n);
    assembled.deriveRows(assembledBlock, n);
    expect(new Uint8Array(compiled.buffer)).toEqual(new Uint8Array(assembledBlock.buffer));
    const health = model.at('health') * n, equityMm = model.at('equityMm') * n, mm = model.at('mm') * n;
    for (let i = 0; i < n; i++) {
      const expected = block[mm + i] > 0 ? block[equityMm + i] / block[mm + i] : block[mm + i] < 0 ? NaN : block[equityMm + i] >= 0 ? Infinity : -Infinity;
      expect(compiled[health + i]).toBe(expected);
    }
  });
});

describe('a figure added to the table', () => {
  it('is in the object rows (summary and breakdown), last of the figures, with its hand-computed values', () => {
    addFigure();
    for (const breakdown of [false, true]) {
      const rows = engine.margin(callAndCashBook(), market(), { method: 'cross', breakdown }).accounts as unknown as Row[];
      expect(rows.map((r) => r.equityOverMm)).toEqual([150, 50_000]);
      const keys = Object.keys(rows[0]);
      expect(keys.indexOf('equityOverMm')).toBe(keys.indexOf('collateralValue') + 1);
    }
  });

  it('is a summary column, and a JSON report field', () => {
    addFigure();
    const report = engine.margin(callAndCashBook(), market(), { method: 'cross' });
    expect(Array.from((accountColumns(report) as unknown as Record<string, Float64Array>).equityOverMm)).toEqual([150, 50_000]);
    const json = JSON.parse(JSON.stringify(report)) as { accounts: Row[] };
    expect(json.accounts.map((r) => r.equityOverMm)).toEqual([150, 50_000]);
  });

  it('travels in packed rows, and through a sharded book\'s compact blocks (recomputed by the coordinator)', async () => {
    addFigure();
    const rows = engine.margin(callAndCashBook(), market(), { method: 'cross' }).accounts;
    const packed = packRows(rows);
    if (packed.kind !== 'packed') throw new Error('summary rows must pack');
    expect((unpackRow(packed, 0, 'call', undefined) as unknown as Row).equityOverMm).toBe(150);
    const { book, market: valid } = validateInputs(callAndCashBook(), market());
    for (const shards of [1, 2]) {
      const sharded = await engine.openShardedBook(book, new LocalTransport(engine, shards));
      try {
        const report = await sharded.margin(valid, { method: 'cross' });
        expect(summaryRowsOfReport(report)?.blocks.every((b) => b.compact === true)).toBe(true); // the figure is not sent
        expect((report.accounts as unknown as Row[]).map((r) => r.equityOverMm)).toEqual([150, 50_000]);
        expect(Array.from((accountColumns(report) as unknown as Record<string, Float64Array>).equityOverMm)).toEqual([150, 50_000]);
      } finally {
        await sharded.release();
      }
    }
  });

  it('is a Float64 column of the Arrow report', async () => {
    addFigure();
    const { tableFromIPC } = await import('apache-arrow');
    const report = engine.margin(callAndCashBook(), market(), { method: 'cross' });
    const table = tableFromIPC(await writeArrowReport(columnarReport(report)));
    expect(Array.from(table.getChild('equityOverMm')!.toArray() as Float64Array)).toEqual([150, 50_000]);
  });

  it('is converted by a coin-margined row\'s USD view when it is money', () => {
    addFigure();
    const [row] = engine.margin(coinBook({ id: 'btc', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 2 }] }), coinMarket(), { method: 'cross' }).accounts;
    expect((row as unknown as Row).equityOverMm).toBe(2);
    expect((row.usd as unknown as Row).equityOverMm).toBe(200_000);
  });

  it('is in the report schema\'s account row and its USD view, with its description, required', () => {
    addFigure();
    const account = (reportSchema(BUILT_IN_METHODS) as { $defs: { account: { required: string[]; properties: Record<string, Row> } } }).$defs.account;
    expect(account.properties.equityOverMm).toEqual({ description: 'equity − mm (test figure)', type: ['number', 'null'] });
    expect(account.required).toContain('equityOverMm');
    expect((account.properties.usd.properties as Row).equityOverMm).toEqual(account.properties.equityOverMm);
  });

  it('is recomputed on the rows a backstop cover moved, in columns and in row objects', () => {
    addFigure();
    // test/subaccounts/policies.test.ts's group: master m 10,000 USDC; s1 long 1 BTC-PERP on 2,000 USDC (MM 450); s2
    // short 0.5 on 150 USDC (MM 200), covered by 50 from m: m 9,950 − 0, s1 2,000 − 450, s2 200 − 200
    const group = {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
        { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
        { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
      ],
    };
    for (const breakdown of [false, true]) {
      const report = engine.margin(group, market(), { breakdown, params: { subaccounts: { policy: 'backstop' } } });
      expect(report.accounts.map((r) => r.backstopUsd)).toEqual([-50, undefined, 50]);
      expect((report.accounts as unknown as Row[]).map((r) => r.equityOverMm)).toEqual([9_950, 1_550, 0]);
    }
  });

  it('is gone once the table is restored', () => {
    addFigure();
    restore?.();
    restore = undefined;
    const [row] = engine.margin(callAndCashBook(), market(), { method: 'cross' }).accounts;
    expect(Object.keys(row)).not.toContain('equityOverMm');
    const account = (reportSchema(BUILT_IN_METHODS) as { $defs: { account: { properties: Row } } }).$defs.account;
    expect(Object.keys(account.properties)).not.toContain('equityOverMm');
  });
});
