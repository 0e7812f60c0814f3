/**
 * A tick one partition cannot follow (docs/live-cluster.md, ticks): one that would take an account beyond the domain's
 * bounds (a position's notional above 1e15 USD) is refused by `POST /tick` with that account's problem, as one session
 * refuses it, and logged for no partition; the others go on at the market before it. One that reaches the log all the
 * same (a fill in flight, a partition recovering when it was checked: here appended to the stream directly) leaves
 * its partition `refused`, named with why, at once and again after a restart, while the others apply it: never served
 * on a market the cluster moved past. Against a real redis-server, `live-shard` and `live-gateway` from the built CLI.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogKeys, partitionOf } from '../../src/durable/partitions.js';
import { call, CLUSTER_MARKET, clusterFixture, type LiveProcess, startGateway, startShard, until } from '../support/live-cluster.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-tick-domain-');
const CLUSTER = 'tickdomain';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const SMALL = Array.from({ length: 40 }, (_, i) => `small${i}`);
const BOOK = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [
    // 5e9 contracts: 5e14 USD at 100,000, 1.25e15 at 250,000
    { id: 'whale', positions: [{ instrument: 'BTC-PERP', quantity: 5e9, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e14 }] },
    ...SMALL.map((id) => ({ id, positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 20_000 }] })),
  ],
};
const SHARD_ARGS = ['--durability', 'relaxed', '--lease-ms', '3000', '--checkpoint-every', '3600'];
const fx = clusterFixture(files, BOOK, CLUSTER_MARKET);
const other = SMALL.find((id) => partitionOf(id) !== partitionOf('whale'))!;

describe('a tick beyond the domain of one partition', () => {
  let gateway: LiveProcess;

  it('is refused by POST /tick with the account\'s problem, and no partition moves', async () => {
    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's0']));
    gateway = await startGateway(fx.server.url, CLUSTER);
    fx.running.push(gateway);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 30_000, 'the cluster to be ready');
    const before = (await call(gateway.url, 'GET', `/accounts/${other}`)).body;
    const beyond = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 250_000 } } });
    expect(beyond.status, JSON.stringify(beyond.body)).toBe(400);
    // the path indexes the whale's partition's accounts (the book's first account is its partition's first)
    expect(beyond.body.problems).toEqual([{ path: `partitions[${partitionOf('whale')}].accounts[0]`, message: 'account whale: the position in BTC-PERP has a notional of 1250000000000000 USD, above the largest notional 1e15 USD' }]);
    expect((await call(gateway.url, 'GET', `/accounts/${other}`)).body).toEqual(before);
    // a tick within the bounds is taken by every partition
    const within = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 150_000 } } });
    expect(within.status).toBe(200);
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${other}`)).body.equity === 20_000 + 0.1 * 50_000, 10_000, 'the tick to be applied');
    expect((await call(gateway.url, 'GET', '/report')).status).toBe(200);
  }, 90_000);

  it('one that reached the log all the same leaves its partition refused, named, at once and after a restart; the others apply it', async () => {
    await fx.redis.xadd(new LogKeys(CLUSTER).ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 250_000 } } }));
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${other}`)).body.equity === 20_000 + 0.1 * 150_000, 10_000, 'the others to apply it');
    const refused = async () => {
      const ready = await call(gateway.url, 'GET', '/ready');
      return ready.status === 503 && (ready.body.partitions?.refused ?? []).includes(partitionOf('whale')) ? ready : null;
    };
    await until(async () => (await refused()) !== null, 10_000, 'the whale\'s partition to be refused');
    const ready = (await refused())!;
    expect(ready.headers.get('retry-after')).toBeNull();
    expect(ready.body.reason).toMatch(/tick \d+-\d+ of the log would take an account of it beyond the domain's bounds \(accounts\[0\]: account whale: .*1250000000000000 USD.*\); the other partitions applied it, so this one is not served/);
    const whale = await call(gateway.url, 'GET', '/accounts/whale');
    expect([whale.status, whale.headers.get('retry-after')]).toEqual([503, null]);
    const report = await call(gateway.url, 'GET', '/report');
    expect([report.status, report.headers.get('retry-after')]).toEqual([503, null]);
    // a restart replays the log and meets the same tick: refused again, never served at 150,000
    const shard = fx.running.shift()!;
    await shard.kill();
    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's1']));
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${other}`)).status === 200, 30_000, 's1 to serve the others');
    await until(async () => (await refused()) !== null, 30_000, 'the whale\'s partition to be refused after the restart');
    expect((await call(gateway.url, 'GET', `/accounts/${other}`)).body.equity).toBe(20_000 + 0.1 * 150_000);
  }, 120_000);
});
