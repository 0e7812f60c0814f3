/**
 * The coordinator's view of a book cut into shards that workers hold (a transport: transport.ts). Each call
 * validates on the coordinator (paths relative to the whole book), broadcasts one task per shard with the market
 * once, and merges the shards' rows back in book order (merge.ts): the report has the bits of the single-process one.
 *
 * What is per account runs on the workers: margin by every built-in method and `compareMethods`; a run's per-instrument
 * work, where its method offers it as an instrument table, is split by rows across the workers in a first phase and
 * shared with every shard (`instrumentTable` below); Monte Carlo stress paths and the reverse search's probes (each a
 * cascade from the unshocked book) run on workers holding the whole book. What is inherently cross-account stays on
 * the coordinator, single-threaded, on its own copy of the book: `liquidate` (ADL matches counterparties across
 * accounts) and each stress cascade (each round's price impact sums every account's flow).
 */
import { InputError } from '../errors.js';
import { LIQUIDATE_OPTION_KINDS, type LiquidateOptions } from '../liquidation/engine.js';
import { type CheckedMethod, MARGIN_OPTION_KINDS, type MethodName } from '../margin/options.js';
import { checkOptions } from '../model/options-check.js';
import type { LiquidationReport } from '../liquidation/report.js';
import type { MarginMethod, MarginReport, ProfileTag } from '../margin/report.js';
import { isValidatedMarket } from '../model/brand.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { validateMarket } from '../model/validate.js';
import { applyProfile, findProfile, type MethodologyProfile } from '../profiles/profile.js';
import { COMPARE_OPTION_KINDS, type CompareOptions, compareReports, type MethodComparison } from '../session/compare.js';
import type { MarginOptions } from '../session/types.js';
import { monteCarloResult, REVERSE_EVALUATIONS, reverseResult, SearchProgress, type SplitPlan, splitPlan, STRESS_OPTION_KINDS, type StressOptions } from '../stress/stress.js';
import type { ReverseStressResult, StressReport } from '../stress/report.js';
import { reverseSearchBatched } from '../stress/reverse.js';
import { stressBook } from '../subaccounts/stress-book.js';
import { subaccountPolicyOf } from '../subaccounts/params.js';
import { policyMethods } from '../subaccounts/policy.js';
import type { MethodRegistry } from '../methods/registry.js';
import { type AccountPlacement, placementOf, ReportMerger } from './merge.js';
import { partitionBook, type ShardBook } from './shard-book.js';
import { type WholeBook, wholeBookOf } from './whole-book.js';
import type { ShardMarginOptions, ShardOutcome, ShardTask, StressPathsJob, StressProbeJob } from './tasks.js';
import type { ShardTransport } from './transport.js';
import type { TablePart } from '../methods/method.js';
import type { BackendName } from '../kernels/backend-name.js';
import { buildIdentity, identityMismatch } from './identity.js';
import { refuseUnknownMethods } from '../subaccounts/methods.js';

/**
 * Monte Carlo jobs per worker thread: enough for progress to move and the threads to finish together (the last job
 * taken sets how long the other thread may wait: with 8 jobs a worker the two threads ended 1.6–2.4 s apart on
 * 200 paths × 100,000 accounts, with 32 0.2–0.4 s), few enough that a job's fixed cost (its plan, draws and message:
 * milliseconds) stays small. perf: threshold (docs/performance.md)
 */
export const PATH_JOBS_PER_WORKER = 32;

