/**
 * A method prepared on the session's book and a market (src/session/session.ts `prepare`): runs it, re-margins
 * changed accounts, answers what-ifs, builds the report. It also keeps what the live layer (src/live/) needs to
 * bring the run up to a market changed in place: the method, its parameters and the context it was prepared on.
 */
import { checkChanges } from './check-changes.js';
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { BackendName } from '../kernels/backend-name.js';
import type { AccountChange } from '../margin/account-changes.js';
import { accountRow, buildReport, buildSummaryColumns, buildTotals, buildTotalSums, type ReportInputs, type SummaryColumns } from '../margin/build-report.js';
import type { TotalSums } from '../margin/exact-totals.js';
import type { LentRows } from '../margin/summary-rows.js';
import type { AccountMargin, MarginMethod, MarginReport, MarginTotals, ProfileTag } from '../margin/report.js';
import type { AccountRequirement } from '../margin/what-if.js';
import type { HoldingsMargin, LiquidationTargetSpec, MarginMethodPlugin, MethodContext, MethodRun, UnionHoldings } from '../methods/method.js';
import { targetSlack } from '../methods/target-slack.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { LocationAdjuster } from '../locations/adjust.js';
import { withWarnings } from '../model/warnings.js';
import { type AccountTrial, SessionTrial } from './trial.js';
import type { RunColumns, AccountFigures, EngineRun, PreparedMarginRun } from './types.js';
import { preparedRun } from '../methods/plugin-guard.js';

/** A session's prepared run: {@link PreparedMarginRun} for users, the {@link EngineRun} view for the services above margin. */
export class PreparedRun implements EngineRun {
  private released = false;
  /**
   * The run's what-if (src/session/trial.ts): what live what-ifs, pre-trade checks, liquidation and optimisation ask,
   * by the method's own trial or the session's default.
   */
  readonly trial: SessionTrial;

  /** Use MarginSession.prepare. */
  constructor(
    readonly method: MarginMethodPlugin,
    readonly methodParams: unknown,
    readonly context: MethodContext,
    private current: MethodRun,
    private readonly backendOf: () => BackendName,
    /** What validating the inputs let through (lenient unknown fields): every report repeats it. */
    private readonly warnings: readonly InputProblem[],
    private readonly releaseContext: () => void,
    /** The methodology profile behind the method and params, named in every report. */
    private readonly profile?: ProfileTag,
    /**
     * The collateral-by-location adjuster (src/locations/), or null: equities are then not adjusted after the kernel.
     * When there is one, the methods' trials and pool margins do not know the adjustment, so what-ifs write and
     * re-margin, and pools are margined as books.
     */
    private readonly locations: LocationAdjuster | null = null,
  ) {
    this.trial = new SessionTrial(this, locations !== null);
  }

  collateralSellable(a: number, asset: number): boolean {
    return this.locations === null || this.locations.sellable(a, asset, this.context.market.vol.array);
  }

  get backend(): BackendName {
    return this.backendOf();
  }

  get market(): MarketLayout {
    return this.context.market;
  }

  /** The method's prepared run (replaced by {@link reprepare}). */
  get methodRun(): MethodRun {
    return this.current;
  }

  run(): void {
    this.checkNotReleased();
    this.trial.settle();
    this.current.run();
    this.ran = true;
  }

  /** Whether the kernels ran: before, the outputs hold no figures (a report read then had every account healthy at 0). */
  private ran = false;

  /**
   * The method's figures for accounts in no layout (MethodRun.pools), or undefined when the method cannot give
   * them or equities are adjusted after the kernel (collateral by location), which the method does not know.
   */
  unionMargin(unions: readonly UnionHoldings[]): HoldingsMargin[] | undefined {
    const pools = this.current.pools;
    if (this.locations !== null || pools === undefined) return undefined;
    return pools.unionMargin(unions);
  }

  remargin(accountId: string): void {
    this.remarginIndex(this.indexOf(accountId));
  }

  remarginAt(a: number): void {
    this.remarginIndex(a);
  }

  /** {@link remarginAt} of every account in `accounts` (no repeats): in one call when the method can. */
  remarginList(accounts: Int32Array): void {
    this.checkNotReleased();
    if (accounts.length === 0) return;
    const layout = this.context.layout, out = this.context.out;
    const list = this.current.liquidation?.remarginList;
    if (list === undefined) {
      for (const a of accounts) this.remarginIndex(a);
      return;
    }
    if (layout.positions.slotCapacity > out.slotCapacity || layout.accountCount > out.equity.length) out.ensureCapacity(layout.positions.slotCapacity, layout.accountCount);
    list(accounts);
  }

