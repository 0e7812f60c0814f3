/**
 * A big book margined a chunk of accounts at a time (src/cli/margin-chunks.ts), from an Arrow book's record batches
 * (readArrowBookChunks) or a book.json as it streams (readBookChunks): the report must be the whole-book report, byte
 * for byte, under every method and on every backend; a problem in a later chunk must name the account by its index
 * in the book (the market's bounds included: each chunk meets the market); an id repeated across chunks must be found;
 * and a book.json whose first subaccount comes after the first chunk must be handed back whole.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginChunks } from '../../src/cli/margin-chunks.js';
import { generateSample } from '../../src/index.js';
import { readArrowBookChunks } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { NeedsWholeBook, readBookChunks } from '../../src/io/book-stream.js';
import { marginReportJson } from '../../src/io/report-json.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';
import { bookColumnsOf } from '../../src/model/book-columns.js';
import { validateBook } from '../../src/model/validate.js';
import { allEngines } from '../support/engines.js';
import { problemLines } from '../support/problems.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-chunks-');
const sample = generateSample({ accounts: 230, seed: 11 });
const engines = await allEngines();
const text = (report: MarginReport) => [...marginReportJson(columnarReport(report))].join('');

let files = 0;
async function jsonFile(book: unknown): Promise<string> {
  const path = join(dir, `book-${files++}.json`);
  await writeFile(path, JSON.stringify(book));
  return path;
}

/** `book` as Arrow; `edit` changes the validated book's objects first (what validation would refuse: a repeated id). */
async function arrowFile(book: unknown, accountsPerBatch: number, edit?: (accounts: { id: string }[]) => void): Promise<string> {
  const path = join(dir, `book-${files++}.arrow`);
  const validated = validateBook(book);
  edit?.(validated.accounts as unknown as { id: string }[]);
  await writeFile(path, await writeArrowBook(validated, { accountsPerBatch }));
  return path;
}

async function* arrowChunks(path: string, chunkAccounts: number) {
  const file = await open(path, 'r');
  try {
    yield* readArrowBookChunks(file, {}, chunkAccounts);
  } finally {
    await file.close();
  }
}

