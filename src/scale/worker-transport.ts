/**
 * Shards on a pool of workers of this machine: Node worker threads (piscina, `startThreads`) or browser Web Workers
 * (`startWebWorkers`). One single-worker pool per shard, so a shard's book stays laid out in the same worker from run
 * to run (piscina alone would hand a task to any idle thread). The WASM module is compiled once by the engine and
 * given to every worker, which instantiates it (one instance and memory per worker).
 *
 * A worker that dies (or whose task throws) is replaced (piscina does it for threads, WebWorkerPool for Web Workers);
 * the replacement holds no book, so the task answers `missing`, the shard is loaded again from the copy kept here,
 * and the task runs again. A task that fails {@link MAX_ATTEMPTS} times rejects the whole run: never a report with a
 * shard missing. A Web Worker that never got ready (its script missing: a bundle shipped without scale-worker.js) is not
 * started again: the pool's start rejects, naming the script's URL ({@link startWebWorkers}).
 *
 * Node's piscina and file lookup are imported only when threads start, so browser bundles never load them.
 */
import { eachOnNextFree } from './next-free.js';
import type * as WorkerThreads from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { WasmFlavour } from '../kernels/wasm/binary.js';
import type { MethodologyProfile } from '../profiles/profile.js';
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
  /** Set by {@link close}: every later call fails with it (a destroyed piscina pool had started new threads). */
  private closed: Error | null = null;

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

  /** Throws when the transport was closed (the engine's `close`): its workers are stopped for good. */
  private assertOpen(): void {
    if (this.closed) throw this.closed;
  }

  async load(bookId: string, shards: readonly ShardBook[]): Promise<void> {
    this.assertOpen();
    if (shards.length !== this.pools.length) throw new Error(`margin-core: ${shards.length} shards for ${this.pools.length} worker threads`);
    this.books.set(bookId, shards);
    await Promise.all(shards.map((shard) => this.pools[shard.shard].run({ op: 'load', bookId, shard })));
  }

  run(tasks: readonly ShardTask[], onOutcome?: (outcome: ShardOutcome) => void): Promise<ShardOutcome[]> {
    // a worker answers its tasks in the order posted: a shard's parts come back one after another
    return Promise.all(tasks.map((task) => this.runShard(task).then((outcome) => (onOutcome?.(outcome), outcome))));
  }

  private async runShard(task: ShardTask): Promise<ShardOutcome> {
    this.assertOpen();
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

  /** Monte Carlo stress jobs, each taken by the next free thread, each thread given the whole book once. */
  runStressPaths(whole: WholeBook, jobs: readonly StressPathsJob[], onJob?: (job: number) => void): Promise<MonteCarloPath[][]> {
    return eachOnNextFree(this.pools.length, jobs, (p, job) => this.runWholeOn<MonteCarloPath[]>(p, whole, { op: 'stress-paths', job }, `Monte Carlo paths ${job.from}…${job.to - 1}`), onJob);
  }

  /** Reverse-search probes, each taken by the next free thread, each thread given the whole book once. */
  runStressProbes(whole: WholeBook, jobs: readonly StressProbeJob[]): Promise<BadDebtAt[][]> {
    return eachOnNextFree(this.pools.length, jobs, (p, job) => this.runWholeOn<BadDebtAt[]>(p, whole, { op: 'stress-probes', job }, `reverse probes at ${job.batch.lambdas.join(', ')}`));
  }

  /** A job on the whole book on pool p: sent again with the book when the thread does not hold it, tried again when it dies. */
  private async runWholeOn<T>(p: number, whole: WholeBook, request: Extract<PoolRequest, { op: 'stress-paths' | 'stress-probes' }>, what: string): Promise<T> {
    this.assertOpen();
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
    if (this.closed) return; // the workers, and what they held, are gone
    await Promise.all(this.pools.map((pool) => pool.run({ op: 'unload', bookId })));
  }

  async health(): Promise<TransportHealth> {
    this.assertOpen();
    const workers = (await Promise.all(this.pools.map((pool) => pool.run({ op: 'health' })))) as WorkerHealth[];
    return { transport: this.name, shards: this.shards, workers, recoveries: this.recoveries, pending: 0 };
  }

  async close(): Promise<void> {
    this.closed ??= new Error(`margin-core: the engine was closed: its ${this.name === 'threads' ? 'worker threads' : 'Web Workers'} are stopped, and a sharded book opened on it no longer runs (open the book on a running engine; the closed engine still serves single-threaded calls)`);
    this.books.clear();
    await Promise.all(this.pools.map((pool) => pool.destroy()));
  }
}

/** What a pool worker starts with: the compiled kernels (none: the JS backend) and the engine's profiles (none: the built-in ones). */
function poolWorkerData(module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined, profiles: readonly MethodologyProfile[] | undefined): PoolWorkerData {
  return { ...(module ? { module, flavour } : {}), ...(profiles ? { profiles } : {}) };
}