  /** {@link remargin} by layout index (a live account). */
  remarginIndex(a: number): void {
    this.checkNotReleased();
    const layout = this.context.layout, out = this.context.out;
    // grow the outputs only when the layout outgrew them (O(1) check: engines re-margin one account at a time)
    if (layout.positions.slotCapacity > out.slotCapacity || layout.accountCount > out.equity.length) out.ensureCapacity(layout.positions.slotCapacity, layout.accountCount);
    this.current.remargin(a);
  }

  whatIf(accountId: string, changes: readonly AccountChange[]): AccountRequirement {
    this.checkNotReleased();
    // before the kernels ran a what-if read empty outputs: an account's positions ignored, its IM 0
    if (!this.ran) throw new Error('margin-core: this prepared run has not run: call run() before a what-if');
    checkChanges(changes, this.context.layout, this.context.market);
    return this.trial.withChanges(this.indexOf(accountId), changes);
  }

  /**
   * Prepares the method again on the same context (the market columns and instrument values changed in place)
   * and runs it: the live layer's default when the market moves for a method without `marketMoved`.
   */
  reprepare(): void {
    this.checkNotReleased();
    this.trial.settle();
    const next = preparedRun(this.method, this.context, this.methodParams);
    this.current.release();
    this.current = next;
    next.run();
    this.ran = true;
  }

  /** The report; `into`: an earlier report's summary rows of the same accounts to write it into (session.marginInto). */
  report(into?: LentRows): MarginReport {
    return withWarnings(buildReport(this.reportInputs(), into), this.warnings);
  }

  totals(): MarginTotals {
    return buildTotals(this.reportInputs());
  }

  /**
   * The exact sums behind the totals of the live accounts with layout index in [from, to) (all by default),
   * unrounded: a shard's part of the book's totals, merged by the coordinator (src/margin/exact-totals.ts).
   */
  totalSums(from?: number, to?: number): TotalSums {
    return buildTotalSums(this.reportInputs(), from, to);
  }

  /** True when the report's rows carry only the summary fields (no breakdown, no masters): {@link summaryColumns} serves them. */
  get summaryOnly(): boolean {
    return !this.context.breakdown && !this.accountMasters;
  }

  /**
   * The report's summary rows as columns (all, or rows [from, to)), no row objects (build-report.ts
   * `buildSummaryColumns`); undefined unless {@link summaryOnly}: then {@link report}. `compact`: a compact block's
   * columns (what a shard sends), in `compact.buffer` when it is the right size.
   */
  summaryColumns(from?: number, to?: number, compact?: { buffer?: ArrayBuffer | undefined }): SummaryColumns | undefined {
    if (!this.summaryOnly) return undefined;
    return buildSummaryColumns(this.reportInputs(), from, to, compact);
  }

  /** The report's keys before `accounts` (method, profile, valuationTime, backend): for a caller that writes the report in pieces. */
  reportHead(): Pick<MarginReport, 'method' | 'profile' | 'valuationTime' | 'backend'> {
    const r = this.reportInputs();
    return { method: r.methodName, ...(r.profile ? { profile: r.profile } : {}), valuationTime: r.market.valuationTime, backend: r.backend };
  }

  /**
   * Rows [from, to) of the report as summary columns, also when rows carry masters (then {@link accountMasters} gives
   * them); undefined with a breakdown (then {@link accountAt}). For a caller that copies the report a slice at a time.
   */
  rowColumns(from: number, to: number): SummaryColumns | undefined {
    return this.context.breakdown ? undefined : buildSummaryColumns(this.reportInputs(), from, to);
  }

  get inputWarnings(): readonly InputProblem[] {
    return this.warnings;
  }

  figures(a: number, into: AccountFigures = { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0 }): AccountFigures {
    const c = this.accountColumns();
    into.equity = c.equity[a];
    into.equityIm = c.equityIm[a];
    into.equityMm = c.equityMm[a];
    into.im = c.im[a];
    into.mm = c.mm[a];
    into.grossNotional = c.grossNotional[a];
    into.status = c.status[a];
    return into;
  }

  /** The views {@link accountColumns} gave last, and the outputs' version they were taken at. */
  private columnViews: RunColumns | null = null;
  private columnVersion = -1;

  accountColumns(): RunColumns {
    const out = this.context.out;
    const v = this.columnViews;
    // the same views while no column was replaced (version) and memory did not grow (a grown WASM memory detaches
    // them: a detached view has length 0); else fresh ones
    if (v !== null && this.columnVersion === out.version && v.status.length !== 0 && v.equity.length !== 0) return v;
    this.columnVersion = out.version;
    return this.columnViews = {
      equity: out.equity.array, equityIm: out.equityIm.array, equityMm: out.equityMm.array, im: out.im.array, mm: out.mm.array, grossNotional: out.gross.array,
      status: out.status.array,
    };
  }

