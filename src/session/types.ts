/**
 * The session's vocabulary, apart from the session itself, so that what stands on margin (src/liquidation/) can name
 * a prepared run without importing the session that runs it.
 */
import type { BufferPool } from '../memory/allocators.js';
import type { BackendName } from '../kernels/backend-name.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { RunRetention } from '../model/run-retention.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { AccountMargin, MarginReport, MarginTotals } from '../margin/report.js';
import type { InputProblem, ProblemList } from '../errors.js';
import type { ValidatedMarket } from '../model/types.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { AccountRequirement } from '../margin/what-if.js';
import type { AccountFigureValues } from '../margin/figures.js';

import type { MarginOptions } from '../margin/options.js';

export type { CheckedMethod, MarginOptions, MethodName } from '../margin/options.js';

/** A margin run with its inputs in place: run the kernels, re-margin changed accounts, read the report, release. */
export interface PreparedMarginRun {
  /** Runs the method over every account. */
  run(): void;
  /**
   * Re-margins one account (by id) after its positions or balances were changed in place through
   * `session.layout` (setCollateral, addPosition, removePosition, or a quantity written into its column): its row
   * then has the bits a fresh run on the changed book gives. Call {@link run} once first.
   */
  remargin(accountId: string): void;
  /**
   * Account `accountId`'s margin if `changes` were applied in order (fills, transfers, USD cash, by layout index:
   * src/margin/account-changes.ts), without changing anything: the bits {@link remargin} would give after
   * applying them, plus what binds the requirement. The method's own what-if (MethodRun.trial) when it has one,
   * else apply, remargin, read and undo. Call {@link run} once first. Throws InputError naming the first change
   * whose result overflows.
   */
  whatIf(accountId: string, changes: readonly AccountChange[]): AccountRequirement;
  /** The report of every account, as computed so far. */
  report(): MarginReport;
  /** The report's totals alone (the same bits as `report().totals`), without building a row per account. */
  totals(): MarginTotals;
  /** What validating the inputs let through (the report's `warnings`). */
  readonly inputWarnings: readonly InputProblem[];
  /** One account's row of the report (with breakdown when the run was prepared with it). */
  account(accountId: string): AccountMargin;
  /** The backend the next kernel call runs on. */
  readonly backend: BackendName;
  release(): void;
}

/**
 * The engine's view of a prepared run: what the services above margin (liquidation, stress, live, optimisation) reach
 * by layout index. Not exported from the package: users see {@link PreparedMarginRun}; a service gets this view of a
 * session's run by src/session/prepared-run.ts `engineRun` (a run of another origin is refused there).
 */
export interface EngineRun extends PreparedMarginRun {
  /**
   * The figures of account index `a` as computed so far, without building a report row (for engines that loop):
   * written into `into` when given (no allocation), else into a new object.
   */
  figures(a: number, into?: AccountFigures): AccountFigures;
  /**
   * The run's per-account equity, gross notional and status as views (indexed like {@link figures}), for loops over
   * many accounts; valid until the next allocation in the engine's memory (re-read them after any call that may allocate).
   */
  accountColumns(): RunColumns;
  /** {@link remargin} by account index (the layout's). */
  remarginAt(a: number): void;
  /** {@link remarginAt} of every account in `accounts` (no repeats, any order), the same bits, in one call when the method can. */
  remarginList(accounts: Int32Array): void;
  /**
   * How far account a is above (≥ 0) or below a liquidation target, by the method's rule (pooled: equity for MM −
   * MM·(1 + buffer), or equity for IM − IM; isolated: its worst position).
   */
  liquidationSlack(a: number, target: { kind: 'mm-buffer' | 'im'; buffer: number }, bucket?: number): number;
  /** The equity backing position slot `slot` of account a (pooled: the account's equity; isolated: the position's). */
  positionEquity(a: number, slot: number): number;
  /** The collateral allocated to position slot `slot` of account a (USD), when the method allocates it; else NaN. */
  positionAllocation(a: number, slot: number): number;
  /** True when each position has its own equity (the method's `allocatesCollateral`: isolated margin). */
  readonly positionsOwnEquity: boolean;
  /**
   * False when account a's balance of `asset` (layout indices) cannot be sold within the liquidation horizon: held where
   * it counts nothing for MM (collateral by location: frozen, or too late under `exclude-mm`). True without locations.
   */
  collateralSellable(a: number, asset: number): boolean;
  /** The applied market's columns. */
  readonly market: MarketLayout;
  /** Instrument i's value per unit of its underlying (USD): its mark; options at their quote or model value. */
  instrumentValue(i: number): number;
}

/** The figures a run reads of an account (src/margin/figures.ts): its equities, IM, MM and gross notional. */
type RunFigure = 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm' | 'grossNotional';

/** Every account's figures as column views (indexed by account), as {@link EngineRun.accountColumns} gives them. */
export interface RunColumns extends Record<RunFigure, Float64Array> {
  status: Uint8Array;
}

/** One account's numbers (USD; src/margin/figures.ts) and status code (src/kernels/status-codes.ts). */
export interface AccountFigures extends Pick<AccountFigureValues, RunFigure> {
  status: number;
}

/** What prepares margin runs on a laid-out book: a MarginSession. */
export interface MarginRunner {
  readonly layout: BookLayout;
  /** Where the newest runs are kept between calls (src/model/run-retention.ts). */
  readonly retention: RunRetention;
  /**
   * The JS heap a run above the session (a liquidation) lends its run-long arrays from (src/memory/array-lease.ts):
   * a cascade's rounds write the same memory instead of leaving megabytes a round to the garbage collector. None: plain
   * new arrays.
   */
  readonly heap?: BufferPool | undefined;
  prepare(market: ValidatedMarket | unknown, options?: MarginOptions): PreparedMarginRun;
}

/**
 * A params section read by a service above the session (liquidation, stress): its name in the params file and its
 * check, run on every params file the session validates (a mistake in it is a mistake in the file).
 */
export interface ParamSection {
  readonly name: string;
  check(json: unknown, problems: ProblemList): void;
}
