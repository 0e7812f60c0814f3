/**
 * A big book's report written chunk by chunk as it is margined (src/cli/report-stream.ts): the JSON report must be the
 * bytes of the whole-book report, and the Arrow report its table (every column, row for row) with the totals in its
 * metadata bit for bit, under several methods and on both backends, when the book comes in several chunks (an Arrow
 * book of batches of 16 read in chunks of at least 50). Ids repeated across chunks are found through 64-bit hashes
 * (src/io/arrow/id-hashes.ts), a match settled exactly by reading the book's ids again.
 */
import { readdirSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowSink, jsonSink, marginChunksInto } from '../../src/cli/report-stream.js';
import { openOutput } from '../../src/cli/output.js';
import { ProblemList } from '../../src/errors.js';
import { generateSample } from '../../src/index.js';
import { IdHashes, SUSPECT } from '../../src/io/arrow/id-hashes.js';
import { readArrowBookChunks, settleSuspects } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { REPORT_KEY, writeArrowReport } from '../../src/io/arrow/write-report.js';
import { NeedsWholeBook, readBookChunks } from '../../src/io/book-stream.js';
import { marginReportJson } from '../../src/io/report-json.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';
import { validateBook } from '../../src/model/validate.js';
import type { Book } from '../../src/model/types.js';
import { allEngines } from '../support/engines.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-report-stream-');
const sample = generateSample({ accounts: 230, seed: 11 });
const engines = await allEngines();
let files = 0;

/** `book` as Arrow in batches of 16; `edit` changes the validated book's accounts first (what validation would refuse: a repeated id). */
async function arrowFile(book: Book, edit?: (accounts: { id: string }[]) => void): Promise<string> {
  const path = join(dir, `book-${files++}.arrow`);
  const validated = validateBook(book);
  edit?.(validated.accounts as unknown as { id: string }[]);
  await writeFile(path, await writeArrowBook(validated, { accountsPerBatch: 16 }));
  return path;
}

async function* chunksOf(path: string, chunkAccounts = 50) {
  const file = await open(path, 'r');
  try {
    yield* readArrowBookChunks(file, {}, chunkAccounts);
  } finally {
    await file.close();
  }
}

/** Margins `book` chunk by chunk into a JSON and an Arrow report file; their paths and what the streamed run returned. */
async function streamed(book: Book, engine: (typeof engines)[number], method: string, keptBytes?: number) {
  const path = await arrowFile(book);
  const json = join(dir, `report-${files++}.json`), arrow = join(dir, `report-${files++}.arrow`);
  const fromJson = await marginChunksInto(chunksOf(path), sample.market, engine, { method }, {}, async () => jsonSink(await openOutput(json)));
  const fromArrow = await marginChunksInto(chunksOf(path), sample.market, engine, { method }, {}, () => arrowSink(arrow, undefined, keptBytes));
  return { json, arrow, fromJson, fromArrow };
}

/** Every column of an Arrow table as plain values, by name, and its schema metadata. */
function tableOf(bytes: Uint8Array) {
  const table = tableFromIPC(bytes);
  return {
    metadata: table.schema.metadata.get(REPORT_KEY),
    // row by row (`get` gives null where a value is null; `toArray` gives 0)
    columns: Object.fromEntries(table.schema.fields.map((f) => [f.name, Array.from({ length: table.numRows }, (_, i) => table.getChild(f.name)!.get(i) as unknown)])),
  };
}

const jsonText = (report: MarginReport) => [...marginReportJson(columnarReport(report))].join('');

