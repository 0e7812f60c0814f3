/**
 * Restore health on a laid-out book (a {@link MarginSession}): the service `engine.optimize` composes, with the
 * master-level policy of `params.subaccounts` applied first, as liquidation applies it (src/liquidation/
 * liquidate-session.ts): the account is restored on the book the policy leaves (src/subaccounts/policy-book.ts).
 * - `cross`: a group is one pool under its master's id, liquidated only when the pool is below MM, so restoring the
 *   master restores the pool (its positions and collateral are the group's). A subaccount of a group has no
 *   requirement of its own there: asking for it is an InputError at `account` that names its master.
 * - `backstop`: the book after the masters' covers (cash) were paid: a covered subaccount is restored from where the
 *   covers left it.
 * - `independent`, or no masters: the account alone.
 */
import { InputError } from '../errors.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { engineRun } from '../session/prepared-run.js';
import { marginOptionsIn } from '../margin/options.js';
import type { MarginSession } from '../session/session.js';
import type { MarginOptions } from '../session/types.js';
import { type MasterGroup, masterGroups } from '../subaccounts/groups.js';
import type { SubaccountPolicy } from '../subaccounts/params.js';
import { policyBook } from '../subaccounts/policy-book.js';
import { withWarnings } from '../model/warnings.js';
import { restoreHealth } from './restore.js';
import type { RestoreOptions, RestoreResult } from './result.js';
import type { LpSolver } from './solver.js';

/** What {@link optimizeSession} takes: the margin options, the account, its candidate hedges (JSON), the target. */
export interface OptimizeRequest extends MarginOptions, RestoreOptions {
  account: string;
  hedges: unknown;
}

export function optimizeSession(session: MarginSession, market: ValidatedMarket, request: OptimizeRequest, solver: LpSolver): RestoreResult {
  const policy = session.subaccountPolicy(request);
  if (policy === null || policy === 'independent') return restoreOn(session, market, request, solver);
  const book = session.book;
  const group = groupOf(book, request.account);
  if (policy === 'cross' && group !== undefined && book.accounts[group.master].id !== request.account) {
    const master = book.accounts[group.master].id;
    throw new InputError([{
      path: 'account',
      message: `${JSON.stringify(request.account)} is a subaccount of ${JSON.stringify(master)}: under the cross policy (params.subaccounts.policy) its margin is its master's pool; restore the pool as account ${JSON.stringify(master)}`,
    }]);
  }
  const runMethod = session.withProfile(request).method ?? session.registry.defaultName;
  const acted = policyBook(session, market, marginOptionsIn(request), runMethod, policy, 'optimisation');
  if (acted === null) return restoreOn(session, market, request, solver);
  const other = session.openBook(acted);
  try {
    // the book the policy leaves is built from the validated one: its warnings are the given book's
    const own = restoreOn(other, market, request, solver);
    const result = withWarnings(own, [...book.warnings, ...(own.warnings ?? [])]);
    if (policy !== 'cross' || group === undefined) return result;
    return { ...result, pool: { subaccounts: group.subaccounts.map((s) => book.accounts[s].id) } };
  } finally {
    other.release();
  }
}

/** The group account `accountId` belongs to, as its master or a subaccount (undefined: in none, or not in the book). */
export function groupOf(book: ValidatedBook, accountId: string): MasterGroup | undefined {
  const at = book.accounts.findIndex((a) => a.id === accountId);
  return at < 0 ? undefined : masterGroups(book).find((g) => g.master === at || g.subaccounts.includes(at));
}

/**
 * The accounts whose positions and collateral make up what `accountId` is restored as: its group under the `cross`
 * policy (master first, then its subaccounts by id), else the account alone; empty when it is not in the book.
 */
export function restoredAccounts(book: ValidatedBook, accountId: string, policy: SubaccountPolicy | null): ValidatedBook['accounts'][number][] {
  const group = policy === 'cross' ? groupOf(book, accountId) : undefined;
  if (group !== undefined) return [group.master, ...group.subaccounts].map((k) => book.accounts[k]);
  return book.accounts.filter((a) => a.id === accountId);
}

/** The account restored on `session`'s own book. */
function restoreOn(session: MarginSession, market: ValidatedMarket, request: OptimizeRequest, solver: LpSolver): RestoreResult {
  const run = engineRun(session.prepare<string>(market, marginOptionsIn(request)));
  try {
    run.run();
    // what validation let through or changed (lenient fields, a repaired correlation) is kept, as margin reports keep it
    return withWarnings(restoreHealth(run, solver, request.account, request.hedges, request), run.inputWarnings);
  } finally {
    run.release();
  }
}
