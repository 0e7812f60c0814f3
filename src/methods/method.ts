/**
 * The seam every margin method plugs into. A method says how much collateral each account's positions need
 * (IM and MM) on a book laid out once in columns (src/layout/) and a market snapshot; the session
 * (src/session/session.ts), the engine, and everything built on margin (what-if, liquidation, stress) call a
 * method only through this interface, so they work for every method, present and future.
 *
 * Life cycle, per (book, market, params):
 *
 *     params = method.validateParams(json.params?.[method.section])   // defaults merged, InputError with paths
 *     run    = method.prepare(context, params)                         // build what the method needs (scenarios…)
 *     run.run()                                                        // IM, MM, status of every account
 *     run.remargin(a)                                                  // …of account a alone, after it changed
 *     run.trial?.withChanges(a, changes)                               // …of account a if changes were applied (no state changes)
 *     run.live?.marketMoved(move)                                      // bring the run up to a market changed in place
 *     run.explain(row, a)                                              // the method's part of a report row
 *     run.release()
 *
 * Equity is shared by every method: the rule-based kernel computes it (collateral with tiered haircuts plus the
 * positions' mark-to-market) with {@link MethodContext.ruleBased}, which a method calls first in `run` and
 * `remargin`; a method with its own requirements then overwrites IM and MM and re-derives the status
 * ({@link MethodContext.restatus}).
 *
 * Adding a method: a folder `src/methods/<name>/` with an `index.ts` exporting a {@link MarginMethodPlugin} (its
 * schema fragment and, optionally, its dynamic-margin hook included; and a `declare module '../../margin/report.js'`
 * block adding its name and params type to `MarginMethods`), and one line in src/methods/registry.ts; or, outside
 * the library, `createEngine({ methods: [...BUILT_IN_METHODS, yours] })`. docs/adding-a-method.md walks through one.
 */
import type { MarginKernels } from '../kernels/backend.js';
import type { MarginColumns } from '../kernels/js/margin.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { AccountRequirement } from '../margin/what-if.js';
import type { AccountFigureValues } from '../margin/figures.js';
import type { RequirementModel } from '../margin/requirement-model.js';

export type { AccountChange, FillChange, TransferChange, CashChange } from '../margin/account-changes.js';
export type { AccountRequirement, Binding } from '../margin/what-if.js';
export type { RequirementModel, ConvexTerm, RequirementBound, NormPart, NormVector } from '../margin/requirement-model.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { MethodReporting } from '../margin/build-report.js';
import type { MarginOutputs } from '../margin/outputs.js';
import type { ParamLayout } from '../margin/param-layout.js';
import type { BufferPool } from '../memory/allocators.js';
import type { ColumnAllocator } from '../memory/columns.js';
import type { ProblemList } from '../errors.js';
import type { ValidatedMarket } from '../model/types.js';
import type { MethodSchema } from './method-schema.js';
import type { DynamicMarginHook } from '../dynamic/method-hook.js';
import type { AssetKeys } from '../model/asset-keys.js';

export type { JsonSchema, MethodSchema } from './method-schema.js';
export type { DynamicMarginHook, ForecastInput, Calibration } from '../dynamic/method-hook.js';

