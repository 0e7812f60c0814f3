/**
 * Redis losing acknowledged entries (docs/live-cluster.md "The log"): a FLUSHALL here, which does to the log what a
 * restart without the append-only file, or from an older copy of Redis's data, does. A shard never serves a partition
 * whose log is behind a fill seq it applied, or behind a checkpoint: it holds the partition `refused`, answered 503
 * naming the loss without Retry-After (asking again cannot help), on the gateway's /ready too, and writes nothing to it.
 * Partitions that never had a fill are served as before. Strict durability is checked every round, not only at start:
 * a Redis set to fsync once a second takes every partition off until it fsyncs each write again.
 *
 * Against a real redis-server (appendonly yes, appendfsync always) and the built CLI's processes, stopped by their pids.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { call, cashBook, CLUSTER_MARKET, type LiveProcess, startGateway, startShard, until } from '../support/live-cluster.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

const dir = scratchDir('mc-live-loss-');
const LEASE_MS = 1_500;
const BOOK = cashBook(200);
const SHARD_ARGS = ['--durability', 'strict', '--lease-ms', String(LEASE_MS), '--checkpoint-every', '3600'];
const book = join(dir, 'book.json'), market = join(dir, 'market.json');

let server: RedisServer;
let redis: RedisClient;
const running: LiveProcess[] = [];

beforeAll(async () => {
  writeFileSync(book, JSON.stringify(BOOK));
  writeFileSync(market, JSON.stringify(CLUSTER_MARKET));
  server = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
  redis = await connectRedis(server.url, { maxAttempts: 3 });
}, 30_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  redis?.disconnect();
  await server?.stop();
});

/** A shard and a gateway of cluster `name`, its checkpoints in their own directory; resolves once the cluster is ready. */
async function cluster(name: string, shardId = 's0'): Promise<{ shard: LiveProcess; gateway: LiveProcess; files: { book: string; market: string; checkpoints: string } }> {
  const files = { book, market, checkpoints: join(dir, `ckpt-${name}`) };
  const shard = await startShard(server.url, name, files, [...SHARD_ARGS, '--shard-id', shardId]);
  running.push(shard);
  const gateway = await startGateway(server.url, name);
  running.push(gateway);
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, `cluster ${name} to be ready`);
  return { shard, gateway, files };
}

