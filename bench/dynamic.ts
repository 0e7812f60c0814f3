/**
 * Volatility-forecast benchmark (issue 17), tinybench: GARCH(1,1) maximum-likelihood fits and EWMA variances for 50
 * assets × 3,650 days (ten years of daily returns), simulated from GARCH(1,1) (ω 2e-5, α 0.07, β 0.88) with the
 * project's seeded PRNG. Plain TypeScript (no kernel twin: the fit is an optimiser loop over a scalar recursion), so
 * there is no WASM column. Medians of tinybench samples.
 *
 * The backtest ({@link backtestBench}): the portfolio method over the synthetic history (3,650 closes) on the generated
 * book, WASM and its JS twin in the same run, one timed run each after a short warm-up backtest (a run takes seconds:
 * tinybench's repetitions would add nothing but minutes).
 */
import { Bench } from 'tinybench';
import { ewmaVariance } from '../src/dynamic/ewma.js';
import { fitGarch } from '../src/dynamic/garch.js';
import { Random } from '../src/sample/random.js';
import { createEngine } from '../src/engine.js';
import { generateSample } from '../src/sample/generate.js';
import { validateInputs } from '../src/model/validate.js';
import { syntheticHistoryFor } from '../src/dynamic/synthetic-history.js';
import type { BenchTable } from './harness.js';

export interface DynamicBenchRow {
  work: string;
  assets: number;
  days: number;
  ms: number;
}

export async function dynamicBench(assets = 50, days = 3_650): Promise<DynamicBenchRow[]> {
  const rng = new Random(5);
  const series = Array.from({ length: assets }, () => {
    const r = new Float64Array(days);
    let s2 = 2e-5 / (1 - 0.07 - 0.88);
    for (let t = 0; t < days; t++) {
      r[t] = Math.sqrt(s2) * rng.normal();
      s2 = 2e-5 + 0.07 * r[t] * r[t] + 0.88 * s2;
    }
    return r;
  });
  const bench = new Bench({ time: 500, iterations: 10, warmupIterations: 3 });
  bench.add('GARCH(1,1) fits', () => {
    for (const r of series) fitGarch(r);
  });
  bench.add('EWMA variances (λ 0.94)', () => {
    for (const r of series) ewmaVariance(r);
  });
  await bench.run();
  return bench.tasks.map((t) => ({ work: t.name, assets, days, ms: t.result?.state === 'completed' ? t.result.latency.p50 : NaN }));
}

export function dynamicTables(rows: readonly DynamicBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ work: r.work, assets: r.assets, days: r.days, 'ms (median)': +r.ms.toFixed(2), 'ms per asset': +(r.ms / r.assets).toFixed(3) })) }];
}

export interface BacktestBenchRow {
  backend: string;
  method: string;
  accounts: number;
  days: number;
  seconds: number;
  /** Margin runs per second (three per day: dynamic, the loss revaluation; APC runs on the series). */
  daysPerSecond: number;
}

export async function backtestBench(accounts = 1_000, closes = 3_650, method = 'portfolio'): Promise<BacktestBenchRow[]> {
  const sample = generateSample({ accounts, seed: 7 });
  const valid = validateInputs(sample.book, sample.market);
  const history = syntheticHistoryFor(valid.market, { days: closes, seed: 1 });
  const warm = syntheticHistoryFor(valid.market, { days: 320, seed: 1 });
  const rows: BacktestBenchRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    engine.backtest(valid.book, valid.market, warm, { method });
    const t0 = performance.now();
    const report = engine.backtest(valid.book, valid.market, history, { method });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ backend: engine.backend, method, accounts, days: report.dates.length, seconds, daysPerSecond: report.dates.length / seconds });
  }
  return rows;
}

export function backtestTables(rows: readonly BacktestBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ backend: r.backend, method: r.method, accounts: r.accounts, 'margin days': r.days, seconds: +r.seconds.toFixed(2), 'days per second': Math.round(r.daysPerSecond) })) }];
}
