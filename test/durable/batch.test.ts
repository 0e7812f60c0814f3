/**
 * A batch of fills over several partitions and both shards, through the gateway, against a real redis-server
 * (appendonly yes, appendfsync always): the gateway sends each shard ONE request with all its parts, and the shard
 * appends them in one round trip. What must hold: a batch with one invalid part writes nothing to any partition's
 * log (whether its parts are on one shard or two); a valid one is in each partition's log exactly once (over two
 * shards, each writes the parts its check kept under a prepare id, once); a shard
 * killed while its parts' append is in flight answers `inLog: unknown` for them, and nothing is ever written twice.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/durable/log.js';
import { opDigest } from '../../src/durable/op-window.js';
import { LogKeys, PARTITION_COUNT, partitionOf } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { ownedShards } from '../../src/scale/redis/ownership.js';
import { call, cashBook, CLUSTER_MARKET, type LiveProcess, startGateway, startShard, TOKEN, until } from '../support/live-cluster.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-batch-');
const CLUSTER = 'batch';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const BOOK = cashBook(300);
const IDS = BOOK.accounts.map((a) => a.id);
const MARKET = CLUSTER_MARKET;
// a lease long enough that no renewal falls inside the paused window below; a killed shard comes back under its own id
const SHARD_ARGS = ['--lease-ms', '30000', '--checkpoint-every', '3600'];
const placed = new Map(['s0', 's1'].flatMap((id) => ownedShards(id, ['s0', 's1'], PARTITION_COUNT).map((p) => [p, id] as const)));

let server: RedisServer;
let redis: RedisClient;
let log: PartitionLog;
const shards = new Map<string, LiveProcess>();
let gateway: LiveProcess;

beforeAll(async () => {
  writeFileSync(files.book, JSON.stringify(BOOK));
  writeFileSync(files.market, JSON.stringify(MARKET));
  server = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  log = new PartitionLog(redis, new LogKeys(CLUSTER));
  for (const id of ['s0', 's1']) shards.set(id, await startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', id]));
  gateway = await startGateway(server.url, CLUSTER);
  await until(async () => (await owners()).every((o, p) => o === placed.get(p)), 30_000, 'the partitions to spread over both shards');
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 15_000, 'the gateway to be ready');
}, 60_000);

afterAll(async () => {
  await Promise.all([...shards.values(), gateway].filter(Boolean).map((p) => p.kill()));
  redis?.disconnect();
  await server?.stop();
});

async function owners() {
  const keys = new LogKeys(CLUSTER);
  const raw = await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => redis.get(keys.owner(p))));
  return raw.map((r) => (r === null ? null : (JSON.parse(r) as { shard: string }).shard));
}

/** Accounts of distinct partitions owned by `shard`, not among `taken` partitions. */
function accountsOn(shard: string, n: number, taken = new Set<number>()): { id: string; p: number }[] {
  const found: { id: string; p: number }[] = [];
  for (const id of IDS) {
    const p = partitionOf(id);
    if (found.length < n && placed.get(p) === shard && !taken.has(p) && !found.some((f) => f.p === p)) found.push({ id, p });
  }
  if (found.length < n) throw new Error(`the book has fewer than ${n} partitions on ${shard}`);
  for (const f of found) taken.add(f.p);
  return found;
}

const fill = (account: string, quantity: number, instrument = 'BTC-PERP') => ({ account, instrument, quantity, price: 100_000 });
/** How many entries of partition p's log carry op id `id`. */
const logged = async (p: number, id: string) => (await log.read(p, 0, 1_000)).filter((e) => e.entry.id === id).length;

/** The partitions the tests have taken (each test writes to partitions of its own). */
const taken = new Set<number>();