/** A margin method: its name, its parameters, and how it prepares a run. `P`: its validated parameters. */
export interface MarginMethodPlugin<P = unknown> {
  /** The name users select it by: `{ method: name }`, `--method name`, and the report's `method`. */
  readonly name: string;
  /** One line for listings and help, e.g. `SPAN-style scenario grid: worst loss over spot × vol shocks`. */
  readonly description: string;
  /** The section of the params JSON it reads (`params[section]`), or null when it has none of its own. */
  readonly section: string | null;
  /**
   * True when the method shares an account's collateral among its positions itself (isolated margin): the account
   * has no single equity to adjust or top up, so collateral by location (src/locations/), pooling a master's
   * subaccounts and a master's backstop (src/subaccounts/) refuse it. Default false.
   */
  readonly allocatesCollateral?: boolean | undefined;
  /**
   * True when the method margins an account in its margin currency (an asset: docs/coin-margined.md), valuing
   * instruments settled in it in that asset. Default false: the session refuses a coin-margined account with its path.
   */
  readonly coinMargin?: boolean | undefined;
  /**
   * Its section of the params JSON (undefined when absent) merged over its defaults. Every problem goes to
   * `problems` with a path under `params.<section>` (unknown fields through the list's field checks, so that the
   * lenient option turns them into warnings); throwing an InputError works too. The session throws them all at once.
   */
  validateParams(section: unknown, problems: ProblemList): P;
  /**
   * Where its params section names assets (src/model/asset-keys.ts): each name the market does not price is refused
   * at its path when a run is prepared, as an unknown field is (a misspelt key would leave the asset on the default
   * rule), unless one of the engine's profiles gives the same name there. Absent: its section names no asset.
   */
  readonly assetKeys?: AssetKeys | undefined;
  /** Builds a run on a laid-out book and applied market; the instruments are already valued (`context.out.value`). */
  prepare(context: MethodContext, params: P): MethodRun;
  /**
   * Optional, for runs split across workers (src/scale/): a cheap look at the raw params section (before validation)
   * and the book's instrument count, saying whether runs have an {@link ScaleCapability.instrumentTable} worth computing once
   * for all shards (splitting costs the workers one more round trip per run). A wrong answer costs time, never bits: a
   * run without a table answers the request with none, a shard given no table computes it whole.
   */
  splitsInstrumentWork?(section: unknown, instruments: number): boolean;
  /**
   * What its default parameters are calibrated to, with the public source they follow: shown beside every efficiency
   * figure (`margin-core compare`, the demo, the page), since at the defaults "capital freed" compares calibrations as
   * much as methods. Absent: "not recorded (a method of your own)".
   */
  readonly calibration?: MethodCalibration | undefined;
  /**
   * Its part of the published JSON Schemas: its params section and its part of a report row with breakdown. Required
   * to generate schemas for a registry whose method has a section or explains (src/schemas/generate.ts).
   */
  readonly schema?: MethodSchema | undefined;
  /**
   * Optional: how its parameters follow a volatility forecast (dynamic margin, src/session/calibrate.ts) and the MM
   * rate the backtest's circuit breaker measures moves against. Without it, `params.dynamic.methods` and backtests
   * refuse the method.
   */
  readonly dynamic?: DynamicMarginHook<P> | undefined;
  /**
   * What it needs registered beside it (Fastify's plug-in dependencies): the registry refuses it, with a
   * MethodRegistrationError naming it and what is missing, unless each is provided. Absent: nothing.
   */
  readonly needs?: MethodNeeds | undefined;
  /** Capabilities it provides to methods registered after it (names, as {@link MethodNeeds.capabilities}). */
  readonly provides?: readonly string[] | undefined;
}

/**
 * What a method needs from the registry it is registered in: checked when the registry is built, which refuses a
 * method whose needs no method registered before it, nor the shared engines (src/methods/engines/), provide.
 */
export interface MethodNeeds {
  /** Methods that must be registered before it, by name. */
  readonly methods?: readonly string[] | undefined;
  /** Capabilities: a shared engine's name (`rule-based`, `scenario-grid`) or what a method registered before it `provides`. */
  readonly capabilities?: readonly string[] | undefined;
}

/** What a method's defaults target, and where the rule and its numbers come from. */
export interface MethodCalibration {
  /** What the defaults target, in a phrase. */
  readonly target: string;
  /** Where the rule and its numbers come from. */
  readonly source: string;
}

/** Rows [from, to) of a run's instrument table ({@link InstrumentTable}), row-major, `width` f64 per row. */
export interface TablePart {
  from: number;
  to: number;
  data: Float64Array;
}

/**
 * The per-instrument work of a run as a table of f64 rows that every shard of a book computes alike (a shard holds
 * all the book's instruments and assets, in book order: src/scale/shard-book.ts). Workers each compute a slice of the
 * rows once per run and exchange them (src/scale/sharded-book.ts), instead of every shard computing every row.
 */
export interface InstrumentTable {
  readonly rows: number;
  readonly width: number;
  /** Rows [from, to) into `into` ((to − from) × width), with the bits {@link MethodRun.run} computes them with. */
  compute(from: number, to: number, into: Float64Array): void;
  /** The next run reads the table from `parts` (together every row, each once) instead of computing it. */
  supply(parts: readonly TablePart[]): void;
}