/**
 * The young generation of a pool thread (MB: V8's two semi-spaces and its new large-object space, three semi-spaces in
 * all), for 64 MB semi-spaces where V8's default is 16. A Monte Carlo path makes ~10⁶ short-lived records (a
 * liquidation's trials and steps) that a small young generation copies before they die; with larger semi-spaces most die
 * uncopied. perf: die-young (docs/performance.md).
 */
export const THREAD_YOUNG_GENERATION_MB = 3 * 64;

/** `threads` Node worker threads, each with an instance of `module` (or on JS when it is undefined), and the engine's `profiles` when given. */
export async function startThreads(threads: number, module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined, profiles?: readonly MethodologyProfile[]): Promise<WorkerTransport> {
  const { Piscina } = await loadOptional('piscina', 'worker threads (workers > 1)', () => import('piscina'));
  const ports = await import('node:worker_threads');
  const filename = await workerFile();
  const workerData = poolWorkerData(module, flavour, profiles);
  const pools: Pool[] = [];
  for (let t = 0; t < threads; t++) pools.push(new ThreadPool(new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.MAX_SAFE_INTEGER, workerData, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } }), ports));
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

/**
 * How long a Web Worker may take from its construction to its ready message (its script fetched and run, the posted
 * module instantiated) before the pool gives it up as not starting. A page on a slow link fetches scale-worker.js
 * (about as large as the engine) within it; a script that never answers (a wrong file served as JavaScript) fails here.
 */
export const WORKER_READY_TIMEOUT_MS = 10_000;

/**
 * Replacements in a row that may fail to start, after a ready Web Worker died, before its pool gives up: its pending
 * and later calls then reject (the engine's other calls, single-threaded, still work). A replacement that starts resets
 * the count.
 */
export const MAX_FAILED_RESTARTS = 3;

/**
 * `count` browser Web Workers (module workers running dist/browser/scale-worker.js), each with an instance of `module`;
 * resolves once every worker said it is ready. `workerUrl` is where the page serves the worker script (relative: to the
 * page), by default `./scale-worker.js` beside this module (the bundle). A worker that does not start (its script fails
 * to load or throws, a message it cannot read, no ready message within {@link WORKER_READY_TIMEOUT_MS}) is not started
 * again: the call rejects, naming the URL and the likely cause, and the other workers are stopped.
 */
export async function startWebWorkers(count: number, module: WebAssembly.Module | undefined, flavour: WasmFlavour | undefined, workerUrl?: string | URL, profiles?: readonly MethodologyProfile[]): Promise<WorkerTransport> {
  const data = poolWorkerData(module, flavour, profiles);
  // the literal `new URL('./…', import.meta.url)`: the form bundlers recognise as an asset beside the module
  const script = { href: absoluteUrl(workerUrl ?? new URL('./scale-worker.js', import.meta.url)), given: workerUrl !== undefined };
  const pools = Array.from({ length: count }, (_, w) => new WebWorkerPool(script, data, `web-worker-${w}`));
  try {
    await Promise.all(pools.map((pool) => pool.started));
  } catch (error) {
    await Promise.all(pools.map((pool) => pool.destroy()));
    throw error;
  }
  return new WorkerTransport('web-workers', pools);
}

/** `url` resolved as `new Worker` resolves it: against the document's base URL (or the worker's own location). */
function absoluteUrl(url: string | URL): string {
  const scope = globalThis as { document?: { baseURI?: string | undefined } | undefined; location?: { href?: string | undefined } | undefined };
  try {
    return new URL(String(url), scope.document?.baseURI ?? scope.location?.href).href;
  } catch {
    throw new TypeError(`workerUrl must be a URL (absolute, or relative to the page), got ${JSON.stringify(String(url))}`);
  }
}

/** Where the worker script is, and whether the caller named it (workerUrl) or the bundle's default was used. */
interface WorkerScript {
  href: string;
  given: boolean;
}

/** The error of a Web Worker that did not start from `script`: its URL, what happened, and what to check. */
function notStarted(name: string, script: WorkerScript, what: string): Error {
  const shown = script.href.length > 200 ? `${script.href.slice(0, 199)}…` : script.href;
  const hint = script.given
    ? 'check that workerUrl serves dist/browser/scale-worker.js of this margin-core version as JavaScript'
    : script.href.startsWith('data:')
      ? 'the bundler inlined the worker as a data: URL, from which scale-worker.js cannot load (a Vite build does): serve dist/browser/scale-worker.js and pass workerUrl'
      : 'scale-worker.js not found beside the bundle or not served as JavaScript: copy dist/browser/scale-worker.js there (a .js file served as text/javascript), or pass workerUrl';
  return new Error(`margin-core: Web Worker ${name} did not start from ${shown} (${what}): ${hint} (docs/browser.md, "With a bundler")`);
}

