import { checkLayoutOptions } from './layout/layout-options.js';
import type { GreeksInput, GreeksOutput } from './model/greeks-types.js';
import { compileKernels, type WasmFlavour } from './kernels/wasm/binary.js';
import type { WasmKernels } from './kernels/wasm/instance.js';
import type { GreeksBatch } from './greeks/batch.js';
import { GreeksCalls } from './greeks/run.js';
import { consoleWarning, loadKernels } from './kernels/wasm/load.js';
import { checkEngineOptions, type EngineOptions, MAX_WORKERS } from './engine-options.js';
import { WasmSlot } from './kernels/wasm/slot.js';
import { HeapAllocator } from './memory/allocators.js';
import { type LayoutOptions, ONE_SHOT_LAYOUT } from './layout/book-layout.js';
import { type BackendName, type MarginKernels, marginKernels } from './kernels/backend.js';
import { type MarginOptions, MarginSession } from './session/session.js';
import { LIVE_OPTION_KINDS, type LiveOptions, openLive } from './live/open-live.js';
import { liquidateSession } from './liquidation/liquidate-session.js';
import { checkLiquidationParams } from './liquidation/validate.js';
import { checkStressParams } from './stress/validate.js';
import type { ParamSection } from './session/types.js';
import type { CheckedMethod, MethodName } from './session/types.js';
import { LIQUIDATE_OPTION_KINDS, type LiquidateOptions } from './liquidation/engine.js';
import type { LiquidationReport } from './liquidation/report.js';
import type { LiveSession } from './live/live-session.js';
import type { StressReport } from './stress/report.js';
import { STRESS_OPTION_KINDS, type StressOptions, stress } from './stress/stress.js';
import type { MarginReport } from './margin/report.js';
import { validateBook, validateInputs, validateMarket, type ValidationOptions } from './model/validate.js';
import { isValidatedBook, isValidatedMarket } from './model/brand.js';
import type { ValidatedBook, ValidatedMarket } from './model/types.js';
import { COMPARE_OPTION_KINDS, type CompareOptions, compareMethods, type MethodComparison } from './session/compare.js';
import { engineRun, type PreparedRun } from './session/prepared-run.js';
import { loadSolver, type SolverLoadOptions } from './optimize/solver.js';
import type { RestoreOptions, RestoreResult } from './optimize/restore.js';
import { optimizeSession } from './optimize/optimize-session.js';
import { capitalEfficiency, type CapitalEfficiencyReport, EFFICIENCY_OPTION_KINDS, type EfficiencyOptions } from './optimize/efficiency.js';
import { BUILT_IN_METHODS, BUILT_IN_REGISTRY, MethodRegistry } from './methods/registry.js';
import { LocalTransport } from './scale/local-transport.js';
import { ShardedBook, type ShardLayOut } from './scale/sharded-book.js';
import { describeValue, InputError } from './errors.js';
import { isRecord, notObjectMessage } from './model/checks.js';
import { refuseUnknownMethods } from './subaccounts/methods.js';
import type { ShardTransport } from './scale/transport.js';
import { applyProfile, type MethodologyProfile } from './profiles/profile.js';
import { BUILT_IN_PROFILES } from './profiles/registry.js';
import { FORECAST_OPTION_KINDS, type ForecastOptions, forecastVol, type VolForecast } from './dynamic/forecast.js';
import { historyOf } from './dynamic/history.js';
import { backtest, BACKTEST_OPTION_KINDS, type BacktestOptions, type BacktestReport } from './backtest/backtest.js';
import { pooledUnderCross, stressBook } from './subaccounts/stress-book.js';
import type { AllocationProblem, AllocationResult } from './subaccounts/allocate.js';
import { allocateKeepingMaster } from './subaccounts/allocate-keeping-master.js';
import { accountsWithTransfers, allocateOnRemargin, exactSources, groupAfter, type RemarginedAllocation } from './subaccounts/allocation-remargined.js';
import { masterAllocationProblem } from './subaccounts/allocate-master.js';
import { validateLocationParams } from './locations/params.js';
import { validateSubaccountParams } from './subaccounts/params.js';
import { subBook } from './model/sub-book.js';
import { RunRetention } from './model/run-retention.js';
import { loadHighs } from './subaccounts/highs.js';
import { inNode } from './runtime.js';
import { checkOptions } from './model/options-check.js';
import { MARGIN_OPTION_KINDS } from './margin/options.js';
import { OPTIMIZE_OPTION_KINDS, type OptimizeOptions } from './optimize/optimize-options.js';

