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
import { createEngine, type Engine } from '../src/engine.js';
import { liquidatePrepared } from '../src/liquidation/engine.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import { type CascadeTimings, cascadeTimings } from '../src/stress/cascade.js';
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

/** One row of the growth table: one piece of work at one book size on one backend, and where its time went. */
export interface StressGrowthRow {
  backend: string;
  work: 'liquidation plan' | 'cascade' | 'reverse' | 'monte-carlo';
  accounts: number;
  /**
   * Rounds (cascade and reverse on one thread: over every cascade), the reverse search's evaluations on worker threads
   * (their rounds are not counted here), Monte Carlo paths, or the accounts below MM (liquidation plan).
   */
  count: number;
  /**
   * Wall time of the whole call: a stress call's (laying the book out, the pre-shock margin run, the cascades, the
   * report); a liquidation plan's on a book laid out before (prepare and margin run, the plan, the report), as
   * `engine.liquidate(session, …)` spends it.
   */
  ms: number;
  /**
   * Of it, this thread's rounds: bringing the margin run to each round's market, the liquidation engine, the rest (a
   * liquidation plan: the prepare and margin run, then the plan and its report).
   */
  marginMs: number;
  liquidationMs: number;
  otherMs: number;
  /** Accounts margined per round, on average (the book's size when every round margins every account). */
  marginedPerRound: number;
  workers: number;
  /** What the call found in place (a reverse search on worker threads: whether they held the book already). */
  note?: string;
}

/**
 * The growth of the stress work with the book (issue 52's targets): one cascade of at most 10 rounds at every size
 * (10,000 accounts, then ×10 up to `largest`), a reverse search at every size up to `reverseUpTo` (its threshold
 * 10,000,000 USD of bad debt per 10,000 accounts), and `paths` Monte
 * Carlo shocks split across `workers` threads at every size up to `monteCarloUpTo` (WASM only: a worker runs its
 * engine's backend), and beside them the liquidation plan of the book at its own marks at every size (what each round
 * of a cascade runs; after three warm-up calls, each on a session of its own). Up to 100,000 accounts a plan's and a
 * cascade's rows are the median of five runs, WASM and the JS twin alternating; the rest one run each (they take seconds
 * to minutes); both backends ran three plans and a cascade on the smallest book untimed first.
 */
export async function stressGrowthBench(largest = 1_000_000, paths = 1_000, workers = 2, reverseUpTo = 100_000, monteCarloUpTo = 100_000): Promise<StressGrowthRow[]> {
  const rows: StressGrowthRow[] = [];
  const options = { method: 'cross', params: { stress: { maxRounds: 10 } } };
  // warm-up of the code both backends share (the engine, the cascade), on each backend, before anything is timed: the
  // backend timed first would otherwise pay for the JIT at the smallest book, and the one after it not
  const first = validated(10_000);
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    for (let k = 0; k < 3; k++) planRow(engine, first.book, first.market);
    engine.stress(first.book, first.market, SHOCK, options);
  }
  for (let accounts = 10_000; accounts <= largest; accounts *= 10) {
    const { book, market } = validated(accounts);
    const engines = { wasm: await createEngine({ backend: 'wasm' }), js: await createEngine({ backend: 'js' }) };
    // warm-up: the plan's code optimised over its first few runs, as a venue's running engine has it (the liquidation mode's three)
    for (const engine of Object.values(engines)) for (let k = 0; k < 3; k++) planRow(engine, book, market);
    // the rows of a second or less: the median of a few runs, the backends alternating (a single run of 5 ms reads the
    // machine's moment as much as the backend)
    const runs = accounts <= REPEATED_UP_TO ? REPEATS : 1;
    rows.push(...medianRows(runs, engines, (engine) => planRow(engine, book, market)));
    rows.push(...medianRows(runs, engines, (engine) => timed(engine.backend, 'cascade', accounts, 1, (timings) => {
      const r = engine.stress(book, market, SHOCK, { ...options, timings });
      return r.cascades[0].rounds.length;
    })));
    if (accounts <= reverseUpTo) {
      rows.push(...medianRows(1, engines, (engine) => timed(engine.backend, 'reverse', accounts, 1, (timings) => {
        // the threshold grows with the book (10,000,000 USD per 10,000 accounts): a fixed one is crossed by the
        // unshocked 100,000-account book already (λ = 0 after one cascade), which times no search
        engine.stress(book, market, SHOCK, { ...options, reverse: { thresholdUsd: (REVERSE_THRESHOLD_USD * accounts) / 10_000 }, timings });
        return timings.rounds;
      })));
    }
    const reverseOnWorkers = accounts <= reverseUpTo && workers > 1;
    if ((accounts <= monteCarloUpTo && paths > 0) || reverseOnWorkers) {
      const engine = await createEngine({ backend: 'wasm', workers });
      try {
        const sharded = await engine.openShardedBook(book);
        // the reverse search with its probes on the workers: the first call sends the book to them and they lay it
        // out; once more after the Monte Carlo paths, on the book they hold (a risk team's second question)
        const reverse = async (note: string) => {
          const timings = cascadeTimings(), t0 = performance.now();
          const r = await sharded.stress(market, SHOCK, { ...options, reverse: { thresholdUsd: (REVERSE_THRESHOLD_USD * accounts) / 10_000 }, timings });
          rows.push({ backend: engine.backend, work: 'reverse', accounts, count: r.reverse![0].evaluations, ms: performance.now() - t0, ...split(timings), workers, note });
        };
        if (reverseOnWorkers) await reverse('first call: book sent to the workers');
        if (accounts <= monteCarloUpTo && paths > 0) {
          const timings = cascadeTimings(), t0 = performance.now();
          await sharded.stress(market, SHOCK, { ...options, paths, timings });
          const ms = performance.now() - t0;
          rows.push({ backend: engine.backend, work: 'monte-carlo', accounts, count: paths, ms, ...split(timings), workers });
        }
        if (reverseOnWorkers) await reverse('book held by the workers');
        await sharded.release();
      } finally {
        await engine.close();
      }
    }
  }
  return rows;
}

