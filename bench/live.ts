/**
 * Live margin benchmark (issue 16), WASM SIMD and the JS twin in the same run, on the generated book of
 * `accounts` accounts × 20 positions (bench/layout.ts syntheticBook: every account also holds USDC and BTC):
 *
 * - what-if latency of one trade (buy 1 of the book's first perpetual at the mark) on a 20-position account,
 *   cross, portfolio and delta-normal VaR: `cold` is an account's first what-if (its cache built), `warm` a
 *   second one on the same account; p50 / p99 over `whatIfs` accounts (performance.now around each call);
 * - one-underlying ticks (price +0.1% per tick), cross and portfolio: median and best of 7 ticks, with the exposed
 *   account count, on two books: the generated 100,000-account book issue 16 names (src/sample/generate.ts, seed 7:
 *   ~2.3 positions per account, BTC, ETH, SOL, DOGE ticks) and the heavier 20-position book above (BTC: every
 *   account exposed, all hold BTC; SOL; DOGE);
 * - the service (margin-core serve's server, in a process of its own on the same book: the load generator must
 *   not share its CPU time or event loop) under autocannon on loopback: POST /what-if at 5,000 requests/s
 *   (1,000 per second on each of 5 connections), cross, with the achieved throughput and p50 / p99 latency;
 *   then unthrottled on 50 connections, for the ceiling.
 *
 * Run alone: `node dist/bench.js live [accounts] [seconds]` (e.g. `live 2000 2` for a quick check); the full
 * suite (`npm run bench`) runs it at 100,000 accounts.
 */
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { createEngine } from '../src/engine.js';
import type { LiveSession } from '../src/live/live-session.js';
import { validateInputs } from '../src/model/validate.js';
import { startService } from '../src/service/server.js';
import { generateSample } from '../src/sample/generate.js';
import { syntheticBook } from './layout.js';
import type { BenchTable } from './harness.js';

export interface LiveBenchRow {
  name: string;
  backend: string;
  /** µs for what-ifs, ms for ticks and the service. */
  p50?: number;
  p99?: number;
  median?: number;
  best?: number;
  exposed?: number;
  requestsPerSecond?: number;
  unit: 'µs' | 'ms';
}

export interface LiveBenchOptions {
  accounts?: number;
  /** Accounts asked per method (each twice: cold, warm). */
  whatIfs?: number;
  /** Seconds per autocannon run. */
  seconds?: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

export async function liveBench(options: LiveBenchOptions = {}): Promise<LiveBenchRow[]> {
  const accounts = options.accounts ?? 100_000;
  const whatIfs = Math.min(options.whatIfs ?? 5_000, accounts);
  // the load test first, while this thread's heap is small: autocannon runs here, and a major GC of a big heap
  // would show up as service latency
  const service = await serviceLoad(accounts, options.seconds ?? 10);
  const { book: bookJson, market: marketJson } = syntheticBook(accounts, 7);
  const { book, market } = validateInputs(bookJson, marketJson);
  const generatedJson = generateSample({ accounts, seed: 7 });
  const generated = validateInputs(generatedJson.book, generatedJson.market);
  const rows: LiveBenchRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    for (const method of ['cross', 'portfolio', 'var'] as const) {
      const live = engine.live(book, market, { method });
      try {
        rows.push(...whatIfLatency(live, method, whatIfs));
        if (method !== 'var') rows.push(...tickLatency(live, method, ['BTC', 'SOL', 'DOGE'], '20-position book'));
      } finally {
        live.release();
      }
    }
    for (const method of ['cross', 'portfolio'] as const) {
      const live = engine.live(generated.book, generated.market, { method });
      try {
        rows.push(...tickLatency(live, method, ['BTC', 'ETH', 'SOL', 'DOGE'], 'generated book'));
      } finally {
        live.release();
      }
    }
  }
  rows.push(...service);
  return rows;
}

/**
 * The method's what-if (the seam, changes by index) on an account's first ask (cold: its cache built) and its
 * second (warm), and the session's JSON what-if (validation, before and after) warm.
 */
function whatIfLatency(live: LiveSession, method: string, count: number): LiveBenchRow[] {
  const layout = live.layout;
  const perp = layout.instruments.ids.find((id) => id.endsWith('-PERP'))!;
  const row = layout.instruments.indexById.get(perp)!;
  const price = live.marketJson.marks?.[perp] ?? live.marketJson.assets[perp.split('-')[0]].price;
  const changes = [{ instrument: row, quantity: 1, price }];
  const trades = [{ instrument: perp, quantity: 1 }];
  const cold: number[] = [], warm: number[] = [], json: number[] = [];
  const stride = Math.max(1, Math.floor(layout.accountCount / count));
  for (let k = 0; k < count; k++) {
    const id = layout.accountIds[(k * stride * 7919) % layout.accountCount]!;
    let t0 = performance.now();
    live.prepared.whatIf(id, changes);
    cold.push((performance.now() - t0) * 1000);
    t0 = performance.now();
    live.prepared.whatIf(id, changes);
    warm.push((performance.now() - t0) * 1000);
    t0 = performance.now();
    live.whatIf(id, trades);
    json.push((performance.now() - t0) * 1000);
  }
  for (const t of [cold, warm, json]) t.sort((a, b) => a - b);
  const name = method === 'var' ? 'delta-normal VaR' : method;
  return [
    { name: `what-if ${name}, 20-position account, cold (cache built)`, backend: live.backend, p50: quantile(cold, 0.5), p99: quantile(cold, 0.99), unit: 'µs' },
    { name: `what-if ${name}, 20-position account, warm`, backend: live.backend, p50: quantile(warm, 0.5), p99: quantile(warm, 0.99), unit: 'µs' },
    { name: `session.whatIf ${name} (JSON in, before and after)`, backend: live.backend, p50: quantile(json, 0.5), p99: quantile(json, 0.99), unit: 'µs' },
  ];
}