describe('a batch through the gateway, one request per shard', () => {
  const [a] = accountsOn('s0', 1, taken);
  const [b, c] = accountsOn('s1', 2, taken);

  it('writes nothing anywhere when one part is invalid, with the parts on two shards or on one', async () => {
    const twoShards = await call(gateway.url, 'POST', '/fills', { fills: [fill(a.id, 1), fill(b.id, -1), fill(c.id, 1, 'NOPE')] }, { 'idempotency-key': 'bad-2' });
    expect(twoShards.status).toBe(400);
    expect(twoShards.body.problems.map((q: { path: string }) => q.path)).toEqual(['fills[2].instrument']);
    const oneShard = await call(gateway.url, 'POST', '/fills', { fills: [fill(b.id, 1), fill(c.id, 1, 'NOPE')] }, { 'idempotency-key': 'bad-1' });
    expect(oneShard.status).toBe(400);
    expect(oneShard.body.problems.map((q: { path: string }) => q.path)).toEqual(['fills[1].instrument']);
    for (const p of [a.p, b.p, c.p]) expect(await log.lastSeq(p)).toBe(0);
  });

  it('answers an empty batch with nothing done, not as replayed (nothing was sent before)', async () => {
    const empty = await call(gateway.url, 'POST', '/fills', { fills: [] });
    expect([empty.status, empty.body]).toEqual([200, { remargined: 0, events: [], partitions: [] }]);
  });

  it('applies a valid batch over both shards once, each partition\'s part in its log once', async () => {
    const answer = await call(gateway.url, 'POST', '/fills', { fills: [fill(a.id, 2), fill(b.id, -1), fill(c.id, -1)] }, { 'idempotency-key': 'good' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.partitions).toEqual([{ partition: a.p, seq: 1 }, { partition: b.p, seq: 1 }, { partition: c.p, seq: 1 }]);
    expect(answer.body.remargined).toBe(3);
    for (const p of [a.p, b.p, c.p]) expect(await logged(p, 'good')).toBe(1);
    const row = await call(gateway.url, 'GET', `/accounts/${a.id}`);
    expect(row.body.grossNotional).toBe(200_000); // 2 BTC at 100,000
  });

  it('writes the parts a shard checked under a prepare id once, from what it kept; a commit of parts not kept writes nothing', async () => {
    const [x, z] = accountsOn('s0', 2, taken);
    const s0 = shards.get('s0')!.url;
    const parts = { parts: [{ partition: x.p, fills: [fill(x.id, 3)] }, { partition: z.p, fills: [fill(z.id, -3)] }] };
    const partitions = { partitions: [x.p, z.p] };
    // never prepared: refused with nothing written (the gateway checks the batch again)
    const unknown = await call(s0, 'POST', '/batch/fills?prepared=never', partitions, { 'idempotency-key': 'prep' });
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('x-in-log')).toBe('false');
    expect(await call(s0, 'POST', '/batch/fills?dry=1', parts, { 'x-prepare-id': 'p1' })).toMatchObject({ status: 204 });
    // the commit names other partitions than were checked: refused, and the kept parts are used up
    const other = await call(s0, 'POST', '/batch/fills?prepared=p1', { partitions: [x.p] }, { 'idempotency-key': 'prep' });
    expect(other.status).toBe(503);
    expect(await call(s0, 'POST', '/batch/fills?dry=1', parts, { 'x-prepare-id': 'p2' })).toMatchObject({ status: 204 });
    const committed = await call(s0, 'POST', '/batch/fills?prepared=p2', partitions, { 'idempotency-key': 'prep' });
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.partitions.map((o: { partition: number; seq: number }) => [o.partition, o.seq])).toEqual([[x.p, 1], [z.p, 1]]);
    // a commit is used once
    const again = await call(s0, 'POST', '/batch/fills?prepared=p2', partitions, { 'idempotency-key': 'prep' });
    expect(again.status).toBe(503);
    expect(again.headers.get('x-in-log')).toBe('false');
    for (const p of [x.p, z.p]) expect(await logged(p, 'prep')).toBe(1);
    expect((await call(gateway.url, 'GET', `/accounts/${x.id}`)).body.grossNotional).toBe(300_000);
  });

  it('refuses a batch whose fills leave the domain once netted into the account, writing nothing, on one shard or two', async () => {
    const [x] = accountsOn('s0', 1, taken);
    const [y, z] = accountsOn('s1', 2, taken);
    // each fill is within the domain (|quantity| ≤ 1e12); netted into one position they are not: serve refuses that
    // batch, so the cluster must too, before anything reaches a log
    const big = (account: string) => fill(account, 6e11);
    const twoShards = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 1), big(y.id), big(y.id)] }, { 'idempotency-key': 'netted-2' });
    expect(twoShards.status, JSON.stringify(twoShards.body)).toBe(400);
    expect(twoShards.headers.get('retry-after')).toBeNull();
    expect(twoShards.body.problems).toEqual([{ path: 'fills[2]', message: expect.stringMatching(/^the position would leave the domain: 1200000000000 is above/) }]);
    const oneShard = await call(gateway.url, 'POST', '/fills', [fill(z.id, 1), big(y.id), big(y.id)], { 'idempotency-key': 'netted-1' });
    expect(oneShard.status, JSON.stringify(oneShard.body)).toBe(400);
    expect(oneShard.body.problems.map((q: { path: string }) => q.path)).toEqual(['fills[2]']);
    // transfers the same: two deposits of cash each within the domain, over it together
    const cash = await call(gateway.url, 'POST', '/transfers', [{ account: x.id, cashUsd: 1 }, { account: y.id, cashUsd: 9e14 }, { account: y.id, cashUsd: 9e14 }]);
    expect(cash.status, JSON.stringify(cash.body)).toBe(400);
    expect(cash.body.problems.map((q: { path: string }) => q.path)).toEqual(['transfers[2]']);
    for (const p of [x.p, y.p, z.p]) expect(await log.lastSeq(p)).toBe(0);
    // one partition's batch answers in the batch's one shape: remargined, events and the partitions' seqs
    const one = await call(gateway.url, 'POST', '/fills', [fill(y.id, 1)]);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ remargined: 1, events: expect.any(Array), partitions: [{ partition: y.p, seq: 1 }] });
  });

  it('refuses an Idempotency-Key over 200 characters and a body nested deeper than 64 levels, with 400 and its path', async () => {
    const [x] = accountsOn('s0', 1, taken);
    const long = await call(gateway.url, 'POST', '/fills', [fill(x.id, 1)], { 'idempotency-key': 'k'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body.problems[0].path).toBe('headers.idempotency-key');
    const deep = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    for (const route of ['/tick', '/what-if', '/fills']) {
      const res = await fetch(new URL(route, gateway.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: deep });
      expect(res.status, route).toBe(400);
      expect(((await res.json()) as { problems: { path: string; message: string }[] }).problems[0]).toMatchObject({ path: 'body', message: expect.stringMatching(/^nested deeper than 64/) });
    }
    expect(await log.lastSeq(x.p)).toBe(0);
  });

  it('answers inLog unknown for the parts of a shard killed while their append is in flight, and never writes twice', async () => {
    const [x] = accountsOn('s0', 1, taken);
    const [y] = accountsOn('s1', 1, taken);
    // writes wait in Redis for 1.5 s: both shards' appends are sent and held there
    await redis.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const answered = call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 1), fill(y.id, -1)] }, { 'idempotency-key': 'mid' });
    await until(async () => {
      const list = String(await redis.call('CLIENT', 'LIST'));
      return list.split('\n').filter((line) => / cmd=evalsha /.test(line) && /flags=\w*b/.test(line)).length >= 2;
    }, 1_200, 'both shards\' appends to wait in Redis');
    await shards.get('s1')!.kill();
    const answer = await answered;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('x-in-log')).toBe('partial');
    const parts = new Map(answer.body.partitions.map((o: { partition: number }) => [o.partition, o]));
    expect(parts.get(x.p)).toMatchObject({ status: 200, seq: 1, inLog: 'true' });
    expect(parts.get(y.p)).toMatchObject({ status: 503, inLog: 'unknown' });
    // s1 back under its own id: it takes its partitions again and recovers them from the log
    shards.set('s1', await startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's1']));
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 's1 to serve its partitions again');
    expect(await logged(x.p, 'mid')).toBe(1);
    expect(await logged(y.p, 'mid')).toBeLessThanOrEqual(1); // unknown: there or not, never twice
    const row = await call(gateway.url, 'GET', `/accounts/${y.id}`);
    expect(row.body.grossNotional).toBe((await logged(y.p, 'mid')) * 100_000);
    // resent with its key, the batch is applied exactly once: x's part (and y's, if it landed) answered as it was
    const resent = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 1), fill(y.id, -1)] }, { 'idempotency-key': 'mid' });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body.partitions[0]).toEqual({ partition: x.p, seq: 1, replayed: true });
    for (const p of [x.p, y.p]) expect(await logged(p, 'mid')).toBe(1);
    expect((await call(gateway.url, 'GET', `/accounts/${y.id}`)).body.grossNotional).toBe(100_000);
    expect((await call(gateway.url, 'GET', `/accounts/${x.id}`)).body.grossNotional).toBe(100_000);
  }, 40_000);
});

