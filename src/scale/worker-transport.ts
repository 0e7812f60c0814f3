/**
 * Shards on a pool of workers of this machine: Node worker threads (piscina, `startThreads`) or browser Web Workers
 * (`startWebWorkers`). One single-worker pool per shard, so a shard's book stays laid out in the same worker from run
 * to run (piscina alone would hand a task to any idle thread). The WASM module is compiled once by the engine and
 * given to every worker, which instantiates it (one instance and memory per worker).
 *
 * A worker that dies (or whose task throws) is replaced (piscina does it for threads, WebWorkerPool for Web Workers);
 * the replacement holds no book, so the task answers `missing`, the shard is loaded again from the copy kept here,
 * and the task runs again. A task that fails {@link MAX_ATTEMPTS} times rejects the whole run: never a report with a
 * shard missing.
 *
 * Node's piscina and file lookup are imported only when threads start, so browser bundles never load them.
 */
import type * as WorkerThreads from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { WasmFlavour } from '../kernels/wasm/binary.js';
import { type PoolRequest, type PoolResponse, type PoolWorkerData, REPLIED_ON_PORT, type ThreadTask } from './worker-requests.js';
import type { ShardBook } from './shard-book.js';
import type { WholeBook } from './whole-book.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { ShardOutcome, ShardTask, StressPathsJob, StressProbeJob } from './tasks.js';
import type { BadDebtAt } from '../stress/reverse.js';
import { CRASH_DURING_NEXT_RUN, type ShardTransport, type TransportHealth, type WorkerHealth } from './transport.js';
import { loadOptional } from '../optional-dependency.js';

/** Tries of one shard task (first run and re-runs after a worker died) before the run fails. */
export const MAX_ATTEMPTS = 3;

/**
 * Parts a shard's rows come back in, for a one-method call (parts.ts). One: a worker answers its shard whole.
 * perf: threshold (docs/performance.md): a part costs every worker a task message, more than the merge it overlaps.
 */
export const ROW_PARTS = 1;

/** One worker that answers requests in order, replaced when it dies. */
export interface Pool {
  run(request: PoolRequest): Promise<PoolResponse>;
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

export class WorkerTransport implements ShardTransport {
  private readonly books = new Map<string, readonly ShardBook[]>();
  private recoveries = 0;
  /** Per pool, how many of its workers died so far: the requests pending on one worker all fail with it, and count once. */
  private readonly deaths: number[];
  /** Test hook: shards whose next run task makes their thread exit mid-task. */
  private readonly crashNext = new Set<number>();

  readonly parts = ROW_PARTS;
  readonly exchangesTables = true;

  /** Use {@link startThreads} or {@link startWebWorkers}. */
  constructor(readonly name: 'threads' | 'web-workers', private readonly pools: Pool[]) {
    this.deaths = pools.map(() => 0);
  }

  /** A request sent to pool p while `deaths` was its count failed: one worker replaced, unless a sibling request said so. */
  private failed(p: number, deaths: number): void {
    if (this.deaths[p] !== deaths) return;
    this.deaths[p]++;
    this.recoveries++;
  }

  get shards(): number {
    return this.pools.length;
  }

  /** Test hook (transport.ts): the next run of `shard` (−1: the next job on the whole book) kills its worker thread mid-task. */
  [CRASH_DURING_NEXT_RUN](shard: number): void {
    this.crashNext.add(shard);
  }

  async load(bookId: string, shards: readonly ShardBook[]): Promise<void> {
    if (shards.length !== this.pools.length) throw new Error(`margin-core: ${shards.length} shards for ${this.pools.length} worker threads`);
    this.books.set(bookId, shards);
    await Promise.all(shards.map((shard) => this.pools[shard.shard].run({ op: 'load', bookId, shard })));
  }

  run(tasks: readonly ShardTask[], onOutcome?: (outcome: ShardOutcome) => void): Promise<ShardOutcome[]> {
    // a worker answers its tasks in the order posted: a shard's parts come back one after another
    return Promise.all(tasks.map((task) => this.runShard(task).then((outcome) => (onOutcome?.(outcome), outcome))));
  }

