/**
 * The book a stress test acts on under a master-level policy: the book itself (independent), the pooled book (cross;
 * every method of the stress margins each pool as one account), or an InputError for backstop, whose covers would
 * have to be paid again in every round of the cascade (not modelled). A stress runs each of its methods over the
 * whole book: accounts' own methods are not used there.
 */
import { InputError } from '../errors.js';
import type { ValidatedBook } from '../model/types.js';
import { masterGroups } from './groups.js';
import { type SubaccountPolicy, subaccountPolicyOf } from './params.js';
import { pooledBook } from './pool-book.js';

export function stressBook(book: ValidatedBook, options: { params?: unknown; lenient?: boolean | undefined }): ValidatedBook {
  const policy = subaccountPolicyOf(book, options.params, options.lenient === true);
  if (policy === 'backstop') {
    throw new InputError([{ path: 'params.subaccounts.policy', message: 'stress does not model the backstop policy (covers paid again in every round of the cascade): use independent or cross' }]);
  }
  return pooledIf(book, policy);
}

/**
 * The book whose accounts are margined as units under the policy, for what tests margin against losses (a backtest):
 * the pooled book under `cross`, else the book itself (a backstop's covers move cash, never a requirement or a loss).
 */
export function pooledUnderCross(book: ValidatedBook, options: { params?: unknown; lenient?: boolean | undefined }): ValidatedBook {
  return pooledIf(book, subaccountPolicyOf(book, options.params, options.lenient === true));
}

/**
 * Pooled books by the book they pool: a function of the book alone, made once per book (a sharded stress pools it for
 * its workers and its own cascade; repeated stress calls on one book pool it once).
 */
const pooledByBook = new WeakMap<ValidatedBook, ValidatedBook>();

/** The pooled book when `policy` is cross and the book has groups, else the book. */
function pooledIf(book: ValidatedBook, policy: SubaccountPolicy | null): ValidatedBook {
  const groups = policy === 'cross' ? masterGroups(book) : [];
  if (groups.length === 0) return book;
  let pooled = pooledByBook.get(book);
  if (!pooled) pooledByBook.set(book, (pooled = pooledBook(book, groups, book.accounts.map((a) => a.method))));
  return pooled;
}
