// A/B CPU time of engine.stress for two builds of margin-core in one process, calls alternating so that load from a
// shared machine hits both alike (docs/performance.md, "Measuring on shared machines"): the reverse search, the Monte
// Carlo paths or the one cascade of the bundled shock btc-crash, cross margin, on the generated book (seed 7), as
// `node dist/bench.js stress-growth` runs them (the reverse threshold 10,000,000 USD per 10,000 accounts). One thread,
// timed by process.cpuUsage; prints the medians and the median of the per-pair ratios new/old, and checks that both
// builds give the same result (the reverse search, the Monte Carlo bad debt distribution, the cascade's metrics).
// Usage: node scripts/perf/ab-stress.mjs NEW/dist/node/margin-core.js OLD/dist/node/margin-core.js
//          [--work reverse|monte-carlo|cascade] [--accounts 10000] [--paths 20] [--pairs 5] [--backend wasm]
// (an old build: git archive REV | tar -x -C DIR, node_modules linked, node scripts/build.mjs in DIR)
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { builds, cpuMs, median, option as optionOf, pairedRuns } from './paired.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => optionOf(argv, name, fallback);
const work = option('work', 'reverse'), accounts = Number(option('accounts', 10000)), paths = Number(option('paths', 20));
const pairs = Number(option('pairs', 5)), backend = option('backend', 'wasm');
if (!['reverse', 'monte-carlo', 'cascade'].includes(work)) throw new Error(`--work: expected reverse, monte-carlo or cascade, got ${work}`);
const [NEW, OLD] = await builds(argv);
const shock = JSON.parse(readFileSync(new URL('../../data/shocks/btc-crash.json', import.meta.url), 'utf8'));
const raw = NEW.generateSample({ accounts, seed: 7 });
// each build brands its own validated inputs
const inputs = { new: NEW.validateInputs(raw.book, raw.market), old: OLD.validateInputs(raw.book, raw.market) };
const engines = { new: await NEW.createEngine({ backend }), old: await OLD.createEngine({ backend }) };
const base = { method: 'cross', params: { stress: { maxRounds: 10 } } };
const options = work === 'reverse' ? { ...base, reverse: { thresholdUsd: (10_000_000 * accounts) / 10_000 } } : work === 'monte-carlo' ? { ...base, paths } : base;
/** One call of one build: its CPU ms and what it found. */
const timed = (which) => {
  const c0 = cpuMs();
  const r = engines[which].stress(inputs[which].book, inputs[which].market, shock, options);
  const ms = cpuMs() - c0;
  const found = work === 'reverse' ? r.reverse[0] : work === 'monte-carlo' ? r.monteCarlo[0].badDebt : r.cascades[0].metrics;
  return { ms, result: JSON.stringify(found) };
};
timed('old');
timed('new');
const { ratios, olds, news } = pairedRuns(pairs, timed);
const what = work === 'monte-carlo' ? `${paths} Monte Carlo paths` : work;
console.log(`${engines.new.backend} ${what}, ${accounts} accounts: old ${median(olds).toFixed(0)} ms, new ${median(news).toFixed(0)} ms CPU; ` +
  `new/old median of ${pairs} paired ratios ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]; load ${loadavg()[0].toFixed(1)}`);