/** {@link Engine.allocateCollateral}'s answer: the allocation and the problem it solved (sources, free collateral). */
export interface CollateralAllocation extends RemarginedAllocation {
  master: string;
  problem: AllocationProblem;
}

/** The params sections of the services the engine composes over its sessions, checked with every params file. */
const SERVICE_SECTIONS: readonly ParamSection[] = [
  { name: 'liquidation', check: checkLiquidationParams },
  { name: 'stress', check: (json, problems) => checkStressParams(json, 'params.stress', problems) },
];

export type { BackendName, OptimizeOptions };

export type { EngineOptions };

export { MAX_WASM_RECOVERIES } from './kernels/wasm/slot.js';

/** Each engine's method registry, for the functions of this module outside the class (it is not part of the API). */
const registries = new WeakMap<Engine, MethodRegistry>();

/**
 * The façade: validates inputs, runs the kernels on the chosen backend, and keeps serving when
 * WASM fails (a trap discards the instance; the call is answered by the JS twin, bit-identical).
 */
export class Engine {
  /**
   * The JS backend's column memory, shared by the engine's sessions as the WASM arena is (released columns reused); on
   * either backend, the heap the methods lend their run-long JS arrays from (MethodContext.heap).
   */
  private readonly heap = new HeapAllocator();
  /** The WASM instance serving calls, dropped and reloaded after a trap (src/kernels/wasm/slot.ts). */
  private readonly slot: WasmSlot;
  private readonly greeksCalls: GreeksCalls;
  private readonly registry: MethodRegistry;
  /** The methodology profiles this engine knows, by name (src/profiles/). */
  readonly profiles: readonly MethodologyProfile[];

  /** The newest runs of this engine's sessions, kept between calls until the next or {@link close}. */
  private readonly retention = new RunRetention();

  /** Where {@link openShardedBook} runs shards: worker threads (`workers` > 1), else this thread. */
  private readonly transport: ShardTransport;

  /** Prefer {@link createEngine}; this constructor is for callers that already hold an instance. */
  constructor(wasm: WasmKernels | undefined, options: EngineOptions & { fallbackReason?: string | undefined; transport?: ShardTransport | undefined } = {}) {
    this.slot = new WasmSlot(wasm, options.onWarning ?? consoleWarning, options.fallbackReason);
    this.greeksCalls = new GreeksCalls(this.slot);
    this.transport = options.transport ?? new LocalTransport(this);
    this.registry = new MethodRegistry(options.methods ?? BUILT_IN_METHODS);
    registries.set(this, this.registry);
    this.profiles = options.profiles ?? BUILT_IN_PROFILES;
  }

  /** The instance serving calls now (undefined: the JS twins). */
  private get wasm(): WasmKernels | undefined {
    return this.slot.current;
  }

  /** The backend that will serve the next call. */
  get backend(): BackendName {
    if (!this.wasm) return 'js';
    return this.wasm.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar';
  }

  /** Workers (threads or Web Workers) serving {@link openShardedBook} (1: this thread). */
  get workers(): number {
    return this.transport.name === 'local' ? 1 : this.transport.shards;
  }

