// A/B CPU time of engine.stress for two builds of margin-core in one process, calls alternating so that load from a
// shared machine hits both alike (docs/performance.md, "Measuring on shared machines"): the reverse search, the Monte
// Carlo paths or the one cascade of the bundled shock btc-crash, cross margin, on the generated book (seed 7), as
// `node dist/bench.js stress-growth` runs them (the reverse threshold 10,000,000 USD per 10,000 accounts). One thread,
// timed by process.cpuUsage; prints the medians and the median of the per-pair ratios new/old, and checks that both
// builds give the same result (the reverse search, the Monte Carlo bad debt distribution, the cascade's metrics).
// `--workers N`: the reverse search or the paths on N worker threads of each build (a sharded book each, both held
// throughout), timed by the wall clock: a build's setting read by its pool (a worker's limits, its jobs) is compared
// in one process, where runs in separate processes differ by more than such a setting does.
// Usage: node scripts/perf/ab-stress.mjs NEW/dist/node/margin-core.js OLD/dist/node/margin-core.js
//          [--work reverse|monte-carlo|cascade] [--accounts 10000] [--paths 20] [--pairs 5] [--backend wasm] [--workers 0]
// (an old build: git archive REV | tar -x -C DIR, node_modules linked, node scripts/build.mjs in DIR)
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { builds, cpuMs, median, option as optionOf, pairedRuns, pairedRunsAsync } from './paired.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => optionOf(argv, name, fallback);
const work = option('work', 'reverse'), accounts = Number(option('accounts', 10000)), paths = Number(option('paths', 20));
const pairs = Number(option('pairs', 5)), backend = option('backend', 'wasm'), workersGiven = option('workers', '0'), workers = Number(workersGiven);
if (!['reverse', 'monte-carlo', 'cascade'].includes(work)) throw new Error(`--work: expected reverse, monte-carlo or cascade, got ${work}`);
if (!Number.isInteger(workers) || workers < 0) throw new Error(`--workers: expected a whole number of worker threads (0: this thread), got ${workersGiven}`);
if (workers > 0 && work === 'cascade') throw new Error('--workers: a cascade runs on the calling thread; use --work reverse or monte-carlo');
const [NEW, OLD] = await builds(argv);
const shock = JSON.parse(readFileSync(new URL('../../data/shocks/btc-crash.json', import.meta.url), 'utf8'));
const raw = NEW.generateSample({ accounts, seed: 7 });
// each build brands its own validated inputs
const inputs = { new: NEW.validateInputs(raw.book, raw.market), old: OLD.validateInputs(raw.book, raw.market) };
const pool = workers > 0 ? { workers } : {};
const engines = { new: await NEW.createEngine({ backend, ...pool }), old: await OLD.createEngine({ backend, ...pool }) };
const base = { method: 'cross', params: { stress: { maxRounds: 10 } } };
const options = work === 'reverse' ? { ...base, reverse: { thresholdUsd: (10_000_000 * accounts) / 10_000 } } : work === 'monte-carlo' ? { ...base, paths } : base;
/** What a call found: the reverse search, the Monte Carlo bad debt distribution, the cascade's metrics. */
const foundIn = (r) => JSON.stringify(work === 'reverse' ? r.reverse[0] : work === 'monte-carlo' ? r.monteCarlo[0].badDebt : r.cascades[0].metrics);
let runs, clock;
if (workers > 0) {
  // each build's book held by its workers throughout (the first call sends it): only the calls are timed
  const sharded = { new: await engines.new.openShardedBook(inputs.new.book), old: await engines.old.openShardedBook(inputs.old.book) };
  /** One call of one build on its workers: its wall-clock ms and what it found. */
  const timed = async (which) => {
    const t0 = performance.now();
    const r = await sharded[which].stress(inputs[which].market, shock, options);
    return { ms: performance.now() - t0, result: foundIn(r) };
  };
  await timed('old');
  await timed('new');
  runs = await pairedRunsAsync(pairs, timed);
  clock = `wall, ${workers} workers`;
  await Promise.all([sharded.new.release(), sharded.old.release()]);
} else {
  /** One call of one build: its CPU ms and what it found. */
  const timed = (which) => {
    const c0 = cpuMs();
    const r = engines[which].stress(inputs[which].book, inputs[which].market, shock, options);
    return { ms: cpuMs() - c0, result: foundIn(r) };
  };
  timed('old');
  timed('new');
  runs = pairedRuns(pairs, timed);
  clock = 'CPU';
}
const { ratios, olds, news } = runs;
const what = work === 'monte-carlo' ? `${paths} Monte Carlo paths` : work;
console.log(`${engines.new.backend} ${what}, ${accounts} accounts: old ${median(olds).toFixed(0)} ms, new ${median(news).toFixed(0)} ms ${clock}; ` +
  `new/old median of ${pairs} paired ratios ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]; load ${loadavg()[0].toFixed(1)}`);
await Promise.all([engines.new.close(), engines.old.close()]);
