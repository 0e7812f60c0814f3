/**
 * Proof of validation. The `Validated…` types carry a compile-time brand; this registry backs it at
 * run time, so a JSON object cast to `ValidatedBook` is still refused by the layout.
 */

import type { ValidatedBook, ValidatedMarket } from './types.js';

const validatedBooks = new WeakSet<object>();
const instrumentRowsByBook = new WeakMap<object, Int32Array>();
const validatedMarkets = new WeakSet<object>();

/**
 * Only validation calls this. `instrumentRows` holds the instrument row of every position in book
 * order (validation resolved the ids already); the layout reads it instead of looking ids up again.
 */
export function certifyBook(book: object, instrumentRows: Int32Array): ValidatedBook {
  validatedBooks.add(book);
  instrumentRowsByBook.set(book, instrumentRows);
  return book as ValidatedBook;
}

/** The instrument row of each position of a validated book, in book order. */
export function instrumentRowsOf(book: ValidatedBook): Int32Array {
  const rows = instrumentRowsByBook.get(book);
  if (rows === undefined && validatedBooks.has(book)) throw new Error('internal: the book\'s positions were let go once it was laid out (releasePositions), yet their instrument rows were read');
  return rows as Int32Array;
}

/** Lets go of a book's instrument rows (book-columns.ts releasePositions): the book stays validated. */
export function releaseInstrumentRows(book: ValidatedBook): void {
  instrumentRowsByBook.delete(book);
}

/** Only validation calls this. */
export function certifyMarket(market: object): ValidatedMarket {
  validatedMarkets.add(market);
  return market as ValidatedMarket;
}

export function isValidatedBook(value: unknown): value is ValidatedBook {
  return typeof value === 'object' && value !== null && validatedBooks.has(value);
}

export function isValidatedMarket(value: unknown): value is ValidatedMarket {
  return typeof value === 'object' && value !== null && validatedMarkets.has(value);
}

/** Throws a TypeError (a programming error, not an input error) when `book` did not come from validateBook. */
export function assertValidatedBook(book: unknown): asserts book is ValidatedBook {
  if (!isValidatedBook(book)) throw new TypeError('expected a book returned by validateBook(); validate JSON before laying it out');
}

export function assertValidatedMarket(market: unknown): asserts market is ValidatedMarket {
  if (!isValidatedMarket(market)) throw new TypeError('expected a market returned by validateMarket(); validate JSON before applying it');
}
