/**
 * Portfolio benchmark (a) on two worker threads (issue 18), split by underlying: each thread computes the risk-array
 * rows of its underlyings' instruments and reduces the account groups on those underlyings (a group holds one
 * underlying's slots, so it reads only rows of that underlying), then writes its groups' worst losses to shared
 * memory. No thread waits for the other inside a run: nothing is exchanged between the two kernels. (The first split,
 * instrument rows halved and the halves exchanged at an Atomics barrier, made each thread wait 0.4 ms per run quiet and
 * 1.3–1.6 ms under load for the slower one, and copy 0.5 MB each way.) The underlyings go to the threads so that
 * their slot counts (the reduction's work, two thirds of the run) are nearest to equal halves.
 *
 * Rows and groups are independent in the kernels and each thread lays its rows and groups out in their book order, so
 * the split gives the single-threaded bits; `splitKernelBench` checks every worst loss and scenario against a
 * single-threaded run before it times anything.
 *
 * The threads run bench/portfolio-split-worker.ts (bundled as dist/bench-split-worker.js); each builds the same
 * inputs (kernelInputs is seeded) and its own WASM SIMD instance. The coordinator starts a run by bumping a generation
 * counter and waits on a done counter: no message per run.
 */
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES, RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES } from '../src/kernels/abi.js';
import type { KernelExports } from '../src/kernels/wasm/exports.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { Column } from '../src/memory/columns.js';
import { type KernelInputs, kernelInputs, N_OPTIONS, N_UNDERLYINGS, wasmRunner } from './portfolio.js';

/** Int32 slots of the control block. */
const GENERATION = 0, DONE = 2, STOP = 3, READY = 4;
/** Float64 slots of the phase times, per worker: risk arrays, reduction, writing the worst losses out (ms, summed). */
const PHASES = 3;

/** What a split-kernel thread is given (workerData). */
export interface SplitWorkerData {
  /** 0 or 1: which underlyings (splitOf). */
  part: number;
  control: SharedArrayBuffer;
  /** Worst loss (f64) and scenario (i32) of every group. */
  worstLoss: SharedArrayBuffer;
  worstScenario: SharedArrayBuffer;
  phases: SharedArrayBuffer;
}

/**
 * The underlyings of thread `part`: of the splits of the underlyings in two non-empty sets, the one whose slot counts
 * are nearest to equal (ties: the first), thread 0 taking the set with underlying 0.
 */
export function splitOf(input: KernelInputs, part: number): Set<number> {
  const { groupStart, groupEnd, groupUnderlying } = input.reduce as unknown as Record<string, Int32Array>;
  const slots = new Float64Array(N_UNDERLYINGS);
  for (let g = 0; g < input.nGroups; g++) slots[groupUnderlying[g]] += groupEnd[g] - groupStart[g];
  const total = slots.reduce((x, y) => x + y, 0);
  let best = 1, bestGap = Infinity;
  for (let mask = 1; mask < 1 << N_UNDERLYINGS; mask += 2) { // masks with underlying 0: each split once
    if (mask === (1 << N_UNDERLYINGS) - 1) continue;
    let mine = 0;
    for (let u = 0; u < N_UNDERLYINGS; u++) if (mask & (1 << u)) mine += slots[u];
    const gap = Math.abs(2 * mine - total);
    if (gap < bestGap) [best, bestGap] = [mask, gap];
  }
  const set = new Set<number>();
  for (let u = 0; u < N_UNDERLYINGS; u++) if (((best >> u) & 1) === (part === 0 ? 1 : 0)) set.add(u);
  return set;
}

/**
 * The kernels' columns in this thread's WASM memory, for the rows of `underlyings` in their order and
 * the groups on them in theirs: a group's slots keep their order, their rows renumbered to this thread's. `groups`:
 * the book index of each of this thread's groups, where its worst loss goes.
 */