function tickLatency(live: LiveSession, method: string, assets: string[], book: string): LiveBenchRow[] {
  const rows: LiveBenchRow[] = [];
  for (const asset of assets) {
    const price = live.marketJson.assets[asset].price;
    live.applyTick({ assets: { [asset]: { price: price * 0.999 } } }); // first tick builds what ticks reuse
    const times: number[] = [];
    let exposed = 0;
    for (let k = 1; k <= 7; k++) {
      const t0 = performance.now();
      exposed = live.applyTick({ assets: { [asset]: { price: price * (1 + 0.001 * k) } } }).remargined;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    rows.push({ name: `tick ${asset} (${method}, ${book})`, backend: live.backend, median: times[3], best: times[0], exposed, unit: 'ms' });
  }
  return rows;
}

/**
 * The service in its own process (this bundle, `live-serve`: the same generated book), loaded by autocannon
 * from this one: 5,000 req/s (100 on each of 50 connections), then unthrottled.
 */
export async function serviceLoad(accounts: number, seconds: number): Promise<LiveBenchRow[]> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'live-serve', String(accounts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`the benchmark's service exited (${code})`)));
    });
    const { book } = syntheticBook(Math.min(accounts, 1_000), 7);
    const perp = book.instruments.find((i) => i.id.endsWith('-PERP'))!.id;
    const requests = book.accounts.map((a) => ({ method: 'POST' as const, path: '/what-if', body: JSON.stringify({ account: a.id, trades: [{ instrument: perp, quantity: 1 }] }) }));
    // A fixed rate as 5 connections × 1,000 req/s: autocannon's per-connection throttle releases each
    // connection's quota in bursts, and with 50 connections × 100/s those bursts alone put the p99 of a
    // hello-world node:http server at 350–550 ms on this VM (5 × 1,000/s: 1 ms).
    const run = async (connections: number, connectionRate: number | undefined, duration = seconds) => {
      const result = await autocannon({
        url, connections, duration, headers: { 'content-type': 'application/json' }, requests,
        ...(connectionRate ? { connectionRate } : {}),
      });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`service bench: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      return result;
    };
    await run(50, undefined, 1); // warm-up: the service's JIT and caches
    const fixed = await run(5, 1_000);
    const open = await run(50, undefined);
    return [
      { name: 'service POST /what-if at 5,000 req/s (cross, 5 connections × 1,000/s)', backend: 'wasm-simd', requestsPerSecond: fixed.requests.average, p50: fixed.latency.p50, p99: fixed.latency.p99, unit: 'ms' },
      { name: 'service POST /what-if unthrottled (cross, 50 connections)', backend: 'wasm-simd', requestsPerSecond: open.requests.average, p50: open.latency.p50, p99: open.latency.p99, unit: 'ms' },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

/** `node dist/bench.js live-serve ACCOUNTS`: the generated book's live session (cross) behind the service, until SIGTERM. */
export async function liveServiceProcess(accounts: number): Promise<void> {
  const live = await openServiceSession(accounts);
  const service = await startService(live, { port: 0 });
  process.stdout.write(`listening on ${service.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await service.close();
  live.release();
}

/** In a function of its own: the book's JSON must be garbage while the service runs (a live heap of millions of
 * objects would make every major GC, and so the tail latency, long). */
async function openServiceSession(accounts: number): Promise<LiveSession> {
  const { book, market } = syntheticBook(accounts, 7);
  const engine = await createEngine({ backend: 'wasm' });
  return engine.live(book, market, { method: 'cross' });
}

export function liveTables(rows: LiveBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({
    run: r.name, backend: r.backend,
    'p50': r.p50 === undefined ? '' : Number(r.p50.toFixed(2)), 'p99': r.p99 === undefined ? '' : Number(r.p99.toFixed(2)),
    'median': r.median === undefined ? '' : Number(r.median.toFixed(2)), 'best': r.best === undefined ? '' : Number(r.best.toFixed(2)),
    unit: r.unit, exposed: r.exposed ?? '', 'req/s': r.requestsPerSecond === undefined ? '' : Math.round(r.requestsPerSecond),
  })) }];
}
