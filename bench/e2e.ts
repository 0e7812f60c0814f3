/**
 * End to end (docs/arrow.md, "Figures"): `margin-core margin` from the book file to the written report, on a generated
 * book (default 1,000,000 accounts × 20 positions) as book.json and as book.arrow, under cross and portfolio, on WASM
 * and on the JS twin, each run phase by phase in a process of its own (bench/e2e-run.ts: its peak RSS is the run's);
 * JSON and Arrow run back to back for each method and backend, so their ratio compares the same moment of the machine.
 * Then, in this process, the library's `engine.margin` to the columnar report, and `session.marginInto` (the book opened
 * once, each report written into the last one's columns), against the prepared run's run() on a 100,000 × 20 book. The goals of the issue, each with its figure and whether it was met, are part of the result
 * (bench/results/e2e.json). The books are kept in $MARGIN_CORE_BENCH_CACHE (default: the OS temp folder).
 */
import type { E2eFormat } from './e2e-run.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEngine } from '../src/engine.js';
import { readArrowBook } from '../src/io/arrow/read-book.js';
import { writeArrowBook } from '../src/io/arrow/write-book.js';
import { columnarReport } from '../src/margin/columnar-report.js';
import { validateInputs } from '../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../src/model/types.js';
import { generateSample } from '../src/sample/generate.js';
import type { PreparedRun } from '../src/session/prepared-run.js';
import type { E2eRun } from './e2e-run.js';
import { cliUsage, type CliUsage } from './margin-growth.js';
import { type BenchTable, fixed } from './harness.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { middle as median } from './stats.js';

const run = promisify(execFile);

export interface E2eOptions {
  accounts: number;
  positions: number;
  /** Where the generated books are kept between runs (generating a million accounts takes minutes). */
  cacheDir: string;
  /** dist/cli.js and dist/bench.js. */
  cli: string;
  bench: string;
  methods?: readonly string[];
  backends?: readonly ('wasm' | 'js')[];
  /** Also run book.json through the general reader the accounts scanner replaced (`json-general`), for the same-run ratio. */
  general?: boolean;
}

export interface E2eResult {
  accounts: number;
  positions: number;
  generate: { json: number; arrow: number; jsonBytes: number; arrowBytes: number };
  runs: E2eRun[];
  /**
   * The CLI itself (`margin-core margin … --out`) on the same book, each a process of its own (the median of three: {@link CliRun}): what a user waits for,
   * with the book read on a second thread and a JSON report written on a third while the chunks between are margined
   * (the phased runs above read and write in the same thread, to say where the time goes). Absent in results recorded before it was measured.
   */
  cli?: CliRun[];
}

export interface CliRun extends CliUsage {
  format: 'json' | 'arrow';
  method: string;
  backend: string;
  /**
   * Wall ms of each of the {@link CLI_SAMPLES} processes, in the order run; the row's figures are the median one's
   * (absent in results recorded before the CLI was run more than once).
   */
  wallSamplesMs?: number[];
}

/**
 * Processes of each CLI configuration: a single process's wall time on these VMs moves by ±10% from one run to the next
 * (the same build read 1.66–2.12 s on the 1,000,000 × 20 book.arrow), so each row is the median of three.
 */
const CLI_SAMPLES = 3;

/** {@link cliUsage} of the same command {@link CLI_SAMPLES} times: the run of median wall time, with every wall time. */
async function medianCliUsage(cli: string, args: readonly string[]): Promise<CliUsage & { wallSamplesMs: number[] }> {
  const runs: CliUsage[] = [];
  for (let k = 0; k < CLI_SAMPLES; k++) runs.push(await cliUsage(cli, args));
  const median = [...runs].sort((x, y) => x.wallMs - y.wallMs)[CLI_SAMPLES >> 1];
  return { ...median, wallSamplesMs: runs.map((r) => r.wallMs) };
}

/** The book of `accounts` × `positions` in both formats, generated once into the cache. */
async function books(o: E2eOptions): Promise<{ dir: string; generate: E2eResult['generate'] }> {
  const dir = join(o.cacheDir, `e2e-${o.accounts}x${o.positions}-seed7`);
  await mkdir(dir, { recursive: true });
  const generate = { json: 0, arrow: 0, jsonBytes: 0, arrowBytes: 0 };
  for (const format of ['json', 'arrow'] as const) {
    const file = join(dir, `book.${format}`);
    if (!existsSync(file)) {
      // generated aside, then moved in: an interrupted run leaves no half-written book to be taken for a whole one
      const partial = join(dir, `partial-${format}`);
      const t = performance.now();
      await run(process.execPath, [o.cli, 'generate', '--accounts', String(o.accounts), '--positions', String(o.positions), '--format', format, '--out', partial], { maxBuffer: 1 << 24 });
      generate[format] = performance.now() - t;
      await rename(join(partial, 'market.json'), join(dir, 'market.json'));
      await rename(join(partial, `book.${format}`), file);
    }
    const { size } = await import('node:fs').then((fs) => fs.statSync(file));
    generate[format === 'json' ? 'jsonBytes' : 'arrowBytes'] = size;
  }
  return { dir, generate };
}