describe('a report written chunk by chunk', () => {
  it('JSON: the whole-book report\'s bytes; Arrow: its table and metadata; the totals bit for bit (several methods, both backends)', async () => {
    for (const engine of engines) {
      for (const method of ['cross', 'portfolio', 'isolated']) {
        const whole = engine.margin(sample.book, sample.market, { method });
        const { json, arrow, fromJson, fromArrow } = await streamed(sample.book, engine, method);
        const label = `${method} ${engine.backend}`;
        expect('report' in fromJson && fromJson.report.totals, label).toEqual(whole.totals);
        expect('report' in fromArrow && fromArrow.report.totals, label).toEqual(whole.totals);
        expect(await readFile(json, 'utf8'), label).toBe(jsonText(whole));
        const expected = tableOf(await writeArrowReport(columnarReport(whole)));
        const got = tableOf(await readFile(arrow));
        expect(got.metadata, label).toBe(expected.metadata);
        expect(got.columns, label).toEqual(expected.columns);
      }
    }
  });

  it('a column only a later chunk\'s rows have (cashUsd of account 220) is in the Arrow report, null before', async () => {
    const book = structuredClone(sample.book);
    for (const account of book.accounts) delete account.cashUsd;
    book.accounts[220].cashUsd = 1234.5;
    const engine = engines[0];
    const whole = engine.margin(book, sample.market, { method: 'cross' });
    const { json, arrow } = await streamed(book, engine, 'cross');
    const got = tableOf(await readFile(arrow));
    expect(got.columns.cashUsd[220]).toBe(1234.5);
    expect(got.columns.cashUsd.slice(0, 220)).toEqual(new Array(220).fill(null));
    expect(got.columns).toEqual(tableOf(await writeArrowReport(columnarReport(whole))).columns);
    expect(await readFile(json, 'utf8')).toBe(jsonText(whole));
  });

  it('Arrow: the same table whether its rows were kept in memory, spilled to a temporary file, or some of each', async () => {
    const engine = engines[0];
    const whole = engine.margin(sample.book, sample.market, { method: 'cross' });
    const expected = tableOf(await writeArrowReport(columnarReport(whole)));
    // 0: every batch spilled; 20 KB: the first chunk's batch (50 rows, ~15 KB) kept, the next ones spilled
    for (const keptBytes of [0, 20_000]) {
      const { arrow } = await streamed(sample.book, engine, 'cross', keptBytes);
      const got = tableOf(await readFile(arrow));
      expect(got.metadata, String(keptBytes)).toBe(expected.metadata);
      expect(got.columns, String(keptBytes)).toEqual(expected.columns);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]); // the spill file removed
  });

  it('a book.json whose first subaccount comes after its first chunk: NeedsWholeBook, and the report file is left as it was (none)', async () => {
    const late = structuredClone(sample.book) as unknown as { accounts: Record<string, unknown>[] };
    late.accounts[150].master = late.accounts[149].id;
    const path = join(dir, `late-${files++}.json`), out = join(dir, `late-${files++}.json`);
    await writeFile(path, JSON.stringify(late));
    const run = marginChunksInto(readBookChunks(path, {}, 37), sample.market, engines[0], { method: 'cross' }, {}, async () => jsonSink(await openOutput(out)));
    await expect(run).rejects.toBeInstanceOf(NeedsWholeBook);
    expect(readdirSync(dir).filter((name) => name.includes('late-') && name !== basename(path))).toEqual([]);
  });

  it('a book of one chunk comes back whole, nothing written', async () => {
    let opened = 0;
    const result = await marginChunksInto(chunksOf(await arrowFile(sample.book), 1000), sample.market, engines[0], { method: 'cross' }, {}, async () => {
      opened++;
      return arrowSink(join(dir, 'never.arrow'));
    });
    expect(opened).toBe(0);
    expect('whole' in result && jsonText(result.whole)).toBe(jsonText(engines[0].margin(sample.book, sample.market, { method: 'cross' })));
  });
});

