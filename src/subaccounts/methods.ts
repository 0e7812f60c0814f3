/**
 * Which method margins each account: its own `method`, else the run's. What a policy forbids is an error with the
 * path of the field that asks for it:
 * - a method the engine does not have (`accounts[3].method: unknown method "span"`);
 * - under `cross`, a master whose method allocates collateral to positions (isolated; MarginMethodPlugin
 *   .allocatesCollateral): it keeps every position's collateral to itself, the opposite of one pool;
 * - under `backstop`, a subaccount under such a method: its shortfall is per position, against collateral allocated
 *   to that position, so a top-up of the account has no defined place to land.
 */
import { InputError, type InputProblem } from '../errors.js';
import { type MethodRegistry, unknownMethodMessage } from '../methods/registry.js';
import type { ValidatedBook } from '../model/types.js';
import type { SubaccountPolicy } from './params.js';

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
  const run = registry.get(runMethod);
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
    }
    return method;
  });
  if (problems.length > 0) throw new InputError(problems);
  return methods;
}
