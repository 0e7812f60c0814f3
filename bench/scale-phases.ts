/**
 * Per-phase figures of a sharded margin call (README "Scale-out numbers"): the generated 100,000-account book (seed 7)
 * under portfolio and cross margin, 1 worker (this thread) against 2 worker threads, the call alone, the call plus
 * reading every account as columns (`accountColumns`) and the call plus reading every row (rows are built on first
 * read). Per call, from /proc/self/task/<tid>/schedstat (bench/thread-times.ts): CPU ms of the coordinator's thread,
 * of the busier worker thread, and of every other thread (V8's GC helpers and the rest), and the ms all of them
 * waited for a core; medians over `calls` calls after 10 warm ones. CPU figures hold on a loaded machine where
 * wall-clock ones do not. `node dist/bench.js scale-phases [calls]`.
 */
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import { type Read, READ_LABEL, READERS } from './report-readers.js';
import { middle } from './stats.js';
import { threadTimes } from './thread-times.js';
import type { BenchTable } from './harness.js';

export interface PhaseRow {
  method: string;
  workers: number;
  read: Read;
  /** Medians, ms. */
  wallMs: number;
  fastestMs: number;
  cpuMs: number;
  waitMs: number;
  coordinatorMs: number;
  workerMs: number;
  otherThreadsMs: number;
  mergeMs: number;
}

/**
 * Warm calls per method before the timed ones: each worker thread's isolate compiles its own code, and the 2-worker
 * figures settle after ~10 calls (3 measured them mid-warm-up, 2–4 ms slow).
 */
const WARM_CALLS = 10;

export async function scalePhases(calls = 15, accounts = 100_000): Promise<PhaseRow[]> {
  const sample = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(sample.book, sample.market);
  const coordinator = String(process.pid); // the main thread's task id is the process id
  const rows: PhaseRow[] = [];
  for (const workers of [1, 2]) {
    const engine = await createEngine({ workers });
    try {
      const sharded = await engine.openShardedBook(book);
      for (const method of ['portfolio', 'cross']) {
        for (let i = 0; i < WARM_CALLS; i++) await sharded.margin(market, { method });
        for (const read of ['none', 'columns', 'rows'] as const) {
          const samples: Omit<PhaseRow, 'method' | 'workers' | 'read' | 'fastestMs'>[] = [];
          for (let c = 0; c < calls; c++) {
            const before = threadTimes();
            const t0 = performance.now();
            const report = await sharded.margin(market, { method });
            READERS[read](report);
            const wallMs = performance.now() - t0;
            const after = threadTimes();
            let cpuMs = 0, waitMs = 0, coordinatorMs = 0;
            const others: number[] = [];
            for (const [tid, t] of after) {
              const cpu = t.cpuMs - (before.get(tid)?.cpuMs ?? 0);
              cpuMs += cpu;
              waitMs += t.waitMs - (before.get(tid)?.waitMs ?? 0);
              if (tid === coordinator) coordinatorMs = cpu;
              else others.push(cpu);
            }
            others.sort((a, b) => b - a);
            // with 2 workers the two busiest other threads are the workers (each runs a whole shard)
            const workerThreads = workers === 1 ? [] : others.slice(0, workers);
            const workerMs = workerThreads.length ? workerThreads[0] : 0;
            const otherThreadsMs = cpuMs - coordinatorMs - workerThreads.reduce((a, b) => a + b, 0);
            samples.push({ wallMs, cpuMs, waitMs, coordinatorMs, workerMs, otherThreadsMs, mergeMs: sharded.lastRun!.mergeMs });
          }
          const m = (k: keyof (typeof samples)[number]) => middle(samples.map((s) => s[k]));
          rows.push({
            method, workers, read, wallMs: m('wallMs'), fastestMs: Math.min(...samples.map((s) => s.wallMs)), cpuMs: m('cpuMs'), waitMs: m('waitMs'),
            coordinatorMs: m('coordinatorMs'), workerMs: m('workerMs'), otherThreadsMs: m('otherThreadsMs'), mergeMs: m('mergeMs'),
          });
        }
      }
      await sharded.release();
    } finally {
      await engine.close();
    }
  }
  return rows;
}

export function scalePhasesTables(rows: PhaseRow[]): BenchTable[] {
  const one = new Map(rows.filter((r) => r.workers === 1).map((r) => [`${r.method}|${r.read}`, r]));
  return [{ rows: rows.map((r) => {
    const base = one.get(`${r.method}|${r.read}`)!;
    return {
      work: `${r.method} margin${READ_LABEL[r.read]}`, workers: r.workers, 'wall ms': +r.wallMs.toFixed(1), 'fastest ms': +r.fastestMs.toFixed(1),
      'wall speed-up': r.workers === 1 ? '' : `${(base.wallMs / r.wallMs).toFixed(2)}×`,
      'cpu ms': +r.cpuMs.toFixed(1), 'waited for a core ms': +r.waitMs.toFixed(1), 'coordinator cpu ms': +r.coordinatorMs.toFixed(1),
      'busier worker cpu ms': r.workers === 1 ? '' : +r.workerMs.toFixed(1), 'GC and other threads cpu ms': +r.otherThreadsMs.toFixed(1), 'merge ms': +r.mergeMs.toFixed(1),
      // the busiest thread: the coordinator with 1 worker (it runs the shard), a worker with 2
      'cpu speed-up': r.workers === 1 ? '' : `${(base.coordinatorMs / Math.max(r.workerMs, r.coordinatorMs)).toFixed(2)}×`,
    };
  }) }];
}
