/**
 * What a coordinator asks of a shard, and what the shard answers: plain data that crosses a thread (structured clone)
 * or a machine (v8 serialisation, wire.ts) with every bit intact (−0, NaN, ±Infinity, Maps, typed arrays).
 * `runShardTask` is the one place a worker of any kind (thread, Redis consumer, in-process) does the work.
 */
import { marginOptionsIn } from '../margin/options.js';
import { InputError, type InputProblem } from '../errors.js';
import type { MarginMethod } from '../margin/report.js';
import { certifyMarket } from '../model/brand.js';
import type { ValidatedMarket } from '../model/types.js';
import type { LayoutOptions } from '../layout/book-layout.js';
import type { ValidatedBook } from '../model/types.js';
import type { MarginSession } from '../session/session.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { BadDebtAt, ProbeBatch } from '../stress/reverse.js';
import { PathRunner, type StressOptions } from '../stress/stress.js';
import { idsDigest, packColumns, packRows, packSummaryRows, type ShardRows } from './packed-rows.js';
import { unbuiltSummaryRows } from '../margin/summary-rows.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import { withWarnings } from '../model/warnings.js';
import { sumsOfRows, type TotalSums } from '../margin/exact-totals.js';
import type { TablePart } from '../methods/method.js';
import { partRange, type RowPart } from './parts.js';
import { type ShardBook, shardAsBook } from './shard-book.js';
import { type WholeBook, wholeAsBook } from './whole-book.js';
import { releasePositions } from '../model/book-columns.js';
import { buildIdentity, type WorkerStamp } from './identity.js';
import type { SubaccountRollup } from '../margin/subaccount-rollup.js';
import { type PackedRollup, packRollup } from './packed-rollup.js';
import { masterGroups } from '../subaccounts/groups.js';
import { rollupSums } from '../subaccounts/rollup.js';

/** Margin options once the coordinator resolved the profile: what every shard runs. */
export interface ShardMarginOptions {
  method: MarginMethod | (string & {});
  params?: unknown;
  breakdown?: boolean | undefined;
  lenient?: boolean | undefined;
  /** Every account by `method`, whatever its own method and the subaccount policy (`compareMethods`: session.marginAlone). */
  alone?: boolean | undefined;
}

/** Margin of every account of the shard on one market snapshot, by each of `runs` (one report per entry). */
export interface ShardTask {
  /** The book the shard belongs to (a coordinator may hold several). */
  bookId: string;
  shard: number;
  /** The market tick this task answers (coordinator-numbered, 0, 1, 2, … per book). */
  tick: number;
  /** A market validated by the coordinator against the whole book. */
  market: ValidatedMarket;
  runs: ShardMarginOptions[];
  /**
   * Only these rows of the shard (parts.ts), for a task of one run: the worker margins the shard on the first part
   * of the tick it gets and keeps the kernels' outputs until the last part. Absent: every row.
   */
  part?: RowPart | undefined;
  /**
   * Phase one of a run whose per-instrument work is split across workers (sharded-book.ts): compute part `index` of
   * `count` of the rows of the run's instrument table (src/methods/method.ts InstrumentTable) and keep the prepared run
   * for phase two. Answered by a `table` outcome; one run only.
   */
  tableRows?: RowPart | undefined;
  /** Phase two: the run's whole instrument table, the parts every worker computed; the run reads it instead of computing it. */
  table?: TablePart[] | undefined;
  /** Test hook: the worker dies (thread or process exit) in the middle of this task, before answering. */
  crash?: boolean | undefined;
}

/** One shard's margin report: its rows and the exact sums behind their totals (the coordinator merges them and rounds once). */
export interface ShardReport {
  method: MarginMethod;
  valuationTime: string;
  backend: string;
  /** The shard's rows (those of the task's part), in shard order. */
  rows: ShardRows;
  /** The market's and the params' warnings (the shard's book has none: the coordinator holds the book's). */
  warnings: InputProblem[];
  /** The exact sums of the totals over these rows, unrounded (src/margin/exact-totals.ts): the coordinator merges them. */
  sums: TotalSums;
  /** The shard's subaccount roll-up, when it holds masters (with its first rows, once per shard): merge.ts merges them. */
  rollup?: PackedRollup | undefined;
}

