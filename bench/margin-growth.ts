/**
 * Margin as the book grows (docs/arrow.md, "Ten million accounts"): `margin-core margin --format arrow` from a
 * generated book.arrow to the written Arrow report at 100,000, 1,000,000 and 10,000,000 accounts × 20 positions (up
 * to the `largest` count), cross and portfolio, WASM and the JS twin, each run the installed CLI (dist/cli.js) in a
 * process of its own: wall time, CPU time and peak RSS of that process (a preloaded hook reports them as it exits),
 * and the 1-minute load average before and after it. The books are generated once by `margin-core generate` into
 * $MARGIN_CORE_BENCH_CACHE (the e2e mode's folders: they share the 1,000,000-account book), and generate's own time and
 * peak RSS are kept when it ran. The goals: the largest run within 10× the time of the run a tenth its size, and
 * within 1.5 GB.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchTable, fixed, type HeadlineRow, times } from './harness.js';

const run = promisify(execFile);

/** The sizes measured, up to the largest asked for. */
export const GROWTH_SIZES = [100_000, 1_000_000, 10_000_000] as const;
/** The goals for the largest book: time within this many times the book a tenth its size, and this peak RSS. */
export const GROWTH_TIME_RATIO = 10;
export const GROWTH_PEAK_MB = 1536;

