/**
 * What every benchmark mode is and how its results are kept: a mode runs, returns its result, and says how to show it
 * as tables (the terminal, and docs/benchmarks.md, generated from the same tables by scripts/bench-docs.mjs), which of
 * its figures are headline rows (the README's table) and which same-run ratios a regression check compares
 * (scripts/bench-check.mjs). Results are written as JSON, one file per mode, with the machine that produced them.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/** One cell of a results table: a number (shown as it is) or text. */
export type Cell = string | number;

/** A table of results: rows of named cells, in column order of the first row. */
export interface BenchTable {
  caption?: string;
  rows: Record<string, Cell>[];
}

/** A row of the README's headline table: the work, the WASM figure, the JS twin's in the same run, the target. */
export interface HeadlineRow {
  work: string;
  wasm: string;
  js: string;
  target: string;
  /** Whether the WASM figure meets the target (absent: no target). */
  met?: boolean;
}

/** One benchmark mode of `node dist/bench.js MODE [counts…]`. */
export interface BenchMode<R = unknown> {
  name: string;
  /** One line: what is measured, on what, how it is summarised. */
  title: string;
  /** Positional counts after the mode name (accounts, seconds, calls, pairs), with their defaults. */
  counts?: { name: string; fallback: number }[];
  /** Part of the full run (`npm run bench` without a mode); the long or diagnostic modes are run by name only. */
  inFullRun: boolean;
  /** What the mode needs beyond Node (e.g. `redis-server`, Chromium); shown by `--help`. */
  needs?: string;
  /**
   * True for a mode that starts processes or worker threads of its own beside the timing one (a database, shards, a
   * gateway; a worker pool): the load they make is the work measured, so only the load before the run is judged (the
   * load after is still recorded).
   */
  ownProcesses?: boolean;
  run(counts: number[]): Promise<R>;
  tables(result: R): BenchTable[];
  headline?(result: R): HeadlineRow[];
  /**
   * Same-run ratios the regression check compares with the committed results (e.g. "JS twin / WASM" time): larger is
   * better for WASM. Absolute times move with the machine's cores and are never compared.
   */
  ratios?(result: R): Record<string, number>;
}

/**
 * The machine's load around a run: the 1-, 5- and 15-minute load averages before and after it (`os.loadavg()`), and
 * whether the run counts as evidence. Other jobs share these cores, so a run during which the 1-minute load exceeded
 * the core count measured the neighbours as much as the code: it is marked `quiet: false` and not written unless forced.
 */
export interface BenchLoad {
  before: number[];
  after: number[];
  cores: number;
  quiet: boolean;
}

/**
 * The load record of a run that started at `before` and ended at `after` on `cores` cores; `ownProcesses`: the
 * mode's own processes made the load after it (BenchMode.ownProcesses), so only the load before is judged.
 */
export function benchLoad(before: readonly number[], after: readonly number[], cores: number, ownProcesses = false): BenchLoad {
  const round = (xs: readonly number[]) => xs.map((x) => Math.round(x * 100) / 100);
  const judged = ownProcesses ? (before[0] ?? 0) : Math.max(before[0] ?? 0, after[0] ?? 0);
  return { before: round(before), after: round(after), cores, quiet: judged <= cores };
}

/** The file a mode's results are written to: its result, its tables, and the machine, load and time of the run. */
export interface BenchResultFile<R = unknown> {
  mode: string;
  title: string;
  counts: number[];
  date: string;
  node: string;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; arch: string };
  /** Absent from results recorded before the load was kept. */
  load?: BenchLoad;
  tables: BenchTable[];
  headline: HeadlineRow[];
  ratios: Record<string, number>;
  result: R;
}

export function resultFile<R>(mode: BenchMode<R>, counts: number[], result: R, load: BenchLoad): BenchResultFile<R> {
  return {
    mode: mode.name,
    title: mode.title,
    counts,
    date: new Date().toISOString(),
    node: process.version,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: process.platform,
      arch: process.arch,
    },
    load,
    tables: mode.tables(result),
    headline: mode.headline?.(result) ?? [],
    ratios: mode.ratios?.(result) ?? {},
    result,
  };
}

/** Writes `file` whole or not at all (a temporary file beside it, then a rename). */
export async function writeResultFile(dir: string, file: BenchResultFile): Promise<string> {
  const path = join(dir, `${file.mode}.json`);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

export function printTables(tables: readonly BenchTable[]): void {
  for (const table of tables) {
    if (table.caption) console.log(table.caption);
    console.table(table.rows);
  }
}

/** A number for a table: `digits` decimals, as a number (so the terminal and the docs align it). */
export function fixed(value: number | undefined, digits: number): Cell {
  return value === undefined || !Number.isFinite(value) ? '' : +value.toFixed(digits);
}

/** A ratio for a table, `2.41×`. */
export function times(value: number | undefined, digits = 2): Cell {
  return value === undefined || !Number.isFinite(value) ? '' : `${value.toFixed(digits)}×`;
}