  /**
   * Cuts a book into shards by a stable hash of the account id and has each worker (thread) lay its shard out once;
   * the returned book's `margin` and `compareMethods` then run on every worker at once and return the report of
   * {@link margin} to the bit, accounts in book order. Monte Carlo stress paths and the reverse search's probes are
   * split across the workers; `liquidate` and each stress cascade run on this thread (cross-account), with the same reports.
   * `transport` runs the shards elsewhere instead of on this engine's workers (src/scale/redis/transport.ts).
   * `options.layOut: 'first-margin'` leaves laying the shards out to the first `margin` or `compareMethods` call (a book
   * opened for stress tests alone never needs them).
   */
  async openShardedBook(book: ValidatedBook | unknown, transport: ShardTransport = this.transport, options: { layOut?: ShardLayOut | undefined } = {}): Promise<ShardedBook> {
    // a caller without types may pass the options second: say so, rather than fail deep in the partitioning
    if (!isTransport(transport)) throw new InputError([{ path: 'transport', message: 'expected a shard transport (src/scale/transport.ts) or undefined for this engine\'s workers; the options go third: openShardedBook(book, undefined, { layOut })' }]);
    checkOptions(options, { layOut: 'any' }); // a misspelt key (`layout`) had left the default with no sign
    const layOut = options.layOut ?? 'at-open';
    if (layOut !== 'at-open' && layOut !== 'first-margin') throw new InputError([{ path: 'options.layOut', message: `expected "at-open" or "first-margin", got ${JSON.stringify(layOut)}` }]);
    const valid = isValidatedBook(book) ? book : validateBook(book);
    const registry = this.registry;
    refuseUnknownMethods(valid, registry.names); // at open, as a service loads its book: not at its first call
    return ShardedBook.open(transport, {
      profiles: this.profiles,
      methods: this.methods,
      margin: (b, market, options) => this.margin(b, market, options),
      compareMethods: (b, market, options) => this.compareMethods(b, market, options),
      liquidate: (b, market, options) => this.liquidate(b, market, options),
      stress: (b, market, shock, options) => this.stress(b, market, shock, options),
      registry,
      defaultMethod: registry.defaultName,
      // workers run the built-in plug-ins: a method of the caller's (or a replaced built-in) runs here
      runsOnWorkers: (method) => registry.get(method) !== undefined && registry.get(method) === BUILT_IN_REGISTRY.get(method),
      splitsInstrumentWork: (method, params, instruments) => {
        const plugin = registry.get(method);
        const section = plugin?.section != null && typeof params === 'object' && params !== null ? (params as Record<string, unknown>)[plugin.section] : undefined;
        return plugin?.splitsInstrumentWork?.(section, instruments) === true;
      },
    }, valid, undefined, layOut);
  }

  /** Stops the workers (if any). The engine still serves single-threaded calls afterwards. */
  async close(): Promise<void> {
    this.retention.clear();
    await this.transport.close();
  }

  /** The transport of {@link openShardedBook} (tests reach the thread pool's hooks through it). */
  get shardTransport(): ShardTransport {
    return this.transport;
  }

  /** The names of the margin methods this engine runs, in report order. */
  get methods(): readonly string[] {
    return this.registry.names;
  }

  /** True when the SIMD build serves calls. */
  get simd(): boolean {
    return this.wasm?.flavour === 'simd';
  }

  /** Why the engine runs on JS when WASM was wanted (undefined when it runs as requested). */
  get fallbackReason(): string | undefined {
    return this.slot.reason;
  }

  /** Prices a batch of European options; returns new arrays. Throws InputError on bad input. */
  greeks(input: GreeksInput): GreeksOutput {
    return this.greeksCalls.greeks(input);
  }

  /**
   * Like {@link greeks} but writes into caller-provided arrays (no allocation); returns `out`.
   * Values are checked chunk by chunk as they are priced, so when it throws InputError, `out` may
   * already hold results for options before the first bad one.
   */
  greeksInto(input: GreeksInput, out: GreeksOutput): GreeksOutput {
    return this.greeksCalls.greeksInto(input, out);
  }

  /**
   * A reusable zero-copy batch: its columns live in the kernels' memory, so pricing copies nothing.
   * See {@link GreeksBatch}. A batch made on WASM keeps working (on the JS twin, same bits) if that
   * instance is later discarded.
   */
  createGreeksBatch(capacity: number): GreeksBatch {
    return this.greeksCalls.createGreeksBatch(capacity);
  }

