/**
 * The master rows of the capital efficiency report (src/optimize/efficiency.ts): per master (docs/subaccounts.md),
 * its group's IM under each method and under each master-level policy, the capital that frees, and the optimised
 * hedge's effect at the group's level. Money in USD: a coin-margined member's figures (its account row's, in its coin)
 * at its coin's index price.
 *
 * - IM per method m (accounts without a method of their own margined by m): `independent` = Σ of every member alone
 *   (also the backstop policy's: covers move cash, never a requirement), `cross` = the pool's (absent for isolated
 *   margin, which cannot pool). `im[m]` is the group's IM under the report's policy (`params.subaccounts.policy`).
 * - Freed versus isolated margin: Σ the members' isolated IM − im[m]; freed by pooling: independent − cross.
 * - Hedge: under `cross`, the pool itself is restored (the pooled book's account under the master's id, by the hedge
 *   method), when below its target; under the other policies each member below its target is restored alone, and the
 *   master row sums its members' hedges (cost, trades, IM before and after over the hedged members; slack: the
 *   worst member's; outcome: infeasible if any member stays infeasible). A pool, like an account, is restored with
 *   the candidates it can hold (settled in its margin currency), infeasible with the reason when it can hold none.
 */
import { InputError } from '../errors.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import type { MarginMethod } from '../margin/report.js';
import type { ValidatedMarket } from '../model/types.js';
import type { CapitalFreed } from '../session/compare.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import type { MarginSession } from '../session/session.js';
import { masterGroups } from '../subaccounts/groups.js';
import { accountMethods } from '../subaccounts/methods.js';
import type { SubaccountPolicy } from '../subaccounts/params.js';
import { pooledBook } from '../subaccounts/pool-book.js';
import { type EfficiencyRow, type HedgeEffect, reportHedge } from './efficiency-rows.js';
import { type HealthTarget, slackOf } from './restore.js';
import type { LpSolver } from './solver.js';

/** A master's row (module comment). */
export interface MasterEfficiencyRow {
  level: 'master';
  /** The master's account id. */
  id: string;
  subaccounts: string[];
  /** The policy `im` is under. */
  policy: SubaccountPolicy;
  /** The group's IM per method under {@link policy}. */
  im: Partial<Record<MarginMethod, number>>;
  /** The group's IM per method under each policy (backstop: = independent). */
  byPolicy: Partial<Record<MarginMethod, { independent: number; cross?: number | undefined }>>;
  /** Versus the members' isolated IM summed, per method. */
  freed: Partial<Record<MarginMethod, CapitalFreed>>;
  /** independent − cross per method (the pool's saving; negative when size tiers make the pool dearer). */
  pooling: Partial<Record<MarginMethod, CapitalFreed>>;
  /** The group's hedge (module comment), when some member (or, under cross, the pool) is below its target. */
  hedge?: HedgeEffect | undefined;
}

export interface MasterRowOptions {
  params?: unknown;
  lenient?: boolean | undefined;
  methods: readonly MarginMethod[];
  hedgeMethod: string;
  target: HealthTarget;
  buffer: number;
  hedges?: unknown;
}

/** The master rows of `session`'s book (none without masters), from the account rows already built. */
export function masterRows(session: MarginSession, market: ValidatedMarket, solver: LpSolver | null, accounts: readonly EfficiencyRow[], o: MasterRowOptions): MasterEfficiencyRow[] {
  const policy = session.subaccountPolicy({ params: o.params, lenient: o.lenient });
  const book = session.book, groups = masterGroups(book);
  if (policy === null || groups.length === 0) return [];
  const rows: MasterEfficiencyRow[] = groups.map((g) => ({
    level: 'master', id: book.accounts[g.master].id, subaccounts: g.subaccounts.map((s) => book.accounts[s].id), policy, im: {}, byPolicy: {}, freed: {}, pooling: {},
  }));
  const members = groups.map((g) => [g.master, ...g.subaccounts]);
  for (const m of o.methods) {
    const figures = groupIm(session, market, m, o);
    rows.forEach((row, k) => {
      const f = figures[k];
      row.byPolicy[m] = f;
      row.im[m] = policy === 'cross' && f.cross !== undefined ? f.cross : f.independent;
      if (f.cross !== undefined) row.pooling[m] = freedOf(f.independent, f.cross);
    });
  }
  if (o.methods.includes('isolated')) {
    rows.forEach((row, k) => {
      const isolated = members[k].reduce((sum, a) => sum + (accounts[a].im.isolated ?? NaN) * (accounts[a].usdPerUnit ?? 1), 0);
      for (const m of o.methods) if (row.im[m] !== undefined && Number.isFinite(isolated)) row.freed[m] = freedOf(isolated, row.im[m]!);
    });
  }
  if (solver === null || o.hedges === undefined) return rows;
  if (policy === 'cross') poolHedges(session, market, solver, rows, o);
  else rows.forEach((row, k) => {
    const hedge = sumHedges(members[k].map((a) => inUsd(accounts[a].hedge, accounts[a].usdPerUnit ?? 1)));
    if (hedge) row.hedge = hedge;
  });
  return rows;
}

