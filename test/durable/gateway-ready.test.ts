/**
 * The gateway's GET /ready (docs/live-cluster.md): 200 only once every partition is served by the shard it belongs to
 * among the shards that have joined, by rendezvous hashing (src/scale/redis/ownership.ts, the shards' own rule): a
 * shard that has joined and not yet taken its partitions makes it 503, as does live-local's second shard before it
 * joins; a 503 names each partition not served with its cause, and "no owner" only for one that has none.
 *
 * Against a real redis-server, `live-shard`, `live-gateway` and `live-local` from the built CLI. Leases are long (a
 * heartbeat round every 5 s), so that the moment between a shard joining and the handover lasts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogKeys, PARTITION_COUNT } from '../../src/durable/partitions.js';
import { ownedShards } from '../../src/scale/redis/ownership.js';
import { call, cashBook, CLUSTER_MARKET, clusterFixture, type LiveProcess, startGateway, startLocal, startShard, until } from '../support/live-cluster.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-ready-');
const CLUSTER = 'ready';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const BOOK = cashBook(200);
const MARKET = CLUSTER_MARKET;
const SHARD_ARGS = ['--durability', 'relaxed', '--lease-ms', '15000', '--checkpoint-every', '3600'];

const fx = clusterFixture(files, BOOK, MARKET);

async function owners(cluster: string): Promise<(string | null)[]> {
  const keys = new LogKeys(cluster);
  const raw = await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => fx.redis.get(keys.owner(p))));
  return raw.map((r) => (r === null ? null : (JSON.parse(r) as { shard: string }).shard));
}

/** Where rendezvous hashing places each partition among `shards`. */
const placement = (shards: string[]) => {
  const placed: string[] = [];
  for (const id of shards) for (const p of ownedShards(id, shards, PARTITION_COUNT)) placed[p] = id;
  return placed;
};

/** Every partition a 503 of /ready names, whatever the cause. */
const named = (body: { partitions?: Record<string, number[]> }) => Object.values(body.partitions ?? {}).flat().sort((a, b) => a - b);

describe('GET /ready of the gateway', () => {
  let gateway: LiveProcess;

  it('is 503 while a shard that joined has not taken its partitions yet, naming those, then 200 with each where hashing puts it', async () => {
    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's0']));
    gateway = await startGateway(fx.server.url, CLUSTER);
    fx.running.push(gateway);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 's0 to serve every partition');
    // s1 prints its url once it has registered: it has joined, and s0 still holds every partition
    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's1']));
    const joined = await call(gateway.url, 'GET', '/ready');
    expect(joined.status, JSON.stringify(joined.body)).toBe(503);
    const onS1 = ownedShards('s1', ['s0', 's1'], PARTITION_COUNT);
    expect(named(joined.body)).toEqual(onS1);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 's1 to serve its partitions');
    expect(await owners(CLUSTER)).toEqual(placement(['s0', 's1']));
  }, 90_000);

  it('names as having no owner exactly the partitions that have none', async () => {
    const keys = new LogKeys(CLUSTER);
    const placed = placement(['s0', 's1']);
    const lost = [placed.indexOf('s0'), placed.indexOf('s1')].sort((a, b) => a - b);
    await fx.redis.del(...lost.map((p) => keys.owner(p))); // their leases gone, as after an expiry
    const answer = await call(gateway.url, 'GET', '/ready');
    expect(answer.status).toBe(503);
    expect(answer.body.reason).toBe(`partitions not served yet: ${lost.join(', ')} (no owner)`);
    expect(answer.body.partitions).toEqual({ none: lost });
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 'the partitions to be taken again');
  }, 60_000);
});

describe('GET /ready of a gateway started on its own', () => {
  it('says no shard has joined yet (it knows no count of shards to name)', async () => {
    const lonely = await startGateway(fx.server.url, 'ready-lonely');
    fx.running.push(lonely);
    const answer = await call(lonely.url, 'GET', '/ready');
    expect(answer.status).toBe(503);
    expect(answer.body.reason).toBe(`no shard has joined yet; partitions not served yet: ${Array.from({ length: PARTITION_COUNT }, (_, p) => p).join(', ')} (no owner)`);
    expect(await lonely.stop()).toBe(0);
  }, 30_000);
});

describe('GET /ready of live-local', () => {
  it('is 200 first only once both its shards have joined and serve their partitions', async () => {
    const cluster = 'ready-local';
    const local = await startLocal(fx.server.url, cluster, files, ['--shards', '2', '--durability', 'relaxed', '--lease-ms', '15000', '--port', '0']);
    fx.running.push(local);
    await until(async () => (await call(local.url, 'GET', '/ready')).status === 200, 60_000, 'live-local to be ready');
    expect(await owners(cluster)).toEqual(placement([`${cluster}-local-0`, `${cluster}-local-1`]));
    expect(await local.stop()).toBe(0);
  }, 90_000);
});