  /**
   * Lays a validated book out once in this engine's memory and returns a session that computes
   * margin on any number of market snapshots without laying the book out again.
   */
  openBook(book: ValidatedBook | unknown, layout: LayoutOptions = {}): MarginSession {
    checkLayoutOptions(layout);
    const valid = isValidatedBook(book) ? book : validateBook(book);
    const owner = this.wasm;
    const kernels = this.kernelsOf(owner);
    return new MarginSession(() => kernels, valid, owner ? owner.allocator : this.heap, this.registry, this.profiles, layout, this.retention, this.heap, SERVICE_SECTIONS);
  }

  /** `work` on a session of `book` opened for the call and released after it, whatever `work` does (the one-call verbs). */
  private withSession<T>(book: ValidatedBook, work: (session: MarginSession) => T, layout: LayoutOptions = {}): T {
    const session = this.openBook(book, layout);
    try {
      return work(session);
    } finally {
      session.release();
    }
  }

  /**
   * Margin under `options.method` (default cross; any method of the engine's: isolated, portfolio, var, span,
   * derive, deribit, or a plug-in's) for every account of a book on a market snapshot, in one call: validates the
   * JSON (InputError listing every problem with its path), lays the book out,
   * values options, runs the kernels and returns the report. Use {@link openBook} to reprice a book
   * on successive snapshots without laying it out each time.
   */
  margin<M extends string>(book: unknown, market: unknown, options: MarginOptions & CheckedMethod<M> = {}): MarginReport {
    checkOptions(options, MARGIN_OPTION_KINDS);
    const valid = validInputs(book, market, options);
    return this.withSession(valid.book, (session) => session.margin<string>(valid.market, options), ONE_SHOT_LAYOUT);
  }

  /**
   * Liquidation of every account below maintenance margin (src/liquidation/): validates the JSON, lays the book out,
   * margins it by `options.method` and runs the liquidation engine with `options.liquidation` (or the params'
   * `liquidation` section). The caller's book is not changed. Given a session (`engine.openBook`) instead of a book,
   * liquidates its book in place: the layout is left as the liquidation leaves it (src/liquidation/liquidate-session.ts).
   */
  liquidate<M extends string>(book: unknown, market: unknown, options: LiquidateOptions & CheckedMethod<M> = {}): LiquidationReport {
    checkOptions(options, LIQUIDATE_OPTION_KINDS);
    if (book instanceof MarginSession) return liquidateSession<string>(book, market, options, true);
    const valid = validInputs(book, market, options);
    return this.withSession(valid.book, (session) => liquidateSession<string>(session, valid.market, options));
  }

  /**
   * Stress test of liquidation feedback loops (src/stress/): applies `shock` (JSON: spot moves, vol shifts, de-pegs, a
   * correlated k-sigma move, a historical day, or a path of snapshots), then runs the cascade of liquidations and market
   * impact to its fixed point under `options.method` (or `all`), with an optional reverse stress test and Monte Carlo
   * stress. The caller's book is not changed: each method runs on its own laid-out copy. A book with masters is
   * stressed as its policy leaves it: pooled under `cross` (src/subaccounts/); `backstop` is refused (the covers
   * would have to be paid again in every round of the cascade, which it does not model).
   */
  stress<M extends string>(book: unknown, market: unknown, shock: unknown, options: StressOptions & { method?: MethodName<M> | 'all' | undefined } = {}): StressReport {
    checkOptions(options, STRESS_OPTION_KINDS);
    const valid = validInputs(book, market, options);
    return stressValidated(this, valid.book, valid.market, shock, options);
  }

  /**
   * A day-by-day backtest of a method over a price history (src/backtest/backtest.ts): margin under static parameters,
   * under parameters following the volatility forecast (`params.dynamic`, with the circuit breaker), and with the
   * anti-procyclicality tool; breaches of the next period's loss, Kupiec and Christoffersen tests, and the
   * procyclicality of the book's total margin. `history` is JSON or CSV text (or a history read before). A book with
   * masters under the `cross` subaccount policy is backtested pooled: each pool is one account, under its master's id.
   */
  backtest<M extends string>(book: unknown, market: unknown, history: unknown, options: BacktestOptions & CheckedMethod<M> = {}): BacktestReport {
    checkOptions(options, BACKTEST_OPTION_KINDS);
    const valid = validInputs(book, market, {});
    const prices = historyOf(history);
    // under the cross subaccount policy each pool is the account margined and tested (src/subaccounts/stress-book.ts)
    return this.withSession(pooledUnderCross(valid.book, options), (session) => backtest(session, valid.market, prices, options));
  }

