/** Reports as Arrow IPC: the report's columns, row for row the JSON report's rows, the rest in the metadata. */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ByteText } from '../../src/io/byte-text.js';
import { createEngine, generateSample } from '../../src/index.js';
import { REPORT_KEY, writeArrowReport } from '../../src/io/arrow/write-report.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';
import { readArrowBookChunks } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { bookColumnsOf } from '../../src/model/book-columns.js';

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

  it('a coin-margined row says its currency and its USD price (its figures are in its coin); a USD row has neither', async () => {
    const sample = generateSample({ accounts: 200, seed: 6, coinAccounts: 12 });
    const report: MarginReport = engine.margin(sample.book, sample.market, { method: 'cross' });
    const table = A.tableFromIPC(await writeArrowReport(columnarReport(report)));
    const currency = table.getChild('marginCurrency')!, price = table.getChild('usdPrice')!;
    let coins = 0;
    report.accounts.forEach((a, k) => {
      expect(currency.get(k)).toBe(a.marginCurrency ?? null);
      expect(price.get(k)).toBe(a.usd?.price ?? null);
      if (a.marginCurrency !== undefined) {
        coins++;
        // the row's USD view: its equity at the coin's index
        expect(table.getChild('equity')!.get(k) * price.get(k)).toBe(a.usd!.equity);
      }
    });
    expect(coins).toBe(12);
    expect(price.get(report.accounts.findIndex((a) => a.marginCurrency === 'BTC'))).toBe(sample.market.assets.BTC.price);
  });

  it('an account in status error has null figures (as JSON writes them), never NaN; the others their numbers', async () => {
    // var margins accounts in USD only: the coin-margined ones are in status error, with no figures
    const sample = generateSample({ accounts: 40, seed: 6, coinAccounts: 3 });
    const report: MarginReport = engine.margin(sample.book, sample.market, { method: 'var' });
    const table = A.tableFromIPC(await writeArrowReport(columnarReport(report)));
    let errors = 0;
    for (const name of ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'health'] as const) {
      const column = table.getChild(name)!;
      expect(table.schema.fields.find((f) => f.name === name)!.nullable).toBe(true);
      report.accounts.forEach((a, k) => {
        if (a.status === 'error') {
          errors++;
          expect(column.get(k), `${name} of ${a.id}`).toBeNull();
        } else expect(column.get(k), `${name} of ${a.id}`).toBe(a[name]);
      });
    }
    expect(errors).toBe(3 * 6);
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
      // rows [from, from + n) at once (a column's writer): each row's reason, its end where the next begins
      for (const [from, n] of [[0, c.count], [7, 50], [c.count - 1, 1], [3, 0]]) {
        const out = new ByteText(8), ends = new Int32Array(n);
        c.writeStatusReasons(from, n, out, ends);
        const bytes = out.take(), text = (i: number) => new TextDecoder().decode(bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]));
        expect(Array.from({ length: n }, (_, i) => text(i))).toEqual(rows.slice(from, from + n).map((row) => row.statusReason));
        expect(bytes.length).toBe(n === 0 ? 0 : ends[n - 1]);
      }
    }
  });

  it('writes a column of pooled reasons whose figures are not usual amounts (the string\'s text) among usual ones', () => {
    const sample = generateSample({ accounts: 30, seed: 2 });
    const report = engine.margin(sample.book, sample.market);
    const c = columnarReport(report);
    // figures a reason writes as text, not digit by digit: below half a cent, and past 1e11
    (c.columns.equityIm as Float64Array)[3] = 0.001234;
    (c.columns.im as Float64Array)[4] = 3.5e13;
    const out = new ByteText(8), ends = new Int32Array(c.count);
    c.writeStatusReasons(0, c.count, out, ends);
    const bytes = out.take();
    for (let k = 0; k < c.count; k++) expect(new TextDecoder().decode(bytes.subarray(k === 0 ? 0 : ends[k - 1], ends[k]))).toBe(c.statusReason(k));
    expect(c.statusReason(3)).toContain('0.00123');
    expect(c.statusReason(4)).toContain('35,000,000,000,000.00');
  });
});

