/**
 * The book that liquidation (and stress) act on under a master-level policy, so that they respect it with no code of
 * their own: under `cross` the pooled book (a pool is liquidated as one account, under the master's id, only when the
 * pool is below MM); under `backstop` the book after the masters' covers were paid (a covered subaccount is no longer
 * below MM, an uncovered remainder is liquidated); under `independent` the book itself.
 *
 * Liquidation runs one method over its book: every account of the book acted on must use the run's method.
 */
import { InputError, type InputProblem } from '../errors.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import type { MarginOptions } from '../margin/options.js';
import { masterGroups } from './groups.js';
import { accountMethods } from './methods.js';
import type { SubaccountPolicy } from './params.js';
import { marginWithPolicy, type PolicyHost } from './policy.js';
import { backstoppedBook, pooledBook } from './pool-book.js';

/** The book to act on (null: `host.book` itself); InputError when an account it holds would need another method. */
export function policyBook(host: PolicyHost, market: ValidatedMarket, options: MarginOptions, runMethod: string, policy: SubaccountPolicy, what = 'liquidation'): ValidatedBook | null {
  const action = policyAction(host, market, options, runMethod, policy, what);
  return action.kind === 'pooled' ? action.book : action.kind === 'covers' ? backstoppedBook(host.book, action.covers) : null;
}

/**
 * What a policy does to `host.book` before it is acted on: nothing (`same`), pays the masters' covers (`covers`: USD by
 * subaccount id, each > 0; the book with them paid is {@link backstoppedBook}'s), or pools each group (`pooled`).
 */
export type PolicyAction = { kind: 'same' } | { kind: 'covers'; covers: ReadonlyMap<string, number> } | { kind: 'pooled'; book: ValidatedBook };

/** {@link policyBook}'s work, said as a {@link PolicyAction}; InputError as there. */
export function policyAction(host: PolicyHost, market: ValidatedMarket, options: MarginOptions, runMethod: string, policy: SubaccountPolicy, what = 'liquidation'): PolicyAction {
  const book = host.book;
  const methods = accountMethods(book, runMethod, policy, host.registry);
  const groups = masterGroups(book);
  const inPool = new Set<number>();
  if (policy === 'cross') for (const g of groups) for (const s of g.subaccounts) inPool.add(s);
  const problems: InputProblem[] = [];
  methods.forEach((m, i) => {
    if (m !== runMethod && !inPool.has(i)) {
      problems.push({ path: `accounts[${i}].method`, message: `${what} runs one method over the book (${runMethod}); this account's is ${m}` });
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  if (groups.length === 0 || policy === 'independent') return { kind: 'same' };
  if (policy === 'cross') return { kind: 'pooled', book: pooledBook(book, groups, methods) };
  const report = marginWithPolicy(host, market, { ...options, breakdown: false }, runMethod, policy);
  const covers = new Map<string, number>();
  for (const row of report.accounts) if (row.backstopUsd !== undefined && row.backstopUsd > 0) covers.set(row.id, row.backstopUsd);
  return covers.size === 0 ? { kind: 'same' } : { kind: 'covers', covers };
}
