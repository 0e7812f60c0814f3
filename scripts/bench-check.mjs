// The benchmark regression check: compares the same-run ratios (JS twin time / WASM time, speed-ups) of a fresh run
// with the committed results. Absolute times are never compared: the machines' cores change speed between runs, and a
// ratio measured within one run does not. A ratio that fell by more than the tolerance is a regression (exit 1).
//   node dist/bench.js MODE --out /tmp/run && node scripts/bench-check.mjs /tmp/run [--tolerance 0.25]
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { markdownTable, readResults } from './bench-docs.mjs';

export { markdownTable, readResults };

/**
 * Each ratio of `fresh` beside the committed one: `fell` is true when fresh < committed·(1 − tolerance). Ratios only
 * one side has are listed as new or missing and never fail the check.
 */
export function compareRatios(committedFiles, freshFiles, tolerance) {
  const committed = new Map(committedFiles.map((f) => [f.mode, f]));
  const rows = [];
  for (const fresh of freshFiles) {
    const base = committed.get(fresh.mode);
    for (const [name, value] of Object.entries(fresh.ratios)) {
      const before = base?.ratios[name];
      rows.push({ mode: fresh.mode, ratio: name, committed: before, fresh: value, fell: before !== undefined && value < before * (1 - tolerance) });
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--tolerance');
  const tolerance = at >= 0 ? Number(args[at + 1]) : 0.25;
  const dir = args.find((a, i) => !a.startsWith('--') && i !== at + 1);
  if (!dir || !(tolerance > 0 && tolerance < 1)) {
    console.error('usage: node scripts/bench-check.mjs DIR [--tolerance 0.25]   (DIR: a run\'s results, from node dist/bench.js --out DIR)');
    process.exit(2);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const rows = compareRatios(readResults(join(root, 'bench', 'results')), readResults(resolve(dir)), tolerance);
  console.table(rows.map((r) => ({ ...r, committed: r.committed === undefined ? 'new' : +r.committed.toFixed(2), fresh: +r.fresh.toFixed(2), fell: r.fell ? 'REGRESSION' : '' })));
  const fell = rows.filter((r) => r.fell).length;
  if (fell) console.error(`${fell} ratio(s) fell by more than ${tolerance * 100}% against bench/results/`);
  process.exit(fell ? 1 : 0);
}