describe('the id column of a report of an Arrow book: written from the ids\' bytes as read', () => {
  /** The report's Arrow id column, and whether the report had the ids' bytes to write it from. */
  async function idColumn(report: MarginReport): Promise<{ ids: unknown[]; fromBytes: boolean }> {
    const c = columnarReport(report);
    const table = A.tableFromIPC(await writeArrowReport(c));
    return { ids: table.getChild('id')!.toArray() as unknown[], fromBytes: c.columns.idText !== undefined };
  }

  it('chunk by chunk: ASCII ids from their bytes, a chunk with a non-ASCII id from its strings; the ids of the JSON report either way', async () => {
    const sample = generateSample({ accounts: 192, seed: 3, positionsPerAccount: 4 });
    const accounts = sample.book.accounts.map((a, k) => (k === 150 ? { ...a, id: 'é-漢-150' } : k === 20 ? { ...a, id: `${a.id}-long-${'x'.repeat(70)}` } : a));
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-idtext-'));
    try {
      const path = join(dir, 'book.arrow');
      await writeFile(path, await writeArrowBook({ ...sample.book, accounts }, { accountsPerBatch: 64 }));
      const file = await open(path);
      const seen: boolean[] = [];
      try {
        for await (const { book, first } of readArrowBookChunks(file, {}, 64, undefined, 64)) {
          const report = engine.margin(book, sample.market);
          const { ids, fromBytes } = await idColumn(report);
          expect(ids).toEqual(accounts.slice(first, first + 64).map((a) => a.id));
          expect(ids).toEqual(JSON.parse(JSON.stringify(report)).accounts.map((row: { id: string }) => row.id));
          seen.push(fromBytes);
        }
      } finally {
        await file.close();
      }
      expect(seen).toEqual([true, true, false]); // the third chunk holds 'é-漢-150'
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a layout whose accounts changed (removed, added, compacted) writes the ids it holds then, not the bytes it was read with', async () => {
    const sample = generateSample({ accounts: 40, seed: 8, positionsPerAccount: 3 });
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-idtext-'));
    const path = join(dir, 'book.arrow');
    await writeFile(path, await writeArrowBook(sample.book, { accountsPerBatch: 64 }));
    const file = await open(path);
    try {
      const { value: chunk } = await readArrowBookChunks(file, {}, 64).next();
      const book = chunk!.book;
      expect(bookColumnsOf(book)?.idText).toBeDefined();
      const session = engine.openBook(book);
      try {
        expect((await idColumn(session.margin(sample.market))).fromBytes).toBe(true);
        const { id: gone, ...rest } = sample.book.accounts[5];
        session.layout.removeAccount(gone);
        session.layout.addAccount({ ...rest, id: 'added-in-place' });
        session.layout.compact(); // as many accounts as were read, another id among them
        const { ids, fromBytes } = await idColumn(session.margin(sample.market));
        expect(fromBytes).toBe(false);
        expect(ids).toEqual([...sample.book.accounts.filter((a) => a.id !== gone).map((a) => a.id), 'added-in-place']);
      } finally {
        session.release();
      }
    } finally {
      await file.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the report writers take the report itself or its columnar view', () => {
  it('writeArrowReport, marginReportJson and marginReportJsonBytes: the same bytes either way; anything else a TypeError naming the writer', async () => {
    const { marginReportJson, marginReportJsonBytes } = await import('../../src/io/report-json.js');
    const sample = generateSample({ accounts: 40, seed: 3, coinAccounts: 5 });
    const report = engine.margin(sample.book, sample.market, { method: 'cross' });
    expect(await writeArrowReport(report)).toEqual(await writeArrowReport(columnarReport(report)));
    expect([...marginReportJson(report)].join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(Buffer.concat([...marginReportJsonBytes(report)]).toString('utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`);
    await expect(writeArrowReport({} as never)).rejects.toThrow(new TypeError("writeArrowReport takes a margin report (engine.margin's) or columnarReport(report), got object"));
    expect(() => [...marginReportJson(null as never)]).toThrow(new TypeError("marginReportJson takes a margin report (engine.margin's) or columnarReport(report), got null"));
    expect(() => [...marginReportJsonBytes([] as never)]).toThrow(new TypeError("marginReportJsonBytes takes a margin report (engine.margin's) or columnarReport(report), got an array"));
  });
});
