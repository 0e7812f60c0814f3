/**
 * The whole book as it travels to the workers that run jobs on all of it (Monte Carlo stress paths, reverse-search
 * probes: each a cross-account cascade). A book columns can hold (USD-settled instruments, USD-margined accounts:
 * src/layout/columns-layout.ts) travels as its columns, typed arrays copied as bytes and laid out straight in, with
 * no object per account or position on either side; a book read by its columns (an Arrow book, a streamed
 * book.json) sends the columns it has. Any other book travels as one shard of itself (shard-book.ts). Both give the
 * worker the same book, so the same bits (test/io/book-columns.test.ts holds the two forms to the same reports).
 */
import { type BookColumns, bookColumnsOf, columnarBook, hasMastersOrMethods } from '../model/book-columns.js';
import { columnsOfBook } from '../model/book-columns-builder.js';
import type { ValidatedBook } from '../model/types.js';
import { partitionBook, type ShardBook, shardAsBook } from './shard-book.js';

export type WholeBook = { kind: 'columns'; columns: BookColumns } | { kind: 'objects'; book: ShardBook };

/** The form `book` travels in (computed once per call, then posted to every worker). */
export function wholeBookOf(book: ValidatedBook): WholeBook {
  const columns = bookColumnsOf(book) ?? (columnsHold(book) ? columnsOfBook(book) : undefined);
  return columns !== undefined ? { kind: 'columns', columns: compact(columns) } : { kind: 'objects', book: partitionBook(book, 1).shards[0] };
}

/** Whether columns can hold a book of objects: USD-settled instruments, USD-margined accounts, no groups or own methods. */
function columnsHold(book: ValidatedBook): boolean {
  const usd = (currency: string | undefined) => currency === undefined || currency === 'USD';
  return !hasMastersOrMethods(book) && book.instruments.every((i) => usd(i.settlement)) && book.accounts.every((a) => usd(a.marginCurrency));
}

/** The validated book a worker lays out from what it received (validated by the coordinator: certified as it is). */
export function wholeAsBook(whole: WholeBook): ValidatedBook {
  // (a worker's jobs report no warnings: the coordinator's report carries the book's)
  return whole.kind === 'columns' ? columnarBook(whole.columns) : shardAsBook(whole.book);
}

/**
 * The columns with every typed array on a buffer of its own size: a structured clone copies a view's whole buffer,
 * and columns are often views into a bigger one (an Arrow file's, the column builder's grown arrays). Views on a
 * SharedArrayBuffer stay shared.
 */
function compact(columns: BookColumns): BookColumns {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(columns)) {
    const view = ArrayBuffer.isView(value) ? (value as Int32Array | Float64Array) : null;
    out[key] = view !== null && view.buffer instanceof ArrayBuffer && view.byteLength !== view.buffer.byteLength ? view.slice() : value;
  }
  return out as unknown as BookColumns;
}
