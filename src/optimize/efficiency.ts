/**
 * The capital efficiency report (issue 20): per account, IM under each method, the capital each frees versus
 * isolated margin (IM_isolated − IM_method, USD and as a fraction), and for accounts below their target under the
 * chosen method, the optimised hedge's effect: its cost, IM before and after, the slack it restores. Each account is
 * restored with the candidates it can hold (those settled in its margin currency); one that can hold none is
 * `infeasible`, with the reason (src/optimize/efficiency-rows.ts, reportHedge).
 *
 * Rows carry a `level`: one `account` row per book account, in book order, then, when the book groups accounts under
 * masters, one `master` row per master (src/optimize/master-efficiency.ts): the group's IM under each method and
 * policy, what pooling frees, and the group's hedge. Totals are over the account rows, but under the `cross` policy
 * a group's members are hedged as their pool, on the master's row (none alone), and the totals count the pool's hedge.
 */
import type { CapitalFreed } from '../session/compare.js';
import { compareMethods } from '../session/compare.js';
import type { MarginMethod } from '../margin/report.js';
import type { ValidatedMarket } from '../model/types.js';
import { engineRun } from '../session/prepared-run.js';
import type { MarginSession } from '../session/session.js';
import { InputError, type InputProblem } from '../errors.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import { type HealthTarget, imBufferProblem, type RestoreOptions, slackOf } from './restore.js';
import { RESTORE_OPTION_KINDS } from './result.js';
import type { LpSolver, SolverLoadOptions } from './solver.js';
import { masterRows, type MasterEfficiencyRow } from './master-efficiency.js';
import { masterGroups } from '../subaccounts/groups.js';
import { type EfficiencyRow, reportHedge } from './efficiency-rows.js';
import type { OptionKinds } from '../model/options-check.js';

export interface EfficiencyOptions extends RestoreOptions {
  /** Parameters as JSON, shared by every method. */
  params?: unknown;
  /** Methods to compare (default: every method of the engine). */
  methods?: readonly MarginMethod[] | undefined;
  /** The method hedges are optimised under (default `portfolio`). */
  method?: MarginMethod | (string & {}) | undefined;
  /**
   * Candidate hedges (JSON, src/optimize/hedges.ts) for the accounts below their target; without: no hedge figures.
   * Each account uses those it can hold (settled in its margin currency).
   */
  hedges?: unknown;
  /** Where the solver's WASM comes from (browsers). */
  solver?: SolverLoadOptions | undefined;
  lenient?: boolean | undefined;
  repairCorrelation?: boolean | undefined;
}

/** {@link EfficiencyOptions}' keys (src/model/options-check.ts). */
export const EFFICIENCY_OPTION_KINDS: OptionKinds<EfficiencyOptions> = { ...RESTORE_OPTION_KINDS, params: 'any', methods: 'any', method: 'any', hedges: 'any', solver: 'any', lenient: 'boolean', repairCorrelation: 'boolean' };

export type { EfficiencyRow, HedgeEffect } from './efficiency-rows.js';

/** A row of the report: an account's, or a master's (its group's). */
export type CapitalEfficiencyRow = EfficiencyRow | MasterEfficiencyRow;

export interface CapitalEfficiencyReport {
  methods: MarginMethod[];
  /** The method hedges were optimised under, and the target. */
  hedgeMethod: string;
  target: HealthTarget;
  /** Account rows (book order), then master rows. */
  rows: CapitalEfficiencyRow[];
  totals: {
    im: Partial<Record<MarginMethod, number>>;
    freed: Partial<Record<MarginMethod, CapitalFreed>>;
    /** Accounts hedged (restored), left infeasible, and the hedges' summed cost and released IM (USD: a coin account's at its coin's index price). */
    hedged: number;
    infeasible: number;
    hedgeCost: number;
    imReleased: number;
  };
  warnings?: InputProblem[] | undefined;
}