  liquidationSlack(a: number, target: LiquidationTargetSpec, bucket?: number): number {
    const own = this.current.liquidation?.slack?.(a, target, bucket);
    if (own !== undefined) return own;
    const out = this.context.out;
    return targetSlack(target, out.equity.array[a], out.equityIm.array[a], out.equityMm.array[a], out.im.array[a], out.mm.array[a]);
  }

  get positionsOwnEquity(): boolean {
    return this.method.allocatesCollateral === true;
  }

  positionEquity(a: number, slot: number): number {
    return this.current.liquidation?.positionEquity?.(a, slot) ?? this.context.out.equity.array[a];
  }

  positionAllocation(a: number, slot: number): number {
    return this.current.liquidation?.positionAllocation?.(a, slot) ?? Number.NaN;
  }

  instrumentValue(i: number): number {
    return this.context.out.value.array[i];
  }

  account(accountId: string): AccountMargin {
    // an account the run set aside (a coin account under a USD-only method) has its row too: status error, with why
    return accountRow(this.reportInputs(), this.bookIndexOf(accountId));
  }

  /** {@link account} by layout index (a live account). */
  accountAt(a: number): AccountMargin {
    return accountRow(this.reportInputs(), a);
  }

  release(): void {
    if (this.released) return;
    // a trial's account written back and re-margined while the run still holds its columns (the session's too: its
    // layout's are released together, `live` among them)
    if (!this.context.layout.live.isReleased) this.trial.settle();
    this.released = true;
    this.current.release();
    this.releaseContext();
  }

  /** Layout index of a live account, or an InputError naming it. */
  indexOf(accountId: string): number {
    const a = this.bookIndexOf(accountId);
    const aside = this.setAside?.get(a);
    if (aside !== undefined) throw new InputError([{ path: 'account', message: `account ${JSON.stringify(accountId)} is ${aside}` }]);
    return a;
  }

  /** Layout index of an account of the book (one the run set aside included), or an InputError naming it. */
  private bookIndexOf(accountId: string): number {
    // an id from JSON may be anything (an array nested thousands deep): named by its type, never serialised
    if (typeof accountId !== 'string') throw new InputError([{ path: 'account', message: `expected an account id (a string), got ${describeValue(accountId)}` }]);
    const a = this.context.layout.accountIndex(accountId);
    if (a < 0) throw new InputError([{ path: 'account', message: `no account ${describeValue(accountId)} in the book` }]);
    return a;
  }

  /** Each account's master by layout index, when the book has masters: the report rows carry it. */
  accountMasters: readonly (string | undefined)[] | undefined;

  /** Coin-margined accounts a USD-only method does not margin (session.ts): layout index → why; reported in status error. */
  setAside: ReadonlyMap<number, string> | undefined;

  /**
   * A released run's columns, or its session's, are given back (another run may hold them now): running or
   * re-margining it would write into them (a WASM build trapped, and the engine fell back to JS), reading it would read
   * another run's figures.
   */
  private checkNotReleased(): void {
    if (this.released) throw new Error('margin-core: this prepared run was released: prepare another (session.prepare) to run or read it');
    if (this.context.layout.live.isReleased) throw new Error('margin-core: this prepared run\'s session was released (session.release()): open another with engine.openBook');
  }

  private reportInputs(): ReportInputs {
    this.checkNotReleased();
    if (!this.ran) throw new Error('margin-core: this prepared run has not run: call run() before reading its figures');
    const c = this.context;
    return {
      layout: c.layout, market: c.market, params: c.rules, out: c.out, methodName: this.method.name as MarginMethod, backend: this.backendOf(),
      breakdown: c.breakdown, method: this.current, ...(this.profile ? { profile: this.profile } : {}),
      ...(this.accountMasters ? { masters: this.accountMasters } : {}), kernels: c.kernels,
      ...(this.setAside ? { setAside: this.setAside } : {}),
    };
  }
}

/**
 * The what-if of a run prepared by a session ({@link AccountTrial}): for engines built on margin (liquidation), which
 * reach it here rather than through the public {@link PreparedMarginRun}. Not exported from the package.
 */
export function trialOf(run: PreparedMarginRun): AccountTrial {
  return engineRun(run).trial;
}

/**
 * The engine's view of a run a session prepared (layout-index reads, slack, re-margin lists: src/session/types.ts
 * EngineRun), for the services above margin; a run of another origin is refused.
 */
export function engineRun(run: PreparedMarginRun): PreparedRun {
  if (run instanceof PreparedRun) return run;
  throw new TypeError('expected a run prepared by a MarginSession');
}
