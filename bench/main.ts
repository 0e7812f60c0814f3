/**
 * The benchmark suite (`npm run bench`): Greeks (WASM SIMD, WASM scalar, JS twin and npm peers on
 * the same million options) and book layout. Prints tables and writes bench/results/latest.json.
 * Timings on shared machines drift; compare the ratios within one run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { greeksBench } from './greeks.js';
import { layoutBench } from './layout.js';
import { marginBench } from './margin.js';
import { riskBench } from './risk.js';
import { varBench } from './var.js';
import { portfolioBench } from './portfolio.js';
import { liveBench, liveServiceProcess, printLive } from './live.js';

// The live benchmark's service runs this bundle in a process of its own: `live-serve ACCOUNTS`, until SIGTERM.
if (process.argv[2] === 'live-serve') {
  await liveServiceProcess(Number(process.argv[3]));
  process.exit(0);
}
// `node dist/bench.js live [accounts] [seconds]`: the live benchmark alone.
if (process.argv[2] === 'live') {
  const accounts = Number(process.argv[3] ?? 100_000), seconds = Number(process.argv[4] ?? 10);
  console.log(`\nLive margin (issue 16): ${accounts.toLocaleString('en-US')} accounts × 20 positions; what-if µs, ticks and service ms`);
  printLive(await liveBench({ accounts, seconds }));
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

console.log('\nLive margin (issue 16): what-if µs, one-underlying ticks and the service under autocannon ms, 100,000 accounts × 20 positions');
const live = await liveBench();
printLive(live);

const file = 'bench/results/latest.json';
await mkdir('bench/results', { recursive: true });
await writeFile(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, greeks: rows, margin, risk, var: varMethod, portfolio, layout, live }, null, 2));
console.log(`\nresults written to ${file}`);
