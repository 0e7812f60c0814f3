/**
 * Scale-out benchmark (issue 18), same run, same books, 1 worker against 2 (WASM SIMD and the JS twin):
 *  - margin of the generated 100,000-account book (seed 7) under cross and portfolio, on a sharded book opened once
 *    (`engine.openShardedBook`): 1 worker = the shards run in this thread, 2 = two worker threads; tinybench medians;
 *    each the call alone, the call plus reading every account through `accountColumns` (typed columns, no row
 *    object) and the call plus reading every row (a report builds its row objects on first read);
 *  - the same on the 10,000-account book (the size of portfolio benchmark (a), at engine level);
 *  - Monte Carlo VaR (1,000 scenarios) on the 10,000-account book (its risk array split by rows across the workers),
 *    median of five timed runs after six warm ones; Monte Carlo stress (btc-crash, 100 paths, cross) on the generated
 *    2,000-account book, median of three after two warm;
 *  - through Redis on loopback (a redis-server started here, skipped when there is none): 1 and 2 `margin-core worker`
 *    processes, books of 20,000 accounts in 4 shards: throughput (accounts per second, 8 ticks in flight) and
 *    tick-to-result latency p50 / p99 (20 ticks one after another), cross and portfolio;
 *  - portfolio benchmark (a) (bench/portfolio.ts) on one thread and split over two worker threads (bench/portfolio-split.ts);
 *  - the 100,000-account calls again in pairs, a 1-worker and a 2-worker engine alternated (bench/scale-paired.ts): the
 *    speed-up with the machine's drift taken out.
 * Every pool row also gives the process's CPU ms per run (all threads) and the ms its threads waited for a core
 * (bench/thread-times.ts): on a loaded machine the wait says how much of the wall time was other processes'.
 * On a shared 2-core machine the coordinator, the workers and other work compete for the same cores: read speed-ups
 * from a quiet machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { generateSample } from '../src/sample/generate.js';
import { RedisTransport } from '../src/scale/redis/transport.js';
import type { RunTimings } from '../src/scale/sharded-book.js';
import { type SplitBenchResult, splitKernelBench } from './portfolio-split.js';
import { type PairedRow, scalePaired, scalePairedTables } from './scale-paired.js';
import { type BenchTable, fixed, times } from './harness.js';
import { type Read, READ_LABEL, READERS } from './report-readers.js';
import { middle } from './stats.js';
import { threadDelta, threadTimes } from './thread-times.js';

export interface ScaleRow {
  backend: string;
  work: string;
  accounts: number;
  workers: number;
  /** Median ms per run. */
  ms: number;
  /** Accounts margined per second (accounts / ms). */
  accountsPerSecond: number;
  /**
   * Margin rows (medians, ms): the shards' time in their workers summed (core time), the busiest worker's (one shard
   * each, its parts summed), the coordinator's merge (much of it while the workers run) and its tail after the last
   * shard answered.
   */
  coreMs?: number;
  busiestWorkerMs?: number;
  mergeMs?: number;
  coordinatorMs?: number;
  /** Medians per run: CPU ms of all the process's threads, and ms they spent runnable but waiting for a core. */
  cpuMs?: number;
  waitMs?: number;
  /** Median per run: CPU ms of the busiest thread (the coordinator with 1 worker, a worker with 2). */
  busiestThreadMs?: number;
  /** Rows read after the call (median ms): building `report.accounts` (row objects, status reasons) and reading them. */
  readMs?: number;
}


