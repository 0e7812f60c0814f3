/**
 * Portfolio benchmark (a) on two worker threads (issue 18): each thread computes half the instrument rows of the risk
 * arrays, the halves are exchanged once through a SharedArrayBuffer (an Atomics barrier between the two kernels), then
 * each thread reduces half the account groups and writes its worst losses to shared memory. The WASM memories stay
 * apart (one instance per thread): a thread copies its half of the rows out and the other half in, 0.5 MB each way.
 *
 * Rows and groups are independent in the kernels, so the split gives the single-threaded bits; `splitKernelBench`
 * checks every worst loss and scenario against a single-threaded run before it times anything.
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
import { BYTES_PER_ELEMENT, Column } from '../src/memory/columns.js';
import { type KernelInputs, kernelInputs, N_OPTIONS, N_UNDERLYINGS, wasmRunner } from './portfolio.js';

/** Int32 slots of the control block. */
const GENERATION = 0, EXCHANGED = 1, DONE = 2, STOP = 3, READY = 4;
/** Float64 slots of the phase times, per worker: risk arrays, waiting for the other half, copying, reduction (ms, summed). */
const PHASES = 4;

/** What a split-kernel thread is given (workerData). */
export interface SplitWorkerData {
  /** 0 or 1: which half of the rows and groups. */
  part: number;
  control: SharedArrayBuffer;
  /** The whole risk array, instruments × scenarios (f64). */
  riskArray: SharedArrayBuffer;
  /** Worst loss (f64) and scenario (i32) of every group. */
  worstLoss: SharedArrayBuffer;
  worstScenario: SharedArrayBuffer;
  phases: SharedArrayBuffer;
}

/** Half `part` of [0, n): [from, to). */
function half(n: number, part: number): [number, number] {
  const mid = n >> 1;
  return part === 0 ? [0, mid] : [mid, n];
}

/** The groups of half `part` of the accounts: cut at the group nearest to half the slots (groups of one account stay whole). */
function groupHalf(input: KernelInputs, part: number): [number, number] {
  const ends = input.reduce.groupEnd as Int32Array;
  const slots = ends[input.nGroups - 1];
  let cut = 0;
  while (cut < input.nGroups && ends[cut] <= slots / 2) cut++;
  return part === 0 ? [0, cut] : [cut, input.nGroups];
}

/**
 * The kernels' columns in this thread's WASM memory, with argument blocks whose per-row (per-group) pointers start at
 * this thread's half: the kernels then run on [from, to) as if it were the whole.
 */