  private async runShard(task: ShardTask): Promise<ShardOutcome> {
    const pool = this.pools[task.shard];
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const crash = this.crashNext.delete(task.shard);
      const deaths = this.deaths[task.shard];
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
        this.failed(task.shard, deaths);
      }
    }
    throw new Error(`margin-core: shard ${task.shard} failed ${MAX_ATTEMPTS} times (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`, { cause: lastError });
  }

  /** Monte Carlo stress jobs, job j on thread j mod n, each thread given the whole book once. */
  runStressPaths(whole: WholeBook, jobs: readonly StressPathsJob[], onJob?: (job: number) => void): Promise<MonteCarloPath[][]> {
    return Promise.all(jobs.map(async (job, j) => {
      const paths = await this.runWholeOn<MonteCarloPath[]>(j % this.pools.length, whole, { op: 'stress-paths', job }, `Monte Carlo paths ${job.from}…${job.to - 1}`);
      onJob?.(j);
      return paths;
    }));
  }

  /** Reverse-search probes, job j on thread j mod n, each thread given the whole book once. */
  runStressProbes(whole: WholeBook, jobs: readonly StressProbeJob[]): Promise<BadDebtAt[][]> {
    return Promise.all(jobs.map((job, j) => this.runWholeOn<BadDebtAt[]>(j % this.pools.length, whole, { op: 'stress-probes', job }, `reverse probes at ${job.batch.lambdas.join(', ')}`)));
  }

  /** A job on the whole book on pool p: sent again with the book when the thread does not hold it, tried again when it dies. */
  private async runWholeOn<T>(p: number, whole: WholeBook, request: Extract<PoolRequest, { op: 'stress-paths' | 'stress-probes' }>, what: string): Promise<T> {
    const pool = this.pools[p];
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const crash = this.crashNext.delete(-1); // the test hook's shard −1: a job on the whole book
      const deaths = this.deaths[p];
      try {
        const first = crash ? { ...request, job: { ...request.job, crash } } as typeof request : request;
        let answer = (await pool.run(first)) as T | 'missing';
        if (answer === 'missing') {
          // the book travels with the job: a book sent alone could be let go by another method's job before this one ran
          answer = (await pool.run({ ...request, whole })) as T | 'missing';
          if (answer === 'missing') throw new Error(`margin-core: the whole book ${request.job.bookId} sent with its job was not laid out`);
        }
        return answer;
      } catch (error) {
        lastError = error;
        this.failed(p, deaths);
      }
    }
    throw new Error(`margin-core: ${what} failed ${MAX_ATTEMPTS} times (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`, { cause: lastError });
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

/** `threads` Node worker threads, each with an instance of `module` (or on JS when it is undefined). */
export async function startThreads(threads: number, module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined): Promise<WorkerTransport> {
  const { Piscina } = await loadOptional('piscina', 'worker threads (workers > 1)', () => import('piscina'));
  const ports = await import('node:worker_threads');
  const filename = await workerFile();
  const workerData: PoolWorkerData = module ? { module, flavour } : {};
  const pools: Pool[] = [];
  for (let t = 0; t < threads; t++) pools.push(new ThreadPool(new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.MAX_SAFE_INTEGER, workerData }), ports));
  return new WorkerTransport('threads', pools);
}

/** What ThreadPool needs of node:worker_threads (imported when threads start: browser bundles never load it). */
type Ports = Pick<typeof WorkerThreads, 'MessageChannel' | 'receiveMessageOnPort'>;

/**
 * One piscina thread. A run task's answer (a shard's packed rows: megabytes of column buffers per call) comes back on a
 * MessageChannel of its own, posted by the thread just before it answers piscina with {@link REPLIED_ON_PORT}; the
 * answer is then already in the port's queue and read synchronously.
 * perf: external-memory (docs/performance.md): buffers in piscina's own answer were freed only by full collections.
 */
class ThreadPool implements Pool {
  constructor(private readonly piscina: Piscina, private readonly ports: Ports) {}

  async run(request: PoolRequest): Promise<PoolResponse> {
    if (request.op !== 'run') return (await this.piscina.run(request)) as PoolResponse;
    const { port1, port2 } = new this.ports.MessageChannel();
    try {
      const answer = await this.piscina.run({ request, reply: port2 } satisfies ThreadTask, { transferList: [port2] });
      if (answer !== REPLIED_ON_PORT) return answer as PoolResponse;
      const replied = this.ports.receiveMessageOnPort(port1);
      if (replied === undefined) throw new Error('margin-core: a worker thread answered on its reply port, and the answer was not there');
      return replied.message as PoolResponse;
    } finally {
      port1.close();
    }
  }

  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}

/** `count` browser Web Workers (module workers from dist/browser/scale-worker.js), each with an instance of `module`. */
export async function startWebWorkers(count: number, module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined, url = new URL('./scale-worker.js', import.meta.url)): Promise<WorkerTransport> {
  const data: PoolWorkerData = module ? { module, flavour } : {};
  const pools = Array.from({ length: count }, (_, w) => new WebWorkerPool(url, data, `web-worker-${w}`));
  return new WorkerTransport('web-workers', pools);
}

/** One Web Worker answering requests by id; an uncaught error in it fails its requests and starts a fresh worker. */
class WebWorkerPool implements Pool {
  private worker!: Worker;
  private ready!: Promise<void>;
  private readonly pending = new Map<number, { resolve: (r: PoolResponse) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(private readonly url: URL, private readonly data: PoolWorkerData, private readonly name: string) {
    this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(this.url, { type: 'module', name: this.name });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent) => {
        const m = event.data as { ready?: true; failed?: string; id?: number; response?: PoolResponse; error?: string };
        if (m.ready) return resolve();
        if (m.failed !== undefined) return reject(new Error(`margin-core: ${this.name} could not start: ${m.failed}`));
        const waiting = this.pending.get(m.id!);
        if (!waiting) return;
        this.pending.delete(m.id!);
        if (m.error !== undefined) waiting.reject(new Error(m.error));
        else waiting.resolve(m.response as PoolResponse);
      };
    });
    this.ready.catch(() => {}); // a failed start is reported by the run that waits on it
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (worker !== this.worker) return; // a late error of a worker already replaced
      const error = new Error(`margin-core: ${this.name} failed (${event.message}); replaced`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      worker.terminate();
      this.spawn();
    };
    worker.postMessage({ init: this.data, name: this.name });
  }

  async run(request: PoolRequest): Promise<PoolResponse> {
    await this.ready;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  async destroy(): Promise<void> {
    this.worker.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error('margin-core: the worker pool was closed'));
    this.pending.clear();
  }
}