export type ShardOutcome =
  /**
   * `ms`: the worker's time on the runs, reports packed (for the health output and the scaling model). `by`: the worker
   * that computed the rows, its backend and identity (identity.ts); the coordinator merges only rows of its own build.
   */
  | { kind: 'ok'; shard: number; tick: number; reports: ShardReport[]; ms: number; part?: RowPart | undefined; by?: WorkerStamp | undefined }
  /**
   * Phase one's answer: the rows computed (a SharedArrayBuffer where the platform has them, so phase two's tasks share
   * it instead of copying it), or null when the run has no instrument table.
   */
  | { kind: 'table'; shard: number; tick: number; part: TablePart | null; ms: number; by?: WorkerStamp | undefined }
  /** The shard's book is not held here (a fresh or replacement worker): load it and send the task again. */
  | { kind: 'missing'; shard: number; tick: number }
  /** Bad input (params, market coverage): the coordinator throws it as an InputError. */
  | { kind: 'input-error'; shard: number; tick: number; problems: InputProblem[]; truncated: boolean }
  /** The worker failed otherwise (a bug, not bad input): the coordinator's run rejects with the message. */
  | { kind: 'failed'; shard: number; tick: number; message: string };

/** What a worker needs of its engine (src/engine.ts `Engine`). */
export interface ShardEngine {
  readonly backend: string;
  readonly methods: readonly string[];
  openBook(book: ValidatedBook, layout: LayoutOptions): MarginSession;
}

/**
 * Monte Carlo stress paths `from` … `to` − 1 of one method on the whole book (src/stress/stress.ts `stressPaths`):
 * work split by path, not by account, since each path's cascade is cross-account.
 */
export interface StressPathsJob {
  bookId: string;
  market: ValidatedMarket;
  shock: unknown;
  /** The stress options, profile applied, without `onProgress`. */
  options: Omit<StressOptions, 'onProgress' | 'profile'>;
  method: string;
  from: number;
  to: number;
  /** Test hook, as ShardTask.crash. */
  crash?: boolean | undefined;
}

/** Probes of a reverse stress search (src/stress/reverse.ts) of one method on the whole book, run one after another. */
export interface StressProbeJob extends Omit<StressPathsJob, 'from' | 'to'> {
  batch: ProbeBatch;
}

/** The books a worker holds, laid out, by `bookId/shard`. */
export class ShardStore {
  private readonly sessions = new Map<string, MarginSession>();
  /** Each held shard's account ids, and the digests of the ranges of them answered (packed-rows.ts `idsDigest`), computed once. */
  private readonly ids = new Map<string, string[]>();
  private readonly digests = new Map<string, Map<string, number>>();
  /**
   * A run margined for a tick answered in parts, kept until every part was answered (or another task on the shard).
   * Parts may come in any order (piscina does not keep a worker's queue in order): dropping the run at the last index
   * would margin the shard again for a part still to come.
   */
  private readonly kept = new Map<string, { tick: number; run: KeptRun; answered: Set<number> }>();
  /** A run prepared by phase one of a split run (ShardTask.tableRows), kept for phase two of the same tick. */
  private readonly tabled = new Map<string, { tick: number; run: PreparedRun }>();
  /** Whole books held for work split by path, by book id. */
  private readonly wholeBooks = new Map<string, ValidatedBook>();
  /** Each whole book laid out once per method it ran paths under (by `bookId/method`): its jobs reuse it. */
  private readonly pathRunners = new Map<string, PathRunner>();

  /** `worker`: this worker's name in the stamp of every answer (the thread, the Redis consumer, `main` in process). */
  constructor(private readonly engine: ShardEngine, private readonly worker = 'main') {}

  private static key(bookId: string, shard: number): string {
    return `${bookId}/${shard}`;
  }

  /** Lays the shard out (replacing a copy already held). */
  load(bookId: string, shard: ShardBook): void {
    this.unload(bookId, shard.shard);
    const session = this.engine.openBook(shardAsBook(shard), { assets: shard.assets });
    this.sessions.set(ShardStore.key(bookId, shard.shard), session);
    this.ids.set(ShardStore.key(bookId, shard.shard), shard.accounts.map((a) => a.id));
    this.digests.set(ShardStore.key(bookId, shard.shard), new Map());
  }

  /** The digest of the ids of rows [from, to) of a held shard. */
  private digestOf(key: string, from: number, to: number): number {
    const memo = this.digests.get(key)!;
    const range = `${from}-${to}`;
    let digest = memo.get(range);
    if (digest === undefined) memo.set(range, (digest = idsDigest(this.ids.get(key)!.slice(from, to))));
    return digest;
  }

  private dropKept(key: string): void {
    this.kept.get(key)?.run.release();
    this.kept.delete(key);
    this.tabled.get(key)?.run.release();
    this.tabled.delete(key);
  }

