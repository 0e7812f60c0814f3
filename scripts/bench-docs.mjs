// Generates the benchmark tables of docs/benchmarks.md and the README's headline table from the benchmark results
// (bench/results/MODE.json, written by `node dist/bench.js MODE`), so no figure in the docs is typed by hand.
//   node scripts/bench-docs.mjs [--check]
// --check changes nothing and exits 1 when a generated part is out of date (a test runs it).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'bench', 'results');

/** The result files, in the order of the modes' full run when the bundle's order is known, else by name. */
export function readResults(dir = resultsDir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

const escape = (cell) => String(cell).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const show = (cell) => (typeof cell === 'number' && Number.isInteger(cell) && Math.abs(cell) >= 10_000 ? cell.toLocaleString('en-US') : escape(cell));

export function markdownTable(rows) {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || r[c] === '' || typeof r[c] === 'number'));
  const lines = [
    `| ${columns.map(escape).join(' | ')} |`,
    `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => show(r[c] ?? '')).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const day = (iso) => iso.slice(0, 10);
/** The run's 1-minute load average before → after, and a warning when it passed the cores (the figures then timed other jobs too). */
export function loadNote(file) {
  // the browser mode kept its 1-minute load at start and end inside its result before every mode kept a load record
  const legacy = file.result?.loadAverage;
  const load = file.load ?? (Array.isArray(legacy) ? { before: [legacy[0]], after: [legacy[1]], cores: file.machine.cores, quiet: Math.max(...legacy) <= file.machine.cores } : undefined);
  if (!load) return 'load not recorded';
  const note = `load ${load.before[0].toFixed(2)} → ${load.after[0].toFixed(2)}`;
  return load.quiet ? note : `${note}, above the ${load.cores} cores: not evidence`;
}
const machineLine = (file) =>
  `${day(file.date)} · ${file.machine.cpu}, ${file.machine.cores} cores, ${file.machine.memoryGiB} GiB · Node ${file.node} · ${loadNote(file)}` +
  (file.counts.length ? ` · counts ${file.counts.join(', ')}` : '');

export function resultsSection(files) {
  const parts = [];
  for (const file of files) {
    parts.push(`### ${file.mode}\n\n${file.title}.\n\n_${machineLine(file)}; \`node dist/bench.js ${file.mode}\`_`);
    for (const table of file.tables) {
      if (table.caption) parts.push(table.caption);
      parts.push(markdownTable(table.rows));
    }
  }
  return parts.join('\n\n');
}

/**
 * The modes of the headline table, in its order: the mission's rows (Greeks against C, the risk kernels, portfolio
 * margin and VaR, cross on 100,000 accounts, what-if p99, a million accounts end to end), then the action layer's
 * (liquidation, stress and its growth with the book). Other modes' headline rows follow, by name.
 */
export const HEADLINE_MODES = ['greeks', 'risk', 'portfolio', 'var', 'margin', 'live', 'e2e', 'margin-growth', 'liquidation', 'stress', 'stress-growth', 'live-cluster'];

export function headlineTable(files) {
  const rank = (mode) => (HEADLINE_MODES.includes(mode) ? HEADLINE_MODES.indexOf(mode) : HEADLINE_MODES.length);
  const ordered = [...files].sort((a, b) => rank(a.mode) - rank(b.mode));
  const rows = ordered.flatMap((f) =>
    (f.headline ?? []).map((h) => ({ work: h.work, WASM: h.wasm, 'JS twin': h.js, target: h.target, '': h.met === undefined ? '' : h.met ? '✓' : '✗', mode: `[${f.mode}](docs/benchmarks.md#${f.mode})` })),
  );
  // a headline mode with no recorded result is named, so the table never reads as complete when it is not
  const recorded = new Set(files.filter((f) => (f.headline ?? []).length > 0).map((f) => f.mode));
  const missing = HEADLINE_MODES.filter((m) => !recorded.has(m));
  const note = missing.length === 0 ? '' : `\n\nNo headline rows in the recorded results yet: ${missing.map((m) => `\`${m}\``).join(', ')} (each appears when \`node dist/bench.js MODE\` records it on a quiet machine).`;
  return markdownTable(rows) + note;
}

/** `text` with the part between `<!-- NAME:begin -->` and `<!-- NAME:end -->` replaced by `body`. */
export function replaceBetween(text, name, body, where) {
  const begin = `<!-- ${name}:begin -->`, end = `<!-- ${name}:end -->`;
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${where}: no ${begin} … ${end} markers`);
  return `${text.slice(0, a + begin.length)}\n${body}\n${text.slice(b)}`;
}

export function generate(files) {
  const targets = [
    { path: join(root, 'docs', 'benchmarks.md'), name: 'results', body: resultsSection(files) },
    { path: join(root, 'README.md'), name: 'headline', body: headlineTable(files) },
  ];
  return targets.map((t) => {
    const before = readFileSync(t.path, 'utf8');
    return { path: t.path, before, after: replaceBetween(before, t.name, t.body, t.path) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { path, before, after } of generate(readResults())) {
    if (before === after) continue;
    if (check) {
      console.error(`${path.slice(root.length + 1)} is out of date with bench/results/: run node scripts/bench-docs.mjs`);
      stale++;
    } else {
      writeFileSync(path, after);
      console.log(`wrote ${path.slice(root.length + 1)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