function splitRunner(kernels: WasmKernels, input: KernelInputs, underlyings: Set<number>) {
  const alloc = kernels.allocator;
  const S = input.S;
  const risk = input.risk as unknown as Record<string, ArrayLike<number>>, reduce = input.reduce as unknown as Record<string, ArrayLike<number>>;
  const mine = (u: number) => underlyings.has(u);
  const rows: number[] = [], localRow = new Int32Array(N_OPTIONS).fill(-1);
  for (let i = 0; i < N_OPTIONS; i++) if (mine(risk.underlying[i])) localRow[i] = rows.push(i) - 1;
  const groups: number[] = [];
  for (let g = 0; g < input.nGroups; g++) if (mine(reduce.groupUnderlying[g])) groups.push(g);
  const PER_ROW = new Set(['kind', 'underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue']);
  const PER_GROUP = new Set(['groupStart', 'groupEnd', 'groupUnderlying', 'worstLoss', 'worstScenario']);
  const columns = new Map<string, Column>();
  const put = (k: string, type: (typeof RISK_ARRAY_TYPES)[keyof typeof RISK_ARRAY_TYPES], values: ArrayLike<number>) => {
    const c = Column.allocate(alloc, type, values.length);
    (c.array as Float64Array).set(values as Float64Array);
    columns.set(k, c);
  };
  for (const k of RISK_ARRAY_COLUMNS) {
    if (k === 'riskArray') put(k, RISK_ARRAY_TYPES[k], new Float64Array(rows.length * S));
    else put(k, RISK_ARRAY_TYPES[k], PER_ROW.has(k) ? rows.map((i) => risk[k][i]) : risk[k]);
  }
  for (const k of PORTFOLIO_REDUCE_COLUMNS) {
    if (k === 'riskArray') continue;
    let values: ArrayLike<number> = PER_GROUP.has(k) ? groups.map((g) => reduce[k][g]) : reduce[k];
    if (k === 'slotRow') values = Array.from(reduce.slotRow, (row) => (localRow[row] >= 0 ? localRow[row] : 0)); // other threads' slots are never read here
    put(k, PORTFOLIO_REDUCE_TYPES[k], values);
  }
  const riskArgs = Column.allocate(alloc, 'i32', RISK_ARRAY_COLUMNS.length);
  riskArgs.array.set(RISK_ARRAY_COLUMNS.map((k) => columns.get(k)!.ptr));
  const reduceArgs = Column.allocate(alloc, 'i32', PORTFOLIO_REDUCE_COLUMNS.length);
  reduceArgs.array.set(PORTFOLIO_REDUCE_COLUMNS.map((k) => columns.get(k)!.ptr));
  const raw = kernels.raw as unknown as KernelExports;
  return {
    groups: Int32Array.from(groups),
    worstLoss: () => columns.get('worstLoss')!.array as Float64Array,
    worstScenario: () => columns.get('worstScenario')!.array as Int32Array,
    risk: () => raw.riskArrays(rows.length, N_UNDERLYINGS, S, riskArgs.ptr),
    reduce: () => raw.portfolioReduce(groups.length, S, reduceArgs.ptr),
  };
}

/** Waits until `control[slot]` ≥ `target`; throws after `timeoutMs` (a thread that died never counts). */
function waitAtLeast(control: Int32Array, slot: number, target: number, timeoutMs = Infinity): void {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = Atomics.load(control, slot);
    if (v >= target) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`split kernels: no answer from the worker threads within ${timeoutMs} ms`);
    Atomics.wait(control, slot, v, left);
  }
}

