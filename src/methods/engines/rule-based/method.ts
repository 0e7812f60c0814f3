/**
 * Rule-based (standard) margin, per position from the schedules of src/margin/params.ts, as two methods:
 * `cross` (requirements summed, collateral and P&L pooled) and `isolated` (each position against the collateral
 * allocated to it; the account's status is its worst position's). Both are the rule-based kernel alone
 * (assembly/margin/rule-based.ts), in one mode or the other; their parameters are the shared rule-based sections
 * every method's equity uses, so they have no section of their own.
 */
import { RULE_ISOLATED } from '../../../kernels/backend.js';
import type { MarginColumns } from '../../../kernels/js/margin.js';
import { marginColumnMap, marginViews } from '../../../margin/outputs.js';
import { STATUS } from '../../../margin/status.js';
import { isolatedRestReason, isolatedStatusReason } from '../../../margin/status-reason.js';
import type { AccountHoldings, LiquidationTargetSpec, MarginMethodPlugin, MethodCalibration, MethodContext, MethodRun, UnionHoldings } from '../../method.js';
import { targetSlack } from '../../target-slack.js';
import { LiquidationPriceSearch } from './liquidation-price.js';
import { RuleBasedHoldingsMargin } from './holdings-margin.js';
import { PooledTerms } from './pooled-terms.js';
import { changeTerms } from '../../../margin/account-draft.js';
import { ruleBasedBreakpoints, ruleBasedBreakpointsAt, ruleBasedWhatIf } from './what-if.js';
import { HoldingsTerms } from '../../account-terms.js';
import { ruleBasedRequirementModel } from './requirement-model.js';
import { ruleBasedDynamic } from './dynamic.js';

export type RuleBasedMode = 'cross' | 'isolated';

export function ruleBasedMethod(mode: RuleBasedMode, description: string, calibration: MethodCalibration): MarginMethodPlugin<null> {
  return {
    name: mode,
    description,
    calibration,
    section: null,
    ...(mode === 'isolated' ? { allocatesCollateral: true } : {}),
    coinMargin: true,
    needs: { capabilities: ['rule-based'] },
    dynamic: ruleBasedDynamic,
    validateParams: () => null,
    prepare: (context) => ruleBasedRun(context, mode),
  };
}

/** The pooled slack to `target` (target-slack.ts). */
function pooledSlack(ctx: MethodContext, a: number, target: LiquidationTargetSpec): number {
  const o = ctx.out;
  return targetSlack(target, o.equity.array[a], o.equityIm.array[a], o.equityMm.array[a], o.im.array[a], o.mm.array[a]);
}

/**
 * An isolated account's status reason: its worst position's (the first of the worst), when that is the account's; else
 * the rest of the account's (what its positions do not hold owes).
 */
function worstPositionReason(ctx: MethodContext, c: MarginColumns, a: number) {
  let worst = -1, held = 0;
  const layout = ctx.layout, currency = layout.marginAsset.array[a] >= 0 ? layout.marginCurrencyOf(a) : undefined; // figures in the account's coin
  for (let p = c.posStart[a]; p < c.posEnd[a]; p++) {
    held += c.posAlloc[p] + c.posMtm[p];
    if (worst < 0 || c.posStatus[p] > c.posStatus[worst]) worst = p;
  }
  if (worst < 0 || c.posStatus[worst] !== c.status[a]) {
    const o = ctx.out;
    return worst < 0 ? undefined : isolatedRestReason(STATUS[c.status[a]], o.equity.array[a] - held, o.equityIm.array[a] - held, o.equityMm.array[a] - held, currency);
  }
  return isolatedStatusReason(STATUS[c.posStatus[worst]], ctx.layout.instruments.ids[c.posInstrument[worst]], {
    allocated: c.posAlloc[worst], markToMarket: c.posMtm[worst], im: c.posIm[worst], mm: c.posMm[worst],
  }, currency);
}

/**
 * An isolated account's slack to `target` (USD): of position slot `bucket` (≥ 0), of the rest of the account (−1), or
 * (undefined) the worst of its positions' and the rest's.
 */
function isolatedSlack(ctx: MethodContext, a: number, target: LiquidationTargetSpec, bucket: number | undefined): number {
  const out = ctx.out;
  const start = ctx.layout.positions.start.array[a], end = ctx.layout.positions.end.array[a];
  const alloc = out.posAlloc.array, mtm = out.posMtm.array, im = out.posIm.array, mm = out.posMm.array;
  if (bucket !== undefined && bucket >= 0) {
    const equity = alloc[bucket] + mtm[bucket];
    return targetSlack(target, equity, equity, equity, im[bucket], mm[bucket]);
  }
  // the positions' own equity, and the rest of the account's: its equity (weighted for the target) less theirs
  let worst = Infinity, held = 0;
  for (let p = start; p < end; p++) {
    const equity = alloc[p] + mtm[p];
    held += equity;
    const slack = targetSlack(target, equity, equity, equity, im[p], mm[p]);
    if (slack < worst) worst = slack;
  }
  const rest = targetSlack(target, out.equity.array[a] - held, out.equityIm.array[a] - held, out.equityMm.array[a] - held, 0, 0);
  return bucket === -1 || rest < worst ? rest : worst;
}