/**
 * A method prepared on one (book, market, params): runs, re-margins, explains. The core (run, remargin, release and
 * the reporting members) is required; everything else is an optional capability group, each an object made once at
 * prepare: {@link trial} (what-if: figures of one account under changed holdings), {@link liquidation}, {@link live},
 * {@link optimize}, {@link pools} and {@link scale}. A method without a group gets the session's default where one
 * exists (src/session/prepared-run.ts, src/session/trial.ts), or is refused by the engine that needs it (optimize).
 */
export interface MethodRun extends MethodReporting {
  /** Writes equity (via the rule-based kernel), IM, MM and status of every live account into `context.out`. */
  run(): void;
  /**
   * The same for account a alone, after its positions or balances changed in place in the layout (quantities,
   * positions added or removed on the book's instruments, balances set): the result has the bits a full run on the
   * changed book would give. Requires a {@link run} on this market first. Accounts or instruments added to the
   * layout after {@link MarginMethodPlugin.prepare} need a new prepare.
   */
  remargin(a: number): void;
  /** Frees what the run allocated in the kernels' memory. */
  release(): void;
  /**
   * Optional: the method's own what-if ({@link MethodTrial}). Without it the session answers every what-if by writing
   * the change into the layout, re-margining, reading and putting the account back: the same bits, at the cost of
   * two re-margins.
   */
  readonly trial?: MethodTrial | undefined;
  /** Optional: what liquidation (src/liquidation/) asks beyond the pooled default. */
  readonly liquidation?: LiquidationCapability | undefined;
  /** Optional: bringing the run up to a market moved in place (src/live/). Without it the session prepares again. */
  readonly live?: LiveCapability | undefined;
  /** Optional: the requirement as a convex model (src/optimize/). Without it the method cannot be optimised. */
  readonly optimize?: OptimizeCapability | undefined;
  /** Optional: margin of accounts in no layout (masters' pools, src/subaccounts/). Without it a pool is margined as a book. */
  readonly pools?: PoolsCapability | undefined;
  /** Optional: work shared by the shards of a book split across workers (src/scale/). */
  readonly scale?: ScaleCapability | undefined;
}

/**
 * A method's what-if on its run, in the spirit of a health cache: per-account terms the method keeps (built on
 * first use, dropped by run, remargin and marketMoved), adjusted by a change and asked for figures, and searched
 * for a maximum (pre-trade: {@link sizeBreakpoints}). Every answer has the bits {@link MethodRun.remargin} gives
 * after writing the change, without changing the run or the layout. Callers reach it through the session's
 * `AccountTrial` (src/session/trial.ts), which fills in what a method leaves out, so that no caller asks which
 * members exist. Results may be records the next call rewrites: read them before calling again.
 */
export interface MethodTrial {
  /**
   * Account a's margin if `changes` (fills, transfers, USD cash; src/margin/account-changes.ts) were applied, in
   * order: the bits {@link MethodRun.remargin} gives after applying them to the layout, which are the bits of a fresh
   * run on the changed book; also says what binds the requirement. Updated per change in O(scenarios) or O(factors)
   * where that reproduces the kernel's summation order, the affected group recomputed in kernel order where it does
   * not. Requires a {@link MethodRun.run} on this market. Throws RangeError for a change the netting rule refuses
   * (non-finite result); callers validate first.
   */
  withChanges(a: number, changes: readonly AccountChange[]): AccountRequirement;
  /**
   * Optional: account a's terms as a value ({@link AccountTerms}, src/methods/account-terms.ts) made from `holdings`
   * (copied: every position, allocation, balance and the cash), adjusted by changes and asked for figures without
   * touching the run (liquidation sizes its closes on them). `reuse`: terms the caller gives up, which the method may
   * make again in place (no allocation per liquidation step). Default: the session's terms, which write the holdings
   * into the layout, re-margin and read (the account put back when the caller's trials end).
   */
  terms?(a: number, holdings: AccountHoldings, reuse?: AccountTerms): AccountTerms;
  /**
   * Optional: order sizes (contracts, > 0, ascending) at which account a's IM and MM, as functions of the size s of an
   * order on instrument row `instrument` in direction `direction` (+1 buy, −1 sell), change slope: between two of them
   * (and beyond the last) they are linear in s. A pre-trade check then finds the largest acceptable size exactly, by
   * evaluating the ends of each piece; without it, it bisects (src/live/check.ts). Liquidation's sizing reads them once
   * per account, as sizes of a position, and searches each piece apart (src/liquidation/smallest-root.ts).
   */
  sizeBreakpoints?(a: number, instrument: number, direction: 1 | -1): number[];
}

