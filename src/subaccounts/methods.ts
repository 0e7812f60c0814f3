/**
 * Which method margins each account: its own `method`, else the run's. What a policy forbids is an error with the
 * path of the field that asks for it:
 * - a method the engine does not have (`accounts[3].method: unknown method "span"`);
 * - under `cross`, a master whose method allocates collateral to positions (isolated; MarginMethodPlugin
 *   .allocatesCollateral): it keeps every position's collateral to itself, the opposite of one pool;
 * - under `backstop`, a subaccount under such a method: its shortfall is per position, against collateral allocated
 *   to that position, so a top-up of the account has no defined place to land; and a master under it: its free
 *   collateral (equity for IM − IM) counts its positions' own allocations and profits, and a cover paid out of it would
 *   come out of the share its pro-rata positions stand on.
 */
import { InputError, type InputProblem } from '../errors.js';
import { type MethodRegistry, unknownMethodMessage } from '../methods/registry.js';
import { accountMethodsOf } from '../model/book-columns.js';
import type { ValidatedBook } from '../model/types.js';
import type { SubaccountPolicy } from './params.js';

/**
 * Refuses a book whose accounts name a method the engine does not have (`accounts[4].method: unknown method "spam"`),
 * every one with its path: what runs every account by other methods (stress, compareMethods) never reads those names,
 * and a misspelt one would pass there unseen while `margin` refuses it.
 */
export function refuseUnknownMethods(book: ValidatedBook, methods: readonly string[]): void {
  const own = accountMethodsOf(book); // a columnar book's column: its object view is not built
  if (own === undefined) return;
  const problems: InputProblem[] = [];
  own.forEach((method, i) => {
    if (method !== undefined && !methods.includes(method)) problems.push({ path: `accounts[${i}].method`, message: unknownMethodMessage(method, methods) });
  });
  if (problems.length > 0) throw new InputError(problems);
}

/** Answers by book, run method, policy and registry: a session margins its (unchanging) book many times. */
const cache = new WeakMap<ValidatedBook, Map<string, { registry: MethodRegistry; methods: string[] }>>();

/** The method name of every account of `book`, in book order; InputError listing every account that cannot use its method. */
export function accountMethods(book: ValidatedBook, runMethod: string, policy: SubaccountPolicy, registry: MethodRegistry): readonly string[] {
  let byKey = cache.get(book);
  if (!byKey) cache.set(book, (byKey = new Map()));
  const key = `${policy}\u0000${runMethod}`;
  const hit = byKey.get(key);
  if (hit && hit.registry === registry) return hit.methods;
  const methods = methodsOf(book, runMethod, policy, registry);
  byKey.set(key, { registry, methods });
  return methods;
}

function methodsOf(book: ValidatedBook, runMethod: string, policy: SubaccountPolicy, registry: MethodRegistry): string[] {
  const problems: InputProblem[] = [];
  const isMaster = new Set<string>();
  for (const a of book.accounts) if (a.master !== undefined) isMaster.add(a.master);
  const run = registry.require(runMethod); // an unknown run method is the options' (once), not every account's
  const methods = book.accounts.map((a, i) => {
    const method = a.method ?? runMethod;
    const plugin = method === runMethod ? run : registry.get(method);
    if (plugin && plugin.allocatesCollateral !== true) return method; // the common case: nothing a policy forbids
    const path = a.method === undefined ? `accounts[${i}]` : `accounts[${i}].method`;
    if (!plugin) problems.push({ path, message: unknownMethodMessage(method, registry.names) });
    else if (plugin.allocatesCollateral === true && policy === 'cross' && isMaster.has(a.id)) {
      problems.push({ path, message: `master ${JSON.stringify(a.id)} pools its subaccounts (policy cross), which ${method} margin cannot do: give the master a method that pools collateral (cross, portfolio, var)` });
    } else if (plugin.allocatesCollateral === true && policy === 'backstop' && a.master !== undefined) {
      problems.push({ path, message: `subaccount ${JSON.stringify(a.id)} cannot use ${method} margin under the backstop policy: the master covers an account's shortfall, and ${method} margin has one per position` });
    } else if (plugin.allocatesCollateral === true && policy === 'backstop' && isMaster.has(a.id)) {
      problems.push({ path, message: `master ${JSON.stringify(a.id)} cannot use ${method} margin under the backstop policy: its covers are paid from its free collateral, which ${method} margin holds per position (its pro-rata positions would pay them): give the master a method that pools collateral (cross, portfolio, var)` });
    }
    return method;
  });
  if (problems.length > 0) throw new InputError(problems);
  return methods;
}
