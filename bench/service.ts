/**
 * The live service under load and at size (docs/service.md): modes `service` (bench/results/service.json) and
 * `service-bounds` (bench/results/service-bounds.json) of bench/modes.ts.
 *
 * 1. Before and after, same run: POST /what-if at 5,000 requests/s (1,000 per second on each of 5 connections, as in
 *    bench/live.ts: autocannon's per-connection throttle) on loopback, each server in a process of its own on the same
 *    book (bench/layout.ts syntheticBook, 20 positions per account, cross): `before` is the node:http server the
 *    service was (bench/service-before.ts, no authentication: it had none), `after` is src/service on Fastify with the
 *    bearer token, `after, no auth` the same with --no-auth's setting. Rounds interleave the three (A B C A B C …) so a
 *    slower minute of the shared machine falls on all of them. Latency is each response's own time (autocannon's
 *    `response` event, in fractional ms: its summary histogram has 1 ms steps), p50 / p99 / p99.9 / max over every
 *    2xx response of the variant's rounds; autocannon's own p99 (corrected for coordinated omission) beside it.
 * 2. Bounds at size: the service on a generated book of `accounts` (1,000,000 by default; src/sample/generate.ts),
 *    each request kind once, largest allowed: what-if and fills of `maxItems`, a tick of the most-held underlying,
 *    GET /report streamed whole, a page of GET /accounts by health, a metrics scrape. A probe asks GET /health every
 *    2 ms meanwhile; how long the slowest probe waited is how long that request held the event loop (also read from
 *    the service's `nodejs_eventloop_lag_max_seconds`, reset by a scrape before each request). RSS after each, and
 *    the process's peak.
 *
 * `node dist/bench.js service [accounts] [seconds] [rounds]` and `node dist/bench.js service-bounds [accounts]`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createEngine } from '../src/engine.js';
import type { LiveSession } from '../src/live/live-session.js';
import { generateSample } from '../src/sample/generate.js';
import { startService, SERVICE_DEFAULTS } from '../src/service/server.js';
import { type BenchTable, fixed } from './harness.js';
import { syntheticBook } from './layout.js';
import { startServiceBefore } from './service-before.js';

const TOKEN = 'margin-core-service-bench-token';
const VARIANTS = ['before', 'after', 'after-no-auth'] as const;
type Variant = (typeof VARIANTS)[number];

export interface ServiceCompareRow {
  variant: string;
  /** Requests per second achieved (2xx), over all rounds. */
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** autocannon's p99 (1 ms steps, corrected for coordinated omission), the worst round's. */
  autocannonP99: number;
  /**
   * The server process's CPU time per response, µs (user + system, from /proc: Linux only, else null): what a request
   * costs, much less moved by other work on a shared machine than the latencies are.
   */
  cpuPerRequestUs: number | null;
  responses: number;
  unit: 'ms';
}

/** Starts this bundle as `args` and resolves with the URL it prints (`listening on URL`). */
async function child(args: string[]): Promise<{ url: string; process: ChildProcess }> {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`the benchmark's service exited (${code})`)));
  });
  return { url, process: proc };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system) of process `pid` so far, ms, from /proc/PID/stat; null where there is no /proc. */
async function cpuMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** Part 1: the three variants, interleaved rounds. */
export interface ServiceCompareResult {
  accounts: number;
  seconds: number;
  rounds: number;
  rate: string;
  rows: ServiceCompareRow[];
}

