/**
 * The master/subaccount tree of a validated book (`accounts[].master`, checked one level deep by
 * src/model/validate-masters.ts): each master, in book order, with its subaccounts, by id.
 */
import { hasMastersOrMethods } from '../model/book-columns.js';
import type { ValidatedBook } from '../model/types.js';

/** A master and its subaccounts (by id), as indices into `book.accounts`. */
export interface MasterGroup {
  readonly master: number;
  readonly subaccounts: readonly number[];
}

/** Groups by book: a validated book does not change, and a session margins its book many times. */
const cache = new WeakMap<ValidatedBook, MasterGroup[]>();

/** Every master of the book (an account some account names as its master), in book order of the masters. */
export function masterGroups(book: ValidatedBook): MasterGroup[] {
  let groups = cache.get(book);
  if (!groups) cache.set(book, (groups = groupsOf(book)));
  return groups;
}

function groupsOf(book: ValidatedBook): MasterGroup[] {
  const index = new Map<string, number>();
  book.accounts.forEach((a, i) => index.set(a.id, i));
  const subs = new Map<number, number[]>();
  book.accounts.forEach((a, i) => {
    if (a.master === undefined) return;
    const m = index.get(a.master) as number; // validation: the master is in the book
    let list = subs.get(m);
    if (!list) subs.set(m, (list = []));
    list.push(i);
  });
  const ids = book.accounts.map((a) => a.id);
  return [...subs.keys()].sort((x, y) => x - y).map((master) => ({ master, subaccounts: inMemberOrder(subs.get(master)!, ids) }));
}

/**
 * A group's subaccounts (account indices, sorted in place) in the order every sum over a pool takes them: by id (its
 * union, its balances, the roll-up's totals, a live session's pools), so listing them in another order gives the same
 * bits. `ids`: account ids by index.
 */
export function inMemberOrder(subaccounts: number[], ids: readonly (string | null)[]): number[] {
  return subaccounts.sort((x, y) => ((ids[x] as string) < (ids[y] as string) ? -1 : 1));
}

const hasFields = new WeakMap<ValidatedBook, boolean>();

/** True when any account names a master or a method of its own: the book needs the subaccount-aware margin path. */
export function hasSubaccountFields(book: ValidatedBook): boolean {
  let has = hasFields.get(book);
  if (has === undefined) {
    has = hasMastersOrMethods(book);
    hasFields.set(book, has);
  }
  return has;
}

/**
 * What every roll-up of a book reads of its groups and nothing else (src/subaccounts/policy.ts), computed once per
 * book: each master's id, each group's subaccount ids (frozen arrays, shared by every report on the book: a roll-up
 * of 10,000 masters rebuilt 10,000 of them per call), the subaccount count, and which accounts are in a group.
 */
export interface GroupIds {
  readonly masters: readonly string[];
  readonly subaccounts: readonly (readonly string[])[];
  readonly subaccountCount: number;
  /** Every account's id by book index (one array: the accounts' own objects are scattered in the heap). */
  readonly accountIds: readonly string[];
  /** 1 at book index i when account i is a master or a subaccount. */
  readonly grouped: Uint8Array;
}

const idsCache = new WeakMap<ValidatedBook, GroupIds>();

export function groupIds(book: ValidatedBook): GroupIds {
  let ids = idsCache.get(book);
  if (!ids) idsCache.set(book, (ids = groupIdsOf(masterGroups(book), book.accounts.map((a) => a.id))));
  return ids;
}

/** The {@link GroupIds} of `groups` over accounts named `accountIds` (by index): a book's, or a live layout's rows. */
export function groupIdsOf(groups: readonly MasterGroup[], accountIds: readonly string[]): GroupIds {
  const grouped = new Uint8Array(accountIds.length);
  let subaccountCount = 0;
  for (const g of groups) {
    grouped[g.master] = 1;
    for (const s of g.subaccounts) grouped[s] = 1;
    subaccountCount += g.subaccounts.length;
  }
  return {
    masters: groups.map((g) => accountIds[g.master]),
    subaccounts: groups.map((g) => Object.freeze(g.subaccounts.map((s) => accountIds[s]))),
    subaccountCount,
    accountIds,
    grouped,
  };
}
