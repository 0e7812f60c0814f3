/**
 * The benchmark suite: `node dist/bench.js [MODE [counts…]] [--out DIR]` (`npm run bench` runs every mode of the full
 * run). Each mode prints its tables and writes its results as JSON, `bench/results/MODE.json` in a clone (or in DIR),
 * with the machine and the time of the run; docs/benchmarks.md and the README's headline table are generated from
 * those files (`node scripts/bench-docs.mjs`), and `node scripts/bench-check.mjs DIR` compares a run's same-run ratios
 * with them. Timings on shared machines drift: compare the ratios within one run.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchMode, benchLoad, printTables, resultFile, writeResultFile } from './harness.js';
import { liveServiceProcess } from './live.js';
import { oneAccountBench } from './liquidation.js';
import { e2eRun } from './e2e-run.js';
import { libraryColumnsBench } from './e2e.js';
import { BENCH_MODES } from './modes.js';
import { chooseBrowserCases, nodeCaseMain } from './browser.js';
import { serviceBoundsProcess, serviceServeProcess } from './service.js';

const args = process.argv.slice(2);

// Processes the benchmarks start for themselves: the live service, one backend's one-account liquidation, and one
// end-to-end run of the CLI's steps.
if (args[0] === 'live-serve') {
  await liveServiceProcess(Number(args[1]));
  process.exit(0);
}
// The service benchmark's servers (bench/service.ts), until SIGTERM.
if (args[0] === 'service-serve') {
  await serviceServeProcess(args[1], Number(args[2]));
  process.exit(0);
}
if (args[0] === 'service-bounds-serve') {
  await serviceBoundsProcess(args[1], Number(args[2]), Number(args[3] ?? 0));
  process.exit(0);
}
if (args[0] === 'liquidation-one') {
  console.log(JSON.stringify(await oneAccountBench(args[1] === 'js' ? 'js' : 'wasm')));
  process.exit(0);
}
// One end-to-end run (bench/e2e-run.ts), in a process of its own: `e2e-run BOOK MARKET OUT FORMAT METHOD BACKEND`.
if (args[0] === 'e2e-run') {
  const [book, market, out, format, method, backend] = args.slice(1);
  console.log(JSON.stringify(await e2eRun(book, market, out, format === 'arrow' || format === 'json-general' ? format : 'json', method, backend === 'js' ? 'js' : 'wasm')));
  process.exit(0);
}
// The library half of e2e alone (bench/e2e.ts libraryColumnsBench): `e2e-library [ACCOUNTS] [ROUNDS] [METHOD,…] [BACKEND,…]`.
if (args[0] === 'e2e-library') {
  const list = (arg: string | undefined, all: string[]) => (arg ? arg.split(',') : all);
  const rows = await libraryColumnsBench(Number(args[1] ?? 100_000), Number(args[2] ?? 9), list(args[3], ['cross', 'portfolio']), list(args[4], ['wasm', 'js']) as ('wasm' | 'js')[]);
  console.log(JSON.stringify(rows));
  process.exit(0);
}
// The browser benchmark's Node side, one case per process: `browser-case NAME OPTIONS ACCOUNTS`.
if (args[0] === 'browser-case') {
  console.log(JSON.stringify(await nodeCaseMain(args[1], { options: Number(args[2]), accounts: Number(args[3]) })));
  process.exit(0);
}
// `browser --cases a,b`: some of the browser benchmark's cases only (`none`: the risk page alone).
const casesAt = args.indexOf('--cases');
if (casesAt >= 0) chooseBrowserCases(args.splice(casesAt, 2)[1] ?? '');

function usage(): string {
  const lines = [
    'usage: margin-core bench [MODE [counts…]] [--out DIR] [--force]',
    '',
    'Without a MODE, runs every mode marked * (tens of minutes). Each mode prints its tables and writes MODE.json to',
    'DIR (default bench/results/ in a clone of the repository; installed from npm, nothing unless --out is given).',
    'A run during which the 1-minute load average exceeded the core count is not written (other jobs were timed too);',
    '--force writes it, marked as loaded.',
    '',
    'modes:',
  ];
  for (const mode of BENCH_MODES) {
    const counts = (mode.counts ?? []).map((c) => ` [${c.name}=${c.fallback}]`).join('');
    lines.push(`  ${mode.inFullRun ? '*' : ' '} ${mode.name}${counts}`);
    lines.push(`      ${mode.title}${mode.needs ? ` (needs ${mode.needs})` : ''}`);
  }
  return lines.join('\n');
}

if (args.includes('--help') || args.includes('-h')) {
  console.log(usage());
  process.exit(0);
}

const forceAt = args.indexOf('--force');
const force = forceAt >= 0;
if (force) args.splice(forceAt, 1);
const outAt = args.indexOf('--out');
if (outAt >= 0 && args[outAt + 1] === undefined) {
  console.error('bench: --out needs a folder');
  process.exit(2);
}
const positional = outAt >= 0 ? [...args.slice(0, outAt), ...args.slice(outAt + 2)] : args;
const clone = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = outAt >= 0 ? resolve(args[outAt + 1]) : existsSync(join(clone, 'bench', 'main.ts')) ? join(clone, 'bench', 'results') : undefined;

/** The counts after a mode's name: each a positive integer (a usage error, exit 2, otherwise). */
function countsOf(mode: BenchMode, raw: readonly string[]): number[] {
  return (mode.counts ?? []).map((spec, i) => {
    if (raw[i] === undefined) return spec.fallback;
    const value = Number(raw[i]);
    if (!Number.isSafeInteger(value) || value < 1) {
      console.error(`bench ${mode.name}: ${spec.name} must be a positive integer, got ${JSON.stringify(raw[i])}`);
      process.exit(2);
    }
    return value;
  });
}

let selected: { mode: BenchMode; counts: number[] }[];
if (positional.length === 0) {
  selected = BENCH_MODES.filter((m) => m.inFullRun).map((mode) => ({ mode, counts: countsOf(mode, []) }));
} else {
  const mode = BENCH_MODES.find((m) => m.name === positional[0]);
  if (!mode) {
    console.error(`bench: unknown mode ${JSON.stringify(positional[0])}; the modes are ${BENCH_MODES.map((m) => m.name).join(', ')} (--help says what each measures)`);
    process.exit(2);
  }
  selected = [{ mode, counts: countsOf(mode, positional.slice(1)) }];
}

for (const { mode, counts } of selected) {
  console.log(`\n${mode.title}`);
  const loadBefore = loadavg();
  const result = await mode.run(counts);
  const load = benchLoad(loadBefore, loadavg(), cpus().length, mode.ownProcesses === true);
  const file = resultFile(mode, counts, result, load);
  printTables(file.tables);
  console.log(`load average ${load.before.join(' ')} before, ${load.after.join(' ')} after, on ${load.cores} cores`);
  if (!outDir) continue;
  if (load.quiet || force) console.log(`results written to ${await writeResultFile(outDir, file)}${load.quiet ? '' : ' (marked as loaded)'}`);
  else console.log(`results not written: the 1-minute load average passed the ${load.cores} cores, so other jobs were timed too (rerun on a quiet machine, or --force to keep them marked as loaded)`);
}
if (!outDir) console.log('\nresults not written (give --out DIR to keep them)');
// Worker pools and servers some modes start may keep handles open: the run is over.
process.exit(0);
