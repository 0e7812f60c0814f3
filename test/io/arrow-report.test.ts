/** Reports as Arrow IPC: the report's columns, row for row the JSON report's rows, the rest in the metadata. */
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ByteText } from '../../src/io/byte-text.js';
import { createEngine, generateSample } from '../../src/index.js';
import { REPORT_KEY, writeArrowReport } from '../../src/io/arrow/write-report.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';

const engine = await createEngine({ backend: 'js' });

/** The Arrow table's rows as the JSON report's rows: nulls absent, ±Infinity as JSON writes them (null). */
function rowsOf(table: A.Table): Record<string, unknown>[] {
  return table.toArray().map((row) => {
    const out: Record<string, unknown> = {};
    for (const field of table.schema.fields) {
      const value = row[field.name];
      if (value !== null) out[field.name] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
    }
    return out;
  });
}

const sorted = (row: object) => Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(row))).sort(([a], [b]) => (a < b ? -1 : 1)));

describe('writeArrowReport', () => {
  it.each([
    ['cross', {}], ['isolated', {}], ['cross with masters under backstop', { params: { subaccounts: { policy: 'backstop' } } }],
  ])('%s: every row, every column, and the head and totals in the metadata', async (_, options) => {
    const sample = generateSample({ accounts: 300, seed: 6, accountsPerMaster: 5 });
    const method = _.split(' ')[0];
    const report: MarginReport = engine.margin(sample.book, sample.market, { method, ...options });
    const table = A.tableFromIPC(await writeArrowReport(columnarReport(report)));
    const json = JSON.parse(JSON.stringify(report));
    expect(table.numRows).toBe(json.accounts.length);
    expect(rowsOf(table).map(sorted)).toEqual(json.accounts.map(sorted));
    const head = JSON.parse(table.schema.metadata.get(REPORT_KEY)!);
    const { accounts: _rows, ...rest } = json;
    expect(head).toEqual(rest);
    expect(String(table.schema.fields.find((f) => f.name === 'status')!.type)).toBe('Dictionary<Int8, Utf8>');
  });

  it('keeps health as +Infinity where there is no maintenance margin', async () => {
    const sample = generateSample({ accounts: 50, seed: 1 });
    const c = columnarReport(engine.margin(sample.book, sample.market));
    const table = A.tableFromIPC(await writeArrowReport(c));
    const k = [...c.columns.health].findIndex((h) => h === Infinity);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(table.getChild('health')!.get(k)).toBe(Infinity);
  });
});

describe('utf8Data', () => {
  it('encodes strings with nulls, multi-byte characters and lone surrogates as apache-arrow\'s builder does', async () => {
    const { utf8Data } = await import('../../src/io/arrow/utf8.js');
    const values = ['a', null, 'é漢🙂', '', undefined, '\ud800x', 'z\udc00', 'plain'];
    const mine = new A.Vector([utf8Data(A, values)]);
    const theirs = A.vectorFromArray(values.map((v) => v ?? null), new A.Utf8());
    expect(mine.toArray()).toEqual(theirs.toArray());
  });

  it('encodes all-ASCII strings (a byte per character) to the same bytes and offsets, and a column with one é, or a first row with ≥', async () => {
    const { utf8Data } = await import('../../src/io/arrow/utf8.js');
    for (const values of [['acct-1', '', 'equity for MM 655.31 < MM 567,970.00', '~\u007f'], ['acct-1', 'café', 'x'], ['a', '\ud83d\ude42'], ['equity for IM 1.00 ≥ IM 0.50', 'ascii', '']]) {
      const data = utf8Data(A, values);
      const theirs = A.vectorFromArray(values, new A.Utf8()).data[0];
      expect([...data.valueOffsets.subarray(0, values.length + 1)]).toEqual([...theirs.valueOffsets.subarray(0, values.length + 1)]);
      expect([...data.values.subarray(0, data.valueOffsets[values.length])]).toEqual([...theirs.values.subarray(0, theirs.valueOffsets[values.length])]);
    }
  });
});

describe('the columnar report', () => {
  it('gives each row\'s status reason and optional keys without building it: those of the row', () => {
    const sample = generateSample({ accounts: 200, seed: 12, accountsPerMaster: 4 });
    for (const options of [{ method: 'cross' }, { method: 'isolated' }, { method: 'cross', params: { subaccounts: { policy: 'backstop' } } }, { method: 'cross', breakdown: true }]) {
      const c = columnarReport(engine.margin(sample.book, sample.market, options));
      const rows = engine.margin(sample.book, sample.market, options).accounts;
      for (let k = 0; k < c.count; k++) {
        expect(c.statusReason(k)).toBe(rows[k].statusReason);
        const out = new ByteText(8);
        c.writeStatusReason(k, out);
        expect(new TextDecoder().decode(out.take())).toBe(rows[k].statusReason);
        for (const key of ['master', 'method', 'cashUsd', 'backstopUsd', 'error'] as const) expect(c.value(k, key)).toBe(rows[k][key]);
      }
    }
  });
});
