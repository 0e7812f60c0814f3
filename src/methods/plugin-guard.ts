/**
 * The engine's hold on a plug-in's run: a method the library does not ship (docs/adding-a-method.md) writes IM and MM,
 * and the engine owns everything else, as it does for its own methods.
 *
 * - After each call that writes figures (run, remargin, liquidation's remarginList, a live market move), every account
 *   it may have written is audited: a requirement (or gross notional) that is not a finite number ≥ 0 makes the account `error`, with
 *   why, naming the method (never a healthy row with NaN health, nor a negative IM in the totals). A method with the
 *   pooled status rule (no `statusReason` of its own) has every other account's status derived again from its
 *   columns by the kernels' rule, so a plug-in that skipped `ctx.restatus` cannot leave a stale status; one with its
 *   own rule (isolated margin's worst position) keeps its statuses, any but `error` on non-finite figures.
 * - A pool's figures (PoolsCapability) are held to the same: one per union, or the call fails; a requirement out of
 *   domain makes that pool `error`; statuses derived from the figures.
 * - A what-if's figures (MethodTrial.withChanges) likewise: `error` when its requirement is out of domain.
 * - A throw out of the plug-in is a {@link MethodRunError} naming the method and the call, its cause kept.
 *
 * Built-in methods are not wrapped: their kernels write statuses by the same rule, and their requirements are ≥ 0 by
 * construction (tested).
 */
import type { HoldingsMargin, LiveCapability, MarginMethodPlugin, MethodContext, MethodRun, PoolsCapability } from './method.js';
import { statusOf } from '../kernels/js/margin.js';
import { STATUS, STATUS_ERROR, STATUS_HEALTHY } from '../margin/status.js';
import { formatNumber } from '../model/checks.js';
import { isBuiltInMethod } from './registry.js';

/** A plug-in method threw, or broke its contract with the engine (e.g. a pool figure per union). */
export class MethodRunError extends Error {
  override readonly name = 'MethodRunError';

  constructor(
    /** The method's name. */
    readonly method: string,
    /** The call that failed: `run`, `remargin`, `explain`, … */
    readonly call: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(`margin method ${method}: ${call}: ${message}`, options);
  }
}

/** The method's run as the engine uses it: a plug-in's wrapped ({@link guardedRun}), a built-in's as it is. */
export function preparedRun<P>(method: MarginMethodPlugin<P>, ctx: MethodContext, params: P): MethodRun {
  if (isBuiltInMethod(method as MarginMethodPlugin)) return method.prepare(ctx, params);
  return guardedRun(method.name, ctx, calling(method.name, 'prepare', () => method.prepare(ctx, params)));
}

/** Calls `f`, a plug-in's code: what it throws comes out as a MethodRunError naming the method and the call. */
function calling<T>(method: string, call: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw new MethodRunError(method, call, error instanceof Error ? error.message : `threw ${formatThrown(error)}`, { cause: error });
  }
}

function formatThrown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Why a requirement or the gross notional is out of the domain (a finite number ≥ 0), or undefined when both are in it. */
function outOfDomain(method: string, im: number, mm: number, gross: number): string | undefined {
  for (const [name, x] of [['IM', im], ['MM', mm], ['a gross notional of', gross]] as const) {
    if (!(Number.isFinite(x) && x >= 0)) return `method ${method} gave ${name} ${Number.isNaN(x) ? 'NaN' : formatNumber(x)}: ${name === 'IM' || name === 'MM' ? 'a requirement' : 'a notional'} is a finite number ≥ 0`;
  }
  return undefined;
}

/** The audit of a plug-in's figures, account by account, and why each account it put in error is there. */
class Audit {
  readonly reasons = new Map<number, string>();
  /** A method with its own status rule (a `statusReason`): its statuses stand but beside figures not finite. */
  private readonly ownRule: boolean;

  constructor(private readonly method: string, private readonly ctx: MethodContext, run: MethodRun) {
    this.ownRule = run.statusReason !== undefined;
  }

  account(a: number): void {
    const out = this.ctx.out, status = out.status.array;
    this.reasons.delete(a);
    if (this.ctx.layout.live.array[a] === 0) {
      status[a] = STATUS_HEALTHY;
      return;
    }
    const im = out.im.array[a], mm = out.mm.array[a];
    const why = outOfDomain(this.method, im, mm, out.gross.array[a]);
    if (why !== undefined) {
      this.reasons.set(a, why);
      status[a] = STATUS_ERROR;
      return;
    }
    // an error the plug-in wrote stands (fail closed); an own status rule stands unless a figure is not finite
    if (status[a] === STATUS_ERROR) return;
    const pooled = statusOf(out.equity.array[a], out.equityIm.array[a], out.equityMm.array[a], im, mm);
    status[a] = this.ownRule && pooled !== STATUS_ERROR && isStatus(status[a]) ? status[a] : pooled;
  }

  all(): void {
    for (let a = 0; a < this.ctx.layout.accountCount; a++) this.account(a);
  }
}

