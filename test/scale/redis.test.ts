/**
 * The Redis Streams cluster against a real redis-server (loopback, free port, no persistence) and real
 * `margin-core worker` processes: reports equal the single-process engine's bit for bit; a worker killed with a task
 * in hand loses nothing (another claims it); a task delivered twice changes nothing; each tick's report is its own
 * market's, in tick order; an unreachable Redis or an absent worker fails loudly, never with a partial report.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { validateInputs, validateMarket } from '../../src/model/validate.js';
import type { Market, ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { connectRedis } from '../../src/scale/redis/connect.js';
import { ClusterKeys } from '../../src/scale/redis/keys.js';
import { RedisTransport } from '../../src/scale/redis/transport.js';
import { decode, encode } from '../../src/scale/redis/wire.js';
import { partitionBook } from '../../src/scale/shard-book.js';
import { type ShardOutcome, ShardStore, type ShardTask } from '../../src/scale/tasks.js';
import { groupedSample } from '../support/grouped-book.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { buildIdentity } from '../../src/scale/identity.js';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, marginCore, ROOT } from '../support/cli.js';
import { type RedisServer, startRedis, startWorker, type WorkerProcess, freePort } from '../support/redis.js';

let redis: RedisServer;
let engine: Engine;
let book: ValidatedBook;
let market: ValidatedMarket;
let marketJson: Market;
let groups = 0;
const nextGroup = () => `test-${process.pid}-${groups++}`;

beforeAll(async () => {
  redis = await startRedis();
  engine = await createEngine();
  const sample = generateSample({ accounts: 400, seed: 5 });
  marketJson = sample.market;
  ({ book, market } = validateInputs(sample.book, sample.market));
});

afterAll(async () => {
  await redis?.stop();
});

/** The market with every price (assets and marks) scaled by `factor`. */
function moved(factor: number): ValidatedMarket {
  const assets = Object.fromEntries(Object.entries(marketJson.assets).map(([k, v]) => [k, { ...v, price: v.vol === 0 ? v.price : v.price * factor }]));
  const marks = Object.fromEntries(Object.entries(marketJson.marks ?? {}).map(([k, v]) => [k, v * factor]));
  return validateMarket({ ...marketJson, assets, marks }, book);
}

