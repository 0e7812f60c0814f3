/**
 * A live session opened on a laid-out book (a {@link MarginSession}): the service the engine's `live` composes, above
 * the session it takes.
 */
import { InputError, ProblemList } from '../errors.js';
import { masterGroups } from '../subaccounts/groups.js';
import { accountMethodsOf, forEachLocatedBalance } from '../model/book-columns.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import type { MarginSession } from '../session/session.js';
import type { CheckedMethod, MarginOptions } from '../session/types.js';
import { validateLimits } from './check.js';
import { LiveSession } from './live-session.js';
import { MARGIN_OPTION_KINDS } from '../margin/options.js';
import type { OptionKinds } from '../model/options-check.js';

/** Options of a live session: the margin options and the pre-trade limits (src/live/check.ts, JSON). */
export interface LiveOptions extends MarginOptions {
  limits?: unknown;
}

/** {@link LiveOptions}' keys (src/model/options-check.ts). */
export const LIVE_OPTION_KINDS: OptionKinds<LiveOptions> = { ...MARGIN_OPTION_KINDS, limits: 'any' };

/**
 * A live session on `session`'s book (src/live/live-session.ts): the method prepared and run on `market`, then kept up
 * to date by ticks, fills and transfers, with what-ifs and pre-trade checks (`options.limits`). It owns the session's
 * market columns while it lives: prepare no other run on that session until it is released (releasing it leaves the
 * session open: `engine.live` releases both).
 */
export function openLive<M extends string>(session: MarginSession, market: ValidatedMarket, options: LiveOptions & CheckedMethod<M> = {}): LiveSession {
  const limits = validateLimits(options.limits);
  const runMethod = session.withProfile(options).method ?? session.registry.defaultName;
  const methods = accountMethodsOf(session.book); // from the columns of a book read by columns: no object per position
  if (methods !== undefined) otherMethods(methods, runMethod).throwIfAny();
  const policy = session.subaccountPolicy(options);
  if (policy === 'backstop') {
    // the covers are cash a roll-up moves after every account is margined: a live session does not pay them
    throw new InputError([{ path: 'params.subaccounts.policy', message: 'a live session margins every account alone (policy independent or cross); backstop covers are paid by engine.margin and engine.liquidate only' }]);
  }
  if (policy === 'cross') refuseLocatedPools(session.book);
  const run = engineRun(session.prepare<string>(market, options));
  // the session's market columns are the live run's until it is released: no other run on the session meanwhile
  const letGo = session.hold('a live session');
  try {
    const rollup = policy === null ? undefined : { registry: session.registry, options, runMethod, policy, accountMethods: methods, openBook: (book: ValidatedBook) => session.openBook(book) };
    const live = new LiveSession(run, market, limits, session.book, rollup);
    live.onReleased(letGo);
    return live;
  } catch (error) {
    letGo();
    run.release();
    throw error;
  }
}

/**
 * Every account whose method is not the run's, in book order, capped as validation is (MAX_PROBLEMS): a live session
 * keeps one method's run up to date, so an account of another method would be margined wrongly.
 */
function otherMethods(methods: readonly (string | undefined)[], runMethod: string): ProblemList {
  const problems = new ProblemList();
  for (let i = 0; i < methods.length && !problems.full; i++) {
    const method = methods[i];
    if (method !== undefined && method !== runMethod) problems.add(`accounts[${i}].method`, `a live session runs one method (${runMethod}); this account's is ${method}`);
  }
  return problems;
}

/**
 * Under `cross` a live session judges each group's pool from the holdings its layout keeps (src/subaccounts/union.ts
 * LayoutUnions, src/live/pool-trial.ts), which say how much of an asset a member holds, not where: a member's balance
 * at a location would count in its pool as held at the venue (no location haircut, counted for MM past the horizon).
 * Refused at the balance's path until the pools follow locations (engine.margin and engine.liquidate do).
 */
function refuseLocatedPools(book: ValidatedBook): void {
  let located = false;
  forEachLocatedBalance(book, () => (located = true)); // (a book read by columns builds no objects for this)
  const groups = located ? masterGroups(book) : [];
  if (groups.length === 0) return;
  const problems = new ProblemList();
  for (const g of groups) {
    for (const a of [g.master, ...g.subaccounts]) {
      book.accounts[a].collateral.forEach((balance, k) => {
        if (balance.location !== undefined) problems.add(`accounts[${a}].collateral[${k}].location`, `held at ${JSON.stringify(balance.location)} by a member of ${JSON.stringify(book.accounts[g.master].id)}'s group: a live session's pools under the cross policy do not follow locations (the balance would count as held at the venue); margin the book with engine.margin, or open the live session under the independent policy`);
      });
    }
  }
  problems.throwIfAny();
}
