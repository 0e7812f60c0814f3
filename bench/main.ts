/**
 * The benchmark suite (`npm run bench`): Greeks (WASM SIMD, WASM scalar, JS twin and npm peers on
 * the same million options), margin methods, book layout, end to end, and liquidation. Prints
 * tables and writes bench/results/latest.json. Timings on shared machines drift; compare the ratios within one run.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { greeksBench } from './greeks.js';
import { layoutBench } from './layout.js';
import { marginBench } from './margin.js';
import { riskBench } from './risk.js';
import { varBench } from './var.js';
import { portfolioBench } from './portfolio.js';
import { endToEndBench } from './end-to-end.js';
import { liquidationBench, oneAccountBench } from './liquidation.js';
import { FULL_SPEED, type SpeedSummary } from './machine-speed.js';
import { liveBench, liveServiceProcess, printLive, serviceLoad } from './live.js';
import { printStress, stressBench } from './stress.js';
import { backtestBench, dynamicBench, printBacktest, printDynamic } from './dynamic.js';
import { deriveBench, printDerive } from './derive.js';
import { printSubaccounts, subaccountBench } from './subaccounts.js';
import { printSpan, spanBench } from './span.js';
import { optimizeBench, printOptimize } from './optimize.js';
import { printScale, scaleBench } from './scale.js';
import { printScalePhases, scalePhases } from './scale-phases.js';
import { printScalePaired, scalePaired } from './scale-paired.js';
import { browserMain, nodeCaseMain } from './browser.js';

/**
 * Positional argument `index` of a bench mode (a count: accounts, seconds, calls, pairs), `fallback` when absent; a
 * value that is not a positive integer is a usage error (exit 2), not a stack trace from inside the benchmark.
 */
