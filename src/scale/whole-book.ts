/**
 * The whole book as it travels to the workers that run jobs on all of it (Monte Carlo stress paths, reverse-search
 * probes: each a cross-account cascade): as its columns (src/model/book-columns.ts), typed arrays copied as bytes and
 * laid out straight in, with no object per account or position on the worker's side. A book read by its columns (an
 * Arrow book, a streamed book.json) sends the columns it has; a book of objects is put into columns once per call.
 * Columns hold every account kind (USD, coin-margined, masters and subaccounts, accounts' own methods), so the worker
 * lays out the same book, for the same bits (test/scale/whole-book.test.ts).
 */
import { type BookColumns, bookColumnsOf, columnarBook } from '../model/book-columns.js';
import { columnsOfBook } from '../model/book-columns-builder.js';
import type { ValidatedBook } from '../model/types.js';

export interface WholeBook {
  columns: BookColumns;
}

/** The form `book` travels in (computed once per call, then posted to every worker). */
export function wholeBookOf(book: ValidatedBook): WholeBook {
  return { columns: compact(bookColumnsOf(book) ?? columnsOfBook(book)) };
}

/** The validated book a worker lays out from what it received (validated by the coordinator: certified as it is). */
export function wholeAsBook(whole: WholeBook): ValidatedBook {
  // (a worker's jobs report no warnings: the coordinator's report carries the book's)
  return columnarBook(whole.columns);
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