/** A promise with its settlers; a rejection nobody waits on is not reported as unhandled. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void, reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * One Web Worker answering requests by id. A worker that dies after it was ready (an uncaught error, an answer it could
 * not send) fails its requests and a fresh worker is started; one that never got ready is not started again (the first:
 * the pool's start rejects; a replacement: after {@link MAX_FAILED_RESTARTS} in a row the pool gives up). A pool given
 * up or destroyed rejects every call, pending or later: none stays pending.
 */
class WebWorkerPool implements Pool {
  private worker: Worker | undefined;
  /** Settles when the current worker is ready, or rejects when the pool gave up or was closed. */
  private ready = deferred();
  /** Resolves when the first worker is ready; rejects if it did not start. */
  readonly started = this.ready.promise;
  /** Why every call now fails: the pool gave up or was closed. */
  private failure: Error | undefined;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private failedRestarts = 0;
  private readonly pending = new Map<number, { resolve: (r: PoolResponse) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(private readonly script: WorkerScript, private readonly data: PoolWorkerData, private readonly name: string) {
    this.spawn(false);
  }

  private spawn(replacing: boolean): void {
    let worker: Worker;
    try {
      worker = new Worker(this.script.href, { type: 'module', name: this.name });
    } catch (error) {
      // the browser refuses to construct it (a script of another origin: SecurityError) before any event
      const why = `the browser refused it: ${(error as Error).message}; a Web Worker's script must be of the page's own origin`;
      return this.giveUp(notStarted(this.name, this.script, why));
    }
    this.worker = worker;
    let isReady = false;
    /** Before its ready message: this worker did not start. The first is not replaced; a replacement is, a few times. */
    const notReady = (error: Error): void => {
      clearTimeout(this.readyTimer);
      worker.terminate();
      this.worker = undefined;
      if (!replacing) return this.giveUp(error);
      this.rejectPending(error);
      if (++this.failedRestarts >= MAX_FAILED_RESTARTS) {
        return this.giveUp(new Error(`margin-core: ${this.name} died and ${this.failedRestarts} replacements in a row did not start (last: ${error.message})`, { cause: error }));
      }
      this.spawn(true);
    };
    /** The worker failed (`why`): before it was ready, it did not start; after, it is replaced. */
    const failed = (why: string): void => {
      if (worker !== this.worker) return; // a late event of a worker already replaced or stopped
      if (!isReady) return notReady(notStarted(this.name, this.script, why));
      this.rejectPending(new Error(`margin-core: ${this.name} failed (${why}); replaced`));
      worker.terminate();
      this.ready = deferred();
      this.spawn(true);
    };
    // a script that loaded but did not answer in time may only have been slow: a headless browser's virtual time runs
    // the timer out before the worker's first turn
    this.readyTimer = setTimeout(() => failed(`no ready message within ${WORKER_READY_TIMEOUT_MS} ms; a page whose clock runs ahead of the worker, as a headless browser's virtual time budget does, can see this too`), WORKER_READY_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent) => {
      if (worker !== this.worker) return;
      const m = event.data as { ready?: true | undefined; failed?: string | undefined; id?: number | undefined; response?: PoolResponse | undefined; error?: string | undefined };
      if (m.ready) {
        isReady = true;
        clearTimeout(this.readyTimer);
        this.failedRestarts = 0;
        this.ready.resolve();
        return;
      }
      // the script ran but could not make its engine (the posted module): not a matter of where the script is
      if (m.failed !== undefined && !isReady) return notReady(new Error(`margin-core: Web Worker ${this.name} (${this.script.href.slice(0, 200)}) could not start: ${m.failed}`));
      const waiting = this.pending.get(m.id!);
      if (!waiting) return;
      this.pending.delete(m.id!);
      if (m.error !== undefined) waiting.reject(new Error(m.error));
      else waiting.resolve(m.response as PoolResponse);
    };
    worker.onerror = (event: Event) => {
      event.preventDefault();
      // a script that failed to load (HTTP 404, wrong MIME type, an import that does not resolve) gives a plain Event
      const message = (event as Partial<ErrorEvent>).message;
      failed(message ? `an uncaught error: ${message}` : 'the script failed to load or threw');
    };
    worker.onmessageerror = () => failed('a message from it could not be read (messageerror)');
    worker.postMessage({ init: this.data, name: this.name });
  }

  private rejectPending(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** No worker any more: every call, pending or later, rejects with `error`. */
  private giveUp(error: Error): void {
    this.failure ??= error;
    clearTimeout(this.readyTimer);
    this.worker?.terminate();
    this.worker = undefined;
    this.rejectPending(this.failure);
    this.ready.reject(this.failure);
  }

  async run(request: PoolRequest): Promise<PoolResponse> {
    if (this.failure) throw this.failure;
    await this.ready.promise;
    const worker = this.worker;
    if (this.failure || !worker) throw this.failure ?? new Error(`margin-core: ${this.name} has no worker`);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  async destroy(): Promise<void> {
    this.giveUp(new Error('margin-core: the worker pool was closed'));
  }
}