/** What liquidation asks of a method beyond the pooled default (src/session/prepared-run.ts). */
export interface LiquidationCapability {
  /**
   * Optional: {@link MethodRun.remargin} of every account in `accounts` (no repeats, any order), with the same bits
   * as one remargin each, in one call (liquidation's deleveraged accounts). Default: one remargin each.
   */
  remarginList?(accounts: Int32Array): void;
  /**
   * Optional: how far account a is above (≥ 0) or below the target — equity for MM − MM·(1 + buffer), or equity for
   * IM − IM — by the method's own rule, when it is not the pooled one (isolated margin: the worst of its positions,
   * each against its own allocation and requirement, and of the rest of the account, its unallocated collateral and
   * cash against no requirement). `bucket`, for a method whose positions own their equity: the slack of position slot
   * `bucket` alone, or of the rest of the account (−1). It must agree with liquidation's slack of the method's
   * per-position trial figures (src/liquidation/trial.ts slackOf).
   */
  slack?(a: number, target: LiquidationTargetSpec, bucket?: number): number;
  /**
   * Optional: the equity backing position slot `slot` of account a, when not the account's pooled equity (isolated
   * margin: the position's allocation plus its P&L): the equity its bankruptcy price sets to 0.
   */
  positionEquity?(a: number, slot: number): number;
  /**
   * Optional, with {@link positionEquity}: the collateral allocated to position slot `slot` of account a (USD), for
   * liquidation to fix it while the position is liquidated (isolated margin: its explicit or pro-rata allocation).
   */
  positionAllocation?(a: number, slot: number): number;
}

/** How a run follows a market changed in place (src/live/live-session.ts). */
export interface LiveCapability {
  /**
   * The market moved in place for some underlyings: the session has rewritten the market columns of
   * `move.assets` and `move.instruments` and re-valued those instruments (`out.value`) and their rule-based
   * instrument terms. Bring the run's own state up to date and re-margin at least `move.accounts` (every
   * account holding a position on or a balance of a moved asset), writing IM, MM and status as {@link MethodRun.run}
   * would on the new market. The session's default (no live group): prepare the method again and run it.
   */
  marketMoved(move: MarketMove): void;
  /**
   * True when {@link marketMoved} re-margins every account because any account's figures may depend on what moved (VaR:
   * Σ and its factor span every asset, so a vol tick redraws every account's Monte Carlo scenarios; Derive: one
   * table over every option): the session then looks for status changes among all accounts, not only `move.accounts`.
   */
  readonly everyAccount?: boolean | undefined;
}

/** Margin optimisation's view of a method (src/optimize/). */
export interface OptimizeCapability {
  /**
   * Account a's IM (`which` = 'im') or MM as a convex function of quantity changes x_h (contracts) on instrument rows
   * `instruments[h]` (src/margin/requirement-model.ts), at the run's market: exact where the method is piecewise linear
   * or conic in quantities, so a linear-programming solver can find the cheapest hedge. Throws InputError (with the
   * params path) when the method's configuration has no such form (e.g. Monte Carlo VaR). Requires a {@link MethodRun.run}.
   */
  requirementModel(a: number, instruments: Int32Array, which: 'im' | 'mm'): RequirementModel;
}

