/**
 * A cluster process that loses Redis (a real redis-server on loopback, killed under it): one line per retry (a worker
 * and a coordinator hold two connections each, which retry together), SIGTERM honoured at once, and when the retry
 * budget is spent, exit 1 with one line naming Redis: no stack trace, no "Connection is closed".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { closeRedis, connectRedis, oneReportPerAttempt, redisUnreachable } from '../../src/scale/redis/connect.js';
import { PartitionLog } from '../../src/durable/log.js';
import { LogKeys } from '../../src/durable/partitions.js';
import { ClusterKeys } from '../../src/scale/redis/keys.js';
import { CLI, SAMPLE } from '../support/cli.js';
import { type RedisServer, startRedis } from '../support/redis.js';

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const started: { redis: RedisServer[]; children: ChildProcess[] } = { redis: [], children: [] };

afterEach(async () => {
  for (const child of started.children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const redis of started.redis.splice(0)) await redis.stop();
});

function cli(...args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  started.children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { child, stderr: () => err, exited };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (await ok()) return;
  throw new Error(`timed out waiting for ${what}`);
}

async function redisServer(): Promise<RedisServer> {
  const redis = await startRedis();
  started.redis.push(redis);
  return redis;
}

/** The retry lines of `stderr`, by attempt number. */
function retryLines(stderr: string): Map<number, string[]> {
  const byAttempt = new Map<number, string[]>();
  for (const line of stderr.split('\n')) {
    const m = /^margin-core: Redis unreachable \(attempt (\d+): .*\); retrying in (\d+) ms$/.exec(line);
    if (m) byAttempt.set(Number(m[1]), [...(byAttempt.get(Number(m[1])) ?? []), line]);
  }
  return byAttempt;
}

/** A failure the user reads: the lines, and no sign of a crash. */
function expectNoCrash(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(stderr).not.toContain('Connection is closed');
  expect(stderr).not.toContain('Unhandled');
  expect(stderr).not.toContain('margin-core: margin-core:');
}

describe('retry reports shared by the connections to one Redis', () => {
  test('attempt n is reported once however many connections make it; a reconnection says so once and starts the count again', () => {
    const told: number[] = [], back: number[] = [];
    const { onRetry, onReconnected } = oneReportPerAttempt((attempt) => told.push(attempt), (attempts) => back.push(attempts));
    onReconnected(); // a first connection: no outage to end
    for (const attempt of [1, 1, 2, 2, 3]) onRetry(attempt, 0, 'x'); // two connections in step, the first one ahead
    onReconnected();
    onReconnected(); // the other connection back too: the outage was told to end once
    onRetry(1, 0, 'x');
    expect(told).toEqual([1, 2, 3, 1]);
    expect(back).toEqual([3]);
  });
});

describe('a connection kept reconnecting (the live cluster\'s processes)', () => {
  test('outlives its attempts: while Redis is away a command fails at once, naming Redis; once it is back, commands run again', async () => {
    const redis = await redisServer();
    const client = await connectRedis(redis.url, { maxAttempts: 2, keepReconnecting: true });
    try {
      await client.set('k', 'v');
      expect(redisUnreachable(client)).toBeNull();
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1_000)); // far past 2 attempts (0.1 s of backoff)
      const asked = Date.now();
      const error = await client.get('k').then(() => null, (e: Error) => e);
      expect(Date.now() - asked).toBeLessThan(100);
      expect(error).toBeInstanceOf(Error);
      expect(redisUnreachable(client, error)).toMatch(new RegExp(`^Redis unreachable at ${redis.url} \\(.+\\)$`));
      expect(redisUnreachable(client)).toBe(redisUnreachable(client, error)); // down now
      // a partition's append that failed so says this, not the client's "Stream isn't writeable and enableOfflineQueue …"
      expect(new PartitionLog(client, new LogKeys('outage')).failure(error)).toBe(redisUnreachable(client, error));
      expect(redisUnreachable(client, new Error('ERR wrong number of arguments'))).toBeNull(); // Redis's own answer: not an outage
      expect(client.status).not.toBe('end');
      started.redis.push(await startRedis([], redis.port));
      await until('the connection to be back', () => client.status === 'ready', 10_000);
      await client.set('k', 'again');
      expect(await client.get('k')).toBe('again');
      expect(redisUnreachable(client)).toBeNull();
    } finally {
      await closeRedis(client);
    }
  }, 30_000);
});