/** What the coordinator's engine (src/engine.ts) lends a sharded book: its profiles, its methods, the single-process paths. */
export interface CoordinatorEngine {
  readonly profiles: readonly MethodologyProfile[];
  /** The engine's methods, in report order (compareMethods' default). */
  readonly methods: readonly string[];
  margin(book: ValidatedBook, market: ValidatedMarket, options: MarginOptions): MarginReport;
  compareMethods(book: ValidatedBook, market: ValidatedMarket, options: CompareOptions): MethodComparison;
  liquidate(book: ValidatedBook, market: unknown, options: LiquidateOptions): LiquidationReport;
  stress(book: ValidatedBook, market: unknown, shock: unknown, options: StressOptions): StressReport;
  /** The engine's methods by name (accounts' own methods are checked against it). */
  readonly registry: MethodRegistry;
  /** The method an option-less call runs (the engine's default). */
  readonly defaultMethod: string;
  /** True when workers run `method` exactly as this engine does (a built-in method, not a plug-in of the caller's). */
  runsOnWorkers(method: string): boolean;
  /** True when `method` with `params` (raw) has per-instrument work worth splitting (MarginMethodPlugin.splitsInstrumentWork). */
  splitsInstrumentWork(method: string, params: unknown, instruments: number): boolean;
}

/** Where a sharded run's time went, ms: for the health output and the scaling model (README "Scale-out"). */
export interface RunTimings {
  /** Each shard's time in its worker (the runs and packing the rows), by shard index (0: an empty shard). */
  shardMs: number[];
  /** Coordinator, after the last shard answered: what is left of the merge, and the totals (the serial tail). */
  coordinatorMs: number;
  /** Coordinator: building the report rows from the shards' packed rows, all shards (much of it while workers run). */
  mergeMs: number;
  /** The whole call. */
  totalMs: number;
  /** Slices the run's instrument table was computed in, one per busy shard (0: not split, each shard computed its own). */
  tableParts: number;
}

/** When a sharded book's workers lay their shards out: when it is opened (the default), or on its first margin call. */
export type ShardLayOut = 'at-open' | 'first-margin';

export class ShardedBook {
  private tick = 0;
  /** Where the time of the last margin or compareMethods call went (see {@link RunTimings}). */
  lastRun: RunTimings | undefined;
  /** Settles when the latest tick sent (and every one before it) has settled. */
  private lastTick: Promise<void> = Promise.resolve();
  private released = false;

  private constructor(
    private readonly transport: ShardTransport,
    private readonly coordinator: CoordinatorEngine,
    /** The whole book, validated: for the single-process paths and the warnings of every report. */
    readonly book: ValidatedBook,
    readonly bookId: string,
    /** Where each account's rows are and the shards holding accounts (null: not cut yet, `layOut: 'first-margin'`). */
    private cut: ShardCut | null,
    /** The shards, until the workers have them (`layOut: 'first-margin'`); null once loaded, or not cut yet. */
    private unloaded: readonly ShardBook[] | null,
  ) {}

  /**
   * Cuts `book` into the transport's shards and has each worker lay its shard out: at once, or with `layOut:
   * 'first-margin'` on the first `margin` or `compareMethods` call the workers run (a book opened for stress tests
   * never needs them: its Monte Carlo paths and reverse probes run on the whole book).
   */
  static async open(transport: ShardTransport, coordinator: CoordinatorEngine, book: ValidatedBook, bookId = newBookId(), layOut: ShardLayOut = 'at-open'): Promise<ShardedBook> {
    if (layOut === 'first-margin') return new ShardedBook(transport, coordinator, book, bookId, null, null);
    const partition = partitionBook(book, transport.shards);
    await transport.load(bookId, partition.shards);
    return new ShardedBook(transport, coordinator, book, bookId, cutOf(book, partition), null);
  }

  /** The book cut into shards, each laid out by its worker (at the first call that needs them when {@link open} left it). */
  private async loadShards(): Promise<ShardCut> {
    if (this.cut === null) {
      const partition = partitionBook(this.book, this.transport.shards);
      this.cut = cutOf(this.book, partition);
      this.unloaded = partition.shards;
    }
    const shards = this.unloaded;
    if (shards === null) return this.cut;
    this.unloaded = null;
    try {
      await this.transport.load(this.bookId, shards);
    } catch (error) {
      this.unloaded = shards; // the next call tries again
      throw error;
    }
    return this.cut;
  }

