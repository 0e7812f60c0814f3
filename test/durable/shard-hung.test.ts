/**
 * A shard that hangs (SIGSTOP: its sockets stay open, it answers nothing) holds up no read for longer than about a
 * lease (docs/live-cluster.md "503 and Retry-After"): the gateway's read-only forwards (GET /accounts/:id, /what-if,
 * /check) and the status probes of /ready and /metrics give up on it after the read timeout, then read the owners
 * again and ask the new owner or answer 503 with Retry-After; /ready names its partitions as not served.
 *
 * Against a real redis-server, two `live-shard` processes and a `live-gateway` from the built CLI, the default lease.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogKeys, partitionOf } from '../../src/durable/partitions.js';
import { call, cashBook, CLUSTER_MARKET, clusterFixture, type LiveProcess, startGateway, startShard, TOKEN, until } from '../support/live-cluster.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-hung-');
const CLUSTER = 'hung';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const BOOK = cashBook(200);
const IDS = BOOK.accounts.map((a) => a.id);
const MARKET = CLUSTER_MARKET;
const SHARD_ARGS = ['--durability', 'relaxed', '--checkpoint-every', '3600'];
/** What a read may take while a shard hangs: about a lease (3 s by default), not the 10 s a write may wait. */
const WITHIN_MS = 3_000;

const fx = clusterFixture(files, BOOK, MARKET);

/** The answer and how long it took, ms. */
async function timed<T>(request: Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await request;
  return { answer, ms: performance.now() - started };
}

describe('a hung shard', () => {
  it('holds up /ready, /metrics and reads of its accounts for at most about a lease', async () => {
    const shards: LiveProcess[] = [];
    for (const id of ['h0', 'h1']) shards.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', id]));
    fx.running.push(...shards);
    const gateway = await startGateway(fx.server.url, CLUSTER);
    fx.running.push(gateway);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 'the cluster to be ready');
    const keys = new LogKeys(CLUSTER);
    const owner = async (id: string) => JSON.parse((await fx.redis.get(keys.owner(partitionOf(id))))!).shard as string;
    const onH0: string[] = [];
    for (const id of IDS) if ((await owner(id)) === 'h0') onH0.push(id);
    expect(onH0.length).toBeGreaterThan(3);
    // the gateway's connections to h0 are open and kept alive: a hung shard accepts and never answers
    for (const id of onH0.slice(0, 4)) expect((await call(gateway.url, 'GET', `/accounts/${id}`)).status).toBe(200);

    shards[0].child.kill('SIGSTOP');
    try {
      const [ready, metrics, whatIf, check, account] = await Promise.all([
        timed(call(gateway.url, 'GET', '/ready')),
        timed(fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status)),
        timed(call(gateway.url, 'POST', '/what-if', { account: onH0[0], trades: [{ instrument: 'BTC-PERP', quantity: 1 }] })),
        timed(call(gateway.url, 'POST', '/check', { account: onH0[1], order: { instrument: 'BTC-PERP', quantity: 1 } })),
        timed(call(gateway.url, 'GET', `/accounts/${onH0[2]}`)),
      ]);
      expect(ready.ms).toBeLessThan(WITHIN_MS);
      expect(ready.answer.status).toBe(503);
      expect(ready.answer.body.partitions.unreachable.length).toBeGreaterThan(0);
      expect(metrics.ms).toBeLessThan(WITHIN_MS);
      expect(metrics.answer).toBe(200);
      for (const read of [whatIf, check, account]) {
        expect(read.ms, JSON.stringify(read.answer.body)).toBeLessThan(WITHIN_MS);
        // its new owner's answer, or 503 with Retry-After while the partition has none that answers
        if (read.answer.status !== 200) {
          expect(read.answer.status, JSON.stringify(read.answer.body)).toBe(503);
          expect(read.answer.headers.get('retry-after')).toBe('1');
        }
      }
      // the other shard takes h0's partitions once its lease has run out: then they are served again
      await until(async () => (await call(gateway.url, 'GET', `/accounts/${onH0[3]}`)).status === 200, 20_000, 'h1 to serve h0\'s partitions');
    } finally {
      shards[0].child.kill('SIGCONT');
    }
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 'the cluster to be ready again');
  }, 90_000);
});