function countArg(index: number, name: string, fallback: number): number {
  const raw = process.argv[index];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`bench ${process.argv[2]}: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

// The live benchmark's service runs this bundle in a process of its own: `live-serve ACCOUNTS`, until SIGTERM.
if (process.argv[2] === 'live-serve') {
  await liveServiceProcess(Number(process.argv[3]));
  process.exit(0);
}
// The liquidation benchmark's one-account part runs this bundle in a process of its own: `liquidation-one BACKEND`.
if (process.argv[2] === 'liquidation-one') {
  console.log(JSON.stringify(await oneAccountBench(process.argv[3] === 'js' ? 'js' : 'wasm')));
  process.exit(0);
}
// The browser benchmark's Node side runs this bundle in a process of its own per case: `browser-case NAME OPTIONS ACCOUNTS`.
if (process.argv[2] === 'browser-case') {
  console.log(JSON.stringify(await nodeCaseMain(process.argv[3], { options: countArg(4, 'options', 1_000_000), accounts: countArg(5, 'accounts', 100_000) })));
  process.exit(0);
}
// `node dist/bench.js browser [options] [accounts] [--cases a,b]`: the browser benchmark (headless Chromium beside Node) alone.
if (process.argv[2] === 'browser') {
  const at = process.argv.indexOf('--cases'); // `--cases greeks-wasm,greeks-js`: some cases only
  const list = at >= 0 ? process.argv.splice(at, 2)[1] ?? '' : undefined;
  const cases = list === undefined ? undefined : list === 'none' ? [] : list.split(','); // none: the risk page alone
  await browserMain({ options: countArg(3, 'options', 1_000_000), accounts: countArg(4, 'accounts', 100_000), cases });
  process.exit(0);
}
// `node dist/bench.js live [accounts] [seconds]`: the live benchmark alone.
if (process.argv[2] === 'live') {
  const accounts = countArg(3, 'accounts', 100_000), seconds = countArg(4, 'seconds', 10);
  console.log(`\nLive margin (issue 16): ${accounts.toLocaleString('en-US')} accounts × 20 positions; what-if µs, ticks and service ms`);
  printLive(await liveBench({ accounts, seconds }));
  process.exit(0);
}
// `node dist/bench.js service [accounts] [seconds]`: the live service under autocannon alone.
if (process.argv[2] === 'service') {
  const accounts = countArg(3, 'accounts', 100_000), seconds = countArg(4, 'seconds', 10);
  console.log(`\nLive margin service (issue 16): ${accounts.toLocaleString('en-US')} accounts × 20 positions, POST /what-if, ms`);
  printLive(await serviceLoad(accounts, seconds));
  process.exit(0);
}
// `node dist/bench.js dynamic`: the volatility-forecast benchmark alone.
const BACKTEST_TITLE = '\nBacktest (issue 17): portfolio margin over 3,650 synthetic closes on the generated 1,000-account book, one core';
const DYNAMIC_TITLE = '\nVolatility forecasts (issue 17): GARCH(1,1) fits and EWMA, 50 assets × 3,650 days';
if (process.argv[2] === 'dynamic') {
  console.log(DYNAMIC_TITLE);
  printDynamic(await dynamicBench());
  console.log(BACKTEST_TITLE);
  printBacktest(await backtestBench());
  process.exit(0);
}
// `node dist/bench.js derive`: the Derive portfolio margin profile alone.
const DERIVE_TITLE = '\nDerive portfolio margin (issue 19): profile derive on the generated 100,000-account book, WASM against the JS twin; tinybench medians, ms';
if (process.argv[2] === 'derive') {
  console.log(DERIVE_TITLE);
  printDerive(await deriveBench());
  process.exit(0);
}
// `node dist/bench.js optimize`: margin optimisation alone.
const OPTIMIZE_TITLE = '\nMargin optimisation (issue 20): restore one 20-position account to IM at least cost among 10 candidate hedges (model, HiGHS, engine re-check); tinybench, ms';
if (process.argv[2] === 'optimize') {
  console.log(OPTIMIZE_TITLE);
  printOptimize(await optimizeBench());
  process.exit(0);
}
// `node dist/bench.js stress`: the stress benchmark alone.
const STRESS_TITLE = '\nStress testing (issue 15): cross margin, shock btc-crash; a cascade on 100,000 accounts, a reverse search and 1,000 Monte Carlo shocks on 10,000';
if (process.argv[2] === 'stress') {
  console.log(STRESS_TITLE);
  printStress(await stressBench());
  process.exit(0);
}

// `node dist/bench.js subaccounts`: the subaccount roll-up benchmark alone.
const SUBACCOUNTS_TITLE = '\nSubaccount roll-ups (issue 20): generated 100,000-account book in 10,000 masters, cross and portfolio margin; the margin run on the same accounts without masters, and with the roll-up under each policy; medians of interleaved rounds, ms';
if (process.argv[2] === 'subaccounts') {
  console.log(SUBACCOUNTS_TITLE);
  printSubaccounts(await subaccountBench());
  process.exit(0);
}

// `node dist/bench.js span [accounts]`: the SPAN profile benchmark alone.
const SPAN_TITLE = '\nSPAN profile (issue 19): the generated 100,000-account book, session run; tinybench median and fastest, ms';
if (process.argv[2] === 'span') {
  const accounts = countArg(3, 'accounts', 100_000);
  console.log(SPAN_TITLE);
  printSpan(await spanBench(accounts));
  process.exit(0);
}

// `node dist/bench.js scale`: the scale-out benchmark alone.
const SCALE_TITLE = '\nScale-out (issue 18): 1 worker against 2 on the generated books (sharded book opened once; tinybench medians), Monte Carlo VaR and stress, and Redis on loopback';
if (process.argv[2] === 'scale') {
  console.log(SCALE_TITLE);
  printScale(await scaleBench());
  process.exit(0);
}

// `node dist/bench.js scale-phases [calls]`: per-thread CPU of sharded margin calls, 1 worker against 2 (not in the full run).
if (process.argv[2] === 'scale-phases') {
  const calls = countArg(3, 'calls', 15);
  console.log('\nScale-out per phase (issue 18): the generated 100,000-account book, medians per call of per-thread CPU (schedstat), ms');
  printScalePhases(await scalePhases(calls));
  process.exit(0);
}

// `node dist/bench.js scale-paired [pairs]`: the 2-worker speed-up from alternated calls of a 1- and a 2-worker engine.
const SCALE_PAIRED_TITLE = '\nScale-out in pairs (issue 18): the generated 100,000-account book, a 1-worker and a 2-worker engine side by side, calls alternated; medians, ms, and the median speed-up over the pairs';
if (process.argv[2] === 'scale-paired') {
  const pairs = countArg(3, 'pairs', 40);
  console.log(SCALE_PAIRED_TITLE);
  printScalePaired(await scalePaired(pairs));
  process.exit(0);
}

// `node dist/bench.js liquidation`: the liquidation benchmark alone.
const LIQUIDATION_TITLE = '\nLiquidation (issue 14): generated 100,000-account book at its own marks, session.liquidate (prepare, margin run, plans, report; and with every step and fill read) beside the margin run alone; tinybench medians, ms';
/** The columns of a {@link SpeedSummary} in a table. */
function speedColumns(s: SpeedSummary, unit: string, windows: string): Record<string, number | string> {
  return {
    [`median ${unit}`]: +s.median.toFixed(1), [`at full speed ${unit}`]: +s.fullSpeedMedian.toFixed(1), [`full-speed ${windows}`]: `${s.fullSpeedWindows}/${s.windows}`,
    'machine speed moved': `${s.referenceSpread.toFixed(2)}×`,
  };
}

function printLiquidation(liquidation: Awaited<ReturnType<typeof liquidationBench>>): void {
  console.table(liquidation.rows.map((r) => ({
    backend: r.backend, method: r.method, 'below MM': r.breaching, steps: r.steps, 'ADL fills': r.adlFills, 'margin ms': +r.marginMs.toFixed(1), 'liquidate ms': +r.liquidateMs.toFixed(1),
    'liquidate + read ms': +r.liquidateReadMs.toFixed(1), ...speedColumns(r.speed, 'ms', 'calls'),
  })));
  console.log('One account of 20 positions at health 0.9, liquidated alone under cross margin: the whole session.liquidate call, the prepare + margin run alone on the same book, and the plan (their difference), µs');
  console.table(liquidation.oneAccount.map((r) => ({
    backend: r.backend, positions: r.positions, steps: r.steps, 'whole µs': +r.microseconds.toFixed(1), 'prepare + margin µs': +r.marginMicroseconds.toFixed(1),
    'plan µs': +(r.microseconds - r.marginMicroseconds).toFixed(1), ...speedColumns(r.speed, 'µs', 'windows of 400'),
  })));
  console.log(`Beside each: the call again, timed beside a fixed reference loop (bench/machine-speed.ts): the median over every window, over the windows where the loop ran within ${FULL_SPEED}× of its fastest (the core at full speed), how many, and how far the loop's own time moved (slowest / fastest window)`);
}
if (process.argv[2] === 'liquidation') {
  console.log(LIQUIDATION_TITLE);
  printLiquidation(await liquidationBench());
  process.exit(0);
}