/** A plug-in's run with the engine's audit after every call that writes figures (see the module comment). */
export function guardedRun(method: string, ctx: MethodContext, run: MethodRun): MethodRun {
  const audit = new Audit(method, ctx, run), reasons = audit.reasons;
  const guarded: { -readonly [K in keyof MethodRun]: MethodRun[K] } = {
    run() {
      calling(method, 'run', () => run.run());
      audit.all();
    },
    remargin(a) {
      calling(method, 'remargin', () => run.remargin(a));
      audit.account(a);
    },
    release() {
      calling(method, 'release', () => run.release());
    },
    errorOf(a) {
      return reasons.get(a) ?? calling(method, 'errorOf', () => run.errorOf(a)) ?? (ctx.out.status.array[a] === STATUS_ERROR ? `method ${method} could not margin this account (status error, no reason given)` : undefined);
    },
    explain(row, a) {
      calling(method, 'explain', () => run.explain(row, a));
    },
  };
  if (run.statusReason) guarded.statusReason = (a) => (reasons.has(a) ? undefined : calling(method, 'statusReason', () => run.statusReason!(a)));
  if (run.trial) guarded.trial = guardedTrial(method, run.trial);
  if (run.liquidation) guarded.liquidation = guardedLiquidation(method, run.liquidation, audit);
  if (run.live) guarded.live = guardedLive(method, run.live, audit);
  if (run.pools) guarded.pools = guardedPools(method, run.pools);
  if (run.optimize) guarded.optimize = run.optimize;
  if (run.scale) guarded.scale = run.scale;
  return guarded;
}

/** A plug-in's liquidation capability: its throws named, the accounts `remarginList` wrote audited. */
function guardedLiquidation(method: string, own: NonNullable<MethodRun['liquidation']>, audit: Audit): NonNullable<MethodRun['liquidation']> {
  const liquidation: NonNullable<MethodRun['liquidation']> = {};
  if (own.remarginList) {
    liquidation.remarginList = (accounts) => {
      calling(method, 'remarginList', () => own.remarginList!(accounts));
      for (const a of accounts) audit.account(a);
    };
  }
  if (own.slack) liquidation.slack = (a, target, bucket) => calling(method, 'slack', () => own.slack!(a, target, bucket));
  if (own.positionEquity) liquidation.positionEquity = (a, slot) => calling(method, 'positionEquity', () => own.positionEquity!(a, slot));
  if (own.positionAllocation) liquidation.positionAllocation = (a, slot) => calling(method, 'positionAllocation', () => own.positionAllocation!(a, slot));
  return liquidation;
}

/** A plug-in's live capability: every account audited after a market move (it may re-margin any). */
function guardedLive(method: string, live: LiveCapability, audit: Audit): LiveCapability {
  return {
    ...(live.everyAccount !== undefined ? { everyAccount: live.everyAccount } : {}),
    marketMoved(move) {
      calling(method, 'marketMoved', () => live.marketMoved(move));
      audit.all();
    },
  };
}

/** A plug-in's pools: one figure per union or a MethodRunError; each pool's status the engine's. */
function guardedPools(method: string, pools: PoolsCapability): PoolsCapability {
  return {
    unionMargin: (unions) => {
      const figures = calling(method, 'unionMargin', () => pools.unionMargin(unions));
      if (figures === undefined) return undefined;
      if (!Array.isArray(figures) || figures.length !== unions.length) throw new MethodRunError(method, 'unionMargin', `gave ${Array.isArray(figures) ? figures.length : describe(figures)} figures for ${unions.length} pools: one per pool`);
      return figures.map(poolFigures(method));
    },
  };
}

/** A status code a report can name (a plug-in's own rule may write any number). */
function isStatus(code: number): boolean {
  return code >= 0 && code < STATUS.length && code !== STATUS_ERROR;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** A pool's figures with the engine's status: `error` when its requirement is out of domain, else the kernels' rule. */
function poolFigures(method: string): (f: HoldingsMargin) => HoldingsMargin {
  return (f) => ({ ...f, status: outOfDomain(method, f.im, f.mm, f.grossNotional) !== undefined ? STATUS_ERROR : statusOf(f.equity, f.equityIm, f.equityMm, f.im, f.mm) });
}

/** A plug-in's what-ifs: `error` when the requirement it gives is out of domain; its throws named. */
function guardedTrial(method: string, trial: NonNullable<MethodRun['trial']>): NonNullable<MethodRun['trial']> {
  const guarded: NonNullable<MethodRun['trial']> = {
    withChanges(a, changes) {
      const r = calling(method, 'trial.withChanges', () => trial.withChanges(a, changes));
      if (outOfDomain(method, r.im, r.mm, r.grossNotional) !== undefined) r.status = 'error';
      return r;
    },
  };
  if (trial.terms) guarded.terms = (a, holdings, reuse) => calling(method, 'trial.terms', () => trial.terms!(a, holdings, reuse));
  if (trial.sizeBreakpoints) guarded.sizeBreakpoints = (...args) => calling(method, 'trial.sizeBreakpoints', () => trial.sizeBreakpoints!(...args));
  return guarded;
}