/** An isolated account's explain rows: each position's allocation and status. */
function markIsolatedPositions(row: Parameters<MethodRun['explain']>[0], c: MarginColumns, a: number): void {
  row.positions?.forEach((position, k) => {
    const p = c.posStart[a] + k;
    position.allocated = c.posAlloc[p];
    position.status = STATUS[c.posStatus[p]];
  });
}

function ruleBasedRun(ctx: MethodContext, mode: RuleBasedMode): MethodRun {
  const flags = mode === 'isolated' ? RULE_ISOLATED : 0;
  // Views of the run's columns, rebuilt only when one moved (memory growth, a relocation, grown outputs); explains
  // share one liquidation-price search over them (rebuilt with the views, and after a full run).
  let views: { c: MarginColumns; generation: number; version: number } | null = null;
  let search: LiquidationPriceSearch | null = null;
  const holdingsMargin = new RuleBasedHoldingsMargin(ctx.layout.memo);
  const termsEpoch = () => holdingsMargin.termsEpoch;
  const columns = (): MarginColumns => {
    const generation = ctx.layout.generation, version = ctx.out.version;
    // grown memory detaches every view on it (length 0): a view's length says so without a column's getter (a trial
    // asks for the views every time); a heap column never detaches
    if (!views || views.generation !== generation || views.version !== version || views.c.im.length === 0) {
      views = { c: marginViews(marginColumnMap(ctx.layout, ctx.market, ctx.rules, ctx.out)), generation, version };
      search = null;
    }
    return views.c;
  };
  const explainer = () => {
    const c = columns();
    search ??= new LiquidationPriceSearch(ctx.layout, ctx.market, c, (input) => ctx.kernels().greeks(input), mode === 'isolated', ctx.adjustLocations);
    return { c, search };
  };
  const whatIf = ruleBasedWhatIf(ctx, mode === 'isolated');
  const breaksOf = (a: number, instrument: number, direction: 1 | -1) => ruleBasedBreakpoints(ctx, a, instrument, direction);
  const pooled = { columns, epochOf: termsEpoch, breaksAt: (i: number, held: number, direction: 1 | -1) => ruleBasedBreakpointsAt(ctx, i, held, direction), netting: changeTerms(ctx.layout) };
  const isolatedMargin = (a: number, holdings: AccountHoldings) => holdingsMargin.run(columns(), a, holdings, true);
  const range = { first: 0, last: 0 };
  return {
    run: () => {
      search = null;
      holdingsMargin.clear();
      ctx.ruleBased(flags);
    },
    remargin: (a) => {
      // one range object for the run (ruleBased reads it at once): liquidation re-margins an account per step
      range.first = a;
      range.last = a + 1;
      ctx.ruleBased(flags, range);
    },
    // one object per group, made once per prepare: callers reach them per trial
    trial: {
      withChanges: whatIf,
      // cross: running sums re-added past one changed slot; isolated: the holdings margined whole (allocations change)
      terms: mode === 'cross'
        ? (a, holdings, reuse) => (reuse instanceof PooledTerms ? reuse : new PooledTerms()).reset(pooled, a, holdings)
        : (a, holdings, reuse) => (reuse instanceof HoldingsTerms && reuse.marginsWith(isolatedMargin) ? reuse.reset(a, holdings) : new HoldingsTerms(a, holdings, isolatedMargin, breaksOf)),
      sizeBreakpoints: breaksOf,
    },
    liquidation: {
      remarginList: (accounts) => ctx.ruleBased(flags, { list: accounts }),
      slack: (a, target, bucket) => (mode === 'isolated' ? isolatedSlack(ctx, a, target, bucket) : pooledSlack(ctx, a, target)),
      positionEquity: (a, slot) => (mode !== 'isolated' ? ctx.out.equity.array[a] : ctx.out.posAlloc.array[slot] + ctx.out.posMtm.array[slot]),
      positionAllocation: (_a, slot) => (mode === 'isolated' ? ctx.out.posAlloc.array[slot] : Number.NaN),
    },
    live: {
      marketMoved: (move) => {
        holdingsMargin.clear();
        ctx.ruleBased(flags, { list: move.accounts });
      },
    },
    // isolated: Σ position IM too, but the optimiser reads its terms per position (src/optimize/isolated.ts)
    optimize: { requirementModel: (a: number, instruments: Int32Array, which: 'im' | 'mm') => ruleBasedRequirementModel(ctx, whatIf, a, instruments, which) },
    // isolated margin is never a pool's method (it allocates collateral to positions: src/subaccounts/methods.ts)
    ...(mode === 'cross' ? { pools: { unionMargin: (unions: readonly UnionHoldings[]) => holdingsMargin.unions(columns(), unions) } } : {}),
    errorOf: () => undefined,
    statusReason(a) {
      return mode === 'isolated' ? worstPositionReason(ctx, columns(), a) : undefined;
    },
    explain(row, a) {
      const { c, search } = explainer();
      if (mode === 'isolated') markIsolatedPositions(row, c, a);
      const liquidation = search.of(a);
      if (liquidation) row.liquidationPrice = liquidation;
    },
    release: () => {},
  };
}
