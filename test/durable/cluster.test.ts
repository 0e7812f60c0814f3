/**
 * The live cluster end to end against a real redis-server (appendonly yes, appendfsync always): two `live-shard`
 * processes and a `live-gateway` from the built CLI on a small mixed venue book (USD, USDC, BTC- and ETH-margined
 * accounts, masters with subaccounts).
 *
 * The oracle is one `engine.live` session fed the same fills and tick: the gateway's report totals (summed exactly
 * across 64 partitions on two processes) must be its totals bit for bit; they must stay those bits after a shard is
 * killed with SIGKILL and its partitions are recovered by the other one from the book and the log; a SIGTERM'd shard
 * exits 0 after a checkpoint of each partition it held; live-local killed with SIGKILL leaves no shard running.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type LiveSession } from '../../src/index.js';
import { TickLog } from '../../src/durable/log.js';
import { LogKeys, PARTITION_COUNT, partitionOfAccount } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { ownedShards } from '../../src/scale/redis/ownership.js';
import { firstDifference } from '../support/bits.js';
import { call, type LiveProcess, startGateway, startLocal, startShard, until } from '../support/live-cluster.js';
import { mulberry32 } from '../support/random.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';
import { venueBook, venueFills, venueMarket } from '../support/venue-book.js';
import { wire } from '../support/wire.js';

const dir = scratchDir('mc-live-cluster-');
const CLUSTER = 'e2e';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const book = venueBook(mulberry32(54), 40);
const masterOf = new Map(book.accounts.flatMap((a) => ('master' in a && a.master ? [[a.id, a.master as string] as [string, string]] : [])));
// leases short enough for a takeover within the test; no timed checkpoints (only SIGTERM's)
const SHARD_ARGS = ['--lease-ms', '2000', '--checkpoint-every', '3600'];

let server: RedisServer;
let redis: RedisClient;
let shards: LiveProcess[] = [];
let gateway: LiveProcess;
let reference: LiveSession;

beforeAll(async () => {
  writeFileSync(files.book, JSON.stringify(book));
  writeFileSync(files.market, JSON.stringify(venueMarket()));
  server = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  shards = await Promise.all(['s0', 's1'].map((id) => startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', id])));
  gateway = await startGateway(server.url, CLUSTER);
  // every partition where rendezvous hashing puts it (the first shard up hands over the second's when it registers:
  // a handover still under way would answer the first requests 503) and all are served
  const placed = new Map(['s0', 's1'].flatMap((id) => ownedShards(id, ['s0', 's1'], PARTITION_COUNT).map((p) => [p, id] as const)));
  await until(async () => (await owners()).every((o, p) => o === placed.get(p)), 30_000, 'the partitions to spread over both shards');
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 15_000, 'the gateway to be ready');
  const engine = await createEngine({ backend: 'auto' });
  reference = engine.live(book, venueMarket(), { method: 'cross' });
}, 60_000);

afterAll(async () => {
  await Promise.all([...shards, gateway].filter(Boolean).map((p) => p.kill()));
  redis?.disconnect();
  await server?.stop();
  reference?.release();
});

/** GET /report once every partition stands at one tick (a 503 while one is behind or moving is asked again). */
const report = async () => {
  let answer = await call(gateway.url, 'GET', '/report');
  for (let i = 0; i < 20 && answer.status === 503; i++) answer = await call(gateway.url, 'GET', '/report');
  return answer;
};

async function owners() {
  const keys = new LogKeys(CLUSTER);
  const raw = await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => redis.get(keys.owner(p))));
  return raw.map((r) => (r === null ? null : (JSON.parse(r) as { shard: string }).shard));
}