  /**
   * Phase one of a split run: prepares the run, computes its part of the instrument table's rows and keeps the run
   * for phase two (which supplies the whole table, then runs it).
   */
  private tableRows(task: ShardTask, session: MarginSession, key: string, market: ValidatedMarket, part: RowPart): ShardOutcome {
    const { shard, tick } = task;
    const started = performance.now();
    const run = engineRun(session.prepare(market, marginOptionsIn(task.runs[0])));
    try {
      const table = run.methodRun.scale?.instrumentTable;
      if (!table) {
        run.release();
        return { kind: 'table', shard, tick, part: null, ms: performance.now() - started };
      }
      const [from, to] = partRange(table.rows, part);
      const bytes = (to - from) * table.width * Float64Array.BYTES_PER_ELEMENT;
      const data = new Float64Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
      table.compute(from, to, data);
      this.tabled.set(key, { tick, run });
      return { kind: 'table', shard, tick, part: { from, to, data }, ms: performance.now() - started };
    } catch (error) {
      run.release();
      throw error;
    }
  }

  has(bookId: string, shard: number): boolean {
    return this.sessions.has(ShardStore.key(bookId, shard));
  }

  /**
   * Holds the whole book for {@link stressPaths} and {@link stressProbes}. Runners laid out from it before stay (a book
   * id names one book): the book is sent again when a job under another method finds its positions let go.
   */
  loadWhole(bookId: string, whole: WholeBook): void {
    this.wholeBooks.set(bookId, wholeAsBook(whole));
  }

  /**
   * The job's paths, each cascade from the unshocked holdings of the whole book, laid out once per method here (the
   * first job lays it out, the next ones reuse it); `missing` when the book is not held here.
   */
  stressPaths(job: StressPathsJob): MonteCarloPath[] | 'missing' {
    const runner = this.pathRunner(job);
    return runner === 'missing' ? runner : runner.run(this.engine.methods, certifyMarket(job.market), job.shock, job.options, job.method, job.from, job.to);
  }

  /** The job's reverse-search probes, as {@link stressPaths} runs paths; `missing` when the book is not held here. */
  stressProbes(job: StressProbeJob): BadDebtAt[] | 'missing' {
    const runner = this.pathRunner(job);
    return runner === 'missing' ? runner : runner.probe(this.engine.methods, certifyMarket(job.market), job.shock, job.options, job.method, job.batch);
  }

  private pathRunner(job: { bookId: string; method: string }): PathRunner | 'missing' {
    const key = `${job.bookId}/${job.method}`;
    const kept = this.pathRunners.get(key);
    if (kept) return kept;
    const book = this.wholeBooks.get(job.bookId);
    if (!book) return 'missing';
    const runner = new PathRunner(this.engine.openBook(book, {}));
    this.pathRunners.set(key, runner);
    // the runner's layout holds the positions: a columnar book's own copy is let go (20 bytes a position); a job under
    // another method then answers missing and is sent the book again
    if (releasePositions(book)) this.wholeBooks.delete(job.bookId);
    return runner;
  }

  private dropPathRunners(bookId: string): void {
    for (const [key, runner] of this.pathRunners) {
      if (key.startsWith(`${bookId}/`)) {
        runner.session.release();
        this.pathRunners.delete(key);
      }
    }
  }

  unload(bookId: string, shard?: number): void {
    if (shard === undefined) {
      // the book's whole forms: its own, and the pooled book stressed under the cross policy (`${bookId}/pooled`)
      for (const key of this.wholeBooks.keys()) if (key === bookId || key.startsWith(`${bookId}/`)) this.wholeBooks.delete(key);
      this.dropPathRunners(bookId);
    }
    for (const [key, session] of this.sessions) {
      if (shard === undefined ? key.startsWith(`${bookId}/`) : key === ShardStore.key(bookId, shard)) {
        this.dropKept(key);
        session.release();
        this.sessions.delete(key);
        this.ids.delete(key);
        this.digests.delete(key);
      }
    }
  }

