/**
 * Rule-based (cross) margin benchmark: 100,000 accounts × 20 positions, prices already computed;
 * times the margin kernels (per-position requirements and per-account totals with tiered haircuts
 * and status) on WASM SIMD, WASM scalar and the JS twin in one run, and the whole call to the report (tinybench medians).
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { syntheticBook } from './layout.js';

export interface MarginBenchRow {
  name: string;
  accounts: number;
  positions: number;
  ms: number;
}

export async function marginBench(accounts = 100_000): Promise<MarginBenchRow[]> {
  const { book: bookJson, market: marketJson } = syntheticBook(accounts, 7);
  const { book, market } = validateInputs(bookJson, marketJson);
  const positions = book.accounts.reduce((n, a) => n + a.positions.length, 0);
  const engines = [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
  const bench = new Bench({ time: 1000, iterations: 10, warmupIterations: 3 });
  const runs = engines.map((engine) => {
    const session = engine.openBook(book);
    const run = session.prepare(market, { method: 'cross' });
    bench.add(`cross margin kernels, ${engine.backend}`, () => run.run());
    return { engine, session, run };
  });
  await bench.run();
  const rows: MarginBenchRow[] = bench.tasks.map((task) => ({
    name: task.name,
    accounts,
    positions,
    ms: task.result?.state === 'completed' ? task.result.latency.p50 : NaN,
  }));
  for (const r of runs) r.run.release();
  // End to end per backend, each warmed up and timed as the kernels are (one cold call favoured whichever backend came
  // second, its report code already optimised): market applied, options valued, kernels, 100k report rows.
  const whole = new Bench({ time: 2000, iterations: 5, warmupIterations: 2 });
  for (const { engine, session } of runs) {
    whole.add(`end to end (apply market, value options, kernels, report), ${engine.backend}`, () => {
      void session.margin(market, { method: 'cross' }).accounts; // the rows are built on first read: time them too
    });
  }
  await whole.run();
  for (const task of whole.tasks) rows.push({ name: task.name, accounts, positions, ms: task.result?.state === 'completed' ? task.result.latency.p50 : NaN });
  for (const { session } of runs) session.release();
  return rows;
}