describe('Idempotency-Key: a write resent with its key is applied once', () => {
  const [x, z] = accountsOn('s0', 2, taken);
  const [y, w] = accountsOn('s1', 2, taken);
  const gross = async (id: string) => (await call(gateway.url, 'GET', `/accounts/${id}`)).body.grossNotional;

  it('answers a resent batch as it was (replayed), writing nothing, and refuses the key for another body (422)', async () => {
    const body = { fills: [fill(x.id, 2), fill(y.id, -1)] };
    const first = await call(gateway.url, 'POST', '/fills', body, { 'idempotency-key': 'twice' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.remargined).toBe(2);
    const again = await call(gateway.url, 'POST', '/fills', body, { 'idempotency-key': 'twice' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({ remargined: 0, events: [], partitions: [{ partition: x.p, seq: 1, replayed: true }, { partition: y.p, seq: 1, replayed: true }], replayed: true });
    const other = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 3), fill(y.id, -1)] }, { 'idempotency-key': 'twice' });
    expect(other.status, JSON.stringify(other.body)).toBe(422);
    expect(other.headers.get('x-in-log')).toBe('false');
    expect(other.body.error).toMatch(/^Idempotency-Key "twice" was used for another request \(entry 1 of partition \d+\); nothing written$/);
    // one fill more, in a partition the first did not reach, or a part of it only: other requests (the gateway
    // digests the whole request), refused where a partition knows the key, nothing written anywhere
    const more = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 2), fill(y.id, -1), fill(w.id, 1)] }, { 'idempotency-key': 'twice' });
    expect(more.status, JSON.stringify(more.body)).toBe(422);
    expect(more.headers.get('x-in-log')).toBe('false');
    const part = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 2)] }, { 'idempotency-key': 'twice' });
    expect(part.status, JSON.stringify(part.body)).toBe(422);
    // the same items with each fill's fields in another order: the same request
    const reordered = await call(gateway.url, 'POST', '/fills', { fills: body.fills.map(({ price, quantity, instrument, account }) => ({ price, quantity, instrument, account })) }, { 'idempotency-key': 'twice' });
    expect(reordered.body.replayed).toBe(true);
    for (const p of [x.p, y.p]) expect(await log.lastSeq(p)).toBe(1);
    expect(await log.lastSeq(w.p)).toBe(0);
    expect([await gross(x.id), await gross(y.id)]).toEqual([200_000, 100_000]);
    // an operator sees the keys each partition remembers and the writes answered as replayed
    const metrics = await (await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toContain(`margincore_idempotency_keys{partition="${x.p}"} 1\n`);
    expect(Number(/\nmargincore_writes_replayed_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(4);
    // every state the docs list has its series, at 0 when no partition is in it (a dashboard shows 0, not "no data")
    for (const state of ['ready', 'recovering', 'leaving', 'lapsed', 'refused', 'none']) expect(metrics).toMatch(new RegExp(`\nmargincore_partitions\\{state="${state}"\\} \\d+\n`));
  });

  it('answers a shard\'s own write route the same way, and writes a request without a key each time', async () => {
    const [v] = accountsOn('s1', 1, taken);
    const s1 = shards.get('s1')!.url;
    const body = { fills: [fill(v.id, 1)] };
    expect((await call(s1, 'POST', `/p/${v.p}/fills`, body, { 'idempotency-key': 'direct' })).body).toMatchObject({ partition: v.p, seq: 1, remargined: 1 });
    expect((await call(s1, 'POST', `/p/${v.p}/fills`, body, { 'idempotency-key': 'direct' })).body).toEqual({ partition: v.p, seq: 1, remargined: 0, events: [], replayed: true });
    const other = await call(s1, 'POST', `/p/${v.p}/fills`, { fills: [fill(v.id, 2)] }, { 'idempotency-key': 'direct' });
    expect([other.status, other.headers.get('x-in-log')]).toEqual([422, 'false']);
    const long = await call(s1, 'POST', `/p/${v.p}/fills`, body, { 'idempotency-key': 'k'.repeat(201) });
    expect(long.body.problems).toEqual([{ path: 'headers.idempotency-key', message: '201 characters; at most 200' }]);
    // no key: the gateway writes each under a random id no partition remembers
    for (let k = 0; k < 2; k++) expect((await call(gateway.url, 'POST', '/fills', body)).status).toBe(200);
    expect(await log.lastSeq(v.p)).toBe(3);
    expect(await gross(v.id)).toBe(300_000);
  });

  it('writes only the parts a first try did not, and knows its operations after a shard stopped and recovered from its checkpoint', async () => {
    // a first try of the batch that reached one shard only (as a partial answer leaves it): its part, with the
    // gateway's digest of the whole batch, sent to z's shard; then the whole batch under its key
    const batch = [fill(z.id, 1), fill(y.id, 4)];
    const digest = opDigest({ kind: 'fills', id: 'grow', fills: batch });
    const firstTry = await call(shards.get('s0')!.url, 'POST', '/batch/fills', { parts: [{ partition: z.p, fills: [batch[0]] }] }, { 'idempotency-key': 'grow', 'x-op-digest': digest });
    expect(firstTry.status, JSON.stringify(firstTry.body)).toBe(200);
    const whole = await call(gateway.url, 'POST', '/fills', batch, { 'idempotency-key': 'grow' });
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    expect(whole.body.partitions).toEqual([{ partition: z.p, seq: 1, replayed: true }, { partition: y.p, seq: 2 }]);
    expect(whole.body.remargined).toBe(1);
    expect([await gross(z.id), await gross(y.id)]).toEqual([100_000, 300_000]);
    // s0 stopped (SIGTERM: it checkpoints its partitions, the window with them) and started again: it recovers from
    // the checkpoints, past which the log holds nothing of these operations
    expect(await shards.get('s0')!.stop()).toBe(0);
    shards.set('s0', await startShard(server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's0']));
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 's0 to serve its partitions again');
    const pointer = JSON.parse((await redis.get(new LogKeys(CLUSTER).checkpoint(x.p)))!) as { fillSeq: number };
    expect(pointer.fillSeq).toBe(1);
    const after = await call(gateway.url, 'POST', '/fills', { fills: [fill(x.id, 2), fill(y.id, -1)] }, { 'idempotency-key': 'twice' });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.replayed).toBe(true);
    expect([await logged(x.p, 'twice'), await logged(z.p, 'grow')]).toEqual([1, 1]);
    expect([await gross(x.id), await gross(z.id)]).toEqual([200_000, 100_000]);
  }, 40_000);
});