  /** The shards held, by book. */
  held(): { bookId: string; shard: number }[] {
    return [...this.sessions.keys()].map((key) => {
      const cut = key.lastIndexOf('/');
      return { bookId: key.slice(0, cut), shard: Number(key.slice(cut + 1)) };
    });
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Runs `task` on the shard held here; `missing` when it is not. Rows and table parts carry this worker's stamp. */
  run(task: ShardTask): ShardOutcome {
    const outcome = this.compute(task);
    if (outcome.kind === 'ok' || outcome.kind === 'table') outcome.by = { worker: this.worker, backend: this.engine.backend, ...buildIdentity() };
    return outcome;
  }

  private compute(task: ShardTask): ShardOutcome {
    const key = ShardStore.key(task.bookId, task.shard);
    const session = this.sessions.get(key);
    const { shard, tick, part } = task;
    if (!session) return { kind: 'missing', shard, tick };
    if ((part || task.tableRows || task.table) && task.runs.length !== 1) throw new Error(`margin-core: a task in parts or with an instrument table runs one method, not ${task.runs.length}`);
    const market = certifyMarket(task.market); // validated by the coordinator; the clone lost only the brand
    const started = performance.now();
    // phase two takes the run phase one prepared for its tick, if this worker still holds it
    const tabled = task.table && this.tabled.get(key)?.tick === tick ? this.tabled.get(key)!.run : undefined;
    if (tabled) this.tabled.delete(key);
    // a run kept for parts serves only the later parts of its own tick: anything else margins afresh
    if (this.kept.get(key)?.tick !== tick || !part) this.dropKept(key);
    try {
      if (task.tableRows) return this.tableRows(task, session, key, market, task.tableRows);
      const [from, to] = partRange(this.ids.get(key)!.length, part);
      if (!part) {
        const reports = task.runs.map((options) => {
          const run = keptRun(session, market, options, task.table, tabled);
          try {
            return run.report(from, to, this.digestOf(key, from, to));
          } finally {
            run.release();
          }
        });
        return { kind: 'ok', shard, tick, reports, ms: performance.now() - started };
      }
      let kept = this.kept.get(key);
      if (!kept) this.kept.set(key, (kept = { tick, run: keptRun(session, market, task.runs[0], task.table, tabled), answered: new Set() }));
      const report = kept.run.report(from, to, this.digestOf(key, from, to));
      kept.answered.add(part.index);
      if (kept.answered.size === part.count) this.dropKept(key);
      return { kind: 'ok', shard, tick, reports: [report], ms: performance.now() - started, part };
    } catch (error) {
      tabled?.release(); // once: keptRun may have released it already
      this.dropKept(key);
      if (error instanceof InputError) return { kind: 'input-error', shard, tick, problems: [...error.problems], truncated: error.truncated };
      throw error;
    }
  }
}

/** The shard's roll-up as it travels (packed-rollup.ts): its masters' places in the shard, figures and exact sums. */
function shardRollup(book: ValidatedBook, r: SubaccountRollup): PackedRollup {
  const sums = rollupSums(r);
  if (!sums) throw new Error('margin-core: a shard\'s roll-up without its exact sums');
  return packRollup(r, Int32Array.from(masterGroups(book), (g) => g.master), sums);
}

/** A shard margined by one method, whose rows are then answered in one piece or in parts. */
interface KeptRun {
  /** Rows [from, to) of the shard's report, packed; `digest`: of those rows' ids. */
  report(from: number, to: number, digest: number): ShardReport;
  release(): void;
}

/**
 * The shard margined by one method. Summary rows go from the kernels' columns straight into packed columns (no row
 * object on the worker), the kernels' outputs kept until released; a breakdown, or anything `session.margin` would
 * run otherwise, builds the report's rows once. `table`: the run's instrument table, computed by the workers (phase
 * two of a split run), on `prepared` (phase one's run) when this worker still holds it.
 */
function keptRun(session: MarginSession, market: ValidatedMarket, options: ShardMarginOptions, table?: TablePart[], prepared?: PreparedRun): KeptRun {
  if (options.breakdown !== true && (options.alone === true || session.subaccountPolicy(options) === null)) {
    const run = prepared ?? engineRun(session.prepare(market, marginOptionsIn(options)));
    try {
      if (table) run.methodRun.scale?.instrumentTable?.supply(table);
      run.run();
      if (run.summaryOnly) {
        const head = { method: run.method.name as MarginMethod, valuationTime: run.market.valuationTime, backend: run.backend, warnings: withWarnings({}, run.inputWarnings).warnings ?? [] };
        return {
          // a shard's layout holds its accounts in shard order, none removed: rows [from, to) are accounts [from, to)
          report: (from, to, digest) => ({ ...head, rows: packColumns(run.summaryColumns(from, to, {})!, digest), sums: run.totalSums(from, to) }),
          release: () => run.release(),
        };
      }
    } catch (error) {
      run.release();
      throw error;
    }
    run.release();
  }
  prepared?.release();
  const margin = marginOptionsIn(options); // without the task's own flag
  const report = options.alone === true ? session.marginAlone(market, margin) : session.margin(market, margin);
  const head = { method: report.method, valuationTime: report.valuationTime, backend: report.backend, warnings: report.warnings ?? [] };
  const rollup = report.subaccounts && shardRollup(session.book, report.subaccounts);
  // rows still columns (one method's run under a policy) are packed from them, with no row object built
  const unbuilt = unbuiltSummaryRows(report);
  return {
    report: (from, to, digest) => {
      const packed = unbuilt && packSummaryRows(unbuilt, from, to, digest);
      const rows = packed ? undefined : report.accounts.slice(from, to);
      // the roll-up travels once, with the shard's first rows
      return { ...head, ...(packed ?? { rows: packRows(rows!), sums: sumsOfRows(rows!) }), ...(rollup && from === 0 ? { rollup } : {}) };
    },
    release: () => {},
  };
}