/** Each group's IM by method m alone and pooled (module comment). */
function groupIm(session: MarginSession, market: ValidatedMarket, m: MarginMethod, o: MasterRowOptions): { independent: number; cross?: number | undefined }[] {
  const params = { ...(o.params as object | undefined), subaccounts: { policy: 'cross' } };
  try {
    const masters = session.margin(market, { method: m, params, lenient: o.lenient }).subaccounts!.masters;
    return masters.map((r) => ({ independent: r.standalone.im, cross: r.combined.im }));
  } catch (error) {
    // a method that cannot pool (isolated): the members alone
    if (!(error instanceof InputError)) throw error;
    const masters = session.margin(market, { method: m, params: { ...params, subaccounts: { policy: 'independent' } }, lenient: o.lenient }).subaccounts!.masters;
    return masters.map((r) => ({ independent: r.standalone.im }));
  }
}

function freedOf(baseline: number, im: number): CapitalFreed {
  const usd = baseline - im;
  return { usd, fraction: baseline !== 0 ? usd / baseline : NaN };
}

/** A hedge's money figures × `usdPerUnit` (USD from its account's margin currency; × 1 leaves a USD account's bits). */
function inUsd(h: HedgeEffect | undefined, usdPerUnit: number): HedgeEffect | undefined {
  if (h === undefined) return undefined;
  const u = usdPerUnit;
  return { ...h, cost: h.cost * u, imBefore: h.imBefore * u, imAfter: h.imAfter * u, imReleased: h.imReleased * u, slackBefore: h.slackBefore * u, slackAfter: h.slackAfter * u };
}

/** The master-level sum of its members' hedges (module comment, each in USD), or undefined when none was hedged. */
export function sumHedges(hedges: readonly (HedgeEffect | undefined)[]): HedgeEffect | undefined {
  const some = hedges.filter((h): h is HedgeEffect => h !== undefined);
  if (some.length === 0) return undefined;
  const sum: HedgeEffect = { outcome: 'met', cost: 0, trades: 0, imBefore: 0, imAfter: 0, imReleased: 0, slackBefore: Infinity, slackAfter: Infinity, confirmed: true };
  for (const h of some) {
    if (h.outcome === 'infeasible') sum.outcome = 'infeasible';
    else if (h.outcome === 'restored' && sum.outcome !== 'infeasible') sum.outcome = 'restored';
    sum.cost += h.cost;
    sum.trades += h.trades;
    sum.imBefore += h.imBefore;
    sum.imAfter += h.imAfter;
    sum.imReleased += h.imReleased;
    sum.slackBefore = Math.min(sum.slackBefore, h.slackBefore);
    sum.slackAfter = Math.min(sum.slackAfter, h.slackAfter);
    sum.confirmed = sum.confirmed && h.confirmed;
  }
  // a member that could hold no candidate says why: the master row says it too
  const reasons = some.flatMap((h) => (h.reason === undefined ? [] : [h.reason]));
  if (reasons.length > 0) sum.reason = reasons.join('; ');
  return sum;
}

/** Under cross: each pool below its target restored on the pooled book, by the hedge method. */
function poolHedges(session: MarginSession, market: ValidatedMarket, solver: LpSolver, rows: MasterEfficiencyRow[], o: MasterRowOptions): void {
  const book = session.book;
  const methods = accountMethods(book, o.hedgeMethod, 'cross', session.registry);
  const pool = session.openBook(pooledBook(book, masterGroups(book), methods));
  try {
    const run = engineRun(pool.prepare(market, { method: o.hedgeMethod, params: o.params, lenient: o.lenient }));
    try {
      run.run();
      for (const row of rows) {
        const a = run.indexOf(row.id);
        if (!(slackOf(run.trial.withChanges(a, []), o.target, o.buffer) < 0)) continue;
        // with the candidates the pool can hold; a pool margined in a coin restores in its coin: the row is in USD at
        // the coin's index
        const hedge = reportHedge(run, solver, row.id, o.hedges, o.target, o.buffer);
        row.hedge = inUsd(hedge, usdPerUnitOf(run.context.layout.marginAsset.array, run.context.market.price.array, a));
      }
    } finally {
      run.release();
    }
  } finally {
    pool.release();
  }
}