  /**
   * A live session (src/live/live-session.ts) on a book and market (JSON or validated): the book laid out, the
   * method run, then ticks, fills and transfers applied in place, what-ifs and pre-trade checks answered, the
   * report readable at any time. Release it when done (it owns its book's memory). Given a session (`engine.openBook`)
   * instead of a book, keeps that session's book live: the session stays open when the live session is released.
   */
  live<M extends string>(book: unknown, market: unknown, options: LiveOptions & CheckedMethod<M> = {}): LiveSession {
    checkOptions(options, LIVE_OPTION_KINDS);
    if (book instanceof MarginSession) return openLive<string>(book, isValidatedMarket(market) ? market : validateMarket(market, book.book, { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true }), options);
    const valid = validInputs(book, market, options);
    const session = this.openBook(valid.book);
    try {
      const live = openLive<string>(session, valid.market, options);
      live.onReleased(() => session.release());
      return live;
    } catch (error) {
      session.release();
      throw error;
    }
  }

  /**
   * Restore health at least cost (src/optimize/restore.ts): the cheapest trades among `options.hedges` (JSON, see
   * src/optimize/hedges.ts) that bring `options.account` back to its target (IM, or MM with a buffer) under
   * `options.method`, found by the HiGHS solver on the method's requirement model and re-checked by the engine's own
   * what-if. A book with masters is optimised as its policy leaves it, as liquidation acts on it
   * (src/optimize/optimize-session.ts): under `cross` a master's id restores its group's pool and a subaccount's is
   * refused (it has no requirement of its own); under `backstop` the covers are paid first. Asynchronous only because
   * the solver's WASM loads on first use (`options.solver`: where it comes from).
   */
  async optimize<M extends string>(book: unknown, market: unknown, options: OptimizeOptions & CheckedMethod<M>): Promise<RestoreResult> {
    // (a JavaScript caller may leave them out: the account to restore is one of them)
    if (options === undefined) throw new InputError([{ path: 'options', message: 'missing: optimize restores one account, { account, hedges?, target?, … } (docs/optimisation.md)' }]);
    checkOptions(options, OPTIMIZE_OPTION_KINDS);
    const solver = await loadSolver(options.solver);
    const valid = validInputs(book, market, options);
    return this.withSession(valid.book, (session) => optimizeSession(session, valid.market, options, solver));
  }

  /**
   * Capital efficiency (src/optimize/efficiency.ts): per account, IM under every method with the capital each frees
   * versus isolated margin, and, for the accounts below their target under `options.method`, the optimised hedge's
   * cost and its effect on IM; then one row per master: its group under each method and master-level policy.
   */
  async capitalEfficiency<M extends string>(book: unknown, market: unknown, options: EfficiencyOptions & CheckedMethod<M> = {}): Promise<CapitalEfficiencyReport> {
    checkOptions(options, EFFICIENCY_OPTION_KINDS);
    const solver = options.hedges === undefined ? null : await loadSolver(options.solver);
    const valid = validInputs(book, market, options);
    return this.withSession(valid.book, (session) => capitalEfficiency(session, valid.market, solver, options));
  }

  /**
   * Margin efficiency: runs every method of the engine (or `options.methods`) on the same book,
   * market and parameters and returns each account's IM per method with the capital freed versus
   * isolated and cross margin, per account and in total (src/session/compare.ts).
   */
  compareMethods(book: unknown, market: unknown, options: CompareOptions = {}): MethodComparison {
    checkOptions(options, COMPARE_OPTION_KINDS);
    const valid = validInputs(book, market, options);
    refuseUnknownMethods(valid.book, this.registry.names);
    return this.withSession(valid.book, (session) => compareMethods(session, valid.market, options));
  }