/** What the preloaded hook prints on stderr as the CLI's process exits. */
const USAGE_MARK = 'margin-core-bench-usage ';
const USAGE_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('${USAGE_MARK}'+JSON.stringify({cpuMs:(u.user+u.system)/1000,peakRssMb:process.resourceUsage().maxRSS/1024})+'\\n')})`;

/** One CLI process: its wall time, CPU time and peak RSS, and the load around it. */
export interface CliUsage {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  /** 1-minute load average before and after the process. */
  load: [number, number];
}

export interface GrowthRow extends CliUsage {
  accounts: number;
  positions: number;
  method: string;
  backend: string;
  reportBytes: number;
}

export interface GrowthResult {
  positions: number;
  /** `margin-core generate --format arrow` where it ran (a book found in the cache was not generated again). */
  generated: (CliUsage & { accounts: number; bookBytes: number })[];
  rows: GrowthRow[];
}

/** Runs the CLI with `args` in a process of its own (its stdout is not kept: give `--out`). */
export async function cliUsage(cliPath: string, args: readonly string[]): Promise<CliUsage> {
  const before = loadavg()[0];
  const t = performance.now();
  const { stderr } = await run(process.execPath, ['--import', USAGE_HOOK, cliPath, ...args], { maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t;
  const line = stderr.split('\n').find((l) => l.startsWith(USAGE_MARK));
  if (!line) throw new Error(`bench margin-growth: the CLI reported no usage (${stderr.trim().split('\n').pop()})`);
  const usage = JSON.parse(line.slice(USAGE_MARK.length)) as { cpuMs: number; peakRssMb: number };
  return { wallMs, ...usage, load: [before, loadavg()[0]] };
}

/** The generated book of `accounts` × `positions` as book.arrow, generated once into the cache (undefined: found there). */
async function book(cliPath: string, cacheDir: string, accounts: number, positions: number): Promise<{ dir: string; generated?: GrowthResult['generated'][number] }> {
  const dir = join(cacheDir, `e2e-${accounts}x${positions}-seed7`); // the e2e mode's folder for the same book
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'book.arrow');
  if (existsSync(file) && existsSync(join(dir, 'market.json'))) return { dir };
  // generated aside, then moved in: an interrupted run leaves no half-written book to be taken for a whole one
  const partial = join(dir, 'partial-arrow');
  const usage = await cliUsage(cliPath, ['generate', '--accounts', String(accounts), '--positions', String(positions), '--format', 'arrow', '--out', partial]);
  await rename(join(partial, 'market.json'), join(dir, 'market.json'));
  await rename(join(partial, 'book.arrow'), file);
  await rm(partial, { recursive: true, force: true });
  return { dir, generated: { accounts, bookBytes: statSync(file).size, ...usage } };
}

export async function marginGrowthBench(largest: number, positions = 20, methods: readonly string[] = ['cross', 'portfolio'], backends: readonly string[] = ['wasm', 'js']): Promise<GrowthResult> {
  const cliPath = join(dirname(fileURLToPath(import.meta.url)), 'cli.js'); // dist/, beside bench.js
  const cacheDir = process.env.MARGIN_CORE_BENCH_CACHE ?? join(tmpdir(), 'margin-core-bench');
  const result: GrowthResult = { positions, generated: [], rows: [] };
  for (const accounts of GROWTH_SIZES.filter((n) => n <= largest)) {
    const { dir, generated } = await book(cliPath, cacheDir, accounts, positions);
    if (generated) {
      result.generated.push(generated);
      console.error(`  generated ${accounts.toLocaleString('en-US')} × ${positions}: ${(generated.wallMs / 1000).toFixed(1)} s, peak ${generated.peakRssMb.toFixed(0)} MB`);
    }
    for (const method of methods) {
      for (const backend of backends) {
        const out = join(dir, `growth-report-${method}-${backend}.arrow`);
        const usage = await cliUsage(cliPath, ['margin', '--book', join(dir, 'book.arrow'), '--market', join(dir, 'market.json'), '--method', method, '--backend', backend, '--format', 'arrow', '--out', out]);
        const reportBytes = statSync(out).size;
        await rm(out, { force: true }); // a 10,000,000-account report is 1.5 GB
        result.rows.push({ accounts, positions, method, backend, reportBytes, ...usage });
        console.error(`  ${accounts.toLocaleString('en-US').padStart(10)} ${method.padEnd(9)} ${backend.padEnd(4)} ${(usage.wallMs / 1000).toFixed(2)} s wall, ${(usage.cpuMs / 1000).toFixed(2)} s CPU, peak ${usage.peakRssMb.toFixed(0)} MB`);
      }
    }
  }
  return result;
}

/** Per method and backend, the largest book's run against the run a tenth its size: the time ratios and its peak RSS against the goals. */
export function growthGoals(r: GrowthResult): { method: string; backend: string; accounts: number; wallRatio: number; cpuRatio: number; peakRssMb: number; timeMet: boolean; memoryMet: boolean }[] {
  const largest = Math.max(...r.rows.map((x) => x.accounts));
  const out = [];
  for (const big of r.rows.filter((x) => x.accounts === largest)) {
    const small = r.rows.find((x) => x.accounts === largest / 10 && x.method === big.method && x.backend === big.backend);
    if (!small) continue;
    const wallRatio = big.wallMs / small.wallMs, cpuRatio = big.cpuMs / small.cpuMs;
    out.push({ method: big.method, backend: big.backend, accounts: largest, wallRatio, cpuRatio, peakRssMb: big.peakRssMb, timeMet: wallRatio <= GROWTH_TIME_RATIO, memoryMet: big.peakRssMb <= GROWTH_PEAK_MB });
  }
  return out;
}

const s = (ms: number) => fixed(ms / 1000, 2);

export function marginGrowthTables(r: GrowthResult): BenchTable[] {
  const tables: BenchTable[] = [{
    caption: `margin-core margin --format arrow, book.arrow of accounts × ${r.positions} positions to the written Arrow report, each run a process of its own; seconds, peak RSS of the process, 1-minute load before → after`,
    rows: r.rows.map((x) => ({
      accounts: x.accounts, method: x.method, backend: x.backend, 'wall s': s(x.wallMs), 'CPU s': s(x.cpuMs), 'peak RSS MB': fixed(x.peakRssMb, 0),
      'report MB': fixed(x.reportBytes / 2 ** 20, 0), load: `${x.load[0].toFixed(2)} → ${x.load[1].toFixed(2)}`,
    })),
  }];
  if (r.generated.length > 0) {
    tables.push({
      caption: 'margin-core generate --format arrow (where the book was not already in the cache)',
      rows: r.generated.map((g) => ({ accounts: g.accounts, 'wall s': s(g.wallMs), 'CPU s': s(g.cpuMs), 'peak RSS MB': fixed(g.peakRssMb, 0), 'book MB': fixed(g.bookBytes / 2 ** 20, 0), load: `${g.load[0].toFixed(2)} → ${g.load[1].toFixed(2)}` })),
    });
  }
  const goals = growthGoals(r);
  if (goals.length > 0) {
    tables.push({
      caption: `The goals: the largest book within ${GROWTH_TIME_RATIO}× the time of the book a tenth its size, and within ${GROWTH_PEAK_MB / 1024} GB peak RSS`,
      rows: goals.map((g) => ({
        accounts: g.accounts, method: g.method, backend: g.backend, 'wall ratio': times(g.wallRatio), 'CPU ratio': times(g.cpuRatio), 'time ✓': g.timeMet ? '✓' : '✗',
        'peak RSS MB': fixed(g.peakRssMb, 0), 'memory ✓': g.memoryMet ? '✓' : '✗',
      })),
    });
  }
  return tables;
}

export function marginGrowthHeadline(r: GrowthResult): HeadlineRow[] {
  const goals = growthGoals(r);
  const out: HeadlineRow[] = [];
  for (const method of ['cross', 'portfolio']) {
    const wasm = goals.find((g) => g.method === method && g.backend !== 'js'), js = goals.find((g) => g.method === method && g.backend === 'js');
    if (!wasm || !js) continue;
    const big = (backendJs: boolean) => r.rows.find((x) => x.accounts === wasm.accounts && x.method === method && (x.backend === 'js') === backendJs)!;
    const cell = (row: GrowthRow, g: typeof wasm) => `${(row.wallMs / 1000).toFixed(1)} s (${g.wallRatio.toFixed(1)}×), ${row.peakRssMb.toFixed(0)} MB`;
    out.push({
      work: `${wasm.accounts.toLocaleString('en-US')} accounts × ${r.positions}, book.arrow to Arrow report, ${method} (time against a tenth the book, peak RSS)`,
      wasm: cell(big(false), wasm), js: cell(big(true), js), target: `≤ ${GROWTH_TIME_RATIO}×, ≤ 1.5 GB`, met: wasm.timeMet && wasm.memoryMet,
    });
  }
  return out;
}

/** Same-run ratios: the JS twin over WASM (CPU) at the largest size, per method. */
export function marginGrowthRatios(r: GrowthResult): Record<string, number> {
  const largest = Math.max(...r.rows.map((x) => x.accounts));
  const out: Record<string, number> = {};
  for (const method of ['cross', 'portfolio']) {
    const pick = (js: boolean) => r.rows.find((x) => x.accounts === largest && x.method === method && (x.backend === 'js') === js);
    const wasm = pick(false), js = pick(true);
    if (wasm && js) out[`margin-growth ${largest} ${method}: js twin / wasm CPU`] = js.cpuMs / wasm.cpuMs;
  }
  return out;
}
