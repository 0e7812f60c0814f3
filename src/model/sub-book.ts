/**
 * Some accounts of a validated book as a book of their own, with their master groups: what explain and collateral
 * allocation margin instead of the whole book.
 */
import { describeValue, InputError } from '../errors.js';
import { nearestId } from './checks.js';
import type { ValidatedBook } from './types.js';
import { selectAccounts } from './validate.js';

/**
 * The accounts `ids` of `book` as a book of their own (same instruments), each with its whole master group (the
 * master and every subaccount: the policy margins them together), in book order. Unknown ids are an InputError at
 * `path` (`account`, or the caller's argument). Read an account's row by id: the book may hold more accounts than `ids`.
 */
export function subBook(book: ValidatedBook, ids: readonly string[], path = 'account'): ValidatedBook {
  const byId = new Map(book.accounts.map((a) => [a.id, a]));
  const notIds = ids.filter((id) => typeof id !== 'string');
  if (notIds.length > 0) throw new InputError(notIds.map((id) => ({ path, message: `expected an account id (a string), got ${describeValue(id)}` })));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new InputError(missing.map((id) => ({ path, message: `no account ${describeValue(id)} in the book (${book.accounts.length} account${book.accounts.length === 1 ? '' : 's'}${suggested(id, byId)})` })));
  }
  const masters = new Set<string>();
  for (const id of ids) {
    const a = byId.get(id)!;
    masters.add(a.master ?? a.id);
  }
  const wanted = new Set(ids);
  const chosen = book.accounts.filter((a) => wanted.has(a.id) || masters.has(a.id) || (a.master !== undefined && masters.has(a.master)));
  if (chosen.length === ids.length && book.accounts.every((a) => a.master === undefined)) return selectAccounts(book, ids.map((id) => byId.get(id)!));
  return selectAccounts(book, chosen);
}

/** `; did you mean "deribit-BTC"?` for an id one slip from a known one (checks.ts nearestId), else nothing. */
function suggested(id: string, byId: ReadonlyMap<string, unknown>): string {
  const near = nearestId(id, byId);
  return near === null ? '' : `; did you mean ${JSON.stringify(near)}?`;
}
