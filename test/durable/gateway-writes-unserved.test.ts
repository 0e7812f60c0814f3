/**
 * A batch the gateway cannot send (docs/live-cluster.md "503 and Retry-After"): nothing is sent until every part has an
 * owner, and the 503 says for each partition why it was not served: the one without an owner that it has none, the
 * others that the batch waits for it (they had read "partition 5 is not served right now (partition 7 has no owner)").
 * The gateway's context is a stand-in: no Redis, no shard is ever called.
 */
import { describe, expect, it } from 'vitest';
import { writeBatch } from '../../src/durable/gateway-writes.js';
import type { GatewayContext } from '../../src/durable/gateway-context.js';
import { partitionOf } from '../../src/durable/partitions.js';

/** Two accounts on different partitions. */
function twoPartitions(): [string, string] {
  const first = 'acct-0';
  for (let k = 1; ; k++) if (partitionOf(`acct-${k}`) !== partitionOf(first)) return [first, `acct-${k}`];
}

describe('a batch part that cannot be sent', () => {
  it('is answered 503 with the reason of each partition: no owner, or waiting for the one without', async () => {
    const [served, unowned] = twoPartitions();
    const sent: string[] = [];
    const ctx = {
      masters: { partitionsOf: async (ids: string[]) => ids.map(partitionOf), reread: async () => {} },
      owners: {
        refresh: async () => {},
        ownerOf: async (p: number) => (p === partitionOf(unowned) ? null : { shard: 's0', url: 'http://127.0.0.1:1', epoch: 1 }),
      },
      shards: { send: async (url: string) => { sent.push(url); throw new Error('no shard is called while a part has no owner'); } },
    } as unknown as GatewayContext;
    let status = 0, body: { error: string; partitions: { partition: number; status: number; error: string; inLog: string }[] } | null = null;
    const reply = {
      code(s: number) { status = s; return this; },
      headers() { return this; },
      send(b: typeof body) { body = b; return this; },
    };
    const fills = [served, unowned].map((account) => ({ account, instrument: 'BTC-PERP', quantity: 1, price: 100_000 }));
    await writeBatch(ctx, 'fills', { body: { fills }, headers: {} } as never, reply as never);
    expect(sent).toEqual([]);
    expect(status).toBe(503);
    const [p, q] = [partitionOf(served), partitionOf(unowned)];
    const byPartition = new Map(body!.partitions.map((o) => [o.partition, o]));
    expect(byPartition.get(p)).toEqual({ partition: p, status: 503, inLog: 'false', error: `partition ${p} is not served right now (the batch waits for partition ${q}, which has no owner); try again shortly` });
    expect(byPartition.get(q)).toEqual({ partition: q, status: 503, inLog: 'false', error: `partition ${q} is not served right now (it has no owner); try again shortly` });
  });
});
