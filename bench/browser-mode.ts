/**
 * The `browser` mode of `node dist/bench.js` (bench/browser.ts runs it): its tables, for the terminal, for
 * docs/benchmarks.md and for docs/browser.md (scripts/browser-table.mjs), and its same-run ratios.
 */
import { browserBench, browserCases, type BrowserBenchResult, type BrowserRow } from './browser.js';
import { type BenchMode, type BenchTable, type Cell, fixed, times } from './harness.js';

const find = (rows: readonly BrowserRow[], runtime: string, backend: string, call: string) =>
  rows.find((r) => r.runtime === runtime && r.backend === backend && r.call === call);
const RUNTIMES = [['node', 'Node'], ['chromium', 'Chromium']] as const;

/** A Greeks call on both runtimes: ns per option, first call and steady state, and their ratios. */
function greeksRow(rows: readonly BrowserRow[], label: string, backend: string, call: string): Record<string, Cell> | undefined {
  const row: Record<string, Cell> = { call: label, backend: backend === 'none' ? '' : backend };
  for (const [runtime, name] of RUNTIMES) {
    const r = find(rows, runtime, backend, call);
    if (!r) return undefined;
    const ns = (ms: number) => fixed((ms * 1e6) / r.items, 0);
    Object.assign(row, { [`${name} first`]: ns(r.first[0]), [`${name} steady`]: ns(r.median), [`${name} first ÷ steady`]: times(r.first[0] / r.median), [`${name} slowest ÷ median`]: times(r.max / r.median) });
  }
  return row;
}