  /** Margin for every account on `market` (as `engine.margin`, same report, same bits), computed on the workers. */
  async margin<M extends string>(market: unknown, options: MarginOptions & CheckedMethod<M> = {}): Promise<MarginReport> {
    checkOptions(options, MARGIN_OPTION_KINDS); // as engine.margin: before the workers are asked
    this.assertOpen();
    const profiled = applyProfile(options, this.coordinator.profiles);
    const profile: ProfileTag | undefined = options.profile === undefined ? undefined : tagOf(findProfile(options.profile, this.coordinator.profiles));
    const method = profiled.method ?? this.coordinator.defaultMethod;
    const valid = this.marketOf(market, options);
    // a book with masters or accounts' own methods: the policy's rules checked here, with the book's paths
    const policy = subaccountPolicyOf(this.book, profiled.params, profiled.lenient === true);
    const methods = policy === null ? [method] : policyMethods(this.book, method, policy, this.coordinator.registry);
    if (!methods.every((m) => this.coordinator.runsOnWorkers(m))) return this.coordinator.margin(this.book, valid, options);
    const run: ShardMarginOptions = { method, params: profiled.params, breakdown: profiled.breakdown, lenient: profiled.lenient };
    const [report] = await this.runAll(valid, [run], profile);
    return report;
  }

  /** As `engine.compareMethods`: every method on the workers, one task per shard for all of them. */
  async compareMethods(market: unknown, options: CompareOptions = {}): Promise<MethodComparison> {
    checkOptions(options, COMPARE_OPTION_KINDS);
    this.assertOpen();
    const methods = [...(options.methods ?? (this.coordinator.methods as readonly MarginMethod[]))];
    const valid = this.marketOf(market, options);
    refuseUnknownMethods(this.book, this.coordinator.methods);
    if (!methods.every((m) => this.coordinator.runsOnWorkers(m))) return this.coordinator.compareMethods(this.book, valid, options);
    const reports = await this.runAll(valid, methods.map((method) => ({ method, params: options.params, lenient: options.lenient, alone: true })));
    return compareReports(methods, reports, valid);
  }

  /** As `engine.liquidate`, single-threaded on the coordinator (ADL and the insurance fund are cross-account). */
  async liquidate<M extends string>(market: unknown, options: LiquidateOptions & CheckedMethod<M> = {}): Promise<LiquidationReport> {
    checkOptions(options, LIQUIDATE_OPTION_KINDS);
    this.assertOpen();
    return this.coordinator.liquidate(this.book, market, options);
  }