function splitRunner(kernels: WasmKernels, input: KernelInputs, part: number | 'whole') {
  const alloc = kernels.allocator;
  const columns = new Map<string, Column>();
  for (const k of RISK_ARRAY_COLUMNS) {
    const c = Column.allocate(alloc, RISK_ARRAY_TYPES[k], input.risk[k].length);
    (c.array as Float64Array).set(input.risk[k] as Float64Array);
    columns.set(k, c);
  }
  for (const k of PORTFOLIO_REDUCE_COLUMNS) {
    if (k === 'riskArray') continue;
    const c = Column.allocate(alloc, PORTFOLIO_REDUCE_TYPES[k], input.reduce[k].length);
    (c.array as Float64Array).set(input.reduce[k] as Float64Array);
    columns.set(k, c);
  }
  const [row0, row1] = part === 'whole' ? [0, N_OPTIONS] : half(N_OPTIONS, part);
  const [g0, g1] = part === 'whole' ? [0, input.nGroups] : groupHalf(input, part);
  const S = input.S;
  const PER_ROW = new Set(['kind', 'underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue']);
  const PER_GROUP = new Set(['groupStart', 'groupEnd', 'groupUnderlying', 'worstLoss', 'worstScenario']);
  const riskArgs = Column.allocate(alloc, 'i32', RISK_ARRAY_COLUMNS.length);
  riskArgs.array.set(RISK_ARRAY_COLUMNS.map((k) => {
    const c = columns.get(k)!;
    if (k === 'riskArray') return c.ptr + row0 * S * 8;
    return PER_ROW.has(k) ? c.ptr + row0 * BYTES_PER_ELEMENT[RISK_ARRAY_TYPES[k]] : c.ptr;
  }));
  const reduceArgs = Column.allocate(alloc, 'i32', PORTFOLIO_REDUCE_COLUMNS.length);
  reduceArgs.array.set(PORTFOLIO_REDUCE_COLUMNS.map((k) => {
    const c = columns.get(k)!;
    return PER_GROUP.has(k) ? c.ptr + g0 * BYTES_PER_ELEMENT[PORTFOLIO_REDUCE_TYPES[k]] : c.ptr;
  }));
  const raw = kernels.raw as unknown as KernelExports;
  return {
    rows: [row0, row1] as const,
    groups: [g0, g1] as const,
    /** The whole risk array in this thread's memory (a fresh view: the memory does not grow while running). */
    riskArray: () => columns.get('riskArray')!.array as Float64Array,
    worstLoss: () => columns.get('worstLoss')!.array as Float64Array,
    worstScenario: () => columns.get('worstScenario')!.array as Int32Array,
    risk: () => raw.riskArrays(row1 - row0, N_UNDERLYINGS, S, riskArgs.ptr),
    reduce: () => raw.portfolioReduce(g1 - g0, S, reduceArgs.ptr),
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
  const run = splitRunner(kernels, input, data.part);
  const control = new Int32Array(data.control);
  const shared = new Float64Array(data.riskArray);
  const worstLoss = new Float64Array(data.worstLoss), worstScenario = new Int32Array(data.worstScenario);
  const phases = new Float64Array(data.phases, data.part * PHASES * 8, PHASES);
  const S = input.S, [row0, row1] = run.rows, [other0, other1] = half(N_OPTIONS, 1 - data.part), [g0, g1] = run.groups;
  Atomics.add(control, READY, 1);
  Atomics.notify(control, READY);
  let generation = 0;
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    if (Atomics.load(control, STOP) !== 0) return;
    generation = Atomics.load(control, GENERATION);
    const t0 = performance.now();
    run.risk();
    const mine = run.riskArray();
    shared.set(mine.subarray(row0 * S, row1 * S), row0 * S);
    Atomics.add(control, EXCHANGED, 1);
    Atomics.notify(control, EXCHANGED);
    const t1 = performance.now();
    waitAtLeast(control, EXCHANGED, 2 * generation);
    const t2 = performance.now();
    mine.set(shared.subarray(other0 * S, other1 * S), other0 * S);
    const t3 = performance.now();
    run.reduce();
    worstLoss.set(run.worstLoss().subarray(g0, g1), g0);
    worstScenario.set(run.worstScenario().subarray(g0, g1), g0);
    const t4 = performance.now();
    phases[0] += t1 - t0;
    phases[1] += t2 - t1;
    phases[2] += t3 - t2;
    phases[3] += t4 - t3;
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
  /** Per worker, mean ms per run: its half of the risk arrays, waiting for the other half, copying it in, its half of the reduction. */
  phases: { risk: number; wait: number; copy: number; reduce: number }[];
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
  const riskArray = new SharedArrayBuffer(N_OPTIONS * input.S * 8);
  const worstLoss = new SharedArrayBuffer(input.nGroups * 8), worstScenario = new SharedArrayBuffer(input.nGroups * 4);
  const phases = new SharedArrayBuffer(2 * PHASES * 8);
  const c = new Int32Array(control);
  const workers = [0, 1].map((part) => new Worker(workerUrl, { workerData: { part, control, riskArray, worstLoss, worstScenario, phases } satisfies SplitWorkerData }));
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
    // the same bits as one thread: every group's worst loss and scenario
    runSplit();
    const view = new Float64Array(worstLoss), scen = new Int32Array(worstScenario);
    const whole = splitRunner(simd, input, 'whole');
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
    bench.add('(a) the same on 2 worker threads (rows split, halves exchanged once, groups split), wasm-simd', runSplit);
    const before = generation;
    await bench.run();
    const rows = bench.tasks.map((t) => ({
      name: t.name,
      ms: t.result?.state === 'completed' ? t.result.latency.p50 : NaN,
      minMs: t.result?.state === 'completed' ? t.result.latency.min : NaN,
    }));
    const p = new Float64Array(phases);
    const per = (w: number, k: number) => p[w * PHASES + k] / (generation - before); // the check's run was reset out of the sums
    return { rows, phases: [0, 1].map((w) => ({ risk: per(w, 0), wait: per(w, 1), copy: per(w, 2), reduce: per(w, 3) })) };
  } finally {
    Atomics.store(c, STOP, 1);
    Atomics.store(c, GENERATION, generation + 1);
    Atomics.notify(c, GENERATION);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
