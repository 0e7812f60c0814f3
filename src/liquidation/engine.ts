/**
 * The liquidation engine: acts on every account below maintenance margin, most distressed first, with one insurance
 * fund shared by the whole run (so the order matters: lowest equity-for-MM / MM first, ties by account id).
 *
 * Per account, a state machine: healthy → being_liquidated (equity for MM < MM) → resolved once back at the target
 * (equity for MM ≥ MM·(1 + buffer), or equity for IM ≥ IM), or bankrupt (a deficit nobody covered). Each step:
 *  1. picks what to close (sizing.ts chooseClose): among the holdings whose partial close lowers MM and raises the
 *     slack to the target, the best by the chosen order (default: slack gained per dollar of slippage and fee);
 *  2. sizes it (smallest-root.ts: the smallest part of the holding that restores the target, on the account's own
 *     re-margining, trial.ts; capped per step; small shortfalls close in full);
 *  3. executes it (step.ts, prices from pricing.ts): at the market fill with the fee capped by the surplus over
 *     bankruptcy, or, when the fill would take equity below 0, at the bankruptcy price against the insurance fund
 *     (capped per step) and then ADL (deleverage.ts, ranked by adl.ts), the rest left uncovered at the fill.
 * Everything an account pays or receives lands in its positions, balances and USD cash (the layout's cashUsd), and
 * every account is re-margined by its method (the method seam's remargin), so this works for every method, with the
 * bits of a fresh run. Money is conserved: the report's conservationResidual is the identity's left side (ledger.ts).
 *
 * A coin-margined account (docs/coin-margined.md) is liquidated in its coin: its positions' prices are the layout's
 * (an inverse contract's −1/F, coin per USD of face; currency.ts prices its fills and bankruptcy), its cash, fees,
 * slippage and waterfall are in the coin; what crosses into the run's USD figures (the insurance fund, the USD
 * parameters, the totals) is converted at the coin's index price (exactly 1 for a USD account: its bits are
 * unchanged). The plan shows an inverse contract's prices in USD per coin.
 */
import { ProblemList } from '../errors.js';
import type { BufferPool } from '../memory/allocators.js';
import { ArrayLease } from '../memory/array-lease.js';
import type { BookLayout } from '../layout/book-layout.js';
import { STATUS_BANKRUPT, STATUS_ERROR, STATUS_LIQUIDATABLE } from '../margin/status.js';
import type { LiquidationTargetSpec } from '../methods/method.js';
import { deepFreeze } from '../model/deep-freeze.js';
import { defineLazyField } from '../model/lazy-field.js';
import type { ValidatedMarket } from '../model/types.js';
import { Unmargined } from './unmargined.js';
import { withWarnings } from '../model/warnings.js';
import type { RunRetention } from '../model/run-retention.js';
import type { EngineRun, MarginOptions, MarginRunner, PreparedMarginRun } from '../session/types.js';
import { engineRun } from '../session/prepared-run.js';
import { marginOptionsOf } from './margin-options.js';
import { CloseEffects, fixAllocations, HoldingList, restEquityOf } from './close-effect.js';
import { coinOf, usdPerUnit } from './currency.js';
import { Deleveraging } from './deleverage.js';
import { Ledger } from './ledger.js';
import type { LiquidationParams } from './params.js';
import { healthOf } from '../margin/derived-figures.js';
import { PlanColumns, type SnapshotFigures } from './plan-columns.js';
import type { LiquidationReport, LiquidationState } from './report.js';
import { STEP_SCRATCH, StepChooser } from './next-step.js';
import { StepExecutor } from './step.js';
import { CloseTrial, SAVED_BUFFERS } from './trial.js';
import { checkLiquidationParams, checkLiquidationSections, liquidationSections } from './validate.js';
import { MARGIN_OPTION_KINDS } from '../margin/options.js';
import type { OptionKinds } from '../model/options-check.js';

/**
 * Plans of at most this many steps and fills have their report objects built at once: a few objects cost less than the
 * accessors that would defer them. Larger plans build them on first read.
 */
export const EAGER_PLAN_ROWS = 64;

export interface LiquidateOptions extends MarginOptions {
  /** The `liquidation` parameters (params.ts), merged over the defaults; default: the `liquidation` section of `params`. */
  liquidation?: unknown;
}