  /**
   * As `engine.stress`, same report, same bits. The shock's cascade runs here, single-threaded (each round's market
   * impact sums every account's flow). When the transport can hold whole books (the thread pool), the work made of
   * independent cascades from the unshocked book runs on the workers while this thread runs the shock's cascade:
   * Monte Carlo paths, split into jobs, and the reverse search's probes, one per worker at a time (src/stress/reverse.ts
   * `reverseProbes`: the same answer and evaluations as one thread, in fewer rounds of cascades).
   */
  async stress<M extends string>(market: unknown, shock: unknown, options: StressOptions & { method?: MethodName<M> | 'all' | undefined } = {}): Promise<StressReport> {
    checkOptions(options, STRESS_OPTION_KINDS); // before any path or probe goes to the workers
    this.assertOpen();
    const valid = this.marketOf(market, options);
    refuseUnknownMethods(this.book, this.coordinator.methods);
    const { onProgress, profile: _profile, timings, ...profiled } = applyProfile(options, this.coordinator.profiles) as StressOptions;
    // the parts the transport's workers run: Monte Carlo paths, the reverse search's probes
    const wantsPaths = typeof profiled.paths === 'number' && profiled.paths > 0, wantsReverse = profiled.reverse !== undefined && profiled.reverse !== false;
    const runPaths = wantsPaths ? this.transport.runStressPaths?.bind(this.transport) : undefined;
    const runProbes = wantsReverse ? this.transport.runStressProbes?.bind(this.transport) : undefined;
    if (!runPaths && !runProbes) return this.coordinator.stress(this.book, valid, shock, options);
    const plan = splitPlan(this.coordinator.methods, valid, shock, profiled); // InputError here, before any work
    if (!plan.methods.every((m) => this.coordinator.runsOnWorkers(m))) return this.coordinator.stress(this.book, valid, shock, options);
    // the book the jobs stress, as engine.stress does (src/subaccounts/stress-book.ts): the pooled book under the cross
    // policy, under its own id on the workers (which hold whole books by id)
    const stressed = stressBook(this.book, profiled, this.coordinator.registry);
    const whole = wholeBookOf(stressed), wholeId = stressed === this.book ? this.bookId : `${this.bookId}/pooled`;
    const jobs: StressPathsJob[] = [];
    // a few jobs per worker, so progress moves as they finish (each worker lays the book out once for all of its jobs)
    const chunks = this.transport.shards * PATH_JOBS_PER_WORKER;
    for (const method of runPaths ? plan.methods : []) {
      for (let c = 0; c < chunks; c++) {
        const from = Math.floor((plan.paths * c) / chunks), to = Math.floor((plan.paths * (c + 1)) / chunks);
        if (to > from) jobs.push({ bookId: wholeId, market: valid, shock, options: profiled, method, from, to });
      }
    }
    // progress: this thread's cascades, the reverse probes on the search's path and the paths of the finished jobs
    // (this thread's total until its own run first reports: one cascade a method at least, so a job that ends first
    // does not take the progress to its end)
    let ownDone = 0, ownTotal = plan.methods.length, probesDone = 0, pathsDone = 0;
    // the probes' total grows while a search needs more than it usually does (SearchProgress)
    let probesTotal = runProbes && plan.reverse ? plan.methods.length * REVERSE_EVALUATIONS : 0;
    const pathsTotal = runPaths ? plan.paths * plan.methods.length : 0;
    const report = () => onProgress?.(Math.min(ownDone + probesDone + pathsDone, ownTotal + probesTotal + pathsTotal), ownTotal + probesTotal + pathsTotal);
    const reverse = runProbes && plan.reverse ? this.reverseOnWorkers(runProbes, whole, wholeId, plan.methods, plan.reverse, { market: valid, shock, options: profiled }, (units, grow) => {
      probesDone += units;
      probesTotal += grow;
      report();
    }) : null;
    const paths = runPaths ? runPaths(whole, jobs, (j) => {
      pathsDone += jobs[j].to - jobs[j].from;
      report();
    }) : null;
    // awaited below; the cascade below must not leave them unhandled meanwhile
    reverse?.catch(() => {});
    paths?.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the jobs reach the workers before this thread is busy
    // what stays here: the shock's cascade, and the paths or the search a transport cannot run (the timings are this
    // thread's: the workers' cascades are not in them)
    const base = this.coordinator.stress(this.book, valid, shock, { ...profiled, ...(paths ? { paths: 0 } : {}), ...(reverse ? { reverse: false } : {}), timings, onProgress: (done, total) => {
      ownDone = done;
      ownTotal = total;
      report();
    } });
    const searched = reverse ? await reverse : base.reverse;
    const byJob = paths ? await paths : null;
    const monteCarlo = byJob ? plan.methods.map((method) => monteCarloResult(method, jobs.flatMap((job, j) => (job.method === method ? byJob[j] : [])), plan)) : base.monteCarlo;
    const { warnings, reverse: _reverse, monteCarlo: _monteCarlo, ...head } = base;
    return { ...head, ...(searched ? { reverse: searched } : {}), ...(monteCarlo ? { monteCarlo } : {}), ...(warnings ? { warnings } : {}) };
  }

