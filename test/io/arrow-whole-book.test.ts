/**
 * An Arrow book read whole a chunk at a time (src/io/arrow/read-whole-book.ts, what serve, live, liquidate and stress
 * read): the columns of the book read at once, whatever the chunks (balance assets first seen in another order in a
 * later chunk, an isolated allocation or a location only in a later chunk), problems at the book's paths.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSample, InputError, validateBook } from '../../src/index.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { readArrowBookWhole } from '../../src/io/arrow/read-whole-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { bookColumnsOf, objectViewBuilt } from '../../src/model/book-columns.js';
import type { Book } from '../../src/model/types.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-arrow-whole-');
let files = 0;

/** `book` written as Arrow in batches of `perBatch`, read whole in chunks of at least `chunk` accounts. */
async function readWhole(book: Book, perBatch: number, chunk: number, onRows?: (done: number, total: number) => void) {
  const bytes = await writeArrowBook(book, { accountsPerBatch: perBatch });
  const path = join(dir, `book-${files++}.arrow`);
  await writeFile(path, bytes);
  const file = await open(path, 'r');
  try {
    return { whole: await readArrowBookWhole(file, {}, onRows, chunk), atOnce: await readArrowBook(bytes) };
  } finally {
    await file.close();
  }
}

describe('an Arrow book read whole in chunks', () => {
  it('is the book read at once, column for column (700 accounts in chunks of at least 100), its progress told by rows', async () => {
    const sample = generateSample({ accounts: 700, seed: 21, positionsPerAccount: 5 });
    const told: [number, number][] = [];
    const { whole, atOnce } = await readWhole(sample.book, 64, 100, (done, total) => told.push([done, total]));
    expect(bookColumnsOf(whole)).toEqual(bookColumnsOf(atOnce));
    expect(objectViewBuilt(whole)).toBe(false);
    expect(JSON.stringify(whole)).toBe(JSON.stringify(validateBook(sample.book)));
    // batches of 64 gathered to at least 100 accounts: 128 a chunk, the last one 700 − 5 × 128 = 60
    expect(told).toEqual([[128, 700], [256, 700], [384, 700], [512, 700], [640, 700], [700, 700]]);
  });

  it('balance assets first met in another order, an isolated allocation and a location only in a later chunk', async () => {
    const base = generateSample({ accounts: 40, seed: 4, positionsPerAccount: 2 }).book;
    const accounts = base.accounts.map((a, i) => {
      if (i < 20) return { ...a, collateral: [{ asset: 'USDT', amount: 1000 + i }] }; // the first chunk: USDT only
      if (i === 25) return { ...a, collateral: [{ asset: 'USDC', amount: 7, location: 'arbitrum' }, { asset: 'BTC', amount: 0.5 }], positions: [{ ...a.positions![0], isolatedMargin: 1200 }] };
      return a;
    });
    const book = { ...base, accounts };
    const { whole, atOnce } = await readWhole(book, 10, 20);
    expect(bookColumnsOf(whole)).toEqual(bookColumnsOf(atOnce));
    const columns = bookColumnsOf(whole)!;
    const p25 = columns.positionStart[25], b25 = columns.balanceStart[25];
    expect([columns.isolatedMargin?.[p25], Number.isNaN(columns.isolatedMargin?.[0]), columns.locations?.[b25], columns.locations?.[0]]).toEqual([1200, true, 'arbitrum', undefined]);
    expect(JSON.stringify(whole)).toBe(JSON.stringify(validateBook(book)));
  });

  it('a problem in a later chunk is named by the account\'s index in the book', async () => {
    const base = generateSample({ accounts: 60, seed: 9, positionsPerAccount: 2 }).book;
    const accounts = base.accounts.map((a, i) => (i === 47 ? { ...a, positions: [{ ...a.positions![0], quantity: Number.NaN }] } : a));
    const error = await readWhole({ ...base, accounts }, 10, 20).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems.map((p) => p.path)).toEqual(['accounts[47].positions[0].quantity']);
  });
});
