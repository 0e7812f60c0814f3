/**
 * `margin-core serve` on a big Arrow book (docs/service.md, "A big book"): mode `serve-arrow` of bench/modes.ts, its
 * results written as every mode's are (on a quiet machine only). The CLI itself in a process of its own on the
 * generated `accounts` × `positions` book.arrow (kept in $MARGIN_CORE_BENCH_CACHE, default the OS temp folder, as e2e
 * keeps its books), cross, WASM:
 * the time from the spawn to its listening line and the peak RSS then (/proc VmHWM), a tick of each asset of the
 * market (−0.1 % and +0.1 % in turn, five times: the accounts it reached and the median time over HTTP, so the first
 * tick of a fresh process, which compiles the re-margin's code, is not the figure), 500 what-ifs of a BTC-PERP
 * trade on the first account (p50, p99), and the peak RSS at the end.
 * Mode `plans-arrow`: `liquidate` (its table written to a file) and `stress --shock btc-crash` on the same book, each in
 * a process of its own: wall and CPU time, peak RSS (docs/liquidation.md, docs/stress.md).
 *
 * `node dist/bench.js serve-arrow [accounts] [positions]`, `node dist/bench.js plans-arrow [accounts] [positions]`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { type BenchTable, fixed } from './harness.js';
import { cliUsage as cliRun, type CliUsage } from './margin-growth.js';

const run = promisify(execFile);
const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');

export interface ServeArrowResult {
  accounts: number;
  positions: number;
  readyMs: number;
  readyRssMiB: number;
  peakRssMiB: number;
  ticks: { asset: string; accounts: number; ms: number }[];
  whatIf: { p50: number; p99: number };
}

/** `liquidate` and `stress` on the generated book.arrow, each a process of its own. */
export interface PlansArrowResult {
  accounts: number;
  positions: number;
  runs: (CliUsage & { command: string })[];
}

/** The generated book.arrow and market.json, generated once into the cache (aside first: no half-written book is kept). */
async function arrowBook(accounts: number, positions: number): Promise<{ book: string; market: string }> {
  const dir = join(process.env.MARGIN_CORE_BENCH_CACHE ?? join(tmpdir(), 'margin-core-bench'), `serve-${accounts}x${positions}-seed7`);
  const book = join(dir, 'book.arrow'), market = join(dir, 'market.json');
  if (!existsSync(book)) {
    const partial = join(dir, 'partial');
    await mkdir(dir, { recursive: true });
    await run(process.execPath, [cli, 'generate', '--accounts', String(accounts), '--positions', String(positions), '--format', 'arrow', '--out', partial], { maxBuffer: 1 << 24 });
    await rename(join(partial, 'market.json'), market);
    await rename(join(partial, 'book.arrow'), book);
  }
  return { book, market };
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmHWM:\s+(\d+)/.exec(status);
  return kib ? Number(kib[1]) / 1024 : Number.NaN;
}

/** `liquidate` (cross, WASM, the table to a file) and `stress --shock btc-crash` on the book, one process each. */
export async function plansArrowBench(accounts: number, positions: number): Promise<PlansArrowResult> {
  const files = await arrowBook(accounts, positions);
  const dir = await mkdtemp(join(tmpdir(), 'margin-core-bench-plans-'));
  const inputs = ['--book', files.book, '--market', files.market, '--method', 'cross', '--backend', 'wasm'];
  try {
    const out: PlansArrowResult['runs'] = [];
    out.push({ command: 'liquidate --format table', ...await cliRun(cli, ['liquidate', ...inputs, '--format', 'table', '--out', join(dir, 'plan.txt')]) });
    out.push({ command: 'stress --shock btc-crash', ...await cliRun(cli, ['stress', ...inputs, '--shock', 'btc-crash', '--format', 'json', '--out', join(dir, 'stress.json')]) });
    return { accounts, positions, runs: out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function serveArrowBench(accounts: number, positions: number): Promise<ServeArrowResult> {
  const files = await arrowBook(accounts, positions);
  const started = performance.now();
  const proc: ChildProcess = spawn(process.execPath, [cli, 'serve', '--book', files.book, '--market', files.market, '--method', 'cross', '--backend', 'wasm', '--no-auth', '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      proc.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
    });
    const readyMs = performance.now() - started;
    const readyRssMiB = await peakRssMiB(proc.pid!);
    const post = async (path: string, body: unknown) => {
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = await res.json() as { remargined?: number };
      if (res.status !== 200) throw new Error(`serve-arrow: ${path} answered ${res.status}`);
      return { ms: performance.now() - t0, json };
    };
    const market = JSON.parse(await readFile(files.market, 'utf8')) as { assets: Record<string, { price: number }> };
    const ticks: ServeArrowResult['ticks'] = [];
    for (const [asset, { price }] of Object.entries(market.assets)) {
      const times: number[] = [];
      let reached = 0;
      for (const move of [-0.001, 0.001, -0.001, 0.001, -0.001]) {
        const { ms, json } = await post('/tick', { assets: { [asset]: { price: price * (1 + move) } } });
        times.push(ms);
        reached = json.remargined ?? 0;
      }
      ticks.push({ asset, accounts: reached, ms: median(times) });
    }
    const page = await (await fetch(`${url}/accounts?limit=1`)).json() as { accounts: { id: string }[] };
    const account = page.accounts[0].id;
    const whatIfs: number[] = [];
    for (let k = 0; k < 500; k++) whatIfs.push((await post('/what-if', { account, trades: [{ instrument: 'BTC-PERP', quantity: k % 2 === 0 ? 0.1 : -0.1 }] })).ms);
    whatIfs.sort((a, b) => a - b);
    return { accounts, positions, readyMs, readyRssMiB, peakRssMiB: await peakRssMiB(proc.pid!), ticks, whatIf: { p50: whatIfs[249], p99: whatIfs[494] } };
  } finally {
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

export function serveArrowTables(r: ServeArrowResult): BenchTable[] {
  return [
    {
      caption: `serve on ${r.accounts.toLocaleString('en-US')} × ${r.positions} book.arrow, cross, WASM: ready in ${fixed(r.readyMs / 1000, 2)} s at ${fixed(r.readyRssMiB, 0)} MiB peak RSS (${fixed(r.peakRssMiB, 0)} MiB at the end); POST /what-if p50 ${fixed(r.whatIf.p50, 2)} ms, p99 ${fixed(r.whatIf.p99, 2)} ms`,
      rows: r.ticks.map((t) => ({ 'POST /tick': t.asset, 'accounts re-margined': t.accounts, 'median ms': fixed(t.ms, 1) })),
    },
  ];
}

export function plansArrowTables(r: PlansArrowResult): BenchTable[] {
  return [{
    caption: `liquidate and stress on ${r.accounts.toLocaleString('en-US')} × ${r.positions} book.arrow, cross, WASM, each a process of its own`,
    rows: r.runs.map((p) => ({ command: p.command, 'wall s': fixed(p.wallMs / 1000, 1), 'CPU s': fixed(p.cpuMs / 1000, 1), 'peak RSS MiB': fixed(p.peakRssMb, 0), load: `${fixed(p.load[0], 1)} → ${fixed(p.load[1], 1)}` })),
  }];
}