/** Book sizes up to which a plan's and a cascade's rows are the median of {@link REPEATS} runs. */
const REPEATED_UP_TO = 100_000;
const REPEATS = 5;

/**
 * `runs` runs of `make` on each backend, the order alternating run by run (WASM first, then the JS twin first, …), and
 * per backend the run of median wall time (its own split), noted when there were several.
 */
function medianRows(runs: number, engines: { wasm: Engine; js: Engine }, make: (engine: Engine) => StressGrowthRow): StressGrowthRow[] {
  const made: { wasm: StressGrowthRow[]; js: StressGrowthRow[] } = { wasm: [], js: [] };
  for (let r = 0; r < runs; r++) for (const backend of r % 2 === 0 ? (['wasm', 'js'] as const) : (['js', 'wasm'] as const)) made[backend].push(make(engines[backend]));
  return [made.wasm, made.js].map((list) => {
    const row = [...list].sort((x, y) => x.ms - y.ms)[list.length >> 1];
    return runs > 1 ? { ...row, note: `median of ${runs} runs, the backends alternating` } : row;
  });
}

/**
 * The liquidation plan of `book` at its own marks, cross margin, as `engine.liquidate(session, …)` makes it (prepare and margin
 * run, then the plan and its report) on a session opened before the timing; the two parts timed apart.
 */
function planRow(engine: Engine, book: ValidatedBook, market: ValidatedMarket): StressGrowthRow {
  const session = engine.openBook(book);
  try {
    const t0 = performance.now();
    const run = session.prepare(market, { method: 'cross' });
    run.run();
    const t1 = performance.now();
    const report = liquidatePrepared(session, run, { method: 'cross' });
    const t2 = performance.now();
    run.release();
    return {
      backend: engine.backend, work: 'liquidation plan', accounts: book.accounts.length, count: report.totals.accountsBreaching, ms: t2 - t0,
      marginMs: t1 - t0, liquidationMs: t2 - t1, otherMs: 0, marginedPerRound: book.accounts.length, workers: 1,
    };
  } finally {
    session.release();
  }
}

/** Runs `work` once with fresh timings; `work` returns the count to report. */
function timed(backend: string, work: StressGrowthRow['work'], accounts: number, workers: number, run: (timings: CascadeTimings) => number): StressGrowthRow {
  const timings = cascadeTimings(), t0 = performance.now();
  const count = run(timings);
  return { backend, work, accounts, count, ms: performance.now() - t0, ...split(timings), workers };
}

function split(t: CascadeTimings): Pick<StressGrowthRow, 'marginMs' | 'liquidationMs' | 'otherMs' | 'marginedPerRound'> {
  return { marginMs: t.marginMs, liquidationMs: t.liquidationMs, otherMs: t.otherMs, marginedPerRound: t.rounds > 0 ? t.accountsMargined / t.rounds : 0 };
}

export function stressGrowthTables(rows: readonly StressGrowthRow[]): BenchTable[] {
  const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');
  return [{
    caption: 'Where the time goes: of the call\'s wall time, this thread\'s rounds split into margin (bringing the run to the round\'s market), liquidation (the engine) and the rest (the plan read, flow, impact); a liquidation plan into its margin run and the plan with its report (count: the accounts below MM); Monte Carlo paths and a reverse search on workers run their cascades there, not split (count: the search\'s evaluations; this thread\'s split is the shock\'s own cascade). Monte Carlo and the reverse search stop at 100,000 accounts (the mode\'s default)',
    rows: rows.map((r) => ({
      backend: r.backend, work: r.work, accounts: r.accounts, workers: r.workers, 'rounds / paths / below MM': r.count, ms: +r.ms.toFixed(1),
      margin: pct(r.marginMs, r.ms), liquidation: pct(r.liquidationMs, r.ms), rest: pct(r.otherMs, r.ms),
      'margined / round': Math.round(r.marginedPerRound), note: r.note ?? '',
    })),
  }];
}