const fill = (gateway: string, account: string) => call(gateway, 'POST', '/fills', { fills: [{ account, instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
/** An account in another partition than `account`'s. */
const elsewhere = (account: string) => BOOK.accounts.map((a) => a.id).find((id) => partitionOf(id) !== partitionOf(account))!;
const partitionState = async (shard: string, p: number) => ((await call(shard, 'GET', '/status')).body.partitions as { partition: number; state: string; reason?: string }[]).find((x) => x.partition === p);

/** What a partition refused for a lost log answers: 503 naming the loss, no Retry-After; reads and writes alike. */
async function expectRefused(gateway: string, account: string, seqs: RegExp): Promise<void> {
  const read = await call(gateway, 'GET', `/accounts/${account}`);
  expect(read.status, JSON.stringify(read.body)).toBe(503);
  expect(read.headers.get('retry-after')).toBeNull();
  expect(read.body.error).toMatch(seqs);
  expect(read.body.error).toMatch(/Redis lost acknowledged entries .* not served until Redis's data is restored/);
  const ready = await call(gateway, 'GET', '/ready');
  expect(ready.status).toBe(503);
  expect(ready.body.partitions.refused).toEqual([partitionOf(account)]);
  expect(ready.body.reason).toMatch(/refused by its owner, the first: partition \d+: the log's highest seq is 0/);
  expect(ready.headers.get('retry-after')).toBeNull();
  const write = await fill(gateway, account);
  expect(write.status, JSON.stringify(write.body)).toBe(503);
  expect(write.headers.get('retry-after')).toBeNull();
  expect(write.headers.get('x-in-log')).toBe('false');
  expect(write.body.error).toMatch(/refused on this shard/);
  // the totals too: at once, no Retry-After (it had waited the report's 2 s and said "try again shortly")
  const report = await call(gateway, 'GET', '/report');
  expect(report.status).toBe(503);
  expect(report.headers.get('retry-after')).toBeNull();
  expect(report.body.error).toMatch(new RegExp(`^no total: partition ${partitionOf(account)} refused by its owner \\(the first: partition \\d+: the log's highest seq is 0.*\\); asking again does not help$`));
}

describe('Redis losing acknowledged entries', () => {
  it('a shard that applied fills holds their partition refused once the log lost them, and serves the others', async () => {
    const { shard, gateway } = await cluster('mem');
    const account = BOOK.accounts[0].id, p = partitionOf(account);
    for (let k = 0; k < 3; k++) expect((await fill(gateway.url, account)).status).toBe(200);
    await redis.flushall();
    await until(async () => (await partitionState(shard.url, p))?.state === 'refused', 20_000, `partition ${p} to be refused`);
    expect((await partitionState(shard.url, p))?.reason).toMatch(/entries up to 3 were appended \(this shard applied them\)/);
    await expectRefused(gateway.url, account, /the log's highest seq is 0, but entries up to 3 were appended/);
    // the log was written nothing meanwhile, and a partition with no fill is served as before
    expect(await redis.exists(`mc:{live:mem:${p}}:fills`)).toBe(0);
    const other = await call(gateway.url, 'GET', `/accounts/${elsewhere(account)}`);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    await shard.stop();
  }, 60_000);

  it('a shard holding its lease refuses the partition once the log is an older copy (the owner key and epoch kept)', async () => {
    const { shard, gateway } = await cluster('older');
    const account = BOOK.accounts[3].id, p = partitionOf(account);
    for (let k = 0; k < 3; k++) expect((await fill(gateway.url, account)).status).toBe(200);
    // Redis back from a copy taken after the first fill: the stream holds entry 1 only, the lease untouched
    const stream = `mc:{live:older:${p}}:fills`;
    const [[, fields]] = (await redis.xrange(stream, '1-0', '1-0')) as [string, string[]][];
    await redis.del(stream);
    await redis.xadd(stream, '1-0', ...fields);
    await until(async () => (await partitionState(shard.url, p))?.state === 'refused', 10_000, `partition ${p} to be refused`);
    const read = await call(gateway.url, 'GET', `/accounts/${account}`);
    expect(read.status, JSON.stringify(read.body)).toBe(503);
    expect(read.headers.get('retry-after')).toBeNull();
    expect(read.body.error).toMatch(/the log's highest seq is 1, but entries up to 3 were appended \(this shard applied them\)/);
    expect((await fill(gateway.url, account)).status).toBe(503);
    expect(await redis.xlen(stream)).toBe(1); // nothing written after the copy's top
    await shard.stop();
  }, 60_000);

  it('a shard holding its lease refuses the partitions it served at a tick the ticks stream lost (an older copy of it)', async () => {
    const { shard, gateway } = await cluster('older-ticks');
    const account = BOOK.accounts[5].id, p = partitionOf(account);
    const older = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 101_000 } } });
    expect(older.status, JSON.stringify(older.body)).toBe(200);
    const lost = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 102_000 } } });
    expect(lost.status, JSON.stringify(lost.body)).toBe(200);
    await until(async () => (await call(gateway.url, 'GET', '/report')).body.tickId === lost.body.tickId, 10_000, 'the tick to be applied');
    // Redis back from a copy taken after the first tick: the stream ends at it, the leases untouched
    const stream = 'mc:{live:older-ticks}:ticks';
    const [[, fields]] = (await redis.xrange(stream, older.body.tickId, older.body.tickId)) as [string, string[]][];
    await redis.del(stream);
    await redis.xadd(stream, older.body.tickId, ...fields);
    await until(async () => (await partitionState(shard.url, p))?.state === 'refused', 10_000, `partition ${p} to be refused`);
    const read = await call(gateway.url, 'GET', `/accounts/${account}`);
    expect(read.status, JSON.stringify(read.body)).toBe(503);
    expect(read.headers.get('retry-after')).toBeNull();
    expect(read.body.error).toMatch(new RegExp(`tick ${lost.body.tickId} was logged \\(this shard applied it\\), but the ticks stream's newest tick is ${older.body.tickId}: Redis lost acknowledged ticks`));
    await shard.stop();
  }, 60_000);

  it('a running shard refuses the partitions at a tick deleted from the stream (XDEL of its newest)', async () => {
    const { shard, gateway } = await cluster('deleted-tick');
    const account = BOOK.accounts[7].id, p = partitionOf(account);
    const older = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 101_000 } } });
    const newest = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 102_000 } } });
    expect([older.status, newest.status]).toEqual([200, 200]);
    await until(async () => (await call(gateway.url, 'GET', '/report')).body.tickId === newest.body.tickId, 10_000, 'the tick to be applied');
    await redis.xdel('mc:{live:deleted-tick}:ticks', newest.body.tickId);
    await until(async () => (await partitionState(shard.url, p))?.state === 'refused', 10_000, `partition ${p} to be refused`);
    expect((await partitionState(shard.url, p))?.reason).toMatch(new RegExp(`the ticks stream's newest tick ${newest.body.tickId} is missing \\(its last entry is ${older.body.tickId}\\)`));
    // every partition held refused: a tick cannot be checked, said with why and without Retry-After (it had said "try again shortly")
    let tick = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 103_000 } } });
    await until(async () => (tick = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 103_000 } } })).headers.get('retry-after') === null, 10_000, 'every partition to be refused');
    expect(tick.status).toBe(503);
    expect(tick.body.error).toMatch(/^no shard can check the tick: no partition ready on this shard to check a tick body against: partition \d+ is refused \(partition \d+: the ticks stream's newest tick .* is missing .*\); asking again does not help$/);
    await shard.stop();
  }, 60_000);

  it('a refusal outlives its shard: a restart on the older copy refuses again (the mark beside the checkpoints), the entries back serve it', async () => {
    const { shard, gateway, files } = await cluster('restart');
    const account = BOOK.accounts[4].id, p = partitionOf(account);
    for (let k = 0; k < 3; k++) expect((await fill(gateway.url, account)).status).toBe(200);
    // Redis back from a copy taken after the first fill, as in the case above
    const stream = `mc:{live:restart:${p}}:fills`;
    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    await redis.del(stream);
    await redis.xadd(stream, entries[0][0], ...entries[0][1]);
    await until(async () => (await partitionState(shard.url, p))?.state === 'refused', 10_000, `partition ${p} to be refused`);
    const mark = join(files.checkpoints, 'restart', `p${String(p).padStart(2, '0')}.lost.json`);
    await until(async () => existsSync(mark), 5_000, 'the mark to be written');
    // the documented first step, "stop the cluster", then a start on the same Redis: it had served the one fill left
    expect(await shard.stop()).toBe(0);
    const next = await startShard(server.url, 'restart', files, [...SHARD_ARGS, '--shard-id', 's1']);
    running.push(next);
    await until(async () => (await partitionState(next.url, p))?.state === 'refused', 20_000, `partition ${p} to be refused after the restart`);
    expect((await partitionState(next.url, p))?.reason).toMatch(/the log's highest seq is 1, but entries up to 3 were appended \(a shard found them lost before: the mark beside the checkpoints\)/);
    expect((await call(gateway.url, 'GET', `/accounts/${account}`)).status).toBe(503);
    // Redis's data restored: served with its three fills, the mark gone
    for (const [id, fields] of entries.slice(1)) await redis.xadd(stream, id, ...fields);
    expect(await next.stop()).toBe(0);
    const third = await startShard(server.url, 'restart', files, [...SHARD_ARGS, '--shard-id', 's2']);
    running.push(third);
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${account}`)).status === 200, 20_000, `${account} to be served`);
    expect(((await partitionState(third.url, p)) as { lastFillSeq?: number } | undefined)?.lastFillSeq).toBe(3);
    expect(existsSync(mark)).toBe(false);
    await third.stop();
  }, 90_000);

  it('a new shard refuses a partition whose checkpoint is ahead of the log', async () => {
    const { shard, gateway, files } = await cluster('ckpt');
    const account = BOOK.accounts[1].id, p = partitionOf(account);
    for (let k = 0; k < 2; k++) expect((await fill(gateway.url, account)).status).toBe(200);
    expect(await shard.stop()).toBe(0); // SIGTERM: every partition checkpointed, at seq 2 for p
    await redis.flushall();
    const next = await startShard(server.url, 'ckpt', files, [...SHARD_ARGS, '--shard-id', 's1']);
    running.push(next);
    await until(async () => (await partitionState(next.url, p))?.state === 'refused', 20_000, `partition ${p} to be refused`);
    await expectRefused(gateway.url, account, /the log's highest seq is 0, but entries up to 2 were appended \(the checkpoint at seq 2 holds them\)/);
    await next.stop();
  }, 60_000);

  it('a new shard refuses a partition whose checkpoints are gone and whose log was trimmed (it had dropped and taken it again forever, as "none")', async () => {
    const { shard, gateway, files } = await cluster('gap');
    const account = BOOK.accounts[2].id, p = partitionOf(account);
    for (let k = 0; k < 2; k++) expect((await fill(gateway.url, account)).status).toBe(200);
    expect(await shard.stop()).toBe(0);
    await redis.xtrim(`mc:{live:gap:${p}}:fills`, 'MINID', '3-0'); // what a checkpoint at seq 2 lets trimming do
    rmSync(files.checkpoints, { recursive: true, force: true }); // and its checkpoints lost
    const next = await startShard(server.url, 'gap', files, [...SHARD_ARGS, '--shard-id', 's1']);
    running.push(next);
    await until(async () => (await partitionState(next.url, p))?.state === 'refused', 20_000, `partition ${p} to be refused`);
    expect((await partitionState(next.url, p))?.reason).toMatch(/entries 1…2 are missing/);
    const ready = await call(gateway.url, 'GET', '/ready');
    expect([ready.status, ready.body.partitions.refused]).toEqual([503, [p]]);
    expect(ready.body.reason).toMatch(/refused by its owner, the first: partition \d+: the log's entries 1…2 are missing/);
    await next.stop();
  }, 60_000);

  it('a Redis no longer fsyncing each write takes every partition off a strict shard until it does again', async () => {
    const { shard, gateway } = await cluster('fsync');
    const account = BOOK.accounts[2].id;
    await redis.config('SET', 'appendfsync', 'everysec');
    try {
      await until(async () => (await call(shard.url, 'GET', '/health')).body.partitions === 0, 10_000, 'the shard to drop its partitions');
      const read = await call(gateway.url, 'GET', `/accounts/${account}`);
      expect(read.status).toBe(503);
      expect((await fill(gateway.url, account)).status).toBe(503);
    } finally {
      await redis.config('SET', 'appendfsync', 'always');
    }
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 'the cluster to be ready again');
    expect((await fill(gateway.url, account)).status).toBe(200);
    await shard.stop();
  }, 60_000);
});