  /**
   * Each method's reverse search with its probes on the workers, as many at once as there are workers (one job each);
   * `progress` is told of the probes run as {@link SearchProgress} counts them (units done, the change of the total).
   */
  private async reverseOnWorkers(runProbes: NonNullable<ShardTransport['runStressProbes']>, whole: WholeBook, wholeId: string, methods: readonly string[], reverse: NonNullable<SplitPlan['reverse']>,
    given: Pick<StressProbeJob, 'market' | 'shock' | 'options'>, progress: (units: number, grow: number) => void): Promise<ReverseStressResult[]> {
    const results: ReverseStressResult[] = [];
    const workers = this.transport.shards;
    for (const method of methods) {
      const count = new SearchProgress(progress);
      const search = await reverseSearchBatched(reverse.steps, reverse.thresholdUsd, workers, async (batch) => {
        const jobs: StressProbeJob[] = batch.lambdas.map((lambda) => ({ bookId: wholeId, ...given, method, batch: { lambdas: [lambda], stopAbove: batch.stopAbove } }));
        const answers = await runProbes(whole, jobs);
        for (let k = 0; k < batch.lambdas.length; k++) count.probe();
        return answers.map((a) => a[0]);
      });
      count.end();
      results.push(reverseResult(method, reverse.thresholdUsd, search, reverse.steps));
    }
    return results;
  }

  /** Drops the shards from the workers. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.transport.unload(this.bookId);
  }

  /**
   * Runs `runs` on every shard holding accounts and merges each run's shard reports into the book's report (in
   * `runs` order). Shards are merged as they answer when the transport says so (the thread pool), else at the end.
   */
  private async runAll(market: ValidatedMarket, runs: ShardMarginOptions[], profile?: ProfileTag): Promise<MarginReport[]> {
    const { placement, busyShards } = await this.loadShards();
    const started = performance.now();
    const tick = this.tick++;
    // one method: each shard answers in parts (when the transport does), merged as they come
    const parts = runs.length === 1 ? (this.transport.parts ?? 1) : 1;
    const tasks: ShardTask[] = [];
    const tableMs = new Array<number>(this.transport.shards).fill(0);
    for (let index = 0; index < parts; index++) {
      for (const shard of busyShards) tasks.push({ bookId: this.bookId, shard, tick, market, runs, ...(parts > 1 ? { part: { index, count: parts } } : {}) });
    }
    const mergers = runs.map(() => new ReportMerger(placement));
    const merged = new Set<string>();
    let mergeMs = 0;
    let mergeError: unknown;
    const mine = buildIdentity();
    /** Who computed which shards, on which backend (the report's `computedBy`). */
    const workers = new Map<string, { worker: string; backend: BackendName; shards: Set<number> }>();
    const merge = (outcome: ShardOutcome): void => {
      if (outcome.kind !== 'ok' || outcome.tick !== tick || mergeError !== undefined) return;
      const key = `${outcome.shard}/${outcome.part?.index ?? 0}`;
      if (merged.has(key)) return;
      // rows of another build (kernels, defaults) would be merged as if they were this one's: refused, naming the worker
      const refused = identityMismatch(outcome.by, mine, `shard ${outcome.shard} of tick ${tick}`);
      if (refused !== null) {
        mergeError = new Error(refused);
        return;
      }
      const by = outcome.by!;
      const who = `${by.worker}\u0000${by.backend}`;
      let worker = workers.get(who);
      if (!worker) workers.set(who, (worker = { worker: by.worker, backend: by.backend as BackendName, shards: new Set() }));
      worker.shards.add(outcome.shard);
      const t0 = performance.now();
      try {
        outcome.reports.forEach((report, r) => mergers[r].add(outcome.shard, report, outcome.part));
        merged.add(key);
      } catch (error) {
        mergeError = error; // thrown below, once every shard has settled
      }
      mergeMs += performance.now() - t0;
    };
    // ticks may be in flight together (a transport runs them as it can); they settle in tick order
    const previous = this.lastTick;
    let tableParts = 0;
    const ran = this.instrumentTable(busyShards, market, runs, tick, tableMs).then((table) => {
      tableParts = table?.length ?? 0;
      return this.transport.run(table ? tasks.map((task) => ({ ...task, table })) : tasks, merge);
    });
    this.lastTick = ran.then(() => previous, () => previous);
    const outcomes = await ran;
    await previous;
    const answered = performance.now();
    for (const outcome of outcomes) {
      if (outcome.kind === 'input-error') throw new InputError(outcome.problems, outcome.truncated);
      if (outcome.kind === 'failed') throw new Error(`margin-core: shard ${outcome.shard} failed on tick ${outcome.tick}: ${outcome.message}`);
      if (outcome.kind !== 'ok' || outcome.tick !== tick) throw new Error(`margin-core: shard ${outcome.shard} answered ${outcome.kind} for tick ${outcome.tick}, expected tick ${tick}`);
    }
    if (mergeError !== undefined) throw mergeError;
    for (const outcome of outcomes) merge(outcome); // the shards the transport did not hand over as they came
    if (mergeError !== undefined) throw mergeError;
    const t0 = performance.now();
    const computedBy = [...workers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => ({ worker: w.worker, backend: w.backend, shards: [...w.shards].sort((x, y) => x - y) }));
    const reports = mergers.map((merger) => Object.assign(merger.finish(this.book.warnings, profile), { computedBy }));
    const now = performance.now();
    mergeMs += now - t0;
    const shardMs = new Array<number>(this.transport.shards).fill(0);
    for (const outcome of outcomes) if (outcome.kind === 'ok') shardMs[outcome.shard] += outcome.ms;
    tableMs.forEach((ms, shard) => (shardMs[shard] += ms));
    this.lastRun = { shardMs, coordinatorMs: now - answered, mergeMs, totalMs: now - started, tableParts };
    return reports;
  }

