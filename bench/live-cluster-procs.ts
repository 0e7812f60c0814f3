/**
 * The live-cluster benchmark's processes and load, each as a user runs them: Debian's redis-server on loopback (a free
 * port, `appendonly yes`, `appendfsync always`, a data dir of its own, stopped by its pid), `margin-core live-shard`,
 * `live-gateway` and `serve` from the built CLI (stopped by pid), and an HTTP load generator on keep-alive connections:
 * open loop at a fixed rate (latency counted from when each request was due, so a stall is not hidden by the requests
 * it held back), or closed loop with N requests in flight. The tests start their Redis and live processes with the
 * same pieces (test/support/redis.ts, test/support/live-cluster.ts: their own CLI path and token).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CLI = join(dirname(fileURLToPath(import.meta.url)), 'cli.js');
export const TOKEN = 'bench-token-0123456789abcdef';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** True once a Redis on loopback `port` answers PING. */
export const redisAnswers = (port: number) => new Promise<boolean>((resolve) => {
  const socket = new Socket();
  socket.once('error', () => resolve(false));
  socket.connect(port, '127.0.0.1', () => {
    socket.write('PING\r\n');
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
});

export interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** SIGTERM, resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

function handle(child: ChildProcess, url: string, output: () => string): Proc {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signal = async (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, s);
    return exited;
  };
  return { child, url, output, stop: () => signal('SIGTERM'), kill: async () => void (await signal('SIGKILL')) };
}

/** A durable redis-server in `dir` (appendonly yes, appendfsync always) on a free loopback port. */
export async function startRedis(dir: string): Promise<Proc> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await redisAnswers(port)); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await redisAnswers(port))) throw new Error(`redis-server did not start on port ${port} (is Debian's redis-server installed?)`);
  return handle(child, `redis://127.0.0.1:${port}`, () => '');
}

/** How {@link startCli} starts a process: the line that gives its url, how long to wait for it, the CLI and token. */
export interface CliLaunch {
  listening?: RegExp;
  timeoutMs?: number;
  cli?: string;
  token?: string;
}

/** `node dist/cli.js ARGS`, resolved once it printed `listening on URL` (its url). */
export async function startCli(args: string[], what: string, launch: CliLaunch = {}): Promise<Proc> {
  const { listening = /listening on (http:\/\/\S+)/, timeoutMs = 600_000, cli = CLI, token = TOKEN } = launch;
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, MARGIN_CORE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out = (out + d.toString()).slice(-4_000_000)));
  const end = Date.now() + timeoutMs;
  while (!listening.test(out) && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  const m = listening.exec(out);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`${what} did not start: ${out.slice(-2_000)}`);
  }
  return handle(child, m[1], () => out);
}

/** The generated `accounts` × `positions` book (Arrow) and market, made once into the bench cache (as serve-arrow's). */
export async function generatedBook(accounts: number, positions: number): Promise<{ book: string; market: string }> {
  const dir = join(process.env.MARGIN_CORE_BENCH_CACHE ?? join(tmpdir(), 'margin-core-bench'), `serve-${accounts}x${positions}-seed7`);
  const book = join(dir, 'book.arrow'), market = join(dir, 'market.json');
  if (!existsSync(book)) {
    const partial = join(dir, 'partial');
    await mkdir(dir, { recursive: true });
    await run(process.execPath, [CLI, 'generate', '--accounts', String(accounts), '--positions', String(positions), '--format', 'arrow', '--out', partial], { maxBuffer: 1 << 24 });
    await rename(join(partial, 'market.json'), market);
    await rename(join(partial, 'book.arrow'), book);
  }
  return { book, market };
}

/** Resident and peak memory of a process, MiB (/proc: Linux). */
export async function memoryMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

export interface Answer {
  status: number;
  body: string;
}

/** Requests over kept-alive connections with the token. */
export class Client {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  send(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  /** Requests answered 200 per second of the run. */
  perSecond: number;
  /** Requests answered other than 200 (or failed). */
  errors: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function summarise(latencies: number[], errors: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * x))] ?? NaN;
  return { perSecond: latencies.length / seconds, errors, count: latencies.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: latencies.at(-1) ?? NaN };
}

/**
 * Open loop: `rate` requests per second for `seconds`, request k due at k / rate; its latency is from when it was due
 * to its answer (the coordinated-omission correction), whatever else is in flight. Between sends the generator sleeps
 * until the next one is due (a timer): it shares the machine's cores with the processes it measures, and a loop that
 * polled the clock would keep one of them busy (a timer firing late only counts against the latencies).
 */
export async function openLoop(rate: number, seconds: number, send: (k: number) => Promise<Answer>): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0, sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const dueAt = start + (sent / rate) * 1000;
      pending.push(send(sent).then((a) => {
        if (a.status === 200) latencies.push(performance.now() - dueAt);
        else errors++;
      }, () => void errors++));
    }
    const nextDueMs = start + (sent / rate) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, nextDueMs - performance.now())));
  }
  await Promise.all(pending);
  return summarise(latencies, errors, (performance.now() - start) / 1000);
}

/** Closed loop: `inFlight` requests at a time for `seconds`; latency from send to answer. */
export async function closedLoop(inFlight: number, seconds: number, send: (k: number) => Promise<Answer>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0, k = 0;
  const start = performance.now(), end = start + seconds * 1000;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const a = await send(k++).catch(() => ({ status: 0, body: '' }));
      if (a.status === 200) latencies.push(performance.now() - t0);
      else errors++;
    }
  }));
  return summarise(latencies, errors, (performance.now() - start) / 1000);
}

/** Polls `probe` every 10 ms until true; the ms it took, or throws after `ms`. */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await probe().catch(() => false)) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