describe('ids as 64-bit hashes', () => {
  const utf8 = (ids: string[]) => {
    const bytes = new TextEncoder().encode(ids.join(''));
    const offsets = new Int32Array(ids.length + 1);
    ids.forEach((id, i) => (offsets[i + 1] = offsets[i] + new TextEncoder().encode(id).length));
    return { bytes, offsets };
  };

  it('an id seen before (as bytes or as a string) is SUSPECT, a new one is not; the table takes 8 bytes a slot, at most 3/4 used', () => {
    const hashes = new IdHashes(4);
    const { bytes, offsets } = utf8(['acct-1', 'acct-2', 'accté-3', 'acct-1']);
    hashes.batch(0, bytes, offsets);
    expect([0, 1, 2, 3].map((row) => hashes.add(row, row))).toEqual([-1, -1, -1, SUSPECT]);
    expect(hashes.addString(4, 'accté-3')).toBe(SUSPECT);
    expect(hashes.addString(5, 'acct-4')).toBe(-1);
    // 10,000,000 ids: 2^24 slots (the least power of two with 3/4 of it ≥ 10^7) of 8 bytes
    expect(new IdHashes(10_000_000).bytesUsed).toBe(2 ** 24 * 8);
  });

  it('through the table\'s growth (sized for 1, given 5,000): each id new once, SUSPECT when seen again', () => {
    const hashes = new IdHashes(1);
    const ids = Array.from({ length: 5000 }, (_, k) => `acct-${k}`);
    expect(ids.map((id, k) => hashes.addString(k, id)).every((r) => r === -1)).toBe(true);
    expect(hashes.bytesUsed).toBe(2 ** 13 * 8); // the least power of two with 3/4 of it ≥ 5,000
    expect(ids.map((id, k) => hashes.addString(5000 + k, id)).every((r) => r === SUSPECT)).toBe(true);
    expect(hashes.addString(10_000, 'acct-5000')).toBe(-1);
  });

  it('ids that differ in one byte anywhere, in the tail of a four-byte round or in length only, are each new once', () => {
    // every string of a and b up to 13 bytes (16,382: every length modulo 4, zero bytes of tail to three), then ids a
    // trailing NUL or a byte apart, and 200,000 numbered ids: a 64-bit hash keeps them apart (none SUSPECT)
    const ids: string[] = [''];
    for (let k = 0; ids[ids.length - 1].length < 13; k++) ids.push(...['a', 'b'].map((c) => ids[k] + c));
    ids.push('a\u0000', 'a\u0000\u0000', 'a\u0000\u0000\u0000', 'aaaa\u0000', 'accté', 'accte\u0301');
    for (let k = 0; k < 200_000; k++) ids.push(`acct-${String(k).padStart(7, '0')}`);
    expect(new Set(ids).size).toBe(ids.length);
    const hashes = new IdHashes(ids.length);
    const { bytes, offsets } = utf8(ids);
    hashes.batch(0, bytes, offsets);
    expect(ids.filter((_, row) => hashes.add(row, row) !== -1)).toEqual([]);
  });

  it('a suspect is settled by reading the ids again: a repeat names its first account, an id first seen there is no problem', async () => {
    const book = sample.book;
    const file = await open(await arrowFile(book, (accounts) => (accounts[200].id = accounts[3].id)), 'r');
    try {
      const problems = new ProblemList();
      const repeat = problems.addPending('accounts[200].id', 'placeholder');
      problems.add('accounts[201].positions[0].quantity', 'another problem');
      const alone = problems.addPending('accounts[150].id', 'placeholder');
      await settleSuspects(file, [{ account: 200, id: book.accounts[3].id, problem: repeat }, { account: 150, id: book.accounts[150].id, problem: alone }], problems);
      expect(() => problems.throwIfAny()).toThrow(expect.objectContaining({
        problems: [
          { path: 'accounts[200].id', message: `duplicate account id ${JSON.stringify(book.accounts[3].id)} (first at accounts[3])` },
          { path: 'accounts[201].positions[0].quantity', message: 'another problem' },
        ],
      }));
    } finally {
      await file.close();
    }
  });
});
