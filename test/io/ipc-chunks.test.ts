/**
 * An Arrow book read from a file a chunk of record batches at a time into one reused buffer (src/io/arrow/ipc-chunks.ts):
 * the file and stream formats, books of other writers (plain Utf8 names, an instrument dictionary replaced between
 * batches), and files that are not Arrow or are cut short, which are refused at `book` without a crash.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { generateSample, InputError, validateBook } from '../../src/index.js';
import { readArrowBookChunks } from '../../src/io/arrow/read-book.js';
import { arrowBookBytes, writeArrowBook } from '../../src/io/arrow/write-book.js';
import type { Book } from '../../src/model/types.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-ipc-');
const sample = generateSample({ accounts: 90, seed: 5, positionsPerAccount: 4 });
let files = 0;

async function file(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `book-${files++}.arrow`);
  await writeFile(path, bytes);
  return path;
}

/** Every chunk's accounts (as JSON, taken before the next chunk is read) and the chunks' first indices. */
async function chunksOf(path: string, chunkAccounts: number, firstPart?: number): Promise<{ accounts: unknown[]; firsts: number[] }> {
  const handle = await open(path, 'r');
  try {
    const accounts: unknown[] = [], firsts: number[] = [];
    for await (const chunk of readArrowBookChunks(handle, {}, chunkAccounts, undefined, firstPart)) {
      firsts.push(chunk.first);
      accounts.push(...(JSON.parse(JSON.stringify(chunk.book)) as { accounts: unknown[] }).accounts);
    }
    return { accounts, firsts };
  } finally {
    await handle.close();
  }
}

async function problemOf(path: string, chunkAccounts = 10, firstPart?: number): Promise<{ path: string; message: string }[]> {
  const error = await chunksOf(path, chunkAccounts, firstPart).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
}

const expected = (book: Book) => (JSON.parse(JSON.stringify(validateBook(book))) as { accounts: unknown[] }).accounts;

/** The book's accounts as a plain table: ids and names as plain Utf8 (as a general tool writes them). */
function plainTable(book: Book): A.Table {
  const accounts = book.accounts;
  const table = new A.Table({
    id: A.vectorFromArray(accounts.map((a) => a.id), new A.Utf8()),
    collateral: A.vectorFromArray(accounts.map((a) => a.collateral ?? []), new A.List(new A.Field('item', new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64())])))),
    positions: A.vectorFromArray(accounts.map((a) => a.positions ?? []), new A.List(new A.Field('item', new A.Struct([new A.Field('instrument', new A.Utf8()), new A.Field('quantity', new A.Float64()), new A.Field('entryPrice', new A.Float64())])))),
  });
  table.schema.metadata.set('margin-core:instruments', JSON.stringify(book.instruments));
  return table;
}

