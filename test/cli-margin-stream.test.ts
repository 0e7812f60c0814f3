/**
 * `margin` on a big book is margined and written chunk by chunk while the file is read (src/cli/margin-stream.ts).
 * Every row must be the whole-book run's row and the totals its bits (the same additions in book order); the
 * selection (--status, --sort, --top) must pick the same rows; an input problem in a later chunk must name the
 * account by its index in the book; and a book that cannot be streamed (instruments after accounts, subaccounts) is
 * handed back whole. The sample is streamed in chunks of 37 accounts to cross many chunk boundaries.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, RowSelector, type Selection, tableRow } from '../src/cli/margin-rows.js';
import { type StreamedMargin, streamMargin } from '../src/cli/margin-stream.js';
import { csvLines, openOutput, type Output } from '../src/cli/output.js';
import { createEngine, type Engine, generateSample, InputError } from '../src/index.js';
import type { MarginReport } from '../src/margin/report.js';
import { accountCountOf, type BookChunk } from '../src/model/book-columns.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-stream-');
// a USD book (a book with coin-margined accounts: the last tests)
const sample = generateSample({ accounts: 302, seed: 7 });
const bookJson = structuredClone(sample.book) as any;
const marketJson = sample.market;
let engine: Engine;
let whole: MarginReport;

beforeAll(async () => {
  engine = await createEngine();
  whole = engine.margin(bookJson, marketJson, { method: 'portfolio' });
});

let files = 0;
/** Streams `book` (written to a file) with `selection`; the text written and the result. */
async function streamed(book: unknown, format: 'table' | 'csv', selection: Selection = {}, chunkAccounts = 37, market: unknown = marketJson, outputTakesBack?: boolean) {
  const path = join(dir, `book-${files++}.json`), out = join(dir, `out-${files}.txt`);
  writeFileSync(path, JSON.stringify(book));
  const output = await openOutput(out);
  const result = await streamMargin({
    bookPath: path, marketJson: market, engine, options: { method: 'portfolio' }, validation: {}, format, selector: new RowSelector(selection), top: selection.top, output, chunkAccounts, outputTakesBack,
  }).catch(async (error: unknown) => {
    await output.discard(); // as the command does
    throw error;
  });
  await output.end();
  return { result, text: readFileSync(out, 'utf8') };
}

