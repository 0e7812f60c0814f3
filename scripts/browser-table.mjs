// Writes docs/browser.md's benchmark tables from the browser benchmark's results (bench/results/browser.json, written by
// `node dist/bench.js browser`), between <!-- browser:begin --> and <!-- browser:end -->: the mode's own tables
// (bench/browser-mode.ts), rendered as docs/benchmarks.md renders them. No figure is typed by hand.
//   node scripts/browser-table.mjs [--check]
// --check changes nothing and exits 1 when the tables are out of date with the results (a test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, replaceBetween } from './bench-docs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docs = join(root, 'docs', 'browser.md');
const file = JSON.parse(readFileSync(join(root, 'bench', 'results', 'browser.json'), 'utf8'));

const body = [
  `_${file.date.slice(0, 10)} · ${file.machine.cpu}, ${file.machine.cores} cores · Node ${file.node} · Chromium ${file.result.chromium}; ` +
    `\`node dist/bench.js browser ${file.counts.join(' ')}\`_`,
  ...file.tables.flatMap((table) => [table.caption ? `**${table.caption}.**` : '', markdownTable(table.rows)].filter(Boolean)),
].join('\n\n');

const before = readFileSync(docs, 'utf8');
const after = replaceBetween(before, 'browser', body, docs);
if (process.argv.includes('--check')) {
  if (before !== after) {
    console.error('docs/browser.md is out of date with bench/results/browser.json: run node scripts/browser-table.mjs');
    process.exit(1);
  }
} else if (before !== after) {
  writeFileSync(docs, after);
  console.log('wrote docs/browser.md');
}
