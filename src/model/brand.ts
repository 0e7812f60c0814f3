/**
 * Proof of validation. The `Validated…` types carry a compile-time brand; this registry backs it at
 * run time, so a JSON object cast to `ValidatedBook` is still refused by the layout.
 */

import type { ValidatedBook, ValidatedMarket } from './types.js';

const validatedBooks = new WeakSet<object>();
const validatedMarkets = new WeakSet<object>();

/** Only validation calls this. */
export function certifyBook(book: object): ValidatedBook {
  validatedBooks.add(book);
  return book as ValidatedBook;
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