/** {@link LiquidateOptions}' keys (src/model/options-check.ts). */
export const LIQUIDATE_OPTION_KINDS: OptionKinds<LiquidateOptions> = { ...MARGIN_OPTION_KINDS, liquidation: 'any' };

export function liquidate(session: MarginRunner, market: ValidatedMarket | unknown, options: LiquidateOptions = {}): LiquidationReport {
  return liquidatePlan(session, market, options).report;
}

/** A liquidation's report and the plan's columns it reads from (a reader of every step needs no objects: plan-columns.ts). */
export interface LiquidationOutcome {
  report: LiquidationReport;
  plan: PlanColumns;
}

/**
 * {@link liquidate}, with the plan's columns. `checked`: the liquidation parameters of `options` as
 * {@link checkedLiquidation} gives them (a caller that liquidates round after round checks them once).
 */
export function liquidatePlan(session: MarginRunner, market: ValidatedMarket | unknown, options: LiquidateOptions = {}, checked = checkedLiquidation(options)): LiquidationOutcome {
  const params = checked;
  const run = engineRun(session.prepare(market, marginOptionsOf(options)));
  try {
    run.run();
    return liquidateOn(session, run, params, options.method);
  } finally {
    run.release();
  }
}

/**
 * {@link liquidate} on a run the caller prepared (its margin options as marginOptionsOf gives them, as
 * `liquidate` prepares it) and keeps up to date in place, every account with the bits of a fresh run: a stress
 * cascade's rounds (src/stress/kept-run.ts). The run stays the caller's.
 */
export function liquidatePrepared(session: MarginRunner, run: PreparedMarginRun, options: LiquidateOptions = {}): LiquidationReport {
  return liquidatePreparedPlan(session, run, options).report;
}

/** {@link liquidatePrepared}, with the plan's columns; `checked` as for {@link liquidatePlan}. */
export function liquidatePreparedPlan(session: MarginRunner, run: PreparedMarginRun, options: LiquidateOptions = {}, checked = checkedLiquidation(options)): LiquidationOutcome {
  return liquidateOn(session, engineRun(run), checked, options.method);
}

/**
 * {@link liquidate} with the plan handed out as it is made (a big book's plan does not fit in memory): yields the plan's
 * columns (with the report's head) holding a chunk of ended accounts of at least `chunkSteps` steps (read them before the next `next()`: they are
 * dropped then), and returns the report with an empty `accounts` and the whole plan's ADL fills and totals
 * (LiquidationRun.chunks). The chunks' accounts, in order, are the report's accounts of {@link liquidate}. `keepFills`
 * false: the ADL fills are counted only (the last chunk's plan has their number) and the report's `adl` is empty.
 */
export function* liquidateChunks(session: MarginRunner, market: ValidatedMarket | unknown, options: LiquidateOptions = {}, chunkSteps = PLAN_CHUNK_STEPS, keepFills = true, checked = checkedLiquidation(options)): Generator<LiquidationChunk, LiquidationReport> {
  const params = checked;
  const run = engineRun(session.prepare(market, marginOptionsOf(options)));
  try {
    run.run();
    const liquidation = session.retention.keep(new LiquidationRun(session.layout, run, params.params, options.method ?? 'cross', session.retention, session.heap));
    return yield* liquidation.chunks(params.warnings, chunkSteps, keepFills);
  } finally {
    run.release();
  }
}

/** {@link liquidateChunks} on a run the caller prepared and keeps ({@link liquidatePrepared}); `checked` as for {@link liquidatePlan}. */
export function liquidatePreparedChunks(session: MarginRunner, run: PreparedMarginRun, options: LiquidateOptions = {}, chunkSteps = PLAN_CHUNK_STEPS, keepFills = true, checked = checkedLiquidation(options)): Generator<LiquidationChunk, LiquidationReport> {
  const params = checked;
  return session.retention.keep(new LiquidationRun(session.layout, engineRun(run), params.params, options.method ?? 'cross', session.retention, session.heap)).chunks(params.warnings, chunkSteps, keepFills);
}

/**
 * A chunk of a plan handed out as it is made: the plan's columns holding the chunk's rows, and the report's fields
 * before its accounts (the backend as the chunk was made).
 */