  /**
   * How to split master `master`'s free collateral (equity for IM above IM) across its subaccounts, and across the
   * locations it sits at, to maximise the subaccounts' minimum health (src/subaccounts/allocate.ts: a linear programme
   * solved by HiGHS). The subaccounts are margined alone (policy independent), each by its method; nothing is moved.
   * The health after is the group re-margined with the transfers made; the programme's estimate is `planned`.
   * InputError for bad inputs or a master without subaccounts.
   */
  async allocateCollateral<M extends string>(book: unknown, market: unknown, master: string, options: MarginOptions & CheckedMethod<M> = {}): Promise<CollateralAllocation> {
    if (typeof master !== 'string' || master === '') throw new InputError([{ path: 'master', message: `expected an account id (a non-empty string), got ${describeValue(master)}` }]);
    checkOptions(options, MARGIN_OPTION_KINDS);
    const valid = validInputs(book, market, options);
    const params = isRecord(options.params) ? options.params : {};
    const group = subBook(valid.book, [master], 'master');
    // the subaccounts are margined alone whatever the policy says, but a section given is checked as every call checks it
    validateSubaccountParams(params.subaccounts, { lenient: options.lenient === true });
    const independent = { ...(options as MarginOptions), params: { ...params, subaccounts: { policy: 'independent' } } };
    const report = this.margin(group, valid.market, { ...independent, breakdown: true });
    const locations = validateLocationParams(params.locations);
    const problem = masterAllocationProblem(report, group, valid.market, master, locations, options.frozenLocations);
    // the group re-margined with the transfers made (each account alone): the master's row (a method that nets its
    // collateral charges it more once it leaves) and each account's health after (allocation-remargined.ts); the last
    // one kept, as the master's check and the health after ask for the same transfers in turn
    let last: { transfers: AllocationResult['transfers']; report: MarginReport } | null = null;
    const remarginGroup = (transfers: AllocationResult['transfers']) => {
      if (last?.transfers !== transfers) last = { transfers, report: this.margin(validateBook({ instruments: group.instruments, accounts: accountsWithTransfers(group, master, transfers) }, { lenient: options.lenient === true }), valid.market, { ...independent, breakdown: false }) };
      return last.report;
    };
    const highs = await loadHighs();
    const keepMaster = (p: AllocationProblem) => allocateKeepingMaster(highs, p, (transfers) => remarginGroup(transfers).accounts.find((a) => a.id === master)!);
    const best = allocateOnRemargin(problem, keepMaster, (transfers) => groupAfter(remarginGroup(transfers), master), exactSources(problem, valid.market));
    return { master, ...best.remargined, problem: best.problem };
  }

  /**
   * The kernels a session opened on `owner` calls: the instance while it is this engine's current one, the JS
   * twins once it was discarded (a trap in any call discards it and that call is answered from JS).
   */
  /**
   * Volatility forecasts per asset from a price history (JSON `{ assets: { BTC: [{ t, close }] } }` or CSV text, wide or
   * long; src/dynamic/history.ts): EWMA or GARCH(1,1) over the margin period of risk. Its `volAnnual` is what
   * `params.dynamic.volAnnual` takes. Throws InputError for a bad history (with its rows) or options, or a failed fit.
   */
  forecastVol(history: unknown, options: ForecastOptions = {}): VolForecast {
    checkOptions(options, FORECAST_OPTION_KINDS);
    return forecastVol(historyOf(history), options);
  }

  private kernelsOf(owner: WasmKernels | undefined): MarginKernels {
    const tenure = owner && {
      instance: owner,
      current: () => this.wasm === owner,
      discard: (error: unknown) => this.slot.discard(error),
    };
    return marginKernels(tenure, (input) => this.greeks(input));
  }
}

/**
 * Book and market as validated objects: JSON is validated with the call's `lenient` and
 * `repairCorrelation`; a validated book is kept as it is (with its warnings) when only the market is JSON.
 */
