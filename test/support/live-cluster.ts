/**
 * The live cluster's processes for the tests: `margin-core live-shard` and `live-gateway` from the built CLI, each
 * started with --port 0 and known by the url it prints; stopped (SIGTERM), killed (SIGKILL) or paused (SIGSTOP) by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Proc, redisAnswers, startCli } from '../../bench/live-cluster-procs.js';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { CLI } from './cli.js';
import { type RedisServer, startRedis } from './redis.js';

export type LiveProcess = Proc;

export const TOKEN = 'test-token-0123456789abcdef';

/** The built CLI with the tests' token, resolved once it printed the line that gives its url (10 s at most). */
function start(args: string[], what: string, listening?: RegExp): Promise<LiveProcess> {
  return startCli(args, what, { listening, timeoutMs: 10_000, cli: CLI, token: TOKEN });
}

export function startShard(redisUrl: string, cluster: string, files: { book: string; market: string; checkpoints: string }, extra: string[] = []): Promise<LiveProcess> {
  return start(['live-shard', '--redis', redisUrl, '--cluster', cluster, '--book', files.book, '--market', files.market, '--checkpoint-dir', files.checkpoints, '--port', '0', '--log-level', 'warn', ...extra], 'live-shard');
}

/** `margin-core live-local`: resolves once its gateway listens (its shards may still be recovering). */
export function startLocal(redisUrl: string, cluster: string, files: { book: string; market: string; checkpoints: string }, extra: string[] = []): Promise<LiveProcess> {
  return start(['live-local', '--redis', redisUrl, '--cluster', cluster, '--book', files.book, '--market', files.market, '--checkpoint-dir', files.checkpoints, '--log-level', 'warn', ...extra], 'live-local', /gateway listening on (http:\/\/\S+)/);
}

export function startGateway(redisUrl: string, cluster: string, extra: string[] = []): Promise<LiveProcess> {
  return start(['live-gateway', '--redis', redisUrl, '--cluster', cluster, '--port', '0', '--log-level', 'warn', ...extra], 'live-gateway');
}

/** A request to the gateway with the token; the status and the parsed JSON body. */
export async function call(base: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
}

/** Polls `probe` every 50 ms until it is true, at most `ms`. */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export interface RestartableRedis {
  url: string;
  port: number;
  /** Starts redis-server again on the same port and data dir (its AOF reloaded). */
  start(): Promise<void>;
  kill(): Promise<void>;
  /** SIGTERM: Redis's own shutdown (the append-only file flushed), as an operator stops it. */
  stop(): Promise<void>;
}

/** A durable redis-server (appendonly yes, appendfsync always) on a fixed port and dir, to kill -9 and start again. */
export async function restartableRedis(port: number, dir: string): Promise<RestartableRedis> {
  let child: ChildProcess | null = null;
  const r: RestartableRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
      await until(() => redisAnswers(port), 10_000, 'redis-server to answer');
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
  const end = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    await exited;
  };
  await r.start();
  return r;
}

/**
 * A test file's redis-server and the cluster processes it starts, the book and market written to `files` first:
 * started before its tests, everything stopped after them (processes killed, Redis stopped by pid). Read `server`
 * and `redis` inside tests (set once the file's setup ran); push what a test starts onto `running`.
 */
export function clusterFixture(files: { book: string; market: string }, book: unknown, market: unknown): { server: RedisServer; redis: RedisClient; running: LiveProcess[] } {
  const fixture = { running: [] as LiveProcess[] } as { server: RedisServer; redis: RedisClient; running: LiveProcess[] };
  beforeAll(async () => {
    writeFileSync(files.book, JSON.stringify(book));
    writeFileSync(files.market, JSON.stringify(market));
    fixture.server = await startRedis();
    fixture.redis = await connectRedis(fixture.server.url, { maxAttempts: 3 });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(fixture.running.map((p) => p.kill()));
    fixture.redis?.disconnect();
    await fixture.server?.stop();
  });
  return fixture;
}

/** The tests' cluster market: BTC at 100,000 (vol 50%), USDC at 1. */
export const CLUSTER_MARKET = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };

/** A book of `n` accounts `acc0`, `acc1`, … holding 1,000,000 USDC each, which trade BTC-PERP. */
export function cashBook(n: number) {
  return {
    instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
    accounts: Array.from({ length: n }, (_, i) => ({ id: `acc${i}`, positions: [] as unknown[], collateral: [{ asset: 'USDC', amount: 1_000_000 }] })),
  };
}
