/**
 * Portfolio margin timings in process CPU time (user + system), for A/B decisions on a shared VM:
 * every task runs in interleaved rounds (A, B, C, A, B, C, …), each round a batch of calls timed
 * with process.cpuUsage() and performance.now(); the report gives per-call best and median of the
 * rounds, CPU and wall clock, plus the load average. (b) also splits the session run into phases
 * (cross kernel, option prices, risk arrays, reduction, the rest: aggregation and status in JS).
 *
 * Run: npx esbuild bench/portfolio-cpu.ts --bundle --platform=node --format=esm --outfile=/tmp/pcpu.mjs
 *      && node /tmp/pcpu.mjs [rounds] [a|b|ab] [other.simd.wasm …]
 * (needs the generated WASM module: npm run build:wasm). Each extra .wasm (e.g. an older commit's
 * SIMD build) adds its (a) kernels to the same interleaved rounds: an A/B in one process (with
 * OLD=1 in the environment they run the unpadded 63 scenarios, as builds before the padding did).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createEngine } from '../src/engine.js';
import { portfolioReduceJs } from '../src/kernels/js/portfolio/reduce.js';
import { type RiskArrayColumns, riskArraysJs } from '../src/kernels/js/scenario/risk-arrays.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { kernelMemory } from '../src/kernels/wasm/memory.js';
import type { MarginKernels } from '../src/kernels/backend.js';
import { MarginSession } from '../src/session/session.js';
import { HeapAllocator } from '../src/memory/allocators.js';
import { validateInputs } from '../src/model/validate.js';
import { syntheticBook } from './layout.js';
import { kernelInputs, wasmRunner } from './portfolio.js';

interface Task {
  name: string;
  reps: number;
  fn: () => void;
  cpu: number[];
  wall: number[];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function runRounds(tasks: Task[], rounds: number, afterWarmUp?: () => void): void {
  for (const t of tasks) for (let i = 0; i < Math.max(2, t.reps); i++) t.fn(); // warm-up
  afterWarmUp?.();
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) {
      const c0 = cpuMs(), w0 = performance.now();
      for (let i = 0; i < t.reps; i++) t.fn();
      t.wall.push((performance.now() - w0) / t.reps);
      t.cpu.push((cpuMs() - c0) / t.reps);
    }
  }
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const best = (x: number[]) => Math.min(...x);

function table(tasks: Task[]): void {
  console.table(tasks.map((t) => ({
    task: t.name,
    'cpu best ms': +best(t.cpu).toFixed(3), 'cpu median ms': +median(t.cpu).toFixed(3),
    'wall best ms': +best(t.wall).toFixed(3), 'wall median ms': +median(t.wall).toFixed(3),
  })));
}

const rounds = Number(process.argv[2] ?? 15);
const only = process.argv[3] ?? 'ab';
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

if (only.includes('a')) {
  const input = kernelInputs();
  const simd = await WasmKernels.create('simd');
  const scalar = await WasmKernels.create('scalar');
  const parts = wasmRunner(simd, input, true);
  const full = wasmRunner(simd, input);
  const fullScalar = wasmRunner(scalar, input);
  const js = () => {
    riskArraysJs(2_000, 4, input.S, input.risk as unknown as RiskArrayColumns);
    portfolioReduceJs(input.nGroups, input.S, input.reduce as unknown as Parameters<typeof portfolioReduceJs>[2]);
  };
  const task = (name: string, reps: number, fn: () => void): Task => ({ name, reps, fn, cpu: [], wall: [] });
  const tasks = [
    task('(a) risk arrays + reduction, wasm-simd', 20, full),
    task('(a) risk arrays only, wasm-simd', 20, parts.risk),
    task('(a) reduction only, wasm-simd', 20, parts.reduce),
    ...(await Promise.all(process.argv.slice(4).map(async (file) => {
      const { instance } = await WebAssembly.instantiate(readFileSync(file), { env: { abort() { throw new Error('abort'); }, memory: kernelMemory() } });
      // the same instance wrapper as the bundled build (private constructor), over this binary
      const Ctor = WasmKernels as unknown as new (flavour: 'simd', exports: WebAssembly.Exports) => WasmKernels;
      // OLD=1: that build on the unpadded 63 scenarios, as it ran before kernelScenarioCount
      const other = wasmRunner(new Ctor('simd', instance.exports), process.env.OLD ? kernelInputs(false) : input, true);
      const tag = `${file}${process.env.OLD ? ', S = 63' : ''}`;
      return [task(`(a) risk arrays only, ${tag}`, 20, other.risk), task(`(a) reduction only, ${tag}`, 20, other.reduce)];
    }))).flat(),
    task('(a) risk arrays + reduction, wasm-scalar', 5, fullScalar),
    task('(a) risk arrays + reduction, js', 2, js),
  ];
  runRounds(tasks, rounds);
  console.log(`(a) ${input.nGroups} groups, S = ${input.S}`);
  table(tasks);
}

if (only.includes('b')) {
  const { book: bookJson, market: marketJson } = syntheticBook(100_000, 7);
  const { book, market } = validateInputs(bookJson, marketJson);
  const tasks: Task[] = [];
  const phaseRows: Record<string, unknown>[] = [];
  for (const backendName of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend: backendName });
    const internals = engine as unknown as { kernelsOf(owner: unknown): MarginKernels; wasm: WasmKernels | undefined };
    const owner = internals.wasm;
    const b = internals.kernelsOf(owner);
    const phases: Record<string, number> = { cross: 0, prices: 0, riskArrays: 0, reduce: 0 };
    const timed = <A extends unknown[], R>(key: string, f: (...a: A) => R) => (...a: A): R => {
      const c0 = cpuMs();
      try {
        return f(...a);
      } finally {
        phases[key] += cpuMs() - c0;
      }
    };
    const timedKernels: MarginKernels = {
      get backend() { return b.backend; },
      greeks: timed('prices', (i) => b.greeks(i)),
      risk: () => b.risk(),
      ruleBased: timed('cross', b.ruleBased),
      ruleBasedAccounts: timed('cross', b.ruleBasedAccounts),
      ruleBasedAccountList: timed('cross', b.ruleBasedAccountList),
      riskArrays: timed('riskArrays', b.riskArrays),
      portfolioReduce: timed('reduce', b.portfolioReduce),
      portfolioSlots: b.portfolioSlots,
      addOnEntries: b.addOnEntries,
      exactTotals: b.exactTotals,
    };
    const backend = (): MarginKernels => timedKernels;
    const session = new MarginSession(backend, book, owner ? owner.allocator : new HeapAllocator());
    const run = session.prepare(market, { method: 'portfolio' });
    const t: Task = { name: `(b) session run 100,000 accounts, ${engine.backend}`, reps: 1, fn: () => run.run(), cpu: [], wall: [] };
    runRounds([t], backendName === 'js' ? Math.min(rounds, 5) : rounds, () => {
      for (const k of Object.keys(phases)) phases[k] = 0;
    });
    tasks.push(t);
    const calls = t.cpu.length;
    const total = t.cpu.reduce((x, y) => x + y, 0) / t.cpu.length;
    const row: Record<string, unknown> = { backend: engine.backend, 'run cpu mean ms': +total.toFixed(1) };
    let rest = total;
    for (const [k, v] of Object.entries(phases)) {
      row[k] = +(v / calls).toFixed(1);
      rest -= v / calls;
    }
    row['rest (JS aggregation, status)'] = +rest.toFixed(1);
    phaseRows.push(row);
    run.release();
    session.release();
  }
  table(tasks);
  console.log('(b) phases, CPU ms per run (mean over the timed rounds)');
  console.table(phaseRows);
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