/** The CLI's margin run, phase by phase, in a process of its own. */
async function oneRun(o: E2eOptions, dir: string, format: E2eFormat, method: string, backend: 'wasm' | 'js'): Promise<E2eRun> {
  const ext = format === 'arrow' ? 'arrow' : 'json';
  const out = join(dir, `report-${method}-${backend}.${ext}`);
  const args = [o.bench, 'e2e-run', join(dir, `book.${ext}`), join(dir, 'market.json'), out, format, method, backend];
  const { stdout } = await run(process.execPath, ['--max-old-space-size=8192', ...args], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as E2eRun;
}

export async function e2eBench(o: E2eOptions): Promise<E2eResult> {
  await mkdir(o.cacheDir, { recursive: true });
  const { dir, generate } = await books(o);
  const runs: E2eRun[] = [], cli: CliRun[] = [];
  for (const method of o.methods ?? ['cross', 'portfolio']) {
    for (const backend of o.backends ?? ['wasm', 'js']) {
      for (const format of (o.general ? ['arrow', 'json', 'json-general'] : ['arrow', 'json']) as E2eFormat[]) {
        const r = await oneRun(o, dir, format, method, backend);
        runs.push(r);
        console.error(`  ${format.padEnd(12)} ${method.padEnd(9)} ${r.backend.padEnd(11)} total ${(r.total / 1000).toFixed(2)} s, kernels ${(r.phases.kernels / 1000).toFixed(3)} s, peak ${r.peakRssMb.toFixed(0)} MB`);
      }
      for (const format of ['arrow', 'json'] as const) {
        const out = join(dir, `cli-report-${method}-${backend}.${format}`);
        const usage = await medianCliUsage(o.cli, ['margin', '--book', join(dir, `book.${format}`), '--market', join(dir, 'market.json'), '--method', method, '--backend', backend, '--format', format, '--out', out]);
        await rm(out, { force: true });
        cli.push({ format, method, backend, ...usage });
        console.error(`  cli ${format.padEnd(8)} ${method.padEnd(9)} ${backend.padEnd(11)} wall ${(usage.wallMs / 1000).toFixed(2)} s, CPU ${(usage.cpuMs / 1000).toFixed(2)} s, peak ${usage.peakRssMb.toFixed(0)} MB`);
      }
    }
  }
  return { accounts: o.accounts, positions: o.positions, generate, runs, cli };
}

export interface LibraryRow {
  backend: string;
  method: string;
  /** ms, warm median: engine.margin on the columnar (Arrow) book and validated market, to the columnar report. */
  marginToColumns: number;
  /** ms, warm median: the prepared run's run() (the kernels). */
  run: number;
  ratio: number;
  /**
   * ms, warm median: session.marginInto on the book opened once, to the columnar report, each call written into the
   * columns of the report the call before returned (absent in results recorded before it was measured).
   */
  marginInto?: number;
  /** marginInto / run. */
  intoRatio?: number;
}

/** Calls of each loop before the timed ones: the JIT's tiers and the engine's reused memory settle in about this many. */
const LIBRARY_WARMUP = 6;

/**
 * `engine.margin` to columns, and `session.marginInto` on the book opened once (the report's columns written again), against
 * run(), on an accounts × 20 book read from Arrow (no object per position): each the
 * median of `rounds` calls after {@link LIBRARY_WARMUP}, in loops of their own (a service margins call after call; a
 * prepared run runs tick after tick).
 */
export async function libraryColumnsBench(accounts = 100_000, rounds = 9, methods: readonly string[] = ['cross', 'portfolio'], backends: readonly ('wasm' | 'js')[] = ['wasm', 'js']): Promise<LibraryRow[]> {
  const { book, market } = await columnarSample(accounts);
  const rows: LibraryRow[] = [];
  const timed = (call: () => void): number => {
    const times: number[] = [];
    for (let r = 0; r < LIBRARY_WARMUP + rounds; r++) {
      const t = performance.now();
      call();
      if (r >= LIBRARY_WARMUP) times.push(performance.now() - t);
    }
    return median(times);
  };
  for (const backend of backends) {
    const engine = await createEngine({ backend });
    for (const method of methods) {
      const m = timed(() => void columnarReport(engine.margin(book, market, { method })).columns.equity);
      const session = engine.openBook(book);
      let into = session.margin(market, { method });
      const i = timed(() => void columnarReport((into = session.marginInto(into, market, { method }))).columns.equity);
      const prepared = session.prepare(market, { method }) as PreparedRun;
      const k = timed(() => prepared.run());
      prepared.release();
      session.release();
      rows.push({ backend: engine.backend, method, marginToColumns: m, run: k, ratio: m / k, marginInto: i, intoRatio: i / k });
    }
  }
  return rows;
}

/**
 * The generated book as a columnar (Arrow) book, and its validated market. The object book it was written from is left
 * behind: a caller of the columnar path holds no object per position, and a heap that did would slow every collection.
 */
async function columnarSample(accounts: number): Promise<{ book: ValidatedBook; market: ValidatedMarket }> {
  const sample = generateSample({ accounts, seed: 7, positionsPerAccount: 20 });
  const { market } = validateInputs({ instruments: sample.book.instruments, accounts: sample.book.accounts.slice(0, 1) }, sample.market);
  return { book: await readArrowBook(await writeArrowBook(sample.book)), market };
}

/** The goals of the end-to-end path, each with the measured figure and whether it was met. */
export function verdicts(big: E2eResult, mid: E2eResult | undefined, library: LibraryRow[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // the goals for what a user runs: the CLI, book file to written report
  for (const c of big.cli ?? []) {
    const within = c.format === 'json' ? 10_000 : c.method === 'cross' ? 2_000 : 3_000, peak = c.format === 'json' ? 1536 : 1024;
    out.push({ goal: `CLI ${c.format === 'json' ? 'JSON' : 'Arrow → Arrow'} end to end ≤ ${within / 1000} s (${big.accounts} accounts)`, method: c.method, backend: c.backend, seconds: c.wallMs / 1000, met: c.wallMs <= within });
    out.push({ goal: `CLI ${c.format === 'json' ? 'JSON' : 'Arrow → Arrow'} peak RSS ≤ ${peak === 1536 ? '1.5' : '1'} GB (${big.accounts} accounts)`, method: c.method, backend: c.backend, peakRssMb: c.peakRssMb, met: c.peakRssMb <= peak });
  }
  for (const r of big.runs) {
    if (r.format === 'json') {
      out.push({ goal: `JSON end to end ≤ 10 s (${big.accounts} accounts)`, method: r.method, backend: r.backend, seconds: r.total / 1000, met: r.total <= 10_000 });
      out.push({ goal: `JSON peak RSS ≤ 1.5 GB (${big.accounts} accounts)`, method: r.method, backend: r.backend, peakRssMb: r.peakRssMb, met: r.peakRssMb <= 1536 });
    } else if (r.format === 'arrow') {
      out.push({ goal: 'Arrow end to end ≤ 3× the kernels', method: r.method, backend: r.backend, ratio: r.total / r.phases.kernels, met: r.total <= 3 * r.phases.kernels });
      out.push({ goal: 'Arrow peak RSS < 2 GB', method: r.method, backend: r.backend, peakRssMb: r.peakRssMb, met: r.peakRssMb < 2048 });
    }
  }
  for (const r of mid?.runs ?? []) {
    if (r.format !== 'arrow') continue;
    const json = mid!.runs.find((j) => j.format === 'json' && j.method === r.method && j.backend === r.backend)!;
    out.push({ goal: `Arrow ≥ 3× faster than JSON end to end (${mid!.accounts} accounts)`, method: r.method, backend: r.backend, speedup: json.total / r.total, met: json.total >= 3 * r.total });
  }
  for (const row of library) {
    out.push({ goal: 'engine.margin to columns ≤ 3× run() (100,000 × 20)', method: row.method, backend: row.backend, ratio: row.ratio, met: row.ratio <= 3 });
    if (row.intoRatio !== undefined) out.push({ goal: 'session.marginInto to columns ≤ 3× run() (100,000 × 20)', method: row.method, backend: row.backend, ratio: row.intoRatio, met: row.intoRatio <= 3 });
  }
  return out;
}

export interface E2eResults {
  mid: E2eResult;
  big: E2eResult;
  library: LibraryRow[];
  goals: Record<string, unknown>[];
}

/** The whole mode: the mid-size book, the big one, the library check, the goals. */
export async function e2eResults(accounts: number, positions: number, midAccounts: number): Promise<E2eResults> {
  const here = dirname(fileURLToPath(import.meta.url)); // dist/, beside cli.js and bench.js
  const options = { positions, cacheDir: process.env.MARGIN_CORE_BENCH_CACHE ?? join(tmpdir(), 'margin-core-bench'), cli: join(here, 'cli.js'), bench: join(here, 'bench.js') };
  // mid-accounts equal to accounts: the one book serves both (its runs are not repeated); the general JSON reader on the
  // mid-size book only (on a million accounts it takes half a minute a run)
  const mid = await e2eBench({ ...options, accounts: midAccounts, general: true });
  const big = midAccounts === accounts ? mid : await e2eBench({ ...options, accounts });
  const library = await libraryColumnsBench();
  return { mid, big, library, goals: verdicts(big, mid, library) };
}

const s = (ms: number) => fixed(ms / 1000, 2);

export function e2eTables(r: E2eResults): BenchTable[] {
  const runs = (e: E2eResult): BenchTable => ({
    caption: `${e.accounts.toLocaleString('en-US')} accounts × ${e.positions} positions: book.json ${(e.generate.jsonBytes / 2 ** 20).toFixed(0)} MB, book.arrow ${(e.generate.arrowBytes / 2 ** 20).toFixed(0)} MB; seconds (wall, and CPU of the process), peak RSS`,
    rows: e.runs.map((x) => ({
      format: x.format, method: x.method, backend: x.backend, 'wall s': s(x.total), 'CPU s': s(x.cpu),
      'read CPU s': s(x.cpuPhases.read), 'layout CPU s': s(x.cpuPhases.layout), 'prepare CPU s': s(x.cpuPhases.prepare),
      'kernels CPU s': s(x.cpuPhases.kernels), 'report CPU s': s(x.cpuPhases.report), 'write CPU s': s(x.cpuPhases.write),
      'peak RSS MB': fixed(x.peakRssMb, 0), 'report MB': fixed(x.reportBytes / 2 ** 20, 0),
    })),
  });
  const figure = (g: Record<string, unknown>) => {
    for (const key of ['seconds', 'ratio', 'speedup', 'peakRssMb']) if (typeof g[key] === 'number') return `${key} ${(g[key] as number).toFixed(2)}`;
    return '';
  };
  const cliRuns = (e: E2eResult): BenchTable[] => (e.cli && e.cli.length > 0 ? [{
    caption: `${e.accounts.toLocaleString('en-US')} accounts × ${e.positions} positions, the CLI itself (margin-core margin --format json|arrow --out FILE, the book read on a second thread, a JSON report written on a third), each run a process of its own, three of each: the median run's wall and CPU seconds (CPU of every thread) and peak RSS, and the three wall times`,
    rows: e.cli.map((c) => ({ format: c.format, method: c.method, backend: c.backend, 'wall s': s(c.wallMs), 'runs s': (c.wallSamplesMs ?? [c.wallMs]).map((ms) => s(ms)).join(' / '), 'CPU s': s(c.cpuMs), 'peak RSS MB': fixed(c.peakRssMb, 0), 'load before': fixed(c.load[0], 2) })),
  }] : []);
  return [
    ...(r.mid === r.big || r.mid.accounts === r.big.accounts ? [runs(r.big), ...cliRuns(r.big)] : [runs(r.mid), ...cliRuns(r.mid), runs(r.big), ...cliRuns(r.big)]),
    {
      caption: 'engine.margin on a 100,000 × 20 columnar (Arrow) book to the columnar report, and session.marginInto on the book opened once (into the last report\'s columns), against the prepared run\'s run(); ms, medians of 9 calls after 6 warm-up calls, each in a loop of its own',
      rows: r.library.map((l) => ({
        method: l.method, backend: l.backend, 'margin to columns ms': fixed(l.marginToColumns, 1), 'marginInto ms': l.marginInto === undefined ? '' : fixed(l.marginInto, 1),
        'run() ms': fixed(l.run, 1), ratio: fixed(l.ratio, 2), 'marginInto ratio': l.intoRatio === undefined ? '' : fixed(l.intoRatio, 2),
      })),
    },
    { caption: 'The goals (wall clock, on the machine above)', rows: r.goals.map((g) => ({ goal: String(g.goal), method: String(g.method), backend: String(g.backend), figure: figure(g), met: g.met ? '✓' : '✗' })) },
  ];
}

/** Same-run ratios: JSON over Arrow end to end, and the general JSON reader over the scanner, per method and backend, on each book. */
export function e2eRatios(r: E2eResults): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of r.mid.accounts === r.big.accounts ? [r.big] : [r.mid, r.big]) {
    for (const a of e.runs.filter((x) => x.format === 'arrow')) {
      const j = e.runs.find((x) => x.format === 'json' && x.method === a.method && x.backend === a.backend);
      if (j) out[`e2e ${e.accounts} ${a.method} ${a.backend}: json / arrow`] = j.total / a.total;
      const g = e.runs.find((x) => x.format === 'json-general' && x.method === a.method && x.backend === a.backend);
      if (j && g) out[`e2e ${e.accounts} ${a.method} ${a.backend}: json general reader / scanner`] = g.total / j.total;
    }
  }
  return out;
}