const rows = await greeksBench();
const js = rows.find((r) => r.name.startsWith('margin-core js'))!.nsPerOption;
const simd = rows.find((r) => r.name.startsWith('margin-core wasm-simd (engine'))!.nsPerOption;
console.log(`\nGreeks: ${rows[0].options.toLocaleString('en-US')} European options, median of tinybench samples (${cpus()[0]?.model ?? 'cpu'}, Node ${process.version})`);
console.table(rows.map((r) => ({
  contender: r.name,
  'ns/option': Number(r.nsPerOption.toFixed(1)),
  'vs wasm-simd': `${(r.nsPerOption / simd).toFixed(2)}×`,
  'vs js twin': `${(r.nsPerOption / js).toFixed(2)}×`,
  'max |price error| / spot': r.maxPriceError === undefined ? '' : r.maxPriceError.toExponential(1),
})));

const margin = await marginBench();
console.log(`\nRule-based cross margin: ${margin[0].accounts.toLocaleString('en-US')} accounts, ${margin[0].positions.toLocaleString('en-US')} positions`);
console.table(margin.map((r) => ({ run: r.name, ms: Number(r.ms.toFixed(2)), 'ns/position': Number(((r.ms * 1e6) / r.positions).toFixed(2)) })));

console.log('\nVaR / ES kernels (issue 6 core): quadratic form, Cholesky, correlated draws, scenario P&L + VaR/ES');
const risk = await riskBench();

