/**
 * A shard's partition against a real redis-server: group commit (requests that arrive while an append is in flight go
 * out together, with contiguous seqs in arrival order, each answered with its own seq once applied) and fencing (after
 * another shard took the partition, a request is refused with nothing written, and the shard is told).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { FencedError, PartitionLog } from '../../src/durable/log.js';
import { NotApplied, OwnedPartition } from '../../src/durable/owned-partition.js';
import { servedAt } from '../../src/durable/shard-served.js';
import { shardStatus } from '../../src/durable/shard-routes.js';
import { PartitionState } from '../../src/durable/partition-state.js';
import { type LogEntry, LogKeys } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { type RedisServer, startRedis } from '../support/redis.js';

const BOOK = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [
    { id: 'a', positions: [], collateral: [{ asset: 'USDC', amount: 1_000_000 }] },
    { id: 'b', positions: [], collateral: [{ asset: 'USDC', amount: 1_000_000 }] },
  ],
};
const MARKET = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
const P = 5;
const trade = (id: string, q: number): LogEntry => ({ kind: 'fills', id, fills: [{ account: 'a', instrument: 'BTC-PERP', quantity: q, price: 100_000 }, { account: 'b', instrument: 'BTC-PERP', quantity: -q, price: 100_000 }] });

let server: RedisServer;
let redis: RedisClient;
let engine: Engine;
beforeAll(async () => {
  server = await startRedis();
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  engine = await createEngine({ backend: 'js' });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

async function owned(cluster: string, troubles: unknown[]) {
  const log = new PartitionLog(redis, new LogKeys(cluster));
  const epoch = (await log.acquire(P, 'me', 'http://127.0.0.1:1', 60_000))!;
  const o = new OwnedPartition(P, epoch, log, 'me', 60_000, Date.now(), (_o, error) => troubles.push(error));
  o.ready(PartitionState.open(engine, P, BOOK, MARKET, { method: 'cross' }, { fillSeq: 0, tickId: '0-0' }));
  return { o, log };
}

describe('OwnedPartition', () => {
  it('commits concurrent requests in fewer appends, seqs contiguous in arrival order, each applied once', async () => {
    const { o, log } = await owned('group', []);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => o.submit(trade(`op${i}`, 1))));
    expect(answers.map((a) => a.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(o.counters.appends).toBeLessThan(40); // the first append alone, then the ones that queued behind it together
    expect(o.counters.fillsApplied).toBe(80);
    const logged = await log.read(P, 0, 100);
    expect(logged.map((e) => e.entry.id)).toEqual(Array.from({ length: 40 }, (_, i) => `op${i}`));
    expect(o.state!.live!.account('a').grossNotional).toBe(40 * 100_000); // 40 BTC long at 100,000
  });

  it('refuses with nothing written once another shard took the partition, and tells the shard', async () => {
    const troubles: unknown[] = [];
    const { o, log } = await owned('fenced', troubles);
    await o.submit(trade('before', 1));
    await redis.del(new LogKeys('fenced').owner(P)); // the lease ran out …
    expect(await log.acquire(P, 'other', 'http://127.0.0.1:2', 60_000)).toBe(o.epoch + 1); // … and another shard took it
    const refused = await o.submit(trade('after', 1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotApplied);
    expect((refused as NotApplied).inLog).toBe(false);
    expect(troubles).toHaveLength(1);
    expect(troubles[0]).toBeInstanceOf(FencedError);
    expect((await log.read(P, 0, 10)).map((e) => e.entry.id)).toEqual(['before']);
  });

  it('answers in-log false when another writer took its seqs: nothing of the request is in the log, so it may be sent again', async () => {
    const troubles: unknown[] = [];
    const { o, log } = await owned('foreign', troubles);
    await o.submit(trade('before', 1));
    // an entry appended by another writer at the seq this shard uses next (the helper's tampering case)
    await redis.xadd(new LogKeys('foreign').fills(P), '2-0', 'e', JSON.stringify(trade('foreign', 1)));
    const refused = await o.submit(trade('after', 1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotApplied);
    expect((refused as NotApplied).inLog).toBe(false);
    expect((refused as NotApplied).message).toMatch(/refused by the log .*its seqs hold other entries; nothing written/);
    expect(troubles).toHaveLength(1);
    expect((await log.read(P, 0, 10)).map((e) => e.entry.id)).toEqual(['before', 'foreign']);
  });

  it('is not served once its lease ran out by the local clock, and says so: lapsed in /status, a 503 naming the lease', async () => {
    const { o } = await owned('lapsed', []);
    const shard = { id: 'me', url: 'http://127.0.0.1:1', startedAtMs: Date.now(), owned: new Map([[P, o]]) };
    expect(o.servedStatus()).toBe('ready');
    expect(shardStatus(shard).partitions[0].state).toBe('ready');
    expect(servedAt(shard, String(P))).toBe(o);
    o.leaseUntilMs = Date.now() - 1; // no renewal answered in time (Redis away, a round stuck)
    expect(o.status).toBe('ready'); // not dropped yet: the shard's next check drops it unless a renewal comes back
    expect(o.servable()).toBe(false);
    expect(o.servedStatus()).toBe('lapsed');
    expect(shardStatus(shard).partitions[0].state).toBe('lapsed');
    const refused = (() => { try { return servedAt(shard, String(P)); } catch (error) { return error; } })() as { status: number; message: string };
    expect(refused.status).toBe(503);
    expect(refused.message).toBe(`partition ${P} has a lease not renewed in time on this shard; ask the gateway again shortly`);
  });
});