export interface RedisRow {
  method: string;
  accounts: number;
  workers: number;
  accountsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const SHOCK = JSON.parse(readFileSync(new URL('../data/shocks/btc-crash.json', import.meta.url), 'utf8')) as unknown;

function validated(accounts: number): { book: ValidatedBook; market: ValidatedMarket } {
  const sample = generateSample({ accounts, seed: 7 });
  return validateInputs(sample.book, sample.market);
}

function median(bench: Bench, name: string): number {
  const r = bench.getTask(name)?.result;
  return r?.state === 'completed' ? r.latency.p50 : NaN;
}

export interface ScaleResult {
  rows: ScaleRow[];
  redis: RedisRow[];
  /** Portfolio benchmark (a), one thread against two. */
  split?: SplitBenchResult;
  /** The 100,000-account margin calls again, a 1-worker and a 2-worker engine alternated (bench/scale-paired.ts). */
  paired: PairedRow[];
}

/**
 * Warm-up then timed calls of the Monte Carlo rows (too slow for tinybench's defaults): each worker's isolate compiles
 * its own code, so a 2-worker run needs as many warm calls as a 1-worker one to measure warm code (measured: ~6 calls
 * of Monte Carlo VaR before the workers' times settle).
 */
const VAR_CALLS = { warm: 6, timed: 5 };
const STRESS_CALLS = { warm: 2, timed: 3 };

async function timedCalls(calls: { warm: number; timed: number }, call: () => Promise<unknown>): Promise<({ ms: number } & ReturnType<typeof threadDelta>)[]> {
  for (let k = 0; k < calls.warm; k++) await call();
  const runs: ({ ms: number } & ReturnType<typeof threadDelta>)[] = [];
  for (let k = 0; k < calls.timed; k++) {
    const before = threadTimes();
    const t0 = performance.now();
    await call();
    runs.push({ ms: performance.now() - t0, ...threadDelta(before, threadTimes()) });
  }
  return runs;
}

export async function scaleBench(): Promise<ScaleResult> {
  const big = validated(100_000), medium = validated(10_000), small = validated(2_000);
  const rows: ScaleRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    for (const workers of [1, 2]) {
      const engine = await createEngine({ backend, workers });
      try {
        for (const [label, data] of [['100k', big], ['10k', medium]] as const) {
          const sharded = await engine.openShardedBook(data.book);
          // warm-up as the Monte Carlo rows: each worker's isolate compiles its own code (one warm call measured the
          // 2-worker calls mid-warm-up)
          const bench = new Bench({ time: 0, iterations: label === '100k' ? 15 : 20, warmup: true, warmupIterations: 6, warmupTime: 0 });
          const timings = new Map<string, (RunTimings & ReturnType<typeof threadDelta> & { readMs: number })[]>();
          // the call alone (report.accounts not read: rows are built on first read), the call plus reading every row
          // (building the rows is timed too), and the call plus reading every account's figures as columns
          // calls alone first, row reads last: a task that builds 100,000 row objects per call leaves the heap (and its
          // next full collection) to whichever task follows
          const works = (['none', 'columns', 'rows'] as const).flatMap((read) => ['cross', 'portfolio'].map((method) => ({ method, read })));
          const name = (w: { method: string; read: Read }) => `${w.method} margin${READ_LABEL[w.read]}`;
          for (const work of works) {
            timings.set(name(work), []);
            bench.add(name(work), async () => {
              const before = threadTimes();
              const report = await sharded.margin(data.market, { method: work.method });
              const t0 = performance.now();
              READERS[work.read](report);
              timings.get(name(work))!.push({ ...sharded.lastRun!, ...threadDelta(before, threadTimes()), readMs: performance.now() - t0 });
            });
          }
          await bench.run();
          for (const work of works) {
            const ms = median(bench, name(work)), t = timings.get(name(work))!;
            rows.push({
              backend: engine.backend, work: name(work), accounts: data.book.accounts.length, workers, ms, accountsPerSecond: (data.book.accounts.length * 1000) / ms,
              coreMs: middle(t.map((r) => r.shardMs.reduce((a, b) => a + b, 0))), busiestWorkerMs: middle(t.map((r) => Math.max(...r.shardMs))), mergeMs: middle(t.map((r) => r.mergeMs)), coordinatorMs: middle(t.map((r) => r.coordinatorMs)),
              cpuMs: middle(t.map((r) => r.cpuMs)), waitMs: middle(t.map((r) => r.waitMs)), busiestThreadMs: middle(t.map((r) => r.busiestThreadMs)),
              ...(work.read !== 'none' ? { readMs: middle(t.map((r) => r.readMs)) } : {}),
            });
          }
          await sharded.release();
        }
        const mcVar = await engine.openShardedBook(medium.book);
        const options = { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 1000 } } };
        const varRuns = await timedCalls(VAR_CALLS, () => mcVar.margin(medium.market, options));
        const varMs = middle(varRuns.map((r) => r.ms));
        rows.push({
          backend: engine.backend, work: 'Monte Carlo VaR (1,000 scenarios)', accounts: medium.book.accounts.length, workers, ms: varMs, accountsPerSecond: (medium.book.accounts.length * 1000) / varMs,
          cpuMs: middle(varRuns.map((r) => r.cpuMs)), waitMs: middle(varRuns.map((r) => r.waitMs)), busiestThreadMs: middle(varRuns.map((r) => r.busiestThreadMs)),
        });
        await mcVar.release();
        const mcStress = await engine.openShardedBook(small.book);
        const stressRuns = await timedCalls(STRESS_CALLS, () => mcStress.stress(small.market, SHOCK, { method: 'cross', paths: 100, params: { stress: { maxRounds: 10 } } }));
        const ms = middle(stressRuns.map((r) => r.ms));
        rows.push({
          backend: engine.backend, work: 'Monte Carlo stress (100 paths)', accounts: small.book.accounts.length, workers, ms, accountsPerSecond: (small.book.accounts.length * 100 * 1000) / ms,
          cpuMs: middle(stressRuns.map((r) => r.cpuMs)), waitMs: middle(stressRuns.map((r) => r.waitMs)), busiestThreadMs: middle(stressRuns.map((r) => r.busiestThreadMs)),
        });
        await mcStress.release();
      } finally {
        await engine.close();
      }
    }
  }
  const split = await splitKernelBench(new URL('./bench-split-worker.js', import.meta.url));
  return { rows, split, paired: await scalePaired(), redis: await redisBench() };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGTERM');
  return exited;
}

