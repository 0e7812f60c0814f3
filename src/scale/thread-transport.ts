/**
 * Shards on worker threads (piscina): one single-thread pool per shard, so a shard's book stays laid out in the
 * same thread from run to run (piscina alone would hand a task to any idle thread). The WASM module is compiled
 * once here and posted to every thread, which instantiates it (one instance and memory per thread).
 *
 * A thread that dies (or whose task throws) is replaced by piscina; the replacement holds no book, so the task
 * answers `missing`, the shard is loaded again from the copy kept here, and the task runs again. A task that fails
 * {@link MAX_ATTEMPTS} times rejects the whole run: never a report with a shard missing.
 *
 * Node only: piscina and the file lookup are imported when a pool starts, so browser bundles never load them.
 */
import type { WasmFlavour } from '../kernels/wasm/binary.js';
import type { ShardBook } from './shard-book.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { ShardOutcome, ShardTask, StressPathsJob } from './tasks.js';
import type { ShardTransport, TransportHealth, WorkerHealth } from './transport.js';

/** What the pool posts to each worker when it starts it. */
export interface ThreadWorkerData {
  /** The compiled kernels (undefined: the JS backend). */
  module?: WebAssembly.Module;
  flavour?: WasmFlavour;
}

export type ThreadRequest =
  | { op: 'load'; bookId: string; shard: ShardBook }
  | { op: 'run'; task: ShardTask }
  | { op: 'load-whole'; bookId: string; whole: ShardBook }
  | { op: 'stress-paths'; job: StressPathsJob }
  | { op: 'unload'; bookId: string }
  | { op: 'health' };

export type ThreadResponse = ShardOutcome | WorkerHealth | MonteCarloPath[] | 'missing' | null;

/** Tries of one shard task (first run and re-runs after a worker died) before the run fails. */
export const MAX_ATTEMPTS = 3;

interface Pool {
  run(request: ThreadRequest): Promise<ThreadResponse>;
  destroy(): Promise<void>;
}

/** Where the bundled worker is: beside the Node bundle, under dist/node from dist/*.js, or the build's output from src/ (vitest). */
async function workerFile(): Promise<string> {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const candidates = ['./scale-worker.js', './node/scale-worker.js', '../../dist/node/scale-worker.js'];
  for (const relative of candidates) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`margin-core: the worker bundle scale-worker.js was not found next to ${import.meta.url} (run npm run build)`);
}

export class ThreadTransport implements ShardTransport {
  readonly name = 'threads';
  private readonly books = new Map<string, readonly ShardBook[]>();
  private recoveries = 0;
  /** Test hook: shards whose next run task makes their thread exit mid-task. */
  private readonly crashNext = new Set<number>();

  private constructor(private readonly pools: Pool[]) {}

  get shards(): number {
    return this.pools.length;
  }

  /** Starts `threads` worker threads, each with an instance of `module` (or on JS when it is undefined). */
  static async start(threads: number, module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined): Promise<ThreadTransport> {
    const { Piscina } = await import('piscina');
    const filename = await workerFile();
    const workerData: ThreadWorkerData = module ? { module, flavour } : {};
    const pools: Pool[] = [];
    for (let t = 0; t < threads; t++) {
      pools.push(new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.MAX_SAFE_INTEGER, workerData }));
    }
    return new ThreadTransport(pools);
  }

  /** Test hook: the next run of `shard` (−1: the next Monte Carlo stress job) kills its worker thread mid-task. */
  crashDuringNextRun(shard: number): void {
    this.crashNext.add(shard);
  }

  async load(bookId: string, shards: readonly ShardBook[]): Promise<void> {
    if (shards.length !== this.pools.length) throw new Error(`margin-core: ${shards.length} shards for ${this.pools.length} worker threads`);
    this.books.set(bookId, shards);
    await Promise.all(shards.map((shard) => this.pools[shard.shard].run({ op: 'load', bookId, shard })));
  }

  run(tasks: readonly ShardTask[]): Promise<ShardOutcome[]> {
    return Promise.all(tasks.map((task) => this.runShard(task)));
  }

  private async runShard(task: ShardTask): Promise<ShardOutcome> {
    const pool = this.pools[task.shard];
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const crash = this.crashNext.delete(task.shard);
      try {
        let outcome = (await pool.run({ op: 'run', task: crash ? { ...task, crash } : task })) as ShardOutcome;
        if (outcome.kind === 'missing') {
          // a replacement thread: give it the shard, then ask again
          const shard = this.books.get(task.bookId)?.[task.shard];
          if (!shard) throw new Error(`margin-core: book ${task.bookId} is not loaded`);
          await pool.run({ op: 'load', bookId: task.bookId, shard });
          outcome = (await pool.run({ op: 'run', task })) as ShardOutcome;
          if (outcome.kind === 'missing') throw new Error(`margin-core: shard ${task.shard} did not stay loaded`);
        }
        return outcome;
      } catch (error) {
        lastError = error;
        this.recoveries++;
      }
    }
    throw new Error(`margin-core: shard ${task.shard} failed ${MAX_ATTEMPTS} times (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`, { cause: lastError });
  }

  /** Monte Carlo stress jobs, job j on thread j mod n, each thread given the whole book once. */
  runStressPaths(whole: ShardBook, jobs: readonly StressPathsJob[]): Promise<MonteCarloPath[][]> {
    return Promise.all(jobs.map((job, j) => this.runPathsOn(this.pools[j % this.pools.length], whole, job)));
  }

  private async runPathsOn(pool: Pool, whole: ShardBook, job: StressPathsJob): Promise<MonteCarloPath[]> {
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const crash = this.crashNext.delete(-1); // the test hook's shard −1: a stress-paths job
      try {
        let paths = (await pool.run({ op: 'stress-paths', job: crash ? { ...job, crash } : job })) as MonteCarloPath[] | 'missing';
        if (paths === 'missing') {
          await pool.run({ op: 'load-whole', bookId: job.bookId, whole });
          paths = (await pool.run({ op: 'stress-paths', job })) as MonteCarloPath[] | 'missing';
          if (paths === 'missing') throw new Error(`margin-core: the whole book ${job.bookId} did not stay loaded`);
        }
        return paths;
      } catch (error) {
        lastError = error;
        this.recoveries++;
      }
    }
    throw new Error(`margin-core: Monte Carlo paths ${job.from}…${job.to - 1} failed ${MAX_ATTEMPTS} times (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`, { cause: lastError });
  }

  async unload(bookId: string): Promise<void> {
    this.books.delete(bookId);
    await Promise.all(this.pools.map((pool) => pool.run({ op: 'unload', bookId })));
  }

  async health(): Promise<TransportHealth> {
    const workers = (await Promise.all(this.pools.map((pool) => pool.run({ op: 'health' })))) as WorkerHealth[];
    return { transport: this.name, shards: this.shards, workers, recoveries: this.recoveries, pending: 0 };
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.destroy()));
  }
}