/** Margin of masters' pools from the standalone run (src/subaccounts/). */
export interface PoolsCapability {
  /**
   * The figures of accounts holding `unions` (masters' pools under the `cross` policy, src/subaccounts/union.ts:
   * positions on the book's instrument rows, balances on its assets, USD cash), one per union, at the run's market,
   * with the bits a run on a book holding those accounts gives, and without changing the run or the layout; or
   * undefined when the method's configuration cannot (the caller then margins a pooled book). Requires a
   * {@link MethodRun.run}. The method computes each union's requirement from what is additive in the members'
   * holdings (rule-based: net quantity per instrument; portfolio: scenario P&L per underlying; delta-normal VaR:
   * dollar deltas) instead of a second margin run on a pooled book.
   */
  unionMargin(unions: readonly UnionHoldings[]): HoldingsMargin[] | undefined;
}

/** What runs split across workers share (src/scale/). */
export interface ScaleCapability {
  /** The run's per-instrument work ({@link InstrumentTable}), when it has any. */
  readonly instrumentTable?: InstrumentTable | undefined;
}

/**
 * An account that exists in no layout: positions (instrument row, signed contracts, entry in USD per unit), balances
 * (asset index, units), settled cash (USD). Positions are netted: one per instrument row.
 */
export interface UnionHoldings {
  readonly instrument: Int32Array;
  readonly quantity: Float64Array;
  readonly entryPrice: Float64Array;
  readonly asset: Int32Array;
  readonly amount: Float64Array;
  readonly cashUsd: number;
}

/** What a tick changed ({@link LiveCapability.marketMoved}). Indices into the layout. */
export interface MarketMove {
  /** Assets whose price, vol, rate or carry changed, ascending. */
  readonly assets: Int32Array;
  /** Assets whose vol changed (a subset of {@link assets}). */
  readonly volAssets: Int32Array;
  /** Instruments whose value or terms changed (on or settled in a moved asset, re-marked, or with a new implied vol), ascending. */
  readonly instruments: Int32Array;
  /** Live accounts exposed to the move (a position on a moved instrument or asset, or a balance of a moved asset). */
  readonly accounts: Int32Array;
}

/** One account's holdings, in its layout order: position quantities and isolated allocations, balances, USD cash. */
export interface AccountHoldings {
  quantity: Float64Array;
  /** USD per position; NaN: allocated pro rata (isolated margin). */
  isolatedMargin: Float64Array;
  amount: Float64Array;
  cashUsd: number;
}

/** An account's figures from its holdings ({@link AccountTerms.figures}, {@link PoolsCapability.unionMargin}), with per-position isolated figures when the method has them. */
export interface HoldingsMargin extends Pick<AccountFigureValues, 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm' | 'grossNotional'> {
  status: number;
  positions?: { allocated: Float64Array; markToMarket: Float64Array; im: Float64Array; mm: Float64Array } | undefined;
}

/**
 * One holding of the account set (liquidation's close): position slot `local` (layout order) at `size` contracts, or
 * balance slot `local` at `size` units, and the USD cash at `cashUsd`. A record the caller may reuse between calls.
 */
export interface HoldingChange {
  kind: 'position' | 'balance';
  local: number;
  size: number;
  cashUsd: number;
  /** A position's isolated allocation (USD; NaN: pro rata); undefined: as held. A cross method's terms read none. */
  isolatedMargin: number | undefined;
}

/**
 * Account terms as a value (src/methods/account-terms.ts): one account's figures as a function of its holdings, from
 * the holdings they were made from. Every figure has the bits MethodRun.remargin gives after writing the same holdings
 * into the layout.
 */