export async function serviceCompare(accounts: number, seconds: number, rounds: number): Promise<ServiceCompareResult> {
  const { book } = syntheticBook(Math.min(accounts, 1_000), 7);
  const perp = book.instruments.find((i) => i.id.endsWith('-PERP'))!.id;
  const requests = book.accounts.map((a) => ({ method: 'POST' as const, path: '/what-if', body: JSON.stringify({ account: a.id, trades: [{ instrument: perp, quantity: 1 }] }) }));
  const servers = new Map<Variant, { url: string; process: ChildProcess }>();
  try {
    for (const variant of VARIANTS) servers.set(variant, await child(['service-serve', variant, String(accounts)]));
    const latencies = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
    const stats = new Map<Variant, { ok: number; seconds: number; autocannonP99: number; cpuMs: number | null }>(VARIANTS.map((v) => [v, { ok: 0, seconds: 0, autocannonP99: 0, cpuMs: 0 }]));
    const load = async (variant: Variant, duration: number, record: boolean) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(variant === 'after' ? { authorization: `Bearer ${TOKEN}` } : {}) };
      const tracker = autocannon({ url: servers.get(variant)!.url, connections: 5, connectionRate: 1_000, duration, headers, requests });
      const own = latencies.get(variant)!;
      if (record) tracker.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => status < 300 && own.push(ms));
      const pid = servers.get(variant)!.process.pid!;
      const cpuBefore = await cpuMs(pid);
      const result = await tracker;
      const cpuAfter = await cpuMs(pid);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`service bench (${variant}): ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      if (record) {
        const s = stats.get(variant)!;
        s.ok += result['2xx'];
        s.seconds += duration;
        s.autocannonP99 = Math.max(s.autocannonP99, result.latency.p99);
        s.cpuMs = s.cpuMs === null || cpuBefore === null || cpuAfter === null ? null : s.cpuMs + cpuAfter - cpuBefore;
      }
    };
    for (const variant of VARIANTS) await load(variant, 2, false); // warm-up: JIT, caches
    for (let round = 0; round < rounds; round++) for (const variant of VARIANTS) await load(variant, seconds, true);
    const rows = VARIANTS.map((variant) => {
      const sorted = Float64Array.from(latencies.get(variant)!).sort();
      const s = stats.get(variant)!;
      const name = variant === 'before' ? 'before: node:http server (no authentication)' : variant === 'after' ? 'after: Fastify, bearer token' : 'after: Fastify, --no-auth';
      return {
        variant: name, requestsPerSecond: Math.round(s.ok / s.seconds), p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999), max: sorted[sorted.length - 1],
        autocannonP99: s.autocannonP99, cpuPerRequestUs: s.cpuMs === null ? null : (s.cpuMs * 1000) / s.ok, responses: sorted.length, unit: 'ms' as const,
      };
    });
    return { accounts, seconds, rounds, rate: '5 connections × 1,000 req/s', rows };
  } finally {
    for (const { process: proc } of servers.values()) await stop(proc);
  }
}

/** Child of part 1: the variant's server on the synthetic book, until SIGTERM. */
export async function serviceServeProcess(variant: string, accounts: number): Promise<void> {
  const live = await openSynthetic(accounts);
  const service = variant === 'before' ? await startServiceBefore(live, { port: 0 }) : await startService(live, { port: 0, token: variant === 'after' ? TOKEN : null });
  process.stdout.write(`listening on ${service.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await service.close();
  live.release();
}

/** In a function of its own: the book's JSON is garbage once the session is open. */
async function openSynthetic(accounts: number): Promise<LiveSession> {
  const { book, market } = syntheticBook(accounts, 7);
  const engine = await createEngine({ backend: 'wasm' });
  return engine.live(book, market, { method: 'cross' });
}

/** The generated book live under `method`; `perMaster` > 0: in groups of that many, pooled under the cross policy. */
async function openGenerated(accounts: number, method: string, perMaster = 0): Promise<LiveSession> {
  const sample = generateSample({ accounts, seed: 7, ...(perMaster > 0 ? { accountsPerMaster: perMaster } : {}) });
  const engine = await createEngine({ backend: 'wasm' });
  return engine.live(sample.book, sample.market, { method, ...(perMaster > 0 ? { params: { subaccounts: { policy: 'cross' } } } : {}) });
}

