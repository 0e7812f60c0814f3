/**
 * The book a stress test acts on under a master-level policy: the book itself (independent), the pooled book (cross;
 * every method of the stress margins each pool as one account), or an InputError for backstop, whose covers would
 * have to be paid again in every round of the cascade (not modelled). A stress runs each of its methods over the
 * whole book: accounts' own methods are not used there.
 */
import { InputError, ProblemList } from '../errors.js';
import type { MethodRegistry } from '../methods/registry.js';
import type { ValidatedBook } from '../model/types.js';
import { masterGroups } from './groups.js';
import { type SubaccountPolicy, subaccountPolicyOf } from './params.js';
import { pooledBook } from './pool-book.js';

export function stressBook(book: ValidatedBook, options: { params?: unknown; lenient?: boolean | undefined; method?: string | undefined }, registry: MethodRegistry): ValidatedBook {
  const policy = subaccountPolicyOf(book, options.params, options.lenient === true);
  if (policy === 'backstop') {
    throw new InputError([{ path: 'params.subaccounts.policy', message: 'stress does not model the backstop policy (covers paid again in every round of the cascade): use independent or cross' }]);
  }
  if (policy === 'cross') refuseUnpooled(book, options.method, registry);
  return pooledIf(book, policy);
}

/**
 * Under cross every method of the stress margins each group's pool as one account: a method that holds collateral per
 * position (isolated) cannot, and is refused at each master's path, as margin, compare and liquidate refuse it
 * (src/subaccounts/methods.ts). `all` runs every method, that one too. An unknown method is left to the stress's own check.
 */
function refuseUnpooled(book: ValidatedBook, method: string | undefined, registry: MethodRegistry): void {
  const wanted = method ?? 'cross'; // the stress's default (src/stress/stress.ts planOf)
  const cannot = (wanted === 'all' ? registry.names : [wanted]).find((m) => registry.get(m)?.allocatesCollateral === true);
  if (cannot === undefined) return;
  // one cause, said once with the masters it holds for (a book of 1,000 masters had listed the same sentence 100 times)
  const problems = new ProblemList();
  const message = `a master pools its subaccounts (policy cross), which ${cannot} margin cannot do: stress the book under a method that pools collateral (cross, portfolio, var)${wanted === 'all' ? ' rather than all' : ''}, or under the independent policy`;
  for (const g of masterGroups(book)) problems.addShared('unpooled', `accounts[${g.master}]`, message, 'masters');
  problems.throwIfAny();
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
