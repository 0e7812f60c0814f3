/**
 * The gateway's subaccount → master table when it is behind Redis's `masters` hash (docs/live-cluster.md: "A batch
 * answered 400 is never worth resending as it is"). A subaccount lives in its master's partition; a gateway that read
 * the table before the subaccount was written routes it by its own id, to a partition that does not hold it. Before it
 * answers that the account is unknown it must read the table again and route the request to the master's partition:
 * the first request succeeds, as a resent one would.
 *
 * Made deterministic against a real redis-server, one `live-shard` and a `live-gateway`: the mapping is taken out of
 * the hash, the gateway made to read the hash without it (an unknown id after its recheck interval), the mapping
 * written back, and the subaccount's request sent at once, within the interval in which the gateway does not look.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogKeys, partitionOf } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { call, CLUSTER_MARKET, type LiveProcess, startGateway, startShard, until } from '../support/live-cluster.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-masters-');
const CLUSTER = 'masters';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const [MASTER, SUB] = ['m0', 'm0-s1'];
const usdc = (amount: number) => [{ asset: 'USDC', amount }];
const BOOK = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [
    { id: MASTER, positions: [], collateral: usdc(1_000_000) },
    { id: SUB, master: MASTER, positions: [], collateral: usdc(1_000_000) },
    ...Array.from({ length: 100 }, (_, i) => ({ id: `acc${i}`, positions: [], collateral: usdc(1_000_000) })),
  ],
};
const MARKET = CLUSTER_MARKET;
/** The gateway reads the hash again at most this often for ids it does not know (owners.ts MasterTable's default). */
const RECHECK_MS = 1_000;
const keys = new LogKeys(CLUSTER);

let server: RedisServer;
let redis: RedisClient;
const running: LiveProcess[] = [];
let gateway: LiveProcess;

beforeAll(async () => {
  writeFileSync(files.book, JSON.stringify(BOOK));
  writeFileSync(files.market, JSON.stringify(MARKET));
  server = await startRedis();
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  running.push(await startShard(server.url, CLUSTER, files, ['--durability', 'relaxed', '--lease-ms', '2000', '--checkpoint-every', '3600', '--shard-id', 's0']));
  gateway = await startGateway(server.url, CLUSTER);
  running.push(gateway);
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 'the gateway to be ready');
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  redis?.disconnect();
  await server?.stop();
});

/** Leaves the gateway with a table read without the subaccount, then writes the subaccount back into the hash. */
async function staleTable(): Promise<void> {
  await redis.hdel(keys.masters, SUB);
  await new Promise((r) => setTimeout(r, RECHECK_MS + 100));
  await call(gateway.url, 'GET', '/accounts/nobody'); // an id it does not know, past the interval: it reads the hash
  await redis.hset(keys.masters, SUB, MASTER);
}

describe('a subaccount written after the gateway read its master table', () => {
  it('is routed by its own id to another partition than its master\'s (what makes the test mean something)', () => {
    expect(partitionOf(SUB)).not.toBe(partitionOf(MASTER));
  });

  it('has its fill applied in its master\'s partition on the first try', async () => {
    await staleTable();
    const fill = await call(gateway.url, 'POST', '/fills', { fills: [{ account: SUB, instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
    expect(fill.status, JSON.stringify(fill.body)).toBe(200);
    expect(fill.body.partitions).toEqual([{ partition: partitionOf(MASTER), seq: 1 }]);
  });

  it('has a fill spread over its partition and another one applied whole', async () => {
    await staleTable();
    const other = BOOK.accounts.find((a) => partitionOf(a.id) !== partitionOf(MASTER) && !('master' in a))!.id;
    const fills = [{ account: other, instrument: 'BTC-PERP', quantity: 1, price: 100_000 }, { account: SUB, instrument: 'BTC-PERP', quantity: -1, price: 100_000 }];
    const answer = await call(gateway.url, 'POST', '/fills', { fills });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.partitions.map((x: { partition: number }) => x.partition).sort()).toEqual([partitionOf(other), partitionOf(MASTER)].sort());
  });

  it('is found by GET /accounts/:id and POST /what-if on the first try', async () => {
    await staleTable();
    const row = await call(gateway.url, 'GET', `/accounts/${SUB}`);
    expect(row.status, JSON.stringify(row.body)).toBe(200);
    await staleTable();
    const whatIf = await call(gateway.url, 'POST', '/what-if', { account: SUB, trades: [{ instrument: 'BTC-PERP', quantity: 1 }] });
    expect(whatIf.status, JSON.stringify(whatIf.body)).toBe(200);
  });

  it('still answers 400 at once for an account no partition holds', async () => {
    const answer = await call(gateway.url, 'POST', '/fills', { fills: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
    expect(answer.status).toBe(400);
    expect(answer.body.problems.map((q: { path: string }) => q.path)).toEqual(['fills[0].account']);
  });
});

describe('a what-if or check with no account to route it by', () => {
  // serve lists every problem of such a body (its schema's, in its order); the gateway, with no partition to send it
  // to, has a shard check it, and answers the same list (it said the account alone)
  it.each([
    ['/check', { trades: [{ instrument: 'BTC-PERP' }] }, ['body.trades', 'account', 'order']],
    ['/what-if', { account: '', order: {} }, ['body.order', 'account', 'trades']],
    ['/check', [1], ['body']],
  ])('POST %s %j lists every problem of the body, as serve does', async (route, body, paths) => {
    const answer = await call(gateway.url, 'POST', route, body);
    expect(answer.status).toBe(400);
    expect(answer.body.problems.map((q: { path: string }) => q.path)).toEqual(paths);
  });
});