describe('a book margined in chunks', () => {
  it('Arrow (batches of 16, chunks of at least 50) and JSON (chunks of 37): the whole-book report, byte for byte, every method and backend', async () => {
    const arrow = await arrowFile(sample.book, 16), json = await jsonFile(sample.book);
    for (const engine of engines) {
      for (const method of MARGIN_METHODS) {
        const whole = text(engine.margin(sample.book, sample.market, { method }));
        const fromArrow = await marginChunks(arrowChunks(arrow, 50), sample.market, engine, { method }, {});
        expect(text(fromArrow), `${method} ${engine.backend} arrow`).toBe(whole);
        const fromJson = await marginChunks(readBookChunks(json, {}, 37), sample.market, engine, { method }, {});
        expect(text(fromJson), `${method} ${engine.backend} json`).toBe(whole);
      }
    }
  });

  it('a chunk of one clean batch is views of the chunk\'s buffer; one that needs netting is read into columns: the same report', async () => {
    // batches of 50, chunks of at least 50: one batch a chunk; account 60 holds its first position twice (netted)
    const path = await arrowFile(sample.book, 50, (accounts) => {
      const holder = accounts[60] as unknown as { positions: unknown[] };
      holder.positions.push({ ...(holder.positions[0] as object) });
    });
    const doubled = structuredClone(sample.book) as unknown as { accounts: { positions: unknown[] }[] };
    doubled.accounts[60].positions.push({ ...(doubled.accounts[60].positions[0] as object) });
    const viewed: boolean[] = [];
    for await (const { book } of arrowChunks(path, 50)) {
      const columns = bookColumnsOf(book)!;
      viewed.push(columns.quantity.buffer === columns.entryPrice.buffer); // views of one IPC buffer, or columns of their own
    }
    expect(viewed).toEqual([true, false, true, true, true]);
    for (const engine of engines) {
      for (const method of ['cross', 'portfolio', 'isolated']) {
        const whole = text(engine.margin(doubled, sample.market, { method }));
        expect(text(await marginChunks(arrowChunks(path, 50), sample.market, engine, { method }, {})), `${method} ${engine.backend}`).toBe(whole);
      }
    }
  });

  it('chunks hold the book\'s accounts in order, each once', async () => {
    const seen: [number, number][] = [];
    for await (const { book, first } of arrowChunks(await arrowFile(sample.book, 16), 50)) seen.push([first, book.accounts.length]);
    expect(seen).toEqual([[0, 64], [64, 64], [128, 64], [192, 38]]); // batches of 16 gathered to ≥ 50
    const json: [number, number][] = [];
    for await (const { book, first } of readBookChunks(await jsonFile(sample.book), {}, 100)) json.push([first, book.accounts.length]);
    expect(json).toEqual([[0, 100], [100, 100], [200, 30]]);
  });

  it('a problem in a later chunk names the account by its index in the book, as the whole-book validator does', async () => {
    const book = structuredClone(sample.book) as { accounts: { positions: { quantity: unknown }[] }[] };
    book.accounts[170].positions[0].quantity = 'twelve';
    const expected = problemLines(() => validateBook(book));
    expect(expected).toHaveLength(1);
    expect(expected[0]).toMatch(/^accounts\[170\]\.positions\[0\]\.quantity: /);
    const lines = await problemsOf(marginChunks(readBookChunks(await jsonFile(book), {}, 37), sample.market, engines[0], { method: 'cross' }, {}));
    expect(lines).toEqual(expected);
  });

  it('the market\'s bounds are checked against every chunk (an account worth more than 1e15 USD in the last chunk)', async () => {
    const book = structuredClone(sample.book);
    book.accounts[229].collateral![0].amount = 9e14;
    book.accounts[229].cashUsd = 9e14;
    const engine = engines[0];
    for (const chunks of [arrowChunks(await arrowFile(book, 16), 50), readBookChunks(await jsonFile(book), {}, 37)]) {
      const lines = await problemsOf(marginChunks(chunks, sample.market, engine, { method: 'cross' }, {}));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^accounts\[229\]: gross value .* is above the largest account value 1e15 USD$/);
    }
  });

  it('an id repeated across chunks is found, with both indices', async () => {
    const book = structuredClone(sample.book);
    book.accounts[200].id = book.accounts[3].id;
    const message = `accounts[200].id: duplicate account id ${JSON.stringify(book.accounts[3].id)} (first at accounts[3])`;
    expect(problemLines(() => validateBook(book))).toEqual([message]);
    const engine = engines[0];
    const arrow = await arrowFile(sample.book, 16, (accounts) => (accounts[200].id = accounts[3].id));
    expect(await problemsOf(marginChunks(arrowChunks(arrow, 50), sample.market, engine, { method: 'cross' }, {}))).toEqual([message]);
    expect(await problemsOf(marginChunks(readBookChunks(await jsonFile(book), {}, 37), sample.market, engine, { method: 'cross' }, {}))).toEqual([message]);
  });

  it('subaccounts: in the first chunk, the book comes as one chunk; after it, NeedsWholeBook', async () => {
    const grouped = generateSample({ accounts: 120, seed: 5, accountsPerMaster: 4 });
    const early: number[] = [];
    for await (const { book } of readBookChunks(await jsonFile(grouped.book), {}, 37)) early.push(book.accounts.length);
    expect(early).toEqual([grouped.book.accounts.length]);
    const late = structuredClone(sample.book) as unknown as { accounts: Record<string, unknown>[] };
    late.accounts[150].master = late.accounts[149].id;
    await expect(async () => {
      for await (const _ of readBookChunks(await jsonFile(late), {}, 37)) void _;
    }).rejects.toBeInstanceOf(NeedsWholeBook);
  });
});

async function problemsOf(work: Promise<unknown>): Promise<string[]> {
  try {
    await work;
  } catch (error) {
    return problemLines(() => {
      throw error;
    });
  }
  return [];
}