export interface LiquidationChunk {
  head: Pick<LiquidationReport, 'method' | 'valuationTime' | 'backend' | 'params'>;
  plan: PlanColumns;
}

/** Steps of the accounts a chunk of a plan handed out as it is made holds, at least (~10 MB of the plan's columns). */
export const PLAN_CHUNK_STEPS = 65_536;

function liquidateOn(session: MarginRunner, run: EngineRun, params: CheckedLiquidation, method = 'cross'): LiquidationOutcome {
  // perf: keep-shapes (docs/performance.md)
  const liquidation = session.retention.keep(new LiquidationRun(session.layout, run, params.params, method, session.retention, session.heap));
  return { report: liquidation.execute(params.warnings), plan: liquidation.columns };
}

/** Checked liquidation parameters (defaults merged) and the warnings a lenient check gave. */
export interface CheckedLiquidation {
  params: LiquidationParams;
  warnings: ReturnType<ProblemList['takeWarnings']>;
}

/**
 * The liquidation parameters from the params' `liquidation` section with `options.liquidation`'s fields over it, each
 * checked at its own path (validate.ts checkLiquidationSections).
 */
export function checkedLiquidation(options: LiquidateOptions): CheckedLiquidation {
  if (liquidationSections(options).length === 0) return DEFAULT_LIQUIDATION;
  const problems = new ProblemList({ lenient: options.lenient === true });
  const params = checkLiquidationSections(options, problems);
  problems.throwIfAny();
  return { params, warnings: problems.takeWarnings() };
}

/** The defaults, validated once and frozen (a run only reads its parameters). */
const DEFAULT_LIQUIDATION = deepFreeze({ params: checkLiquidationParams(undefined, new ProblemList()), warnings: [] });

/** One liquidation of a prepared, margined book: every account below MM, in order, then ADL's settlement. */
class LiquidationRun {
  private readonly target: LiquidationTargetSpec;
  /** Balances of these assets (indices) are never converted. */
  private readonly stable: Set<number>;
  /** The plan as it is made: accounts, steps and ADL fills, as columns (the report's objects are built on first read). */
  private plan = new PlanColumns(0);
  private readonly ledger: Ledger;
  private readonly effects: CloseEffects;
  private readonly trial: CloseTrial;
  /** Accounts below MM when the run began: they are liquidated, never deleveraged (a flag per account, and the list). */
  private readonly breaching: { flags: Uint8Array; list: Int32Array };
  /** Live accounts the run could not margin (status error), named in the plan's warnings. */
  private readonly unmargined = new Unmargined();
  private readonly adl: Deleveraging;
  private readonly steps: StepExecutor;
  private readonly chooser: StepChooser;
  /** True when each position has equity of its own (isolated margin): positions and the rest are liquidated apart. */
  private readonly ownBacking: boolean;
  /** The holdings of the account being liquidated (rewritten per account). */
  private readonly holdings = new HoldingList();
  /** Scratch: the bucket {@link worstBucket} found and its slack (read before the next call). */
  private readonly worst: { bucket: number | undefined; slack: number } = { bucket: undefined, slack: 0 };
  /** Scratch: an account's figures (read before the next snapshot). */
  private readonly snapshotFigures: SnapshotFigures = { status: 0, equity: 0, equityMm: 0, mm: 0, equityIm: 0, im: 0, health: 0 };
  /**
   * The run's own arrays (flags per account, ADL's index, a streamed plan's rows), lent from the session's heap and given
   * back when the run ends: a cascade's rounds reuse the same memory (perf: external-memory, docs/performance.md).
   */
  private readonly lease: ArrayLease;

