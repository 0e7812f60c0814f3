/**
 * Stress benchmark (issue 15), tinybench, WASM SIMD against the JS twin in the same run, all under cross margin with the
 * bundled shock `btc-crash` (BTC −25%, its vols +20 points) and the default impact (square-root law, ADV 1 billion USD,
 * half permanent, contagion on):
 *  - one cascade of at most 10 rounds on the generated 100,000-account book (seed 7): `engine.stress` on the validated
 *    book and market (laying the book out, the pre-shock margin run, every round's margin and liquidation, the report);
 *  - a reverse stress test (the smallest multiple of the shock whose bad debt exceeds 10,000,000 USD: at its own marks the
 *    book's bad debt is already close to the default fund of 1,000,000) on 10,000 accounts;
 *  - 1,000 Monte Carlo shocks (1 day, seed 1) on 10,000 accounts.
 * Medians of tinybench samples (the Monte Carlo run: one sample per backend, it takes seconds).
 */
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import type { BenchTable } from './harness.js';

export interface StressBenchRow {
  backend: string;
  work: string;
  accounts: number;
  /** Rounds of the cascade (with liquidations), cascades of the reverse search, or Monte Carlo paths. */
  count: number;
  ms: number;
  /** What the run found: bad debt (USD) of the cascade, the reverse multiple, the Monte Carlo p99 of bad debt. */
  result: number;
}

const REVERSE_THRESHOLD_USD = 10_000_000;
const SHOCK = JSON.parse(readFileSync(new URL('../data/shocks/btc-crash.json', import.meta.url), 'utf8')) as unknown;

export async function stressBench(big = 100_000, small = 10_000, paths = 1_000): Promise<StressBenchRow[]> {
  const rows: StressBenchRow[] = [];
  const large = validated(big), medium = validated(small);
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    const options = { method: 'cross', params: { stress: { maxRounds: 10 } } };
    const bench = new Bench({ time: 0, iterations: 3, warmup: true, warmupIterations: 1, warmupTime: 0 });
    bench.add('cascade', () => void engine.stress(large.book, large.market, SHOCK, options));
    bench.add('reverse', () => void engine.stress(medium.book, medium.market, SHOCK, { ...options, reverse: { thresholdUsd: REVERSE_THRESHOLD_USD } }));
    await bench.run();
    const cascade = engine.stress(large.book, large.market, SHOCK, options).cascades[0];
    rows.push({ backend: engine.backend, work: 'cascade', accounts: big, count: cascade.metrics.rounds, ms: median(bench, 'cascade'), result: cascade.metrics.badDebt });
    const reverse = engine.stress(medium.book, medium.market, SHOCK, { ...options, reverse: { thresholdUsd: REVERSE_THRESHOLD_USD } }).reverse![0];
    rows.push({ backend: engine.backend, work: 'reverse', accounts: small, count: reverse.evaluations, ms: median(bench, 'reverse'), result: reverse.scale ?? NaN });
    const t0 = performance.now();
    const mc = engine.stress(medium.book, medium.market, SHOCK, { ...options, paths }).monteCarlo![0];
    rows.push({ backend: engine.backend, work: 'monte-carlo', accounts: small, count: paths, ms: performance.now() - t0, result: mc.badDebt.p99 });
  }
  return rows;
}

export function stressTables(rows: readonly StressBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({
    backend: r.backend, work: r.work, accounts: r.accounts, 'rounds / cascades / paths': r.count, ms: +r.ms.toFixed(1),
    found: r.work === 'reverse' ? `× ${r.result.toFixed(3)}` : `${Math.round(r.result).toLocaleString('en-US')} USD`,
  })) }];
}

function validated(accounts: number) {
  const sample = generateSample({ accounts, seed: 7 });
  return validateInputs(sample.book, sample.market);
}

function median(bench: Bench, name: string): number {
  const r = bench.getTask(name)?.result;
  return r?.state === 'completed' ? r.latency.p50 : NaN;
}
