/**
 * The account rows of the capital efficiency report (src/optimize/efficiency.ts), the hedge effect they carry, and
 * how the report restores an account below its target ({@link reportHedge}, master pools too).
 */
import { InputError } from '../errors.js';
import type { MarginMethod } from '../margin/report.js';
import type { CapitalFreed } from '../session/compare.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { marginCurrencyOf } from './hedge-prices.js';
import { type HeldHedges, hedgesHeldBy } from './hedges.js';
import { type HealthTarget, restoreHealth, slackOf } from './restore.js';
import type { RestoreResult } from './result.js';
import type { LpSolver } from './solver.js';

/** The optimised hedge of one account below its target, and what it did (in the account's margin currency: USD, or its coin). */
export interface HedgeEffect {
  outcome: RestoreResult['outcome'];
  /** Σ trade costs. */
  cost: number;
  trades: number;
  imBefore: number;
  imAfter: number;
  /** imBefore − imAfter: the margin the hedge releases (negative when it adds margin). */
  imReleased: number;
  slackBefore: number;
  slackAfter: number;
  confirmed: boolean;
  /**
   * Present when the account can hold none of the candidates (each is settled in another currency than its margin
   * currency, docs/coin-margined.md): outcome `infeasible`, no trades, the figures after those before, and why.
   */
  reason?: string | undefined;
}

export interface EfficiencyRow {
  /** `account` (a book account); `master` rows join when the book groups accounts under masters. */
  level: 'account';
  id: string;
  /** IM per method, in the account's margin currency (USD, or `marginCurrency`). */
  im: Partial<Record<MarginMethod, number>>;
  /** A coin-margined account: the asset its money figures (im, freed, hedge) are in (absent: USD). */
  marginCurrency?: string | undefined;
  /** With `marginCurrency`: USD per unit of it (its index price). */
  usdPerUnit?: number | undefined;
  /** Versus isolated margin, per method (absent where a status is `error`). */
  freed: Partial<Record<MarginMethod, CapitalFreed>>;
  /** Present for accounts below their target under the hedge method, when hedges were given. */
  hedge?: HedgeEffect | undefined;
}

/**
 * The hedge of account `id` of `run` (run.run() done), below its target: restored with the candidates of `hedgesJson`
 * it can hold (src/optimize/hedges.ts, hedgesHeldBy), as a book mixing USD and coin-margined accounts leaves each
 * only part of one list; infeasible, saying so, when it can hold none. A malformed list is refused with its paths.
 */
export function reportHedge(run: PreparedRun, solver: LpSolver, id: string, hedgesJson: unknown, target: HealthTarget, buffer: number): HedgeEffect {
  const a = run.indexOf(id);
  const held = hedgesHeldBy(hedgesJson, run.context.layout, a);
  if (held.json.length === 0) {
    const before = run.trial.withChanges(a, []), slack = slackOf(before, target, buffer);
    const reason = `account ${JSON.stringify(id)} is margined in ${JSON.stringify(marginCurrencyOf(run, a))} and can hold none of the candidate hedges: each is settled in another currency`;
    return { outcome: 'infeasible', cost: 0, trades: 0, imBefore: before.im, imAfter: before.im, imReleased: 0, slackBefore: slack, slackAfter: slack, confirmed: false, reason };
  }
  const r = restoreHeld(run, solver, id, held, target, buffer);
  return {
    outcome: r.outcome, cost: r.cost, trades: r.trades.length, imBefore: r.before.im, imAfter: r.after.im, imReleased: r.before.im - r.after.im,
    slackBefore: r.slackBefore, slackAfter: r.slackAfter, confirmed: r.confirmed,
  };
}

/** restoreHealth on the held candidates; a problem with one of them named at its path in the whole list (`hedges[k]`). */
function restoreHeld(run: PreparedRun, solver: LpSolver, id: string, held: HeldHedges, target: HealthTarget, buffer: number): RestoreResult {
  try {
    return restoreHealth(run, solver, id, held.json, { target, buffer: target === 'mm' ? buffer : undefined });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const path = (p: string) => p.replace(/^hedges\[(\d+)\]/, (_, k: string) => `hedges[${held.index[Number(k)]}]`);
    throw new InputError(error.problems.map((p) => ({ path: path(p.path), message: p.message })), error.truncated);
  }
}