describe('a worker that loses Redis', () => {
  test('holding shards: one line per retry, then exit 1 with one line naming Redis once 4 attempts are spent', async () => {
    const redis = await redisServer();
    const group = `outage-${process.pid}-1`;
    // a cluster of 2 shards, as a coordinator sets it up: the worker owns both and blocks reading their streams
    const setup = await connectRedis(redis.url);
    await setup.set(new ClusterKeys(group).shards, '2');
    setup.disconnect();
    const worker = cli('worker', '--redis', redis.url, '--group', group, '--attempts', '4', '--health-every', '0', '--consumer', 'w1');
    await until('the worker to join', () => worker.stderr().includes('joined group'));
    await new Promise((r) => setTimeout(r, 300)); // a heartbeat later, blocked in XREADGROUP
    await redis.stop();
    const { code } = await worker.exited;
    const stderr = worker.stderr();
    expect(code).toBe(1);
    // backoff 100 ms doubling: attempts 1, 2, 3 wait 100, 200 and 400 ms; the 4th failed attempt gives up
    const lines = retryLines(stderr);
    expect([...lines.keys()]).toEqual([1, 2, 3]);
    expect([...lines.values()].map((l) => l.length)).toEqual([1, 1, 1]);
    expect(lines.get(1)![0]).toMatch(/retrying in 100 ms$/);
    expect(lines.get(3)![0]).toMatch(/retrying in 400 ms$/);
    const last = stderr.trimEnd().split('\n').at(-1);
    expect(last).toMatch(new RegExp(`^margin-core: Redis unreachable at ${redis.url} after 4 attempts \\(.+\\)$`));
    expect(stderr.split('\n').filter((l) => l.includes('after 4 attempts'))).toHaveLength(1);
    expectNoCrash(stderr);
  });

  test('SIGTERM while it retries: it stops at once (exit 0), saying so, without waiting out the retry budget', async () => {
    const redis = await redisServer();
    // the default budget: 10 attempts, 21.3 s of backoff
    const worker = cli('worker', '--redis', redis.url, '--group', `outage-${process.pid}-2`, '--health-every', '0', '--consumer', 'w2');
    await until('the worker to join', () => worker.stderr().includes('joined group'));
    await redis.stop();
    await until('the second retry', () => retryLines(worker.stderr()).has(2));
    const sent = Date.now();
    worker.child.kill('SIGTERM');
    const { code, at } = await worker.exited;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(1000);
    const stderr = worker.stderr();
    expect(stderr).toContain('margin-core: SIGTERM: worker w2 stopped while Redis was unreachable');
    expect([...retryLines(stderr).values()].every((l) => l.length === 1)).toBe(true);
    expectNoCrash(stderr);
  });
});

describe('a coordinator that loses Redis with a tick in flight', () => {
  test('one line per retry, then exit 1 with one line naming Redis', async () => {
    const redis = await redisServer();
    const group = `outage-${process.pid}-3`;
    const coordinator = cli('coordinator', '--redis', redis.url, '--group', group, '--shards', '2', '--attempts', '3', '--timeout-ms', '60000',
      '--book', `${SAMPLE}/book.json`, '--market', `${SAMPLE}/market.json`);
    // no worker: the tick waits; once its tasks are in Redis, Redis goes away
    const watch = await connectRedis(redis.url);
    const keys = new ClusterKeys(group);
    await until('the tick to be published', async () => (await watch.xlen(keys.tasks(0))) > 0);
    watch.disconnect();
    await redis.stop();
    const { code } = await coordinator.exited;
    const stderr = coordinator.stderr();
    expect(code).toBe(1);
    const lines = retryLines(stderr);
    expect([...lines.keys()]).toEqual([1, 2]);
    expect([...lines.values()].map((l) => l.length)).toEqual([1, 1]);
    const failure = stderr.split('\n').filter((l) => l.includes(`Redis unreachable at ${redis.url} after 3 attempts`));
    expect(failure).toHaveLength(1);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(failure[0]);
    expectNoCrash(stderr);
  });
});

describe('a coordinator stopped before its last tick is answered', () => {
  test('SIGTERM: one line, exit 1, no report, and its book unloaded from Redis (its keys had stayed with no expiry)', async () => {
    const redis = await redisServer();
    const group = `outage-${process.pid}-stop`;
    const coordinator = cli('coordinator', '--redis', redis.url, '--group', group, '--shards', '2', '--timeout-ms', '60000',
      '--book', `${SAMPLE}/book.json`, '--market', `${SAMPLE}/market.json`);
    // no worker: the tick waits, its book's shards in Redis
    const watch = await connectRedis(redis.url);
    const keys = new ClusterKeys(group);
    const bookKeys = async () => (await watch.keys(keys.book('*', 0).replace(/:0$/, ':*'))).length;
    try {
      await until('the tick to be published', async () => (await watch.xlen(keys.tasks(0))) > 0);
      expect(await bookKeys()).toBeGreaterThan(0);
      coordinator.child.kill('SIGTERM');
      const { code } = await coordinator.exited;
      const stderr = coordinator.stderr();
      expect(code).toBe(1);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe('margin-core: SIGTERM: the coordinator stopped before its last tick was answered: no report written; its book is unloaded from Redis');
      expect(await bookKeys()).toBe(0);
      expectNoCrash(stderr);
    } finally {
      watch.disconnect();
    }
  });
});