console.log('\nVaR / ES margin method end to end (session run: cross kernel, exposures or scenarios + revaluation, VaR/ES, restatus)');
const varMethod = await varBench();
console.log('\nPortfolio margin (issue 5): (a) kernels in place, (b) session run on 100,000 accounts × 20 positions; tinybench median and fastest sample');
const portfolio = await portfolioBench();
console.table(portfolio.map((r) => ({ run: r.name, 'median ms': Number(r.ms.toFixed(2)), 'min ms': r.minMs === undefined ? '' : Number(r.minMs.toFixed(2)) })));

const layout = await layoutBench();

console.log(SPAN_TITLE);
const span = await spanBench();
printSpan(span);

console.log('\nengine.margin from JSON, end to end, generated 100,000-account book: phases and the whole call (warm medians, ms; cold = first call)');
const endToEnd = await endToEndBench();
console.table(endToEnd.map((r) => ({ backend: r.backend, method: r.method, validate: +r.validate.toFixed(1), layout: +r.layout.toFixed(1), prepare: +r.prepare.toFixed(1), run: +r.run.toFixed(1), report: +r.report.toFixed(1), whole: +r.whole.toFixed(1), cold: +r.coldWhole.toFixed(1) })));

console.log(LIQUIDATION_TITLE);
const liquidation = await liquidationBench();
printLiquidation(liquidation);

console.log('\nLive margin (issue 16): what-if µs, one-underlying ticks and the service under autocannon ms, 100,000 accounts × 20 positions');
const live = await liveBench();
printLive(live);

console.log(STRESS_TITLE);
const stress = await stressBench();
printStress(stress);

console.log(SUBACCOUNTS_TITLE);
const subaccounts = await subaccountBench();
printSubaccounts(subaccounts);

console.log(DYNAMIC_TITLE);
const dynamic = await dynamicBench();
printDynamic(dynamic);
console.log(BACKTEST_TITLE);
const backtest = await backtestBench();
console.log(DERIVE_TITLE);
const derive = await deriveBench();
printDerive(derive);
printBacktest(backtest);
console.log(OPTIMIZE_TITLE);
const optimize = await optimizeBench();
printOptimize(optimize);

console.log(SCALE_TITLE);
const scale = await scaleBench();
printScale(scale);

// Results go where --out says; run from a clone (dist/bench.js beside bench/), to bench/results/latest.json in it;
// installed from npm, nowhere unless asked: never into the caller's current folder.
const outAt = process.argv.indexOf('--out');
const clone = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = outAt >= 0 ? resolve(process.argv[outAt + 1]) : existsSync(join(clone, 'bench', 'main.ts')) ? join(clone, 'bench', 'results', 'latest.json') : undefined;
if (!file) {
  console.log('\nresults not written (give --out FILE to keep them)');
  process.exit(0);
}
await mkdir(dirname(file), { recursive: true });
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, greeks: rows, margin, risk, var: varMethod, portfolio, layout, span, endToEnd, liquidation, live, stress, subaccounts, dynamic, backtest, derive, optimize, scale }, null, 2));
console.log(`\nresults written to ${file}`);