describe('two shards behind the gateway', () => {
  let before: unknown;

  it('sums the report exactly as one session fed the same fills and tick', async () => {
    expect(new Set(await owners())).toEqual(new Set(['s0', 's1'])); // both hold partitions
    const rnd = mulberry32(7);
    for (let batch = 0; batch < 12; batch++) {
      const fills = [...venueFills(reference, rnd), ...venueFills(reference, rnd)];
      const answer = await call(gateway.url, 'POST', '/fills', { fills }, { 'idempotency-key': `batch-${batch}` });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      reference.applyFills(wire(fills));
    }
    // a batch over two partitions with one bad fill: refused whole, its path the batch's own, nothing applied
    const [x, y] = ['a0', 'a1'].map((id) => ({ id, p: partitionOfAccount(id, (i) => masterOf.get(i)) }));
    expect(x.p).not.toBe(y.p);
    const rowBefore = await call(gateway.url, 'GET', '/accounts/a0');
    const refused = await call(gateway.url, 'POST', '/fills', { fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }, { account: 'a1', instrument: 'NOPE', quantity: 1, price: 1 }] });
    expect(refused.status).toBe(400);
    expect(refused.body.problems.map((q: { path: string }) => q.path)).toEqual(['fills[1].instrument']);
    expect(firstDifference((await call(gateway.url, 'GET', '/accounts/a0')).body, rowBefore.body)).toBeNull();
    const tick = { assets: { BTC: { price: 93_500, vol: 0.62 }, ETH: { price: 3_150 } } };
    const ticked = await call(gateway.url, 'POST', '/tick', tick);
    expect(ticked.status).toBe(200);
    reference.applyTick(tick);
    const totals = await report();
    expect(totals.status).toBe(200);
    expect(totals.body.tickId).toBe(ticked.body.tickId);
    expect(firstDifference(totals.body.totals, JSON.parse(JSON.stringify(reference.report().totals)))).toBeNull();
    before = totals.body.totals;
    // an account's row through the gateway is its row in the one session
    const id = 'm0-s1';
    const row = await call(gateway.url, 'GET', `/accounts/${id}`);
    expect(row.status).toBe(200);
    expect(firstDifference(row.body, JSON.parse(JSON.stringify(reference.account(id))))).toBeNull();
    // a query the route does not take is refused, not dropped on the way to the shard
    const askedCsv = await call(gateway.url, 'GET', `/report?tick=${totals.body.tickId}&format=csv`);
    expect([askedCsv.status, askedCsv.body.problems]).toEqual([400, [{ path: 'query.format', message: 'unknown parameter (expected tick)' }]]);
    const askedField = await call(gateway.url, 'GET', `/accounts/${id}?fields=im`);
    expect([askedField.status, askedField.body.problems]).toEqual([400, [{ path: 'query.fields', message: 'unknown parameter (this route takes none)' }]]);
    // nor on a POST, which takes none: a "dry run" the cluster does not know is refused before anything is written
    const dryRun = await call(gateway.url, 'POST', '/fills?dryRun=true', { fills: [{ account: id, instrument: 'BTC-PERP', quantity: 1, price: 90_000 }] });
    expect([dryRun.status, dryRun.body.problems]).toEqual([400, [{ path: 'query.dryRun', message: 'unknown parameter (this route takes none)' }]]);
    const tickDry = await call(gateway.url, 'POST', '/tick?validateOnly=1', { assets: { BTC: { price: 80_000 } } });
    expect([tickDry.status, tickDry.body.problems]).toEqual([400, [{ path: 'query.validateOnly', message: 'unknown parameter (this route takes none)' }]]);
    // a tick asked for by id: the one every partition is at; malformed or not yet appended, 400; one they moved past, 410
    const atTick = await call(gateway.url, 'GET', `/report?tick=${totals.body.tickId}`);
    expect(firstDifference(atTick.body, totals.body)).toBeNull();
    for (const bad of ['garbage', '1-', '-1']) {
      const res = await call(gateway.url, 'GET', `/report?tick=${bad}`);
      expect([res.status, res.body.problems?.[0]?.path], bad).toEqual([400, 'query.tick']);
    }
    const [ms, seq] = (totals.body.tickId as string).split('-').map(BigInt);
    const future = await call(gateway.url, 'GET', `/report?tick=${ms + 1n}-${seq}`);
    expect([future.status, future.body.problems?.[0]?.message]).toEqual([400, expect.stringMatching(/^no such tick: .* is after the newest tick/)]);
    const past = await call(gateway.url, 'GET', '/report?tick=0-0');
    expect(past.status).toBe(410);
    expect(past.headers.get('retry-after')).toBeNull();
    expect(past.body.error).toMatch(/^tick 0-0 is no longer held/);
  }, 30_000);

  it('answers 503 for a killed shard\'s partitions, then serves them from the other shard with the same report bits', async () => {
    const held = await owners();
    const victim = book.accounts.map((a) => a.id).find((id) => held[partitionOfAccount(id, (x) => masterOf.get(x))] === 's1')!;
    await shards[1].kill();
    const refused = await call(gateway.url, 'GET', `/accounts/${victim}`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${victim}`)).status === 200, 10_000, 's0 to take over');
    await until(async () => (await owners()).every((o) => o === 's0'), 10_000, 's0 to hold every partition');
    const totals = await report();
    expect(totals.status).toBe(200);
    expect(firstDifference(totals.body.totals, before)).toBeNull();
    const row = await call(gateway.url, 'GET', `/accounts/${victim}`);
    expect(firstDifference(row.body, JSON.parse(JSON.stringify(reference.account(victim))))).toBeNull();
  }, 30_000);

  it('exits 0 on SIGTERM after a checkpoint of every partition it held, and releases them', async () => {
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 15_000, 's0 to serve every partition');
    const code = await shards[0].stop();
    expect(code).toBe(0);
    const written = new Set(readdirSync(join(files.checkpoints, CLUSTER)).map((f) => Number(/^p(\d+)-/.exec(f)?.[1])));
    expect(written.size).toBe(PARTITION_COUNT);
    expect((await owners()).every((o) => o === null)).toBe(true);
    // a new shard recovers every partition from those checkpoints: the same totals
    shards.push(await startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's2']));
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 15_000, 's2 to serve every partition');
    const totals = await report();
    expect(totals.status).toBe(200);
    expect(firstDifference(totals.body.totals, before)).toBeNull();
  }, 40_000);

  it('on a SIGTERM that lands while it is still recovering its partitions, finishes them and checkpoints every one', async () => {
    expect(await shards.at(-1)!.stop()).toBe(0); // s2 lets every partition go
    // a tick in the log that no checkpoint holds yet: every partition's recovery must replay it
    const tickId = await new TickLog(redis, new LogKeys(CLUSTER)).append({ assets: { BTC: { price: 94_000 } } });
    const [ms, seq] = tickId.split('-').map((x) => x.padStart(20, '0'));
    // SIGTERM as soon as it listens: it has just acquired the 64 partitions and is recovering them one after another
    const late = await startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's3']);
    expect(await late.stop(), late.output()).toBe(0);
    expect(await owners()).toEqual(new Array(PARTITION_COUNT).fill(null)); // released, none left to run out its lease
    const files64 = readdirSync(join(files.checkpoints, CLUSTER));
    const atTick = new Set(files64.filter((f) => f.includes(`-t${ms}-${seq}-`)).map((f) => Number(/^p(\d+)-/.exec(f)?.[1])));
    expect(atTick.size).toBe(PARTITION_COUNT);
  }, 40_000);
});

describe('margin-core live-local', () => {
  it('starts a gateway and N shards that serve every partition, and stops them all with exit 0 on SIGTERM', async () => {
    const local = await startLocal(server.url, 'local', files, ['--shards', '2', '--lease-ms', '2000', '--port', '0']);
    await until(async () => (await call(local.url, 'GET', '/ready')).status === 200, 20_000, 'live-local to be ready');
    // its two shards may still be handing partitions over (503 meanwhile, after the gateway's own short retry)
    await until(async () => (await call(local.url, 'GET', '/accounts/a3')).status === 200, 20_000, 'a3 to be served');
    const row = await call(local.url, 'GET', '/accounts/a3');
    expect(row.status).toBe(200);
    expect(row.body.account ?? row.body.id).toBe('a3');
    const code = await local.stop();
    expect(code, local.output().slice(-3_000)).toBe(0);
    const keys = new LogKeys('local');
    expect(await redis.hlen(keys.shards)).toBe(0); // both shards left the cluster
  }, 40_000);

  it('killed with SIGKILL, leaves no shard behind: each stops in order when its stdin\'s pipe closes', async () => {
    const local = await startLocal(server.url, 'killed', files, ['--shards', '2', '--lease-ms', '2000', '--port', '0']);
    const keys = new LogKeys('killed');
    await until(async () => (await redis.hlen(keys.shards)) === 2, 20_000, 'both shards to register');
    await local.kill();
    // a shard left running would stay registered and hold its partitions (and fight the next live-local's namesake)
    await until(async () => (await redis.hlen(keys.shards)) === 0, 20_000, 'both shards to leave the cluster');
    await until(async () => (await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => redis.get(keys.owner(p))))).every((o) => o === null), 20_000, 'every partition released');
  }, 60_000);
});