  /**
   * Phase one of a run whose per-instrument work is split (a transport that exchanges tables, one method with an
   * instrument table: src/methods/method.ts InstrumentTable): every busy shard computes a slice of the table's rows,
   * and phase two's tasks carry the slices (SharedArrayBuffers on threads: shared, not copied). Undefined when the run
   * is not split, or when phase one came back without a whole table (no table, an error): each shard then computes the
   * table itself, and phase two reports any error as a run would. Each shard's phase-one ms go to `tableMs`.
   */
  private async instrumentTable(shards: readonly number[], market: ValidatedMarket, runs: ShardMarginOptions[], tick: number, tableMs: number[]): Promise<TablePart[] | undefined> {
    const run = runs[0];
    if (!this.transport.exchangesTables || runs.length !== 1 || shards.length < 2 || run.breakdown === true) return undefined;
    if (!this.coordinator.splitsInstrumentWork(run.method, run.params, this.book.instruments.length)) return undefined;
    const outcomes = await this.transport.run(shards.map((shard, index) => ({ bookId: this.bookId, shard, tick, market, runs, tableRows: { index, count: shards.length } })));
    const parts: TablePart[] = [];
    for (const outcome of outcomes) {
      if (outcome.kind === 'table') {
        const refused = identityMismatch(outcome.by, buildIdentity(), `the instrument table of tick ${tick}`);
        if (refused !== null) throw new Error(refused);
      }
      if (outcome.kind !== 'table' || outcome.tick !== tick || outcome.part === null) return undefined;
      tableMs[outcome.shard] += outcome.ms;
      parts.push(outcome.part);
    }
    return parts;
  }

  private marketOf(market: unknown, options: { lenient?: boolean | undefined; repairCorrelation?: boolean | undefined }): ValidatedMarket {
    if (isValidatedMarket(market)) return market;
    return validateMarket(market, this.book, { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true });
  }

  private assertOpen(): void {
    if (this.released) throw new Error('margin-core: this sharded book was released');
  }
}

/** A book cut into shards: where each account's rows are, and the shards holding at least one account (the ones tasks go to). */
interface ShardCut {
  placement: AccountPlacement;
  busyShards: readonly number[];
}

function cutOf(book: ValidatedBook, partition: ReturnType<typeof partitionBook>): ShardCut {
  return {
    placement: placementOf(book.accounts.map((a) => a.id), partition, book),
    busyShards: partition.shards.filter((s) => s.accounts.length > 0).map((s) => s.shard),
  };
}

let opened = 0;

/** A book id unique across coordinators sharing a Redis (time, 52 random bits, a counter); no secure context needed. */
function newBookId(): string {
  return `book-${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 52).toString(36)}-${opened++}`;
}

function tagOf(profile: { name: string; version: string }): ProfileTag {
  return { name: profile.name, version: profile.version };
}