/** Child of part 2: the generated book behind the service, until SIGTERM. */
export async function serviceBoundsProcess(method: string, accounts: number, perMaster = 0): Promise<void> {
  const live = await openGenerated(accounts, method, perMaster);
  const service = await startService(live, { port: 0, token: TOKEN });
  process.stdout.write(`listening on ${service.url}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await service.close();
  live.release();
}

export interface BoundRow {
  method: string;
  request: string;
  /** The request's own time, client side. */
  ms: number;
  /** The slowest GET /health answered while it ran: how long it held the event loop. */
  probeMaxMs: number;
  /** The service's event-loop lag maximum over the request (prom-client). */
  loopLagMaxMs: number;
  rssMiB: number;
}

const auth = { authorization: `Bearer ${TOKEN}` };

/**
 * One request on a connection of its own (closed after it): a service whose event loop is held for seconds closes
 * kept-alive sockets late, and a client reusing one then races the close; a probe must not measure that.
 */
function call(url: string, path: string, body?: unknown, keep = true): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, {
      method: payload === undefined ? 'GET' : 'POST', agent: false,
      headers: { ...auth, connection: 'close', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
    }, (res) => {
      // `keep` false: the body is read and dropped (a report of a million rows kept and joined here would stall this
      // process, and so the probe's clock)
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => keep && chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const { text } = await call(url, '/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/** Part 2, one method: each request kind once on the big book (in groups of `perMaster` when > 0), with the probe running. */
async function boundsOf(method: string, accounts: number, perMaster = 0): Promise<{ rows: BoundRow[]; startRssMiB: number; peakRssMiB: number; perMaster: number }> {
  const { url, process: proc } = await child(['service-bounds-serve', method, String(accounts), String(perMaster)]);
  const rows: BoundRow[] = [];
  let peak = 0;
  const rss = async () => {
    const mib = (await metric(url, 'process_resident_memory_bytes')) / 2 ** 20;
    peak = Math.max(peak, mib);
    return mib;
  };
  try {
    const startRssMiB = await rss();
    const max = SERVICE_DEFAULTS.maxItems;
    const ids: string[] = [];
    for (let cursor = ''; ids.length < max;) {
      const page = JSON.parse((await call(url, `/accounts?limit=${SERVICE_DEFAULTS.maxPageSize}${cursor}`)).text) as { accounts: { id: string }[]; next: string };
      ids.push(...page.accounts.map((a) => a.id));
      cursor = `&cursor=${page.next}`;
    }
    ids.length = max;
    const post = (path: string, body: unknown) => () => call(url, path, body, false);
    const get = (path: string) => () => call(url, path, undefined, false);
    const kinds: [string, () => Promise<{ status: number; text: string }>][] = [
      [`POST /what-if, ${max} trades`, post('/what-if', { account: ids[0], trades: Array.from({ length: max }, (_, k) => ({ instrument: 'BTC-PERP', quantity: k % 2 === 0 ? 0.1 : -0.05 })) })],
      [`POST /fills, ${max} fills on ${max} accounts`, post('/fills', { fills: ids.map((account) => ({ account, instrument: 'BTC-PERP', quantity: 0.01, price: 88_000 })) })],
      ['POST /tick, BTC −1% (the most-held underlying)', post('/tick', { assets: { BTC: { price: 87_154.15 } } })],
      ['POST /tick, ETH −1%', post('/tick', { assets: { ETH: { price: 3_046.81 } } })],
      ['GET /report, streamed whole', get('/report')],
      ['GET /accounts?sort=health&limit=500', get('/accounts?sort=health&limit=500')],
      ['GET /accounts?status=liquidatable,bankrupt&sort=health&limit=100', get('/accounts?status=liquidatable,bankrupt&sort=health&limit=100')],
      ['GET /metrics (after a tick: the book figures read again)', get('/metrics')],
    ];
    for (const [request, send] of kinds) {
      await metric(url, 'nodejs_eventloop_lag_max_seconds'); // resets the lag histogram
      if (request.startsWith('GET /metrics')) await post('/tick', { assets: { SOL: { price: 141 } } })();
      let probing = true;
      let probeMax = 0;
      const probe = (async () => {
        while (probing) {
          const t0 = performance.now();
          await call(url, '/health');
          probeMax = Math.max(probeMax, performance.now() - t0);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const t0 = performance.now();
      const res = await send();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`service bounds: ${request} answered ${res.status}`);
      probing = false;
      await probe;
      const loopLagMaxMs = (await metric(url, 'nodejs_eventloop_lag_max_seconds')) * 1000;
      rows.push({ method, request, ms, probeMaxMs: probeMax, loopLagMaxMs, rssMiB: await rss() });
      console.log(JSON.stringify(rows.at(-1))); // as it comes: a long run's figures are not lost with a later failure
    }
    return { rows, startRssMiB, peakRssMiB: peak, perMaster };
  } finally {
    await stop(proc);
  }
}

export interface ServiceBoundsResult {
  accounts: number;
  methods: { rows: BoundRow[]; startRssMiB: number; peakRssMiB: number; perMaster?: number }[];
}

/** Cross and portfolio on the generated book, then cross on it in groups of 10 under the cross policy (its roll-up in every report). */
export async function serviceBounds(accounts: number): Promise<ServiceBoundsResult> {
  const methods = [];
  for (const method of ['cross', 'portfolio']) methods.push(await boundsOf(method, accounts));
  methods.push(await boundsOf('cross', accounts, GROUP_SIZE));
  return { accounts, methods };
}

/** Accounts per master in service-bounds' grouped book. */
const GROUP_SIZE = 10;

export function compareTables(result: ServiceCompareResult): BenchTable[] {
  return [{
    caption: `POST /what-if, ${result.rate}, ${result.rounds} rounds of ${result.seconds} s per variant, interleaved; each response's own time, ms`,
    rows: result.rows.map((r) => ({
      variant: r.variant, 'req/s': r.requestsPerSecond, p50: fixed(r.p50, 3), p99: fixed(r.p99, 3), 'p99.9': fixed(r.p999, 3), max: fixed(r.max, 1),
      'autocannon p99': r.autocannonP99, 'server CPU µs/request': r.cpuPerRequestUs === null ? '' : fixed(r.cpuPerRequestUs, 1),
    })),
  }];
}

export function boundsTables(result: ServiceBoundsResult): BenchTable[] {
  return result.methods.map((m) => ({
    caption: `${m.rows[0]?.method ?? ''} margin, ${result.accounts.toLocaleString('en-US')} accounts${m.perMaster ? ` in groups of ${m.perMaster} (masters and subaccounts, the cross policy: the roll-up in /report)` : ''}: RSS ${m.startRssMiB.toFixed(0)} MiB at the start, ${m.peakRssMiB.toFixed(0)} MiB at most`,
    rows: m.rows.map((r) => ({ request: r.request, ms: fixed(r.ms, 1), 'slowest /health meanwhile, ms': fixed(r.probeMaxMs, 1), 'event-loop lag max, ms': fixed(r.loopLagMaxMs, 1), 'RSS MiB': fixed(r.rssMiB, 0) })),
  }));
}