describe('an Arrow book read a chunk at a time', () => {
  it('file and stream formats: every account once, in order, as the JSON validator reads them; chunks of whole batches', async () => {
    for (const format of ['file', 'stream'] as const) {
      const path = await file(await writeArrowBook(sample.book, { format, accountsPerBatch: 16 }));
      for (const [chunkAccounts, firsts] of [[1, [0, 16, 32, 48, 64, 80]], [40, [0, 48]], [1_000, [0]]] as const) {
        const read = await chunksOf(path, chunkAccounts);
        expect(read.firsts, `${format}, ${chunkAccounts}`).toEqual(firsts);
        expect(read.accounts).toEqual(expected(sample.book));
      }
    }
  });

  it('parts of a batch read each column from their own first row: cash and isolated margins given on some accounts only', async () => {
    // nulls in cashUsd and isolatedMargin take the accounts off the copied path onto the validator's: both read
    // a part's rows through its columns' offset (row-range.ts), never the batch's first rows
    const accounts = sample.book.accounts.map((a, i) => ({
      ...a,
      ...(i % 11 === 1 ? { cashUsd: 1_000 + i } : {}),
      positions: (a.positions ?? []).map((p, j) => (i % 5 === 2 && j === 0 ? { ...p, isolatedMargin: 100 + i } : p)),
    }));
    const book = { ...sample.book, accounts };
    for (const format of ['file', 'stream'] as const) {
      const path = await file(await writeArrowBook(book, { format, accountsPerBatch: 45 }));
      const read = await chunksOf(path, 60, 4);
      expect(read.firsts, format).toEqual([0, 4, 12, 28, 60]);
      expect(read.accounts).toEqual(expected(book));
    }
  });

  it('a book with a method column comes as one chunk (its accounts\' own methods are margined by each method apart)', async () => {
    const accounts = sample.book.accounts.map((a, i) => (i % 11 === 3 ? { ...a, method: 'isolated' } : a));
    const book = { ...sample.book, accounts };
    const path = await file(await writeArrowBook(book, { accountsPerBatch: 16 }));
    const read = await chunksOf(path, 10, 4);
    expect(read.firsts).toEqual([0]);
    expect(read.accounts).toEqual(expected(book));
  });

  it('the first chunk of a book of several comes in parts, doubling, cut inside record batches and across them', async () => {
    // 90 accounts in batches of 45; chunks of ≥ 60 accounts gather both batches into the first chunk, which comes in
    // parts of 4, 8, 16 and 32 accounts (the last one, 28 … 60, across the batches' boundary at 45), then the rest
    for (const format of ['file', 'stream'] as const) {
      const path = await file(await writeArrowBook(sample.book, { format, accountsPerBatch: 45 }));
      const read = await chunksOf(path, 60, 4);
      expect(read.firsts, format).toEqual([0, 4, 12, 28, 60]);
      expect(read.accounts).toEqual(expected(sample.book));
    }
    // the same with plain Utf8 ids and names, read where they lie in each part
    const plain = await file(A.tableToIPC(new A.Table([...plainTable(sample.book).batches].flatMap((b) => [b.slice(0, 45), b.slice(45)])), 'file'));
    expect((await chunksOf(plain, 60, 4)).firsts).toEqual([0, 4, 12, 28, 60]);
    expect((await chunksOf(plain, 60, 4)).accounts).toEqual(expected(sample.book));
    // a problem in a part is at the book's index (here in the part across the batches); an id repeated across parts is found
    const badAt = async (change: (a: Book['accounts'][number], i: number) => Book['accounts'][number]) =>
      (await problemOf(await file(await arrowBookBytes({ ...sample.book, accounts: sample.book.accounts.map(change) }, { accountsPerBatch: 45 })), 60, 4)).map((p) => p.path);
    expect(await badAt((a, i) => (i === 50 ? { ...a, positions: [{ ...a.positions![0], entryPrice: -1 }] } : a))).toEqual(['accounts[50].positions[0].entryPrice']);
    expect(await badAt((a, i) => (i === 20 ? { ...a, id: sample.book.accounts[2].id } : a))).toEqual(['accounts[20].id']);
  });

  it('plain Utf8 instrument names are looked up by their bytes; an unknown one is refused at its path', async () => {
    const path = await file(A.tableToIPC(plainTable(sample.book), 'file'));
    expect((await chunksOf(path, 30)).accounts).toEqual(expected(sample.book));
    const accounts = sample.book.accounts.map((a, i) => (i === 70 ? { ...a, positions: [{ ...a.positions![0], instrument: 'BTC-NOPE' }] } : a));
    const bad = await file(A.tableToIPC(plainTable({ ...sample.book, accounts }), 'file'));
    expect(await problemOf(bad)).toEqual([{ path: 'accounts[70].positions[0].instrument', message: expect.stringContaining('BTC-NOPE') }]);
  });

  it('an instrument dictionary replaced between batches of a stream applies to the batches after it', async () => {
    // two tables whose instrument columns are dictionaries of different names: the stream writer sends the second
    // dictionary (replacing the first, id 0) before the batches that use it
    const dictionaryTable = (accounts: Book['accounts']) => {
      const names = [...new Set(accounts.flatMap((a) => (a.positions ?? []).map((p) => p.instrument)))].reverse();
      const instrument = new A.Dictionary(new A.Utf8(), new A.Int32(), 0);
      const positions = new A.List(new A.Field('item', new A.Struct([new A.Field('instrument', instrument), new A.Field('quantity', new A.Float64()), new A.Field('entryPrice', new A.Float64())])));
      const table = new A.Table({
        id: A.vectorFromArray(accounts.map((a) => a.id), new A.Utf8()),
        collateral: A.vectorFromArray(accounts.map((a) => a.collateral ?? []), new A.List(new A.Field('item', new A.Struct([new A.Field('asset', new A.Utf8()), new A.Field('amount', new A.Float64())])))),
        positions: A.vectorFromArray(accounts.map((a) => (a.positions ?? []).map((p) => ({ ...p, instrument: p.instrument }))), positions),
      });
      expect(names.length).toBeGreaterThan(1);
      return table;
    };
    const first = dictionaryTable(sample.book.accounts.slice(0, 45)), second = dictionaryTable(sample.book.accounts.slice(45));
    const writer = new A.RecordBatchStreamWriter();
    const schema = new A.Schema(first.schema.fields, new Map([['margin-core:instruments', JSON.stringify(sample.book.instruments)]]));
    writer.reset(undefined, schema);
    for (const batch of [...first.batches, ...second.batches]) writer.write(new A.RecordBatch(schema, batch.data));
    writer.finish();
    const bytes = writer.toUint8Array(true);
    const types: number[] = [], messages = new A.MessageReader(bytes);
    for (let m = messages.readMessage(); m !== null; m = messages.readMessage()) {
      types.push(m.headerType);
      messages.readMessageBody(m.bodyLength);
    }
    // schema, dictionary, the first table's batch, the second dictionary, the second table's batch
    expect(types).toEqual([A.MessageHeader.Schema, A.MessageHeader.DictionaryBatch, A.MessageHeader.RecordBatch, A.MessageHeader.DictionaryBatch, A.MessageHeader.RecordBatch]);
    const path = await file(bytes);
    for (const chunkAccounts of [1, 1_000]) expect((await chunksOf(path, chunkAccounts)).accounts).toEqual(expected(sample.book));
  });

  it('not Arrow, or cut short anywhere: one problem at `book`, never a crash', async () => {
    const bytes = await writeArrowBook(sample.book, { accountsPerBatch: 16 });
    const stream = await writeArrowBook(sample.book, { format: 'stream', accountsPerBatch: 16 });
    const cuts = [
      new TextEncoder().encode('{"accounts": []}'), bytes.subarray(0, 7), bytes.subarray(0, 30), bytes.subarray(0, bytes.length >> 1), bytes.subarray(0, bytes.length - 1),
      stream.subarray(0, 12), stream.subarray(0, stream.length >> 1),
    ];
    for (const cut of cuts) {
      const problems = await problemOf(await file(cut));
      expect(problems).toEqual([{ path: 'book', message: expect.stringMatching(/^not an Arrow IPC file or stream, or one cut short/) }]);
    }
  });

  it('a book of no accounts (a schema and no record batch) is the empty book', async () => {
    const empty = plainTable({ ...sample.book, accounts: [] });
    for (const format of ['file', 'stream'] as const) {
      expect(await problemOf(await file(A.tableToIPC(empty, format)))).toEqual([{ path: 'accounts', message: 'empty book (no accounts)' }]);
    }
  });
});
