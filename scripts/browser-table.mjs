// Writes the tables of docs/browser.md ("Benchmark") from the browser benchmark's results, between the markers
// <!-- browser-table:start --> and <!-- browser-table:end -->. The figures are the JSON's; nothing is typed by hand.
//   node dist/bench.js browser && node scripts/browser-table.mjs [bench/results/browser.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2] ?? join(root, 'bench', 'results', 'browser.json');
const docs = join(root, 'docs', 'browser.md');
const START = '<!-- browser-table:start -->';
const END = '<!-- browser-table:end -->';

const result = JSON.parse(readFileSync(source, 'utf8'));
const rows = result.rows;
const find = (runtime, backend, call) => rows.find((r) => r.runtime === runtime && r.backend === backend && r.call === call);
const int = (x) => Math.round(x).toLocaleString('en-US');
const fixed = (x, digits) => (typeof x !== 'number' || Number.isNaN(x) ? '' : x.toFixed(digits));
const nsPerItem = (row, ms) => (ms * 1e6) / row.items;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const table = (head, body) => [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** One Greeks call on both runtimes: ns per option, first call and steady state, and their ratios. */
function greeksRow(label, backend, call) {
  const cells = [label, backend === 'none' ? '' : backend];
  for (const runtime of ['node', 'chromium']) {
    const r = find(runtime, backend, call);
    if (!r) return undefined;
    cells.push(int(nsPerItem(r, r.first[0])), int(nsPerItem(r, r.median)), ratio(r.first[0], r.median), ratio(r.max, r.median));
  }
  return cells;
}

const greeks = [
  greeksRow('`engine.greeksInto` (the caller\'s arrays)', 'wasm-simd', 'engine.greeksInto'),
  greeksRow('`engine.greeks` (new arrays)', 'wasm-simd', 'engine.greeks'),
  greeksRow('six new `Float64Array(n)` written, alone', 'none', 'six fresh Float64Array(n), written'),
  greeksRow('`engine.greeksInto`, JS twin', 'js', 'engine.greeksInto'),
  greeksRow('`engine.greeks`, JS twin', 'js', 'engine.greeks'),
].filter(Boolean);

/** engine.greeks against engine.greeksInto, and WASM against the JS twin, steady state, per runtime. */
function ratios() {
  const out = [];
  for (const runtime of ['node', 'chromium']) {
    const into = find(runtime, 'wasm-simd', 'engine.greeksInto'), plain = find(runtime, 'wasm-simd', 'engine.greeks');
    const js = find(runtime, 'js', 'engine.greeksInto');
    if (!into || !plain || !js) continue;
    out.push(`${runtime === 'node' ? 'Node' : 'Chromium'}: \`greeks\` ÷ \`greeksInto\` ${ratio(plain.median, into.median)}, JS twin ÷ WASM ${ratio(js.median, into.median)}`);
  }
  return out.join('; ');
}

const margin = [];
for (const call of [...new Set(rows.filter((r) => r.call.startsWith('margin') || r.call.startsWith('what-if') || r.call === 'createEngine').map((r) => r.call))]) {
  for (const backend of ['wasm-simd', 'js']) {
    const node = rows.find((r) => r.runtime === 'node' && r.backend === backend && r.call === call && r.case.startsWith(call === 'createEngine' ? 'margin' : ''));
    const chromium = rows.find((r) => r.runtime === 'chromium' && r.backend === backend && r.call === call && r.case.startsWith(call === 'createEngine' ? 'margin' : ''));
    if (!node || !chromium) continue;
    const digits = (r, ms) => fixed(ms, r.call.startsWith('what-if') ? 3 : 1);
    margin.push([
      call === 'createEngine' ? '`createEngine()`' : call, backend,
      digits(node, node.first[0]), digits(node, node.median), digits(node, node.p99),
      digits(chromium, chromium.first[0]), digits(chromium, chromium.median), digits(chromium, chromium.p99),
    ]);
  }
}

const { bundle, greeks: greeksPage, budget } = result.sizes;
const sizes = [
  ['`dist/browser/margin-core.js` (the whole engine, one file)', int(bundle.minified), int(bundle.gzip), `${int(budget.bundle.minified)} / ${int(budget.bundle.gzip)}`],
  ['a page\'s bundle of `createPricer` and one call (`margin-core/greeks`)', int(greeksPage.minified), int(greeksPage.gzip), `${int(budget.greeks.minified)} / ${int(budget.greeks.gzip)}`],
];
const page = result.page.map((p) => [
  p.variant === 'streamed' ? 'the risk page, `.wasm` streamed' : 'the risk page, WASM from app.js', int(p.bytes), int(p.gzipBytes),
  int(p.scriptLoadedMs), int(p.scriptRunningMs), int(p.firstResultMs),
]);

const text = [
  START,
  `Measured ${result.date.slice(0, 10)} by \`node dist/bench.js browser\` (bench/browser.ts): Node ${result.node}, headless Chromium ${result.chromium}, ` +
    `${result.cpus ?? 'a shared machine'}; each case in a fresh browser and a fresh Node process. Timings drift with the machine: read the ratios.`,
  '',
  `**Greeks, ${int(result.options)} options**, ns per option: the first call of the realm, the median of the 25 calls after the first three (steady), ` +
    'the first call over the steady one, and the slowest of the 25 over their median.',
  '',
  table(['call', 'backend', 'Node first', 'Node steady', 'first ÷ steady', 'slowest ÷ median', 'Chromium first', 'Chromium steady', 'first ÷ steady', 'slowest ÷ median'], greeks),
  '',
  `Steady state: ${ratios()}.`,
  '',
  `**Margin and what-if**, ms: JSON in, report rows read (what a page does with a dropped file); the sample (300 accounts) and the generated ` +
    `${int(result.accounts)}-account book; a what-if is one trade on one account of the generated book (p99 over 2,000 accounts).`,
  '',
  table(['call', 'backend', 'Node first', 'Node steady', 'Node p99', 'Chromium first', 'Chromium steady', 'Chromium p99'], margin),
  '',
  '**Bytes**, minified and gzipped (level 9), and the budget test/browser-bundle.test.ts holds them to (bench/browser-budget.json).',
  '',
  table(['build', 'bytes', 'gzipped', 'budget'], sizes),
  '',
  '**The risk page** (dist/web/, `npm run web`) from a fresh browser on the bundled sample: every byte it fetched, and ms from navigation to app.js downloaded, to app.js running, and to its first result (cross and isolated margin of the sample, drawn).',
  '',
  table(['page', 'bytes', 'gzipped', 'app.js loaded', 'app.js running', 'first result'], page),
  END,
].join('\n');

const doc = readFileSync(docs, 'utf8');
const from = doc.indexOf(START), to = doc.indexOf(END);
if (from < 0 || to < from) throw new Error(`${docs} has no ${START} … ${END} section`);
writeFileSync(docs, doc.slice(0, from) + text + doc.slice(to + END.length));
process.stdout.write(`docs/browser.md: tables written from ${source}\n`);
