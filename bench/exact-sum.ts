/**
 * The cost of exact totals (issue 36 item 6): on the generated 100,000-account book margined by `cross`, the report's
 * totals (equity, IM, MM, gross notional, gross notional with IM > 0 over the accounts not in error) summed
 *   - by the loop the report used before: plain additions in book order (the baseline);
 *   - exactly, by the JS twin (src/kernels/js/exact-sum.ts) and by the WASM kernels (assembly/sum/exact.ts, SIMD and
 *     scalar builds), each into the mergeable accumulators a shard sends its coordinator, rounded once;
 * and the raw kernel alone on 1,000,000 doubles of mixed sizes: ordered addition against exact summation. Every row
 * in one run, interleaved rounds, medians; ns per account (per value for the raw kernel). `node dist/bench.js
 * exact-sum --out DIR` runs it alone and writes DIR/exact-sum.json.
 */
import { createEngine } from '../src/engine.js';
import { ACC_SLOTS, exactAddJs, exactRoundJs, newAccumulators } from '../src/kernels/js/exact-sum.js';
import { totalsOfSums } from '../src/margin/exact-totals.js';
import { STATUS_ERROR } from '../src/margin/status.js';
import { Column } from '../src/memory/columns.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import { engineRun, type PreparedRun } from '../src/session/prepared-run.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { type BenchTable, fixed, times } from './harness.js';
import { middle } from './stats.js';

export interface ExactSumRow {
  what: string;
  backend: string;
  /** Median time of one call, ms. */
  medianMs: number;
  /** Median ns per account (totals) or per value (raw kernel). */
  nsPerItem: number;
  /** Median time over the baseline's in the same rounds. */
  vsBaseline: number;
}

/** The report's totals as the loop before exact sums: plain additions in book order. */
function orderedTotals(run: PreparedRun): number[] {
  const c = run.accountColumns(), live = run.context.layout.live.array;
  let equity = 0, im = 0, mm = 0, gross = 0, grossWithIm = 0;
  for (let a = 0; a < c.status.length; a++) {
    if (live[a] === 0 || c.status[a] === STATUS_ERROR) continue;
    equity += c.equity[a];
    im += c.im[a];
    mm += c.mm[a];
    gross += c.grossNotional[a];
    if (c.im[a] > 0) grossWithIm += c.grossNotional[a];
  }
  return [equity, im, mm, gross, im > 0 ? grossWithIm / im : Infinity];
}

/** Median ms of `rounds` interleaved rounds of every task (a task repeated `reps` times per round). */
function interleaved(tasks: { name: string; fn: () => void }[], rounds: number, reps: number): Map<string, number> {
  const samples = new Map(tasks.map((t) => [t.name, [] as number[]]));
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) {
      const start = performance.now();
      for (let k = 0; k < reps; k++) t.fn();
      samples.get(t.name)!.push((performance.now() - start) / reps);
    }
  }
  return new Map([...samples].map(([name, s]) => [name, middle(s)]));
}

export async function exactSumBench(accounts = 100_000, rounds = 15): Promise<ExactSumRow[]> {
  const sample = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(sample.book, sample.market);
  const engines = [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
  const runs = engines.map((e) => {
    const run = engineRun(e.openBook(book).prepare(market, { method: 'cross' }));
    run.run();
    return { backend: e.backend, run };
  });
  // every way gives the same totals' bits (the exact ones) on every backend
  const exact = runs.map(({ run }) => JSON.stringify(totalsOfSums(run.totalSums())));
  if (new Set(exact).size !== 1) throw new Error('exact totals differ between backends');

  const tasks = [
    { name: 'totals: ordered loop (before)', backend: 'js', fn: () => orderedTotals(runs[2].run) },
    ...runs.map(({ backend, run }) => ({ name: `totals: exact, ${backend}`, backend, fn: () => totalsOfSums(run.totalSums()) })),
  ];
  const totalsMs = interleaved(tasks, rounds, 3);
  const base = totalsMs.get(tasks[0].name)!;
  const rows: ExactSumRow[] = tasks.map((t) => ({
    what: t.name, backend: t.backend, medianMs: totalsMs.get(t.name)!, nsPerItem: (totalsMs.get(t.name)! * 1e6) / accounts, vsBaseline: totalsMs.get(t.name)! / base,
  }));

  // the raw kernel: 1,000,000 doubles of mixed signs and sizes
  const n = 1_000_000;
  const values = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * Math.exp(((i * 7919) % 1000) / 40 - 10));
  const raw: { name: string; backend: string; fn: () => void }[] = [
    { name: 'raw: ordered addition, 1M doubles', backend: 'js', fn: () => {
      let s = 0;
      for (let i = 0; i < n; i++) s += values[i];
      if (s === 0.5) throw new Error('unreachable');
    } },
    { name: 'raw: exact sum, 1M doubles', backend: 'js', fn: () => {
      const acc = newAccumulators();
      exactAddJs(acc, 0, values);
      exactRoundJs(acc);
    } },
  ];
  for (const flavour of ['simd', 'scalar'] as const) {
    const wasm = await WasmKernels.create(flavour);
    const column = Column.allocate(wasm.allocator, 'f64', n);
    column.array.set(values);
    const acc = Column.allocate(wasm.allocator, 'f64', ACC_SLOTS);
    const k = wasm.raw;
    raw.push({ name: 'raw: exact sum, 1M doubles', backend: flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar', fn: () => {
      k.exactClear(acc.ptr, 1);
      k.exactAdd(acc.ptr, column.ptr, n);
      k.exactRound(acc.ptr);
    } });
  }
  const rawMs = interleaved(raw.map((t) => ({ name: `${t.name} ${t.backend}`, fn: t.fn })), rounds, 1);
  const rawBase = rawMs.get(`${raw[0].name} ${raw[0].backend}`)!;
  for (const t of raw) {
    const ms = rawMs.get(`${t.name} ${t.backend}`)!;
    rows.push({ what: t.name, backend: t.backend, medianMs: ms, nsPerItem: (ms * 1e6) / n, vsBaseline: ms / rawBase });
  }
  for (const { run } of runs) run.release();
  return rows;
}

export function exactSumTables(rows: ExactSumRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ what: r.what, backend: r.backend, 'median ms': fixed(r.medianMs, 3), 'ns per item': fixed(r.nsPerItem, 2), 'vs before': times(r.vsBaseline) })) }];
}
