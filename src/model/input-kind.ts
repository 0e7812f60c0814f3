/**
 * What a JSON document looks like, by its top-level fields: a book (`instruments`, `accounts`), a market snapshot
 * (`valuationTime`, `assets`), or neither. Used to recognise dropped files on the page and to say "swapped?" when a
 * book is given where the market goes and the other way round, instead of a hundred problems about missing fields.
 */
import type { InputProblem } from '../errors.js';

export type InputKind = 'book' | 'market' | 'other';

const BOOK_KEYS = ['instruments', 'accounts'];
const MARKET_KEYS = ['valuationTime', 'assets'];

/** A book has `instruments` or `accounts`; a market `valuationTime` or `assets`; anything else is `other`. */
export function inputKind(json: unknown): InputKind {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'other';
  const has = (keys: string[]) => keys.some((k) => Object.hasOwn(json, k));
  if (has(BOOK_KEYS) && !has(MARKET_KEYS)) return 'book';
  if (has(MARKET_KEYS) && !has(BOOK_KEYS)) return 'market';
  return 'other';
}

/**
 * One problem when `json`, given where a document of kind `expected` goes, looks like the other kind (a book file given
 * as the market, or a market as the book), or null. One line instead of the hundred problems its fields would raise.
 */
export function wrongKindProblem(json: unknown, expected: 'book' | 'market', path: string): InputProblem | null {
  const other = expected === 'book' ? 'market' : 'book';
  if (inputKind(json) !== other) return null;
  const what = (kind: 'book' | 'market') => (kind === 'book' ? `a book (${BOOK_KEYS.join(', ')})` : `a market snapshot (${MARKET_KEYS.join(', ')})`);
  return { path, message: `looks like ${what(other)}, not ${what(expected)}: is the ${other} file given as the ${expected}?` };
}

/**
 * One problem when the book looks like a market and the market like a book (`names`: how the caller calls the two,
 * e.g. `--book` and `--market` on the command line), or null.
 */
export function swappedInputsProblem(bookJson: unknown, marketJson: unknown, names = { book: 'book', market: 'market' }): InputProblem | null {
  if (inputKind(bookJson) !== 'market' || inputKind(marketJson) !== 'book') return null;
  return {
    path: names.book,
    message: `looks like a market snapshot (it has ${MARKET_KEYS.join(', ')}) and ${names.market} looks like a book (it has ${BOOK_KEYS.join(', ')}): are the two swapped?`,
  };
}

/**
 * An object of a class given where a book or a market goes (a live session, a session, a sharded book: their fields
 * are none of these), or null: said as what it is, with where the document it holds is, not as a dozen unknown fields.
 */
export function instanceProblem(json: Record<string, unknown>, expected: 'book' | 'market'): string | null {
  const proto = Object.getPrototypeOf(json) as { constructor?: { name?: string } } | null;
  if (proto === null || proto === Object.prototype || (expected === 'book' ? 'accounts' : 'assets') in json) return null;
  const what = expected === 'book' ? 'an object with instruments and accounts' : 'an object with valuationTime and assets';
  // known by what they do (a bundle renames classes): a live session ticks, a session prepares runs on its layout
  const has = (method: string) => typeof json[method] === 'function';
  if (has('applyTick') && has('book')) return `expected ${what}, got a live session (engine.live): its ${expected} now is ${expected === 'book' ? 'live.book()' : 'live.marketJson'}, read before it is released`;
  if (has('prepare') && 'layout' in json) return `expected ${what}, got a session (engine.openBook): this call takes the ${expected} itself${expected === 'book' ? ' (liquidate and live take a session)' : ''}`;
  return `expected ${what}, got an instance of ${(proto.constructor?.name ?? '').replace(/^_+/, '') || 'a class'}`;
}