describe('margin streamed chunk by chunk', () => {
  it('writes the whole-book rows (CSV byte for byte) and sums the totals to the same bits', async () => {
    const { result, text } = await streamed(bookJson, 'csv');
    const expected = [...csvLines(CSV_COLUMNS, whole.accounts.length, (i) => CSV_COLUMNS.map((c) => whole.accounts[i][c]))].join('\n') + '\n';
    expect(text).toBe(expected);
    const r = result as StreamedMargin;
    expect(r.report.totals).toEqual(whole.totals);
    expect(Object.is(r.report.totals.im, whole.totals.im) && Object.is(r.report.totals.equity, whole.totals.equity)).toBe(true);
    expect([r.printed, r.errorIds]).toEqual([302, []]);
  });

  it('writes a table whose rows hold the whole-book cells', async () => {
    const { text } = await streamed(bookJson, 'table');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(304); // header, rule, 302 rows (the summary line is the command's)
    const cells = (line: string) => line.trim().split(/\s{2,}/);
    lines.slice(2).forEach((line, i) => expect(cells(line)).toEqual(tableRow(whole.accounts[i]).filter((c) => c !== '')));
  });

  it('selects by status, sorts by health and keeps the top N as the whole-book selection does', async () => {
    const selection: Selection = { status: ['liquidatable', 'bankrupt'], sort: 'health', top: 7 };
    const { result } = await streamed(bookJson, 'table', selection);
    const wholeSelector = new RowSelector(selection);
    for (const a of whole.accounts) wholeSelector.offer(a);
    expect((result as StreamedMargin).selected!.map((a) => a.id)).toEqual(wholeSelector.result().map((a) => a.id));
    const unsorted = await streamed(bookJson, 'csv', { status: ['margin_call'], top: 3 });
    expect(unsorted.text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(whole.accounts.filter((a) => a.status === 'margin_call').slice(0, 3).map((a) => a.id));
  });

  it('names a bad account in a later chunk by its index in the book, after writing the chunks before it', async () => {
    const bad = structuredClone(bookJson);
    bad.accounts[250].positions[0].quantity = 'ten';
    const path = join(dir, 'bad.json'), out = join(dir, 'bad-out.txt');
    writeFileSync(path, JSON.stringify(bad));
    const output = await openOutput(out);
    const error = await streamMargin({ bookPath: path, marketJson, engine, options: { method: 'portfolio' }, validation: {}, format: 'csv', selector: new RowSelector({}), output, chunkAccounts: 37 })
      .then(() => null, (e: unknown) => e);
    await output.end();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0].path).toBe('accounts[250].positions[0].quantity');
    expect(readFileSync(out, 'utf8').trimEnd().split('\n').length).toBeGreaterThan(1); // rows of the chunks before were written
  });

  it('checks the market\'s bounds against every chunk: an account in a later chunk worth over 1e15 USD is refused at its path', async () => {
    const big = structuredClone(bookJson);
    big.accounts[250].cashUsd = 9e14;
    big.accounts[250].collateral = [{ asset: 'USDC', amount: 9e14 }];
    const path = join(dir, 'big.json'), out = join(dir, 'big-out.txt');
    writeFileSync(path, JSON.stringify(big));
    const output = await openOutput(out);
    const error = await streamMargin({ bookPath: path, marketJson, engine, options: { method: 'portfolio' }, validation: {}, format: 'csv', selector: new RowSelector({}), output, chunkAccounts: 37 })
      .then(() => null, (e: unknown) => e);
    await output.end();
    expect(error).toBeInstanceOf(InputError);
    // 9e14 USDC at 1 USD plus 9e14 USD of cash: 1.8e15, each within its own bound
    expect((error as InputError).problems.map((p) => p.path)).toEqual(['accounts[250]']);
    expect((error as InputError).problems[0].message).toMatch(/gross value .* is above the largest account value 1e15 USD/);
  });

  it('hands the book back whole, nothing written, when its instruments come after its accounts or its first chunk has subaccounts', async () => {
    const reordered = { accounts: bookJson.accounts, instruments: bookJson.instruments };
    const grouped = structuredClone(bookJson);
    grouped.accounts[1].master = grouped.accounts[0].id;
    for (const book of [reordered, grouped]) {
      const { result, text } = await streamed(book, 'csv');
      // that first chunk held the whole book: it is handed on, read once (it was read again, whole, by the command)
      expect(result).toEqual({ whole: true, chunk: expect.anything() });
      const chunk = (result as { chunk: BookChunk }).chunk;
      expect(accountCountOf(chunk.book)).toBe(bookJson.accounts.length);
      expect(text).toBe('');
    }
  });

  it('a subaccount after the first chunks: handed back whole when nothing reached the user (a sort holds the rows, a file is taken back), refused on a terminal that has rows', async () => {
    const late = structuredClone(bookJson);
    late.accounts[150].master = late.accounts[149].id;
    // a file output: what it was given is taken back (the command discards it and margins the book whole)
    expect((await streamed(late, 'csv', {}, 37, marketJson, true)).result).toEqual({ whole: true });
    // a sort holds every row until the end: nothing was written
    const sorted = await streamed(late, 'table', { sort: 'health', top: 5 });
    expect(sorted.result).toEqual({ whole: true });
    expect(sorted.text).toBe('');
    // rows already printed where they cannot be taken back (a terminal): refused, saying why
    await expect(streamed(late, 'csv')).rejects.toThrow(/accounts\[150\] names a master/);
  });

  it('the rows it says were printed before a late subaccount have reached the output (up to a megabyte had been gathered)', async () => {
    // chunks of 37: the first four are flushed as they are written, the fifth to seventh gathered (later chunks go out
    // in ~1 MB writes); accounts[260] comes in the eighth
    const late = structuredClone(bookJson);
    late.accounts[260].master = late.accounts[259].id;
    const path = join(dir, `book-${files++}.json`);
    writeFileSync(path, JSON.stringify(late));
    // a terminal: what is flushed reaches the user, what is gathered does not until then
    let gathered = '', delivered = '';
    const output: Output = {
      async write(text) { gathered += text; },
      async writeBytes() { throw new Error('not used'); },
      async lines(lines) { for (const line of lines) gathered += `${line}\n`; },
      async flush() { delivered += gathered; gathered = ''; },
      async end() { await this.flush(); },
      async discard() { gathered = ''; },
    };
    const failure = await streamMargin({
      bookPath: path, marketJson, engine, options: { method: 'portfolio' }, validation: {}, format: 'csv', selector: new RowSelector({}), output, chunkAccounts: 37,
    }).catch((error: unknown) => error as Error);
    const said = Number(/beyond the first ([\d,]+) accounts already printed/.exec((failure as Error).message)![1].replace(/,/g, ''));
    expect(said).toBeGreaterThan(0);
    expect(delivered.split('\n').filter((line) => line !== '').length - 1).toBe(said); // the header, then a row per account
  });

  it('coin-margined accounts anywhere in the book (inverse perpetuals, coin-settled options) are margined in their chunks: the whole-book rows and totals', async () => {
    const coin = generateSample({ accounts: 300, seed: 7, coinAccounts: 40 });
    const book = structuredClone(coin.book) as any;
    book.accounts.unshift(book.accounts.pop()); // one first, the others after the USD accounts
    const expected = engine.margin(book, coin.market, { method: 'portfolio' });
    const { result, text } = await streamed(book, 'csv', {}, 37, coin.market);
    const rows = [...csvLines(CSV_COLUMNS, expected.accounts.length, (i) => CSV_COLUMNS.map((c) => expected.accounts[i][c]))].join('\n') + '\n';
    expect(text).toBe(rows);
    const r = result as StreamedMargin;
    expect(r.report.totals).toEqual(expected.totals);
    expect(Object.is(r.report.totals.im, expected.totals.im) && Object.is(r.report.totals.equity, expected.totals.equity)).toBe(true);
  });
});