/** The loop of one split-kernel thread (bench/portfolio-split-worker.ts): one run per generation, until STOP. */
export async function splitWorker(data: SplitWorkerData): Promise<void> {
  const kernels = await WasmKernels.create('simd');
  const input = kernelInputs();
  const run = splitRunner(kernels, input, splitOf(input, data.part));
  const control = new Int32Array(data.control);
  const worstLoss = new Float64Array(data.worstLoss), worstScenario = new Int32Array(data.worstScenario);
  const phases = new Float64Array(data.phases, data.part * PHASES * 8, PHASES);
  const groups = run.groups;
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  let generation = 0;
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    if (Atomics.load(control, STOP) !== 0) return;
    generation = Atomics.load(control, GENERATION);
    const t0 = performance.now();
    run.risk();
    const t1 = performance.now();
    run.reduce();
    const t2 = performance.now();
    const loss = run.worstLoss(), scenario = run.worstScenario();
    for (let j = 0; j < groups.length; j++) {
      worstLoss[groups[j]] = loss[j];
      worstScenario[groups[j]] = scenario[j];
    }
    const t3 = performance.now();
    phases[0] += t1 - t0;
    phases[1] += t2 - t1;
    phases[2] += t3 - t2;
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

export interface SplitBenchRow {
  name: string;
  /** Median ms per run. */
  ms: number;
  minMs: number;
}

export interface SplitBenchResult {
  rows: SplitBenchRow[];
  /** Per worker, mean ms per run: its underlyings' risk arrays, its groups' reduction, writing their worst losses out. */
  phases: { risk: number; reduce: number; write: number }[];
}

/**
 * Benchmark (a) on one thread and on two worker threads in the same run, after checking the two-thread results are
 * the single-threaded bits. `workerUrl`: the bundled worker (dist/bench-split-worker.js beside dist/bench.js).
 */
export async function splitKernelBench(workerUrl: URL, time = 1500): Promise<SplitBenchResult> {
  const input = kernelInputs();
  const simd = await WasmKernels.create('simd');
  const single = wasmRunner(simd, input);
  const control = new SharedArrayBuffer(8 * 4);
  const worstLoss = new SharedArrayBuffer(input.nGroups * 8), worstScenario = new SharedArrayBuffer(input.nGroups * 4);
  const phases = new SharedArrayBuffer(2 * PHASES * 8);
  const c = new Int32Array(control);
  const workers = [0, 1].map((part) => new Worker(workerUrl, { workerData: { part, control, worstLoss, worstScenario, phases } satisfies SplitWorkerData }));
  const failed = new Promise<never>((_, reject) => workers.forEach((w) => w.once('error', reject)));
  failed.catch(() => {});
  let generation = 0;
  const runSplit = () => {
    generation++;
    Atomics.store(c, GENERATION, generation);
    Atomics.notify(c, GENERATION);
    waitAtLeast(c, DONE, 2 * generation, 30_000);
  };
  try {
    await Promise.race([failed, (async () => {
      while (Atomics.load(c, READY) < 2) await new Promise((r) => setTimeout(r, 5));
    })()]);
    // the same bits as one thread: every group's worst loss and scenario (NaN and −1 first: a group no thread wrote fails)
    const view = new Float64Array(worstLoss), scen = new Int32Array(worstScenario);
    view.fill(NaN);
    scen.fill(-1);
    runSplit();
    // the reference: the kernels on the inputs as laid out for one thread (bench/portfolio.ts), not this file's split
    const whole = wasmRunner(await WasmKernels.create('simd'), input, true);
    whole.risk();
    whole.reduce();
    const expected = { worstLoss: whole.worstLoss(), worstScenario: whole.worstScenario() };
    for (let g = 0; g < input.nGroups; g++) {
      if (!Object.is(view[g], expected.worstLoss[g]) || scen[g] !== expected.worstScenario[g]) {
        throw new Error(`split kernels: group ${g} worst loss ${view[g]} (scenario ${scen[g]}) ≠ single thread ${expected.worstLoss[g]} (${expected.worstScenario[g]})`);
      }
    }
    new Float64Array(phases).fill(0);
    const bench = new Bench({ time, warmupIterations: 5 });
    bench.add('(a) risk arrays 2,000×63 + reduction 10,000×20, wasm-simd, 1 thread', single);
    bench.add('(a) the same on 2 worker threads (split by underlying: each its rows and groups, no exchange), wasm-simd', runSplit);
    const before = generation;
    await bench.run();
    const rows = bench.tasks.map((t) => ({
      name: t.name,
      ms: t.result?.state === 'completed' ? t.result.latency.p50 : NaN,
      minMs: t.result?.state === 'completed' ? t.result.latency.min : NaN,
    }));
    const p = new Float64Array(phases);
    const per = (w: number, k: number) => p[w * PHASES + k] / (generation - before); // the check's run was reset out of the sums
    return { rows, phases: [0, 1].map((w) => ({ risk: per(w, 0), reduce: per(w, 1), write: per(w, 2) })) };
  } finally {
    Atomics.store(c, STOP, 1);
    Atomics.store(c, GENERATION, generation + 1);
    Atomics.notify(c, GENERATION);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