  /** `retention`: the engine's (its shelves keep scratch between runs); `heap`: the session's, where the run's arrays are lent from. */
  constructor(
    private readonly layout: BookLayout,
    private readonly run: EngineRun,
    private readonly p: LiquidationParams,
    private readonly method: string,
    retention: RunRetention,
    heap?: BufferPool,
  ) {
    this.lease = new ArrayLease(heap);
    this.target = { kind: p.target, buffer: p.buffer };
    this.ownBacking = run.positionsOwnEquity;
    this.stable = new Set(p.stableAssets.map((s) => layout.assetIndex(s)).filter((i) => i >= 0));
    this.ledger = new Ledger(layout, run, p, this.lease.u8(layout.accountCount, true));
    this.effects = new CloseEffects(layout, run, p);
    this.trial = new CloseTrial(layout, run, this.target, this.effects, retention.shelf(SAVED_BUFFERS));
    this.breaching = { flags: this.lease.u8(layout.accountCount, true), list: new Int32Array(0) };
    const hooks = { touch: (a: number) => this.ledger.touch(a), changed: (a: number) => this.trial.changed(a), fill: (f: Parameters<PlanColumns['addFill']>[0]) => this.plan.addFill(f) };
    this.adl = new Deleveraging(layout, run, p, this.ledger.totals, hooks, this.breaching, this.lease);
    this.steps = new StepExecutor(layout, run, p, this.effects, this.trial, this.ledger, this.adl, run.positionsOwnEquity);
    this.chooser = new StepChooser(layout, run, p, this.effects, this.trial, (a, bucket) => this.bucketEquity(a, bucket), retention.shelf(STEP_SCRATCH));
  }

  /** The plan's columns (complete once {@link execute} returned). */
  get columns(): PlanColumns {
    return this.plan;
  }

  execute(warnings: readonly { path: string; message: string }[]): LiquidationReport {
    const run = this.chunks(warnings, null);
    for (let next = run.next(); ; next = run.next()) if (next.done) return next.value;
  }

  /**
   * The run. With `chunkSteps` (a plan written as it is made), yields the plan each time the accounts ended hold at least
   * that many steps and no account is being liquidated, then once more with the rest (the deleveraged accounts among
   * them): read its rows ({@link PlanColumns.accountList}, {@link PlanColumns.stepFlow}) before resuming, when they are
   * dropped. The report returned then has no `accounts` of its own (an empty list): they were the chunks'; its ADL fills
   * (built when first read; the plan's {@link PlanColumns.fillList} gives them in slices) and totals are the whole plan's, the bits of a run that holds every row. Under pro-rata ADL, whose settlement goes
   * back over every step, the rows are held to the end and yielded once. Without `chunkSteps` nothing is yielded and
   * the report holds every account. `keepFills` false (streamed only): the fills are counted, not kept ({@link PlanColumns}).
   */
  *chunks(warnings: readonly { path: string; message: string }[], chunkSteps: number | null, keepFills = true): Generator<LiquidationChunk, LiquidationReport> {
    try {
      return yield* this.chunksOfRun(warnings, chunkSteps, keepFills);
    } finally {
      this.lease.release(); // nothing reads the run's lent arrays once it ended (a report reads the plan's own)
      this.chooser.release();
      this.trial.release();
    }
  }