function validInputs(book: unknown, market: unknown, options: { lenient?: boolean | undefined; repairCorrelation?: boolean | undefined }): { book: ValidatedBook; market: ValidatedMarket } {
  // options are optional, never null (a null read as "none" would hide a caller's bug; read as an object it is a TypeError)
  if (!isRecord(options)) throw new InputError([{ path: 'options', message: notObjectMessage(options, 'an object of options, or none') }]);
  const validation: ValidationOptions = { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true };
  if (!isValidatedBook(book)) return validateInputs(book, market, validation);
  return { book, market: isValidatedMarket(market) ? market : validateMarket(market, book, validation) };
}

/**
 * Creates an engine. `backend: 'auto'` (default) loads WASM, SIMD when the runtime validates it,
 * and falls back to JS with one warning saying why; `'wasm'` rejects if WASM cannot load.
 *
 * ```ts
 * const engine = await createEngine();
 * engine.backend; // 'wasm-simd'
 * ```
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  checkEngineOptions(options); // a misspelt or bad option is the caller's error, not a default or a WASM fallback
  new MethodRegistry(options.methods ?? BUILT_IN_METHODS);
  const workers = options.workers ?? 1, { workerUrl } = options;
  const loaded = await loadKernels(options, options.onWarning ?? consoleWarning);
  if (!loaded.wasm) return new Engine(undefined, { ...options, fallbackReason: loaded.reason, transport: await threadsFor(workers, undefined, workerUrl, options.profiles) });
  // the module compiled for this engine (cached by compileKernels) is the one every worker instantiates
  const { flavour, wasm } = loaded;
  return new Engine(wasm, { ...options, transport: await threadsFor(workers, { flavour, module: await compileKernels(flavour) }, workerUrl, options.profiles) });
}

export { MAX_WORKERS };

/**
 * A pool of `workers` worker threads (Node) or Web Workers (browsers), or undefined for one worker (this thread). The
 * engine's `profiles` (data) go to each worker when given: a worker checks params as this thread does (the names a
 * profile gives are known: src/session/session.ts).
 */
async function threadsFor(workers: number, kernels: { flavour: WasmFlavour; module: WebAssembly.Module } | undefined, workerUrl: string | URL | undefined, profiles: readonly MethodologyProfile[] | undefined): Promise<ShardTransport | undefined> {
  if (workers === 1) return undefined;
  const pool = await import('./scale/worker-transport.js');
  if (inNode()) return pool.startThreads(workers, kernels?.module, kernels?.flavour, profiles);
  if (typeof Worker !== 'function') throw new Error('margin-core: workers > 1 needs worker threads (Node) or Web Workers (browsers); this runtime has neither');
  return pool.startWebWorkers(workers, kernels?.module, kernels?.flavour, workerUrl, profiles);
}

/**
 * {@link Engine.stress} on a validated book; `opened(stressed, profiled)` is told each time a method's session has been
 * opened on the book it stresses, with the options the profile gave (a caller that owns the book may let its positions
 * go there: src/cli/stress-owned.ts).
 */
export function stressValidated(engine: Engine, book: ValidatedBook, market: ValidatedMarket, shock: unknown, options: StressOptions, opened?: (stressed: ValidatedBook, profiled: StressOptions) => void): StressReport {
  refuseUnknownMethods(book, engine.methods);
  const profiled = options.profile === undefined ? options : applyProfile(options, engine.profiles);
  const stressed = stressBook(book, profiled, registries.get(engine) ?? BUILT_IN_REGISTRY);
  return stress(() => {
    const session = engine.openBook(stressed);
    opened?.(stressed, profiled);
    return session;
  }, engine.methods, market, shock, profiled);
}

/** Whether `x` has a shard transport's shape: a positive count of shards and the calls a sharded book makes. */
function isTransport(x: unknown): x is ShardTransport {
  const t = x as Partial<ShardTransport> | null;
  return typeof t === 'object' && t !== null && Number.isInteger(t.shards) && (t.shards as number) >= 1 && typeof t.load === 'function' && typeof t.run === 'function' && typeof t.unload === 'function';
}