/** Redis on loopback with 1 and 2 worker processes; [] when redis-server cannot be started. */
async function redisBench(accounts = 20_000, shards = 4): Promise<RedisRow[]> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  if (failed) {
    console.log('(redis-server not found: the Redis rows are skipped)');
    return [];
  }
  const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');
  const { book, market } = validated(accounts);
  const engine = await createEngine();
  const rows: RedisRow[] = [];
  try {
    for (const workers of [1, 2]) {
      const group = `bench-${workers}`;
      const procs = await Promise.all(Array.from({ length: workers }, () => startWorker(cli, url, group)));
      const transport = await RedisTransport.connect({ url, group, shards, timeoutMs: 120_000 });
      try {
        const sharded = await engine.openShardedBook(book, transport);
        for (const method of ['cross', 'portfolio']) {
          await sharded.margin(market, { method }); // warm: every worker lays its shards out
          const t0 = performance.now();
          await Promise.all(Array.from({ length: 8 }, () => sharded.margin(market, { method })));
          const throughput = (8 * accounts * 1000) / (performance.now() - t0);
          const latencies: number[] = [];
          for (let t = 0; t < 20; t++) {
            const sent = performance.now();
            await sharded.margin(market, { method });
            latencies.push(performance.now() - sent);
          }
          latencies.sort((a, b) => a - b);
          rows.push({ method, accounts, workers, accountsPerSecond: throughput, p50Ms: latencies[9], p99Ms: latencies[19] });
        }
        await sharded.release();
      } finally {
        await transport.close();
        await Promise.all(procs.map(stop));
      }
    }
  } finally {
    await stop(server);
  }
  return rows;
}

async function startWorker(cli: string, url: string, group: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'worker', '--redis', url, '--group', group, '--health-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  for (let i = 0; i < 400 && !err.includes('joined group'); i++) await new Promise((r) => setTimeout(r, 25));
  if (!err.includes('joined group')) throw new Error(`worker did not start: ${err}`);
  return child;
}

export function scaleTables(result: ScaleResult): BenchTable[] {
  const key = (r: ScaleRow) => `${r.backend}|${r.work}|${r.accounts}`;
  const one = new Map(result.rows.filter((r) => r.workers === 1).map((r) => [key(r), r.ms]));
  // the busiest thread's CPU with 1 worker over that with 2: the speed-up free cores would give (no core waits)
  const busiest = new Map(result.rows.filter((r) => r.workers === 1).map((r) => [key(r), r.busiestThreadMs]));
  const tables: BenchTable[] = [{
    rows: result.rows.map((r) => ({
      backend: r.backend, work: r.work, accounts: r.accounts, workers: r.workers, ms: fixed(r.ms, 1),
      'accounts/s': Math.round(r.accountsPerSecond),
      'speed-up': r.workers === 1 ? '' : times((one.get(key(r)) ?? NaN) / r.ms),
      'core ms': fixed(r.coreMs, 1),
      'accounts/core-s': r.coreMs === undefined ? '' : Math.round((r.accounts * 1000) / r.coreMs),
      'busiest worker ms': fixed(r.busiestWorkerMs, 1),
      'merge ms': fixed(r.mergeMs, 1),
      'tail ms': fixed(r.coordinatorMs, 1),
      'reading rows ms': fixed(r.readMs, 1),
      'cpu ms': fixed(r.cpuMs, 0),
      'waited for a core ms': fixed(r.waitMs, 0),
      'busiest thread cpu ms': fixed(r.busiestThreadMs, 0),
      'cpu speed-up': r.workers === 1 || r.busiestThreadMs === undefined ? '' : times((busiest.get(key(r)) ?? NaN) / r.busiestThreadMs),
    })),
  }];
  tables.push({
    caption: 'The 100,000-account calls again in pairs: a 1-worker and a 2-worker engine side by side, calls alternated (bench/scale-paired.ts); the speed-up is the median over the pairs',
    rows: scalePairedTables(result.paired)[0].rows,
  });
  if (result.split) {
    tables.push({
      caption: 'Portfolio benchmark (a), one thread against two worker threads (split by underlying: each thread its underlyings\' risk-array rows and account groups, nothing exchanged); same bits checked',
      rows: result.split.rows.map((r) => ({ work: r.name, 'median ms': fixed(r.ms, 2), 'fastest ms': fixed(r.minMs, 2) })),
    });
    tables.push({ rows: result.split.phases.map((p, w) => ({ worker: w, 'risk arrays ms': fixed(p.risk, 2), 'reduction ms': fixed(p.reduce, 2), 'writing worst losses ms': fixed(p.write, 2) })) });
  }
  if (result.redis.length > 0) {
    tables.push({
      caption: 'Through Redis on loopback (worker processes, 4 shards): throughput with 8 ticks in flight, tick-to-result latency of ticks sent one at a time',
      rows: result.redis.map((r) => ({ method: r.method, accounts: r.accounts, workers: r.workers, 'accounts/s': Math.round(r.accountsPerSecond), 'p50 ms': fixed(r.p50Ms, 1), 'p99 ms': fixed(r.p99Ms, 1) })),
    });
  }
  return tables;
}