  /** {@link chunks} while the run's arrays are lent. */
  private *chunksOfRun(warnings: readonly { path: string; message: string }[], chunkSteps: number | null, keepFills: boolean): Generator<LiquidationChunk, LiquidationReport> {
    // the accounts below MM, most distressed first (ties by id): the order shares out the insurance fund
    const breaching = this.breachingAccounts();
    // −1 / 0 / 1 (no boxed difference per comparison); a NaN health compares equal, then by id, as a difference did
    breaching.sort((x, y) => (x.health < y.health ? -1 : x.health > y.health ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const list = this.breaching.list = new Int32Array(breaching.length);
    for (let k = 0; k < breaching.length; k++) this.breaching.flags[list[k] = breaching[k].a] = 1;
    const streamed = chunkSteps !== null, early = streamed && this.p.adl !== 'pro-rata';
    // a streamed plan holds about a chunk of rows (~43 steps an account in a distressed book): sized for that
    // (streamed, its account and step rows are dropped chunk by chunk and never read after the run: lent)
    const t = this.ledger.totals, plan = this.plan = new PlanColumns(early ? Math.min(breaching.length, Math.ceil(chunkSteps / 4)) : breaching.length, keepFills || !streamed, streamed ? this.lease : undefined);
    t.accountsBreaching = breaching.length;
    breaching.length = 0; // an object per account below MM: the list holds their order now, for the whole run
    const chunk: LiquidationChunk = { head: { method: this.method, valuationTime: this.run.market.valuationTime, backend: this.run.backend, params: this.p }, plan };
    for (let k = 0; k < list.length; k++) {
      const a = list[k];
      const st = this.run.accountColumns().status[a];
      if (st !== STATUS_LIQUIDATABLE && st !== STATUS_BANKRUPT) continue; // healed by an earlier ADL
      this.liquidateAccount(a);
      // an account liquidated is never changed again under the queue (ADL takes from accounts not below MM)
      if (early && plan.stepCount >= chunkSteps) {
        yield chunk;
        plan.drop();
      }
    }
    if (this.p.adl === 'pro-rata') this.settleProRata();
    this.deleveragedRows();
    if (streamed && plan.accountCount > 0) {
      yield chunk;
      plan.drop();
    }
    t.accountsLiquidated = plan.countWithSteps();
    t.resolved = plan.countState('resolved');
    t.bankrupt = plan.countState('bankrupt');
    t.stillBeingLiquidated = plan.countState('being_liquidated');
    this.ledger.close();
    const method = this.method, valuationTime = this.run.market.valuationTime, backend = this.run.backend, params = this.p;
    warnings = this.unmargined.withWarning([...this.run.inputWarnings, ...warnings]); // the margin report's first, then the liquidation's
    if (!streamed && plan.stepCount + plan.fillCount <= EAGER_PLAN_ROWS) return withWarnings({ method, valuationTime, backend, params, accounts: plan.accountList(), adl: plan.fillList(), totals: t }, warnings);
    // accounts and adl are built from the plan's columns when first read, in their key positions (src/model/lazy-field.ts);
    // streamed, the accounts were the chunks' and the fills stay columns until read (a writer reads them in slices)
    const report = { method, valuationTime, backend, params } as LiquidationReport;
    if (streamed) report.accounts = [];
    else defineLazyField(report, 'accounts', () => plan.accountList());
    // fills counted only (keepFills false): none to list; the plan's fillCount has their number
    if (plan.keepFills) defineLazyField(report, 'adl', () => plan.fillList());
    else report.adl = [];
    report.totals = t;
    return withWarnings(report, warnings);
  }

  /**
   * Settles the run's pro-rata ADL: what the counterparties' caps left is bad debt nobody covered, written off the
   * bankrupt accounts that routed it (in proportion to their contracts), which end `bankrupt` as under the queue.
   * The fund is not called again: each account had it before ADL, at its own steps.
   */
  private settleProRata(): void {
    const t = this.ledger.totals, plan = this.plan;
    const shortfalls = this.adl.settleProRata();
    if (shortfalls.length === 0) return;
    // each account's write-off is in its margin currency: USD per unit of it, per account row
    const rows = plan.accountCount, writtenOff = new Float64Array(rows), usdPerUnitOf = new Float64Array(rows);
    for (let k = 0; k < rows; k++) usdPerUnitOf[k] = usdPerUnit(this.layout, this.run.market, this.layout.accountIndex(plan.accountId(k)));
    for (const s of shortfalls) {
      const moved = plan.moveAdlToUncovered(s, usdPerUnitOf, writtenOff); // uncovered at the fill, as at a queue step
      t.adlAbsorbed -= moved.uncoveredUsd;
      t.uncovered += moved.uncoveredUsd;
      t.marketSlippage += moved.slippageUsd;
    }
    for (let k = 0; k < rows; k++) {
      const a = this.layout.accountIndex(plan.accountId(k));
      if (writtenOff[k] > this.trial.tolerance(a)) plan.markBankrupt(k, this.writeOffNote(a, plan.writtenOff(k)));
    }
  }

  /**
   * Re-margins the accounts ADL took positions from and adds each to the plan (state `deleveraged`): its figures
   * before (the run's, as no step re-margined it) and after, what its fills cost it against the marks, and what the fund
   * paid (or wrote off) of a rounding below zero they left.
   */
  private deleveragedRows(): void {
    const { list, cost } = this.adl.accounts;
    this.ledger.totals.accountsDeleveraged = list.length;
    if (list.length === 0) return;
    const ids = this.layout.accountIds;
    this.plan.reserveAccounts(list.length);
    for (let k = 0; k < list.length; k++) this.plan.beginAccount(ids[list[k]] as string, list[k], this.snapshot(list[k]), coinOf(this.layout, list[k]));
    this.adl.remarginDeleveraged();
    const w = this.ledger.waterfall;
    for (let k = 0; k < list.length; k++) {
      this.ledger.startAccount();
      this.steps.coverDeleveraged(list[k]); // a fill capped at its equity never leaves it bankrupt by a rounding
      this.plan.endAccount('deleveraged', '', this.snapshot(list[k], true), 0, 0, w.insuranceFund, -cost[k], w.writtenOff);
    }
  }

  /**
   * The live accounts below MM (liquidatable or bankrupt) in layout order, with their health and id; the live
   * accounts the run could not margin (status error) counted into {@link unmargined}. Accounts the run set aside (a
   * coin-margined account under a USD-only method) are no live accounts: the CLI's note names them (docs/coin-margined.md).
   */
  private breachingAccounts(): { a: number; health: number; id: string }[] {
    const layout = this.layout, ids = layout.accountIds, live = layout.live.array;
    const { status, equityMm, mm } = this.run.accountColumns(); // nothing allocates during the scan
    const breaching: { a: number; health: number; id: string }[] = [];
    const unmargined = this.unmargined;
    for (let a = 0, n = layout.accountCount; a < n; a++) {
      const st = status[a]; // first: most accounts are above MM, and their ids are never read (a round of a cascade scans the book)
      if (st !== STATUS_LIQUIDATABLE && st !== STATUS_BANKRUPT) {
        if (st === STATUS_ERROR && ids[a] !== null && live[a] !== 0) unmargined.note(ids[a] as string);
        continue;
      }
      const id = ids[a];
      if (id !== null && live[a] !== 0) breaching.push({ a, health: healthOf(equityMm[a], mm[a]), id });
    }
    return breaching;
  }

  // ---- one account ------------------------------------------------------------------------------------------

  private liquidateAccount(a: number): void {
    const id = this.layout.accountIds[a] as string;
    this.ledger.touch(a);
    this.effects.startAccount(a);
    this.plan.beginAccount(id, a, this.snapshot(a), coinOf(this.layout, a));
    if (this.ownBacking) fixAllocations(this.layout, this.run, a);
    const buckets = this.breachingBuckets(a);
    const holdings = this.holdings.of(this.layout, a, this.stable, this.run);
    this.chooser.startAccount(a, holdings);
    this.ledger.startAccount();
    let state: LiquidationState = 'being_liquidated';
    let note = '', stuck = false, capped = false; // capped: stopped by maxStepsPerAccount
    for (let n = 0; ; n++) {
      const worst = this.worstBucket(a, buckets);
      if (worst.slack >= -this.trial.tolerance(a)) {
        state = stuck ? 'being_liquidated' : 'resolved';
        break;
      }
      if (n >= this.p.maxStepsPerAccount) {
        [note, capped] = [`stopped after ${n} step${n === 1 ? '' : 's'} (params.liquidation.maxStepsPerAccount)`, true];
        // the run stops acting on it: each position's own deficit is settled as at its close (the rest's below)
        for (const b of buckets ?? []) if (b >= 0) this.steps.settleDeficit(a, -this.run.positionEquity(a, b), b);
        break;
      }
      const next = this.chooser.next(a, holdings, worst.bucket, worst.slack, this.p.maxStepsPerAccount - n);
      if (next !== null) {
        this.plan.addStep(this.steps.execute(a, next.holding, next.quantity, next.fee, next.share));
        continue;
      }
      const why = holdings.every((h) => this.effects.sizeOf(h) === 0) ? 'nothing left to close' : 'no close left that lowers MM and the shortfall';
      if (buckets === null) {
        [note, capped] = this.chooser.sliceCut ? [`stopped after ${n} step${n === 1 ? '' : 's'} (params.liquidation.maxStepsPerAccount): a slice of the account needs more`, true] : [why, false];
        break;
      }
      // isolated margin: this bucket has nothing left to close. Its deficit is settled now (the fund, else written
      // off), so the other buckets go on: a rest of the account that owes never stops its positions' liquidation.
      this.steps.settleDeficit(a, -this.bucketEquity(a, worst.bucket), worst.bucket as number);
      if (this.run.liquidationSlack(a, this.target, worst.bucket) < -this.trial.tolerance(a)) {
        stuck = true;
        note ||= why;
      }
      buckets.splice(buckets.indexOf(worst.bucket as number), 1);
    }
    // a deficit with nothing left to close: the fund covers what it can, the rest is written off as bad debt
    this.steps.settleDeficit(a, -restEquityOf(this.layout, this.run, a));
    // bankrupt: a deficit nobody covered was written off, a settled one or (isolated margin) a position's at its close
    const w = this.ledger.waterfall;
    if (this.ledger.deficitsWrittenOff > 0) {
      state = 'bankrupt';
      note = this.writeOffNote(a, w.writtenOff) + (capped ? `; ${note}` : ''); // the guard's note says why positions are left open
    } else if (state === 'being_liquidated' && !stuck && this.worstBucket(a, buckets).slack >= -this.trial.tolerance(a)) state = 'resolved';
    this.plan.endAccount(state, note, this.snapshot(a, true), w.slippage, w.fees, w.insuranceFund, w.adl, w.writtenOff);
  }

  /**
   * Under isolated margin, what is liquidated: the positions below their own MM when the account's liquidation begins,
   * and the rest of the account (−1) if its collateral, weighted for MM, is below 0; null under a pooled method (the
   * account). A position above its MM is never closed: another position's loss is never its own.
   */
  private breachingBuckets(a: number): number[] | null {
    if (!this.ownBacking) return null;
    const atMm = { kind: 'mm-buffer' as const, buffer: 0 }, tolerance = this.trial.tolerance(a);
    const out: number[] = [], pos = this.layout.positions;
    for (let slot = pos.start.array[a]; slot < pos.end.array[a]; slot++) if (this.run.liquidationSlack(a, atMm, slot) < -tolerance) out.push(slot);
    if (this.run.liquidationSlack(a, atMm, -1) < -tolerance) out.push(-1);
    return out;
  }

  /**
   * What a step works on next, and its slack: the account (bucket undefined) under a pooled method; under isolated
   * margin the bucket of `buckets` (a position's slot, or −1 for the rest of the account) furthest below its target,
   * each liquidated on its own. A scratch record, read before the next call.
   */
  private worstBucket(a: number, buckets: readonly number[] | null): { bucket: number | undefined; slack: number } {
    const worst = this.worst;
    if (buckets === null) {
      worst.bucket = undefined;
      worst.slack = this.run.liquidationSlack(a, this.target);
      return worst;
    }
    let bucket = -1, slack = Infinity;
    for (const b of buckets) {
      const s = this.run.liquidationSlack(a, this.target, b);
      if (s < slack) {
        bucket = b;
        slack = s;
      }
    }
    worst.bucket = bucket;
    worst.slack = slack;
    return worst;
  }

  /** The account's figures now, in a scratch record (read before the next snapshot); none (NaN) in status error, named in the warning. */
  private snapshot(a: number, after = false): SnapshotFigures {
    const c = this.run.accountColumns(), f = this.snapshotFigures;
    const error = (f.status = c.status[a]) === STATUS_ERROR;
    if (error && after) this.unmargined.note(this.layout.accountIds[a] as string);
    f.equity = error ? NaN : c.equity[a];
    f.equityMm = error ? NaN : c.equityMm[a];
    f.mm = error ? NaN : c.mm[a];
    f.equityIm = error ? NaN : c.equityIm[a];
    f.im = error ? NaN : c.im[a];
    f.health = healthOf(f.equityMm, f.mm);
    return f;
  }

  /** The note of account a whose deficit was written off (`amount`: in its margin currency). */
  private writeOffNote(a: number, amount: number): string {
    const text = usdPerUnit(this.layout, this.run.market, a) === 1 ? `${amount.toFixed(2)} USD` : `${amount.toFixed(8)} ${this.layout.marginCurrencyOf(a)}`;
    return `a deficit of ${text} was left uncovered (insurance fund and ADL exhausted) and written off`;
  }

  /** The equity behind a bucket: the account's, a position's own, or the rest of the account's (−1). */
  private bucketEquity(a: number, bucket: number | undefined): number {
    if (bucket === undefined) return this.run.accountColumns().equity[a];
    return bucket >= 0 ? this.run.positionEquity(a, bucket) : restEquityOf(this.layout, this.run, a);
  }
}