export interface AccountTerms {
  /** The account (row in the layout) the terms are of. */
  readonly account: number;
  /**
   * Changes the terms in place: one holding and the cash set (a {@link HoldingChange}: liquidation's close), or a fill,
   * transfer or USD cash change applied by the book's change rule (src/margin/account-changes.ts) to what the account
   * holds. RangeError for a change the rule refuses, or one these terms cannot take (a fill or transfer opening a
   * position or balance; terms that margin whole holdings take no fill or transfer, which carry entries and assets
   * their holdings do not): ask {@link MethodTrial.withChanges} then.
   */
  apply(change: HoldingChange | AccountChange): this;
  /**
   * The figures of the holdings held now, written into `into` (a new record by default): the caller's to keep, with
   * per-position figures when the method allocates collateral to positions.
   */
  figures(into?: HoldingsMargin): HoldingsMargin;
  /**
   * `fork().apply(change).figures(into)` without the fork: the figures if one holding changed, these terms unchanged
   * (what liquidation asks per trial; a method answers it in what the change costs, e.g. one slot's terms re-added).
   */
  figuresWith(change: HoldingChange, into?: HoldingsMargin): HoldingsMargin;
  /**
   * Order sizes (contracts, > 0, ascending) on instrument row `instrument` in direction `side` (+1 buy, −1 sell) where
   * IM and MM change slope, as held when the terms were made (MethodTrial.sizeBreakpoints); undefined when the method
   * does not say (searched as one piece).
   */
  breakpoints(instrument: number, side: 1 | -1): readonly number[] | undefined;
  /** An independent copy: applying to either leaves the other as it was. */
  fork(): AccountTerms;
  /**
   * Optional: true when each position's requirement grows with its size and the account's is their sum (rule-based
   * pooled terms), so closing part of a position never raises it and the slack before the close's costs does not
   * fall as more is closed. Liquidation's root search then proves pieces empty from the costs at their ends
   * (src/liquidation/smallest-root.ts pieceBound).
   */
  readonly requirementGrowsWithSize?: boolean | undefined;
  /**
   * Optional: drops what the terms read of their run, so that a caller may keep them to be made again by a later run's
   * `MethodTrial.terms` (liquidation keeps its last terms between runs: their arrays made anew cost microseconds a call).
   * Terms without it are not kept past their run.
   */
  forget?(): void;
}

/** The level a liquidation restores: maintenance margin with a buffer, or initial margin. */
export interface LiquidationTargetSpec {
  kind: 'mm-buffer' | 'im';
  buffer: number;
}

/** What a method works on. Views of columns must be re-read after any allocation (memory growth detaches them). */
export interface MethodContext {
  readonly layout: BookLayout;
  readonly market: MarketLayout;
  /** The market snapshot as validated (e.g. whether its correlation matrix is positive semidefinite). */
  readonly snapshot: ValidatedMarket;
  /** The rule-based parameters laid out for the kernel (linear and option schedules, collateral haircuts). */
  readonly rules: ParamLayout;
  /** The run's output columns (src/margin/outputs.ts); read them through this object, they may be replaced by larger ones. */
  readonly out: MarginOutputs;
  /** The memory the kernels work in, for the method's own columns. */
  readonly allocator: ColumnAllocator;
  /**
   * The engine's JS heap (src/memory/allocators.ts HeapAllocator), for arrays the method uses in JS during one run: lend
   * them through an ArrayLease (src/memory/array-lease.ts) released with the run, and the next run writes the same memory.
   */
  readonly heap: BufferPool;
  /** True when the report will have breakdown rows: keep what explains need. */
  readonly breakdown: boolean;
  /** The kernels for the next call (after a WASM trap they are the JS twins: same bits). */
  kernels(): MarginKernels;
  /**
   * The rule-based kernel: equity, haircut equities, gross notional, collateral value, and rule-based IM, MM and
   * status, of every account (`accounts` omitted: instrument terms first), of accounts [first, last), or of the
   * accounts in `list` (any order, no repeats).
   * `flags`: RULE_ISOLATED, RULE_KEEP_POSITIONS (src/kernels/backend.ts); breakdown rows are kept when
   * {@link breakdown} whatever the flags say. The per-position columns of {@link out} are allocated by the first call
   * that keeps positions (either flag, or breakdown) and are empty before it.
   */
  ruleBased(flags: number, accounts?: { first: number; last: number } | { list: Int32Array }): void;
  /** Status of accounts [first, last) from the equities and the IM and MM a method wrote (default: all). */
  restatus(first?: number, last?: number): void;
  /** Status of the accounts in `list` (any order), as {@link restatus}. */
  restatusList(list: Int32Array): void;
  /**
   * The location adjustment {@link ruleBased} applies after the kernel (src/locations/adjust.ts), of account a on
   * columns `c` a caller margined it into with prices of its own (the liquidation-price search): its equities for IM
   * and MM less what its located balances lose there. Undefined when no balance of the book has a location.
   */
  adjustLocations?: ((a: number, c: MarginColumns) => void) | undefined;
}