function tables(result: BrowserBenchResult): BenchTable[] {
  const { rows } = result;
  const greeks = [
    greeksRow(rows, '`engine.greeksInto` (the caller\'s arrays)', 'wasm-simd', 'engine.greeksInto'),
    greeksRow(rows, '`engine.greeks` (new arrays)', 'wasm-simd', 'engine.greeks'),
    greeksRow(rows, 'six new `Float64Array(n)` written, alone', 'none', 'six fresh Float64Array(n), written'),
    greeksRow(rows, '`engine.greeksInto`, JS twin', 'js', 'engine.greeksInto'),
    greeksRow(rows, '`engine.greeks`, JS twin', 'js', 'engine.greeks'),
  ].filter((r) => r !== undefined);
  const steady = RUNTIMES.flatMap(([runtime, name]) => {
    const into = find(rows, runtime, 'wasm-simd', 'engine.greeksInto'), plain = find(rows, runtime, 'wasm-simd', 'engine.greeks');
    const js = find(rows, runtime, 'js', 'engine.greeksInto'), fresh = find(rows, runtime, 'none', 'six fresh Float64Array(n), written');
    if (!into || !plain || !js || !fresh) return [];
    const ratios = (label: string, a: { first: number; into: number; plain: number; js: number; fresh: number }) => ({
      runtime: label, '`greeksInto` first ÷ steady': times(a.first / a.into), '`greeks` ÷ `greeksInto`': times(a.plain / a.into),
      '(`greeks` − `greeksInto`) ÷ six new arrays': times((a.plain - a.into) / a.fresh), 'JS twin ÷ WASM (`greeksInto`)': times(a.js / a.into),
    });
    const out = [ratios(`${name}, elapsed`, { first: into.first[0], into: into.median, plain: plain.median, js: js.median, fresh: fresh.median })];
    if (into.cpu && plain.cpu && js.cpu && fresh.cpu) {
      out.push(ratios(`${name}, process CPU time`, { first: into.cpu.first, into: into.cpu.median, plain: plain.cpu.median, js: js.cpu.median, fresh: fresh.cpu.median }));
    }
    return out;
  });
  const margin: Record<string, Cell>[] = [];
  const calls = [...new Set(rows.filter((r) => r.call === 'createEngine' || r.call.startsWith('margin') || r.call.startsWith('what-if')).map((r) => r.call))];
  for (const call of calls) {
    for (const backend of ['wasm-simd', 'js']) {
      const pick = (runtime: string) => rows.find((r) => r.runtime === runtime && r.backend === backend && r.call === call && (call !== 'createEngine' || r.case.startsWith('margin')));
      const node = pick('node'), chromium = pick('chromium');
      if (!node || !chromium) continue;
      const digits = call.startsWith('what-if') ? 3 : 1;
      const row: Record<string, Cell> = { call: call === 'createEngine' ? '`createEngine()`' : call, backend };
      for (const [r, name] of [[node, 'Node'], [chromium, 'Chromium']] as const) {
        Object.assign(row, { [`${name} first`]: fixed(r.first[0], digits), [`${name} steady`]: fixed(r.median, digits), [`${name} p99`]: fixed(r.p99, digits) });
      }
      margin.push(row);
    }
  }
  const { bundle, greeks: page, budget } = result.sizes;
  const sizes = [
    { build: '`dist/browser/margin-core.js` (the whole engine, one file)', bytes: bundle.minified, gzipped: bundle.gzip, 'budget, bytes': budget.bundle.minified, 'budget, gzipped': budget.bundle.gzip },
    { build: 'a page\'s bundle of `createPricer` and one call (`margin-core/greeks`)', bytes: page.minified, gzipped: page.gzip, 'budget, bytes': budget.greeks.minified, 'budget, gzipped': budget.greeks.gzip },
  ];
  const loads = result.page.map((p) => ({
    page: p.variant === 'streamed' ? 'the risk page, `.wasm` streamed' : 'the risk page, WASM from app.js', files: p.files.length, bytes: p.bytes, gzipped: p.gzipBytes,
    'app.js loaded, ms': fixed(p.scriptLoadedMs, 0), 'app.js running, ms': fixed(p.scriptRunningMs, 0), 'first result, ms': fixed(p.firstResultMs, 0),
  }));
  const out: BenchTable[] = [];
  if (greeks.length > 0) {
    out.push({ caption: `Greeks, ${result.options.toLocaleString('en-US')} options, ns per option: the first call of a fresh realm, the median of the 25 calls after the first three (steady), and the slowest of those 25 over their median; Node ${result.node}, Chromium ${result.chromium}`, rows: greeks });
    if (steady.length > 0) out.push({ caption: `Greeks, ratios in the same run (the machine's load average ${result.loadAverage.map((x) => x.toFixed(1)).join(' → ')} on ${result.cpus}); Node's process CPU time counts every thread's work and none of the waiting for a core`, rows: steady });
  }
  if (margin.length > 0) out.push({ caption: `Margin (JSON in, report rows read) on the sample and a generated ${result.accounts.toLocaleString('en-US')}-account book, and what-if (one trade, p99 over 2,000 accounts), ms`, rows: margin });
  out.push({ caption: 'Bytes a page downloads of the library, minified and gzipped (level 9), and their budget (bench/browser-budget.json)', rows: sizes });
  out.push({ caption: 'The risk page from a fresh browser on the bundled sample: bytes fetched, ms from navigation to app.js downloaded, running, and its first result', rows: loads });
  return out;
}

export const browserMode: BenchMode<BrowserBenchResult> = {
  name: 'browser',
  title: 'Browser: headless Chromium beside Node, each case in a fresh browser and process: Greeks first call and steady state (1,000,000 options), margin and what-if, bytes, and the risk page',
  counts: [{ name: 'options', fallback: 1_000_000 }, { name: 'accounts', fallback: 100_000 }],
  inFullRun: false,
  // Chromium's processes (browser, GPU, renderer, utility), started per case, are the load after it
  ownProcesses: true,
  needs: 'Chromium (/usr/bin/chromium or CHROMIUM_PATH) and playwright-core',
  run: ([options, accounts]) => browserBench({ options, accounts, cases: browserCases() }),
  tables,
  ratios(result) {
    const out: Record<string, number> = {};
    for (const [runtime, name] of RUNTIMES) {
      const into = find(result.rows, runtime, 'wasm-simd', 'engine.greeksInto'), js = find(result.rows, runtime, 'js', 'engine.greeksInto');
      if (into && js) out[`browser greeks (${name}): js twin / wasm-simd`] = js.median / into.median;
    }
    return out;
  },
};