describe('a Redis that does not answer', () => {
  /** A listener that accepts connections and never writes a byte (not Redis, or a Redis frozen with its socket open). */
  async function silentListener(): Promise<{ url: string; close: () => void }> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { url: `redis://127.0.0.1:${port}`, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
  }

  test('a connection that is never ready counts as a failed attempt: given up after the attempts, naming why', async () => {
    const silent = await silentListener();
    try {
      const retries: string[] = [];
      const error = await connectRedis(silent.url, { maxAttempts: 3, readyTimeoutMs: 200, onRetry: (_n, _d, why) => retries.push(why) }).catch((e: Error) => e);
      expect((error as Error).message).toBe(`Redis unreachable at ${silent.url} after 3 attempts (connected, but no answer within 200 ms (is it Redis, and is it running?))`);
      expect(retries).toHaveLength(2);
      // the command line: exit 1 with that line, no hang (it waited for ever before)
      const coordinator = cli('coordinator', '--redis', silent.url, '--group', `silent-${process.pid}`, '--attempts', '1', '--book', `${SAMPLE}/book.json`, '--market', `${SAMPLE}/market.json`);
      const { code } = await coordinator.exited;
      expect(code).toBe(1);
      expect(coordinator.stderr().trimEnd().split('\n').at(-1)).toBe(`margin-core: Redis unreachable at ${silent.url} after 1 attempts (connected, but no answer within 5000 ms (is it Redis, and is it running?))`);
      expectNoCrash(coordinator.stderr());
    } finally {
      silent.close();
    }
  }, 30_000);

  test('frozen (SIGSTOP) under a worker: it sees no answer to its PING, retries, and exits 1 naming Redis (it had waited for ever)', async () => {
    const redis = await redisServer();
    const worker = cli('worker', '--redis', redis.url, '--group', `frozen-worker-${process.pid}`, '--attempts', '2', '--health-every', '0', '--consumer', 'wf');
    await until('the worker to join', () => worker.stderr().includes('joined group'));
    redis.signal('SIGSTOP');
    try {
      const sent = Date.now();
      const { code, at } = await worker.exited;
      expect(code).toBe(1);
      // the PING's 10 s, then an attempt of 5 s (ready timeout) and its backoff, and the last attempt's 5 s
      expect(at - sent).toBeLessThan(25_000);
      const stderr = worker.stderr();
      expect(retryLines(stderr).get(1)![0]).toMatch(/attempt 1: connected, but no answer to PING within 10000 ms/);
      expect(stderr.trimEnd().split('\n').at(-1)).toBe(`margin-core: Redis unreachable at ${redis.url} after 2 attempts (connected, but no answer within 5000 ms (is it Redis, and is it running?))`);
      expectNoCrash(stderr);
    } finally {
      redis.signal('SIGCONT');
    }
  }, 40_000);

  test('frozen with a tick in flight (SIGSTOP): the coordinator fails within --timeout-ms, naming the tick', async () => {
    const redis = await redisServer();
    const group = `frozen-${process.pid}`;
    const coordinator = cli('coordinator', '--redis', redis.url, '--group', group, '--shards', '2', '--timeout-ms', '1500',
      '--book', `${SAMPLE}/book.json`, '--market', `${SAMPLE}/market.json`);
    const watch = await connectRedis(redis.url);
    await until('the tick to be published', async () => (await watch.xlen(new ClusterKeys(group).tasks(0))) > 0);
    watch.disconnect();
    redis.signal('SIGSTOP');
    try {
      const sent = Date.now();
      const { code, at } = await coordinator.exited;
      expect(code).toBe(1);
      expect(at - sent).toBeLessThan(8_000); // the tick's 1,500 ms, at most a second for the book's unload, then the connections closed (about 3 s)
      expect(coordinator.stderr()).toMatch(/margin-core: tick 0 of book .*: (shard\(s\) 0, 1 not answered within 1500 ms|Redis at .* did not answer within 1500 ms)/);
      expectNoCrash(coordinator.stderr());
    } finally {
      redis.signal('SIGCONT');
    }
  }, 30_000);
});