export function capitalEfficiency(session: MarginSession, market: ValidatedMarket, solver: LpSolver | null, options: EfficiencyOptions): CapitalEfficiencyReport {
  const target = options.target ?? 'im';
  const withIm = imBufferProblem(target, options.buffer);
  if (withIm !== null) throw new InputError([withIm]);
  const comparison = compareMethods(session, market, { params: options.params, methods: options.methods, lenient: options.lenient });
  const hedgeMethod = options.method ?? 'portfolio';
  const rows: EfficiencyRow[] = comparison.accounts.map((a) => {
    const freed: Partial<Record<MarginMethod, CapitalFreed>> = {};
    for (const m of comparison.methods) if (a.freed[m]?.vsIsolated) freed[m] = a.freed[m]!.vsIsolated!;
    const coin = a.marginCurrency !== undefined ? { marginCurrency: a.marginCurrency, usdPerUnit: a.usdPerUnit } : {};
    return { level: 'account', id: a.id, im: { ...a.im }, ...coin, freed };
  });
  const totals: CapitalEfficiencyReport['totals'] = { im: { ...comparison.totals.im }, freed: {}, hedged: 0, infeasible: 0, hedgeCost: 0, imReleased: 0 };
  for (const m of comparison.methods) if (comparison.totals.freed[m]?.vsIsolated) totals.freed[m] = comparison.totals.freed[m]!.vsIsolated!;
  // under the cross policy a group's members are margined (and liquidated) as their pool: the pool is hedged, on its
  // master's row, and no member alone (optimize refuses a member under cross for the same reason)
  const pooled = pooledMembers(session, options);
  if (solver !== null && options.hedges !== undefined) {
    const run = engineRun(session.prepare(market, { method: hedgeMethod, params: options.params, lenient: options.lenient }));
    try {
      run.run();
      const buffer = target === 'mm' ? (options.buffer ?? 0.02) : 0;
      for (const row of rows) {
        if (pooled.has(row.id)) continue;
        const a = run.indexOf(row.id);
        const now = run.trial.withChanges(a, []);
        if (!(slackOf(now, target, buffer) < 0)) continue;
        // with the candidates it can hold (a book of USD and coin accounts: each its part of the list)
        const h = row.hedge = reportHedge(run, solver, row.id, options.hedges, target, buffer);
        if (h.outcome === 'infeasible') totals.infeasible++;
        else {
          // a row's figures are in its margin currency, the totals in USD (exactly 1 for a USD account)
          const u = usdPerUnitOf(run.context.layout.marginAsset.array, run.context.market.price.array, a);
          totals.hedged++;
          totals.hedgeCost += h.cost * u;
          totals.imReleased += h.imReleased * u;
        }
      }
    } finally {
      run.release();
    }
  }
  const buffer = target === 'mm' ? (options.buffer ?? 0.02) : 0;
  const masters = masterRows(session, market, solver, rows, {
    params: options.params, lenient: options.lenient, methods: comparison.methods, hedgeMethod, target, buffer, hedges: options.hedges,
  });
  for (const m of masters) {
    if (!pooled.has(m.id) || m.hedge === undefined) continue; // the pools' hedges, in USD already
    if (m.hedge.outcome === 'infeasible') totals.infeasible++;
    else {
      totals.hedged++;
      totals.hedgeCost += m.hedge.cost;
      totals.imReleased += m.hedge.imReleased;
    }
  }
  const report: CapitalEfficiencyReport = { methods: comparison.methods, hedgeMethod, target, rows: [...rows, ...masters], totals };
  if (comparison.warnings) report.warnings = comparison.warnings;
  return report;
}

/** The ids of the accounts in groups (masters and subaccounts) when the report's policy is `cross`; else none. */
function pooledMembers(session: MarginSession, options: EfficiencyOptions): Set<string> {
  const ids = new Set<string>();
  if (session.subaccountPolicy({ params: options.params, lenient: options.lenient }) !== 'cross') return ids;
  const accounts = session.book.accounts;
  for (const g of masterGroups(session.book)) for (const a of [g.master, ...g.subaccounts]) ids.add(accounts[a].id);
  return ids;
}