describe('a Redis cluster of two worker processes, books cut into 4 shards', () => {
  const group = nextGroup();
  let procs: WorkerProcess[] = [];
  let transport: RedisTransport;
  beforeAll(async () => {
    // named so that rendezvous hashing gives each two of the 4 shards (w1: 0 and 3, w2: 1 and 2); with the default
    // names (HOST:PID) one worker owns all four in one run of eight
    procs = await Promise.all([startWorker(redis.url, group, { consumer: 'w1' }), startWorker(redis.url, group, { consumer: 'w2' })]);
    transport = await RedisTransport.connect({ url: redis.url, group, shards: 4, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await transport?.close();
    await Promise.all(procs.map((p) => p.stop()));
  });

  test('cross, portfolio and Monte Carlo VaR: the single-process reports, bit for bit, with the work spread', async () => {
    const sharded = await engine.openShardedBook(book, transport);
    for (const options of [{ method: 'cross' }, { method: 'portfolio' }, { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200 } } }]) {
      expect(firstDifference(withoutWorkers(await sharded.margin(market, options)), engine.margin(book, market, options))).toBeNull();
    }
    // each worker owns some of the 4 shards (heartbeats, a few times a second, carry what they hold)
    let health = await transport.health();
    for (let i = 0; i < 80 && !(health.workers.length === 2 && health.workers.every((w) => w.shardsHeld > 0)); i++) {
      await new Promise((r) => setTimeout(r, 25));
      health = await transport.health();
    }
    expect(health.workers.length).toBe(2);
    expect(health.workers.every((w) => w.shardsHeld > 0)).toBe(true);
    expect(health.pending).toBe(0);
    await sharded.release();
  });

  test('a book with masters, coin-margined subaccounts and accounts\' own methods: each policy\'s report and roll-up, bit for bit', async () => {
    const sample = groupedSample({ accounts: 200, seed: 12, accountsPerMaster: 4, coinAccounts: 12, methodEvery: 9, methodAt: 5 });
    const grouped = validateInputs(sample.book, sample.market);
    const sharded = await engine.openShardedBook(grouped.book, transport);
    for (const policy of ['independent', 'cross']) {
      const options = { method: 'cross', params: { subaccounts: { policy } } };
      expect(firstDifference(withoutWorkers(await sharded.margin(grouped.market, options)), engine.margin(grouped.book, grouped.market, options))).toBeNull();
    }
    await sharded.release();
  });

  test('ticks in flight together: each report is its own market’s, settled in tick order', async () => {
    const sharded = await engine.openShardedBook(book, transport);
    const markets = [0.9, 0.95, 1, 1.05, 1.1].map(moved);
    const settled: number[] = [];
    const reports = await Promise.all(markets.map((m, k) => sharded.margin(m, { method: 'cross' }).then((r) => (settled.push(k), r))));
    expect(settled).toEqual([0, 1, 2, 3, 4]);
    reports.forEach((r, k) => expect(firstDifference(withoutWorkers(r), engine.margin(book, markets[k], { method: 'cross' }))).toBeNull());
    await sharded.release();
  });

  test('a task delivered twice writes the bytes of one fresh run, and the next tick is unaffected', async () => {
    const sharded = await engine.openShardedBook(book, transport);
    await sharded.margin(market, { method: 'portfolio' }); // tick 0: the shards are now held
    const keys = new ClusterKeys(group);
    const client = await connectRedis(redis.url);
    const task: ShardTask = { bookId: sharded.bookId, shard: 1, tick: 99, market, runs: [{ method: 'portfolio' }] };
    await client.xadd(keys.tasks(1), '*', 'task', encode(task));
    await client.xadd(keys.tasks(1), '*', 'task', encode(task));
    const answered = () => client.xlen(keys.done(sharded.bookId));
    for (let i = 0; i < 200 && (await answered()) < 6; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await answered()).toBe(6); // tick 0's four shards, then the same task twice
    // the stream of answers expires as the results do: one written after its tick failed (and its book unloaded) goes
    expect(await client.ttl(keys.done(sharded.bookId))).toBeGreaterThan(3500);
    const written = await client.hgetBuffer(keys.result(sharded.bookId, 99), '1');
    const fresh = new ShardStore(engine);
    fresh.load('x', partitionBook(book, 4).shards[1]);
    const outcome = decode<ShardOutcome>(written!), expected = fresh.run({ ...task, bookId: 'x' });
    // the rows of one fresh run of the shard, bit for bit (the worker's timing aside)
    expect(outcome.kind === 'ok' && expected.kind === 'ok').toBe(true);
    if (outcome.kind === 'ok' && expected.kind === 'ok') expect(firstDifference(outcome.reports, expected.reports)).toBeNull();
    expect(firstDifference(withoutWorkers(await sharded.margin(market, { method: 'cross' })), engine.margin(book, market, { method: 'cross' }))).toBeNull();
    client.disconnect();
    await sharded.release();
  });

  test('the CLI coordinator prints the book’s report, equal to `margin-core margin`’s, and the cluster’s health', async () => {
    const { code, stdout, stderr } = await marginCore('coordinator', '--redis', redis.url, '--group', group, '--shards', '4', '--book', 'data/sample/book.json', '--market', 'data/sample/market.json', '--format', 'json');
    expect(code).toBe(0);
    const single = await marginCore('margin', '--book', 'data/sample/book.json', '--market', 'data/sample/market.json', '--format', 'json');
    // the same text, and after it the workers that computed it (w1: shards 0 and 3, w2: 1 and 2; see above)
    const cut = stdout.lastIndexOf(',\n  "computedBy": ');
    expect(`${stdout.slice(0, cut)}\n}\n`).toBe(single.stdout);
    expect(JSON.parse(stdout).computedBy).toEqual([{ worker: 'w1', backend: 'wasm-simd', shards: [0, 3] }, { worker: 'w2', backend: 'wasm-simd', shards: [1, 2] }]);
    const health = JSON.parse(stderr.split('\n').find((l) => l.includes('"health":"coordinator"'))!);
    expect(health.cluster.workers.length).toBe(2);
    expect(health.accounts).toBe(302);
    const { version, build, params } = buildIdentity();
    for (const w of health.cluster.workers) expect({ version: w.version, build: w.build, params: w.params }).toEqual({ version, build, params });
  });

  test('the CLI coordinator\'s table under a subaccount policy ends with the roll-up\'s line, as margin\'s does', async () => {
    const params = join(ROOT, 'dist', `pooled-table-${process.pid}.json`);
    await writeFile(params, JSON.stringify({ subaccounts: { policy: 'cross' } }));
    try {
      const files = ['--book', 'data/examples/subaccounts-book.json', '--market', 'data/examples/market.json', '--params', params];
      const run = await marginCore('coordinator', '--redis', redis.url, '--group', group, '--shards', '4', ...files);
      expect(run.code).toBe(0);
      const single = await marginCore('margin', ...files);
      const rollup = single.stdout.split('\n').find((l) => / masters? with .* subaccounts?, policy cross: the book's IM /.test(l))!;
      expect(rollup).toBeDefined();
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(rollup); // the requirement the policy sets, not only every account's alone
    } finally {
      await rm(params, { force: true });
    }
  });

  test('the CLI coordinator says an input error as margin does: its problems one a line under a count', async () => {
    const params = join(ROOT, 'dist', `pooled-${process.pid}.json`);
    await writeFile(params, JSON.stringify({ subaccounts: { policy: 'cross' } }));
    try {
      const args = ['--book', 'data/examples/subaccounts-book.json', '--market', 'data/examples/market.json', '--method', 'isolated', '--params', params];
      const cluster = await marginCore('coordinator', '--redis', redis.url, '--group', group, '--shards', '4', ...args);
      const single = await marginCore('margin', ...args);
      expect(single.code).toBe(1);
      // at a book path: the --book file is named (a problem found after the files were read)
      expect(single.stderr).toMatch(/^margin-core: invalid input in data\/examples\/subaccounts-book\.json \(1 problem\):\n {2}accounts\[0\]: master "m" pools its subaccounts/);
      expect([cluster.code, cluster.stderr]).toEqual([1, single.stderr]); // it had been one long line joined by "; "
    } finally {
      await rm(params, { force: true });
    }
  });
});

/**
 * Another build of the CLI, as a worker of a cluster would run it after a partial upgrade: dist/cli.js with `edit` applied,
 * written to a folder under dist/ (so its packages resolve), whose path is returned; removed by the caller.
 */
async function otherBuild(name: string, edit: (bundle: string) => string): Promise<string> {
  const bundle = await readFile(CLI, 'utf8');
  const edited = edit(bundle);
  expect(edited).not.toBe(bundle);
  const dir = join(ROOT, 'dist', `${name}-${process.pid}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cli.js'), edited); // the CLI runs when its file is called cli.js
  return dir;
}

describe('a worker of another build', () => {
  const cases: [string, (bundle: string) => string, RegExp][] = [
    // the case: portfolio margin's mmFactor default 0.7 instead of 0.8 (MM = mmFactor × IM)
    // (the bundle is minified: `mmFactor:.8`, `PACKAGE_VERSION="0.1.0"`; spaces allowed for an unminified one)
    ['other-defaults', (b) => b.replace(/(DEFAULT_PORTFOLIO_PARAMS\s*=\s*\{[^}]*?mmFactor:\s*)0?\.8/, '$10.7'), /params [0-9a-f]{16} \(coordinator [0-9a-f]{16}: other default parameters\)/],
    ['other-version', (b) => b.replace(/PACKAGE_VERSION\s*=\s*"0\.1\.0"/, 'PACKAGE_VERSION="0.1.0-other"'), /version 0\.1\.0-other \(coordinator 0\.1\.0\), build [0-9a-f]{16} \(coordinator [0-9a-f]{16}\)/],
  ];
  test.each(cases)('%s: announces itself, and the coordinator refuses its rows naming it (exit 1, no report)', async (name, edit, differs) => {
    const group = nextGroup();
    const other = await otherBuild(name, edit);
    const procs = [await startWorker(redis.url, group, { consumer: 'w1' }), await startWorker(redis.url, group, { consumer: 'w2', cli: join(other, 'cli.js') })];
    try {
      expect(procs[1].stderr()).toMatch(/worker w2 joined group .* \(wasm-simd; margin-core \S+, build [0-9a-f]{16}, params [0-9a-f]{16}\)/);
      const run = await marginCore('coordinator', '--redis', redis.url, '--group', group, '--shards', '4', '--book', 'data/sample/book.json', '--market', 'data/sample/market.json', '--method', 'portfolio', '--format', 'json');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('margin-core: worker w2 runs another build than this coordinator');
      expect(run.stderr).toMatch(differs);
      const health = await marginCore('coordinator', '--redis', redis.url, '--group', group, '--shards', '4', '--health');
      const workers = JSON.parse(health.stdout).workers as { id: string; params: string; build: string }[];
      const mine = buildIdentity();
      expect(workers.find((w) => w.id === 'w1')).toMatchObject({ params: mine.params, build: mine.build });
      expect(workers.find((w) => w.id === 'w2')).not.toMatchObject({ params: mine.params, build: mine.build });
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe('failures', () => {
  test('a worker killed with a task in hand loses nothing: a live worker claims its pending task', async () => {
    const group = nextGroup();
    const transport = await RedisTransport.connect({ url: redis.url, group, shards: 2, timeoutMs: 20_000 });
    const stalled = await startWorker(redis.url, group, { stallMs: 60_000, claimIdleMs: 600 });
    let rescuer: WorkerProcess | undefined;
    try {
      const sharded = await engine.openShardedBook(book, transport);
      const report = sharded.margin(market, { method: 'portfolio' });
      const client = await connectRedis(redis.url);
      const keys = new ClusterKeys(group);
      const pending = async () => Number(((await client.call('XPENDING', keys.tasks(0), group)) as [number])[0]) + Number(((await client.call('XPENDING', keys.tasks(1), group)) as [number])[0]);
      for (let i = 0; i < 200 && (await pending()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(await pending()).toBeGreaterThan(0); // the stalled worker holds a task, unacknowledged
      await stalled.kill();
      rescuer = await startWorker(redis.url, group, { claimIdleMs: 600 });
      expect(firstDifference(withoutWorkers(await report), engine.margin(book, market, { method: 'portfolio' }))).toBeNull();
      // the rescuer's heartbeat (written just after its claimed answers) counts the recovery
      for (let i = 0; i < 40 && (await transport.health()).recoveries === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await transport.health()).recoveries).toBeGreaterThanOrEqual(1);
      expect(await pending()).toBe(0);
      client.disconnect();
      await sharded.release();
    } finally {
      await transport.close();
      await stalled.kill();
      await rescuer?.stop();
    }
  });

  test('a worker stopped cleanly leaves the task streams it holds nothing pending on (its name is not kept there)', async () => {
    const group = nextGroup();
    const transport = await RedisTransport.connect({ url: redis.url, group, shards: 2, timeoutMs: 20_000 });
    const worker = await startWorker(redis.url, group, { consumer: 'w-leaving' });
    const watch = await connectRedis(redis.url);
    const keys = new ClusterKeys(group);
    const consumers = async () => (await Promise.all([0, 1].map((s) => watch.call('XINFO', 'CONSUMERS', keys.tasks(s), group) as Promise<unknown[][]>)))
      .flat().map((c) => String(c[c.indexOf('name') + 1]));
    try {
      const sharded = await engine.openShardedBook(book, transport);
      await sharded.margin(market); // the worker answered both shards' tasks: registered as a consumer of both streams
      await sharded.release();
      expect(await consumers()).toEqual(['w-leaving', 'w-leaving']);
      await worker.stop();
      expect(await consumers()).toEqual([]);
    } finally {
      await worker.stop();
      watch.disconnect();
      await transport.close();
    }
  });

  test('no worker answering: the tick fails with a clear error after its timeout, no report, and its tasks are taken back', async () => {
    const group = nextGroup();
    const transport = await RedisTransport.connect({ url: redis.url, group, shards: 2, timeoutMs: 300 });
    const watch = await connectRedis(redis.url);
    try {
      const sharded = await engine.openShardedBook(book, transport);
      await expect(sharded.margin(market)).rejects.toThrow(/shard\(s\) 0, 1 not answered within 300 ms/);
      // nobody waits for them: a worker arriving later would margin them for nothing, and with none they stayed for ever
      const keys = new ClusterKeys(group);
      for (let tries = 0; tries < 50 && (await watch.xlen(keys.tasks(0))) + (await watch.xlen(keys.tasks(1))) > 0; tries++) await new Promise((r) => setTimeout(r, 20));
      expect([await watch.xlen(keys.tasks(0)), await watch.xlen(keys.tasks(1))]).toEqual([0, 0]);
    } finally {
      watch.disconnect();
      await transport.close();
    }
  });

  test('Redis unreachable: retried with backoff, then a clear error', async () => {
    const port = await freePort();
    const retries: number[] = [];
    await expect(RedisTransport.connect({ url: `redis://127.0.0.1:${port}`, group: 'g', maxAttempts: 3, backoffMs: 10, onRetry: (n) => retries.push(n) }))
      .rejects.toThrow(new RegExp(`Redis unreachable at redis://127.0.0.1:${port} after 3 attempts`));
    expect(retries).toEqual([1, 2]);
  });

  test('Redis lost mid-session: the next tick fails naming it, and a worker exits 1 saying so', async () => {
    const lost = await startRedis();
    const transport = await RedisTransport.connect({ url: lost.url, group: 'g', shards: 2, timeoutMs: 10_000, maxAttempts: 2, backoffMs: 10 });
    const child = spawn(process.execPath, [CLI, 'worker', '--redis', lost.url, '--group', 'g', '--attempts', '2', '--health-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const sharded = await engine.openShardedBook(book, transport);
      for (let i = 0; i < 200 && !stderr.includes('joined group'); i++) await new Promise((r) => setTimeout(r, 25));
      await lost.stop();
      await expect(sharded.margin(market)).rejects.toThrow(new RegExp(`Redis unreachable at ${lost.url} after 2 attempts`));
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/Redis unreachable \(attempt 1: .*\); retrying/);
      expect(stderr).toMatch(new RegExp(`margin-core: Redis unreachable at ${lost.url} after 2 attempts`));
    } finally {
      child.kill();
      await transport.close();
    }
  });

  test('the CLI says Redis is unreachable, retrying, then exits 1', async () => {
    const port = await freePort();
    const { code, stderr } = await marginCore('coordinator', '--redis', `redis://127.0.0.1:${port}`, '--group', 'g', '--health', '--attempts', '2');
    expect(code).toBe(1);
    expect(stderr).toMatch(/Redis unreachable \(attempt 1: .*\); retrying in 100 ms/);
    expect(stderr).toMatch(new RegExp(`Redis unreachable at redis://127.0.0.1:${port} after 2 attempts`));
  });

  test('a worker name other workers cannot compare (empty, spaces) is refused before connecting', async () => {
    for (const name of ['', 'w 1']) {
      const { code, stderr } = await marginCore('worker', '--redis', 'redis://127.0.0.1:1', '--group', 'g', '--consumer', name);
      expect(code).toBe(2); // a usage error
      expect(stderr).toContain("option '--consumer <name>' argument");
      expect(stderr).toContain('expected 1–200 printable ASCII characters, no spaces');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
