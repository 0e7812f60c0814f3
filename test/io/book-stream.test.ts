/** book.json read as it streams into a columnar book: the book validateBook gives, and its problems. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSample, InputError, validateBook } from '../../src/index.js';
import { readBookFile } from '../../src/io/book-stream.js';
import { bookColumnsOf } from '../../src/model/book-columns.js';
import { sampleJson } from '../../src/sample/generate.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-book-stream-');
let n = 0;
const file = (text: string) => {
  const path = join(dir, `book-${n++}.json`);
  writeFileSync(path, text);
  return path;
};
const problems = async (promise: Promise<unknown>) => promise.then(() => [], (e) => (e instanceof InputError ? e.problems : Promise.reject(e)));
const jsonProblems = (book: unknown) => { try { validateBook(book); return []; } catch (e) { return (e as InputError).problems; } };

describe('readBookFile', () => {
  it('streams a book into columns (small chunks: many batches) equal to validateBook', async () => {
    const { book } = generateSample({ accounts: 3000, seed: 13, accountsPerMaster: 7 });
    const read = await readBookFile(file(sampleJson(book)), {}, 4096);
    expect(bookColumnsOf(read)).toBeDefined();
    expect(JSON.stringify(read)).toBe(JSON.stringify(validateBook(book)));
  });

  it('bad accounts: the validator\'s problems at their paths; accounts before instruments: read whole', async () => {
    const { book } = generateSample({ accounts: 40, seed: 2 });
    const bad = { ...book, accounts: book.accounts.map((a, i) => (i === 7 ? { ...a, id: book.accounts[1].id } : i === 30 ? { ...a, positions: [{ instrument: 'NOPE', quantity: 1, entryPrice: 1 }] } : a)) };
    expect(await problems(readBookFile(file(JSON.stringify(bad)), {}, 1024))).toEqual(jsonProblems(bad));
    const reversed = file(JSON.stringify({ accounts: book.accounts, instruments: book.instruments }));
    const read = await readBookFile(reversed);
    expect(bookColumnsOf(read)).toBeUndefined();
    expect(JSON.stringify(read)).toBe(JSON.stringify(validateBook(book)));
    expect(await problems(readBookFile(file(JSON.stringify({ ...book, extra: 1 }))))).toEqual(jsonProblems({ ...book, extra: 1 }));
    expect(await problems(readBookFile(file('{"instruments": [], "accounts": []}')))).toEqual(jsonProblems({ instruments: [], accounts: [] }));
  });
});
