/**
 * The book a session's layout holds now, validated: its holdings as the layout has them (src/layout/to-book.ts), with
 * what the layout does not keep taken from the book the session opened: masters, accounts' own methods, balance
 * locations. A liquidation of the session in place changes its holdings; the master-level policies pool or cover the
 * book as it is now, never as it was opened.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { layoutToBook } from '../layout/to-book.js';
import { accountMastersOf, accountMethodsOf, bookColumnsOf } from '../model/book-columns.js';
import type { Account, ValidatedBook } from '../model/types.js';
import { ProblemList } from '../errors.js';
import { validateBookWith } from '../model/validate.js';

export function bookNow(layout: BookLayout, opened: ValidatedBook): ValidatedBook {
  const json = layoutToBook(layout);
  const masters = accountMastersOf(opened), methods = accountMethodsOf(opened);
  // a columnar book (Arrow, streamed JSON) has no balance locations; a book of objects may
  const accounts = bookColumnsOf(opened) ? null : opened.accounts;
  for (const account of json.accounts as Account[]) {
    const a = layout.accountIndex(account.id); // layout index = book index
    if (masters?.[a] !== undefined) account.master = masters[a];
    if (methods?.[a] !== undefined) account.method = methods[a];
    const was = accounts?.[a];
    // a USD account's balances are its layout's slots in book order: each keeps its place
    if (was && was.marginCurrency === undefined) {
      account.collateral?.forEach((balance, k) => {
        const location = was.collateral[k]?.location;
        if (location !== undefined) balance.location = location;
      });
    }
  }
  // an account a liquidation emptied (a cash deficit written off) is a state of the book, not a mistake in a file
  return validateBookWith(json, new ProblemList({ emptyAccounts: true }));
}
