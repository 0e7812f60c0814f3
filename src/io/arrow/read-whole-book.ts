/**
 * An Arrow IPC book read whole, a chunk at a time (the commands that need every account at once: serve, live,
 * liquidate, stress): each chunk of {@link readArrowBookChunks} is appended to one set of book columns and let go, so
 * memory holds the book's columns and one chunk's batches, never the file or an object per account or position. The
 * book's size is foreseen from its first chunk (the rows to come times its positions and balances per row), so the
 * columns are allocated about once rather than doubled as they grow. The same book, bit for bit, as the file read at
 * once (the same accounts, rows, problems and paths).
 */
import type { FileHandle } from 'node:fs/promises';
import type { InputProblem } from '../../errors.js';
import { BookColumnsBuilder } from '../../model/book-columns-builder.js';
import { bookColumnsOf, columnarBook } from '../../model/book-columns.js';
import type { ValidatedBook } from '../../model/types.js';
import { type ArrowBookOptions, CHUNK_ACCOUNTS, readArrowBookChunks } from './read-book.js';

/** Reads the book in `file` (file or stream format) into one columnar book; `onRows(done, total)` after each chunk. */
export async function readArrowBookWhole(file: FileHandle, options: ArrowBookOptions = {}, onRows?: (done: number, total: number) => void, chunkAccounts = CHUNK_ACCOUNTS): Promise<ValidatedBook> {
  let builder: BookColumnsBuilder | undefined;
  let foreseen = false;
  const warnings: InputProblem[] = [];
  for await (const { book } of readArrowBookChunks(file, options, chunkAccounts, (rows, total) => {
    onRows?.(rows, total);
    if (!foreseen && builder !== undefined && rows < total) foresee(builder, total);
    foreseen = true;
  })) {
    const columns = bookColumnsOf(book)!; // the chunked reader's books are columnar
    builder ??= new BookColumnsBuilder(columns.instruments, { accounts: columns.accountIds.length, positions: columns.positionStart[columns.accountIds.length], balances: columns.balanceStart[columns.accountIds.length] });
    builder.addColumns(columns);
    warnings.push(...book.warnings);
  }
  return columnarBook(builder!.finish(), warnings);
}

/** Room for the whole book, from what its first rows hold per account (2% over, rounded up). */
function foresee(builder: BookColumnsBuilder, total: number): void {
  const { accounts, positions, balances } = builder.size;
  const scale = (n: number) => Math.ceil((n / accounts) * total * 1.02);
  builder.reserve({ accounts: total, positions: scale(positions), balances: scale(balances) });
}
