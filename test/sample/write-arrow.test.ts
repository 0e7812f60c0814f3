/**
 * `generate --format arrow` writes each record batch out before it makes the next, so memory holds one batch whatever
 * the number of accounts (docs/arrow.md). It used to queue the whole file's bytes and write them at the end: the file
 * stayed empty while the accounts were generated, and a million accounts peaked at 1.03 GB.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as A from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { ACCOUNTS_PER_BATCH } from '../../src/io/arrow/write-book.js';
import { writeArrowSample } from '../../src/sample/write-arrow.js';
import { generateSample } from '../../src/sample/generate.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-write-arrow-');

test('each batch is on disk before the next is generated; the file holds every account, in order', async () => {
  const accounts = 2 * ACCOUNTS_PER_BATCH + 1000; // two full batches of 65,536 and a last one of 1,000
  const sizes: number[] = [];
  const book = join(dir, 'book.arrow');
  await writeArrowSample(dir, accounts, 3, { positionsPerAccount: 1, onProgress: () => sizes.push(statSync(book).size) });
  // told after each full batch: by then its bytes are in the file (8 bytes of magic, the schema, then the batches)
  expect(sizes).toHaveLength(2);
  expect(sizes[0]).toBeGreaterThan(1000);
  expect(sizes[1]).toBeGreaterThan(sizes[0]);
  const table = A.tableFromIPC(readFileSync(book));
  expect(table.numRows).toBe(accounts);
  // the same accounts as the generator gives, first and last
  const ids = table.getChild('id')!;
  const sample = generateSample({ accounts, seed: 3, positionsPerAccount: 1 });
  expect([ids.get(0), ids.get(accounts - 1)]).toEqual([sample.book.accounts[0].id, sample.book.accounts[accounts - 1].id]);
});

test('accounts added one at a time and taken as batches of 3 and 4 are the rows the book written whole has', async () => {
  const { ArrowBookBatches, shapeOf, writeArrowBook } = await import('../../src/io/arrow/write-book.js');
  const book = generateSample({ accounts: 7, seed: 5, positionsPerAccount: 3 }).book;
  const batches = new ArrowBookBatches(A, book.instruments, shapeOf(book));
  const taken: A.RecordBatch[] = [];
  book.accounts.forEach((account, k) => {
    batches.add(account);
    if (k === 2 || k === 6) taken.push(batches.take());
  });
  expect(taken.map((b) => b.numRows)).toEqual([3, 4]);
  expect(batches.pending).toBe(0);
  const rows = (table: A.Table) => JSON.stringify(table.toArray());
  const whole = rows(A.tableFromIPC(await writeArrowBook(book)));
  expect(whole).toContain(`"quantity":${book.accounts[6].positions![2].quantity}`); // the rows' values, not empty objects
  expect(rows(new A.Table(batches.schema, taken))).toBe(whole);
});
