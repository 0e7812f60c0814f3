/**
 * The durable log against a real redis-server (appendonly yes, appendfsync always, its own data dir): fenced writes,
 * explicit sequence ids, retries, leases, trimming, ticks, a paused server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDurability, compareStreamIds, DurabilityError, FencedError, LogConflictError, PartitionLog, TickLog } from '../../src/durable/log.js';
import { type LogEntry, LogKeys } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-durable-log-');
let server: RedisServer;
let redis: RedisClient;
let other: RedisClient; // a second connection: another shard, or an operator

beforeAll(async () => {
  server = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  other = await connectRedis(server.url, { maxAttempts: 3 });
});

afterAll(async () => {
  redis?.disconnect();
  other?.disconnect();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fills = (id: string, n = 1): LogEntry => ({ kind: 'fills', id, fills: Array.from({ length: n }, (_, i) => ({ account: `a${i}`, instrument: 'BTC-PERP', quantity: 1, price: 100 + i })) });
let clusters = 0;
/** A fresh cluster name per test: no test sees another's keys. */
const fresh = () => new LogKeys(`t${++clusters}`);

describe('checkDurability', () => {
  const plainDir = scratchDir('mc-durable-plain-'); // where CONFIG SET appendonly yes writes its file
  let plain: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    plain = await startRedis(['--dir', plainDir]); // appendonly no
    client = await connectRedis(plain.url, { maxAttempts: 3 });
  });
  afterAll(async () => {
    client?.disconnect();
    await plain?.stop();
  });

  it('refuses appendonly no in strict mode, naming what it found and the way out', async () => {
    const refusal = checkDurability(client, 'strict');
    await expect(refusal).rejects.toBeInstanceOf(DurabilityError);
    await expect(refusal).rejects.toThrow(/appendonly no and appendfsync everysec.*--durability relaxed/);
  });

  it('refuses appendfsync everysec in strict mode', async () => {
    await client.config('SET', 'appendonly', 'yes');
    await expect(checkDurability(client, 'strict')).rejects.toThrow(/appendonly yes and appendfsync everysec; a strict log needs/);
    await client.config('SET', 'appendonly', 'no');
  });

  it('accepts anything in relaxed mode, and appendonly yes + always in strict mode', async () => {
    await expect(checkDurability(client, 'relaxed')).resolves.toBeUndefined();
    await expect(checkDurability(redis, 'strict')).resolves.toBeUndefined();
  });

  it('refuses in strict mode when CONFIG cannot be read', async () => {
    const broken = { call: async () => { throw new Error("ERR unknown command 'CONFIG'"); } } as unknown as RedisClient;
    await expect(checkDurability(broken, 'strict')).rejects.toThrow(/CONFIG GET refused \(ERR unknown command 'CONFIG'\).*--durability relaxed/);
  });
});

describe('PartitionLog: append and read', () => {
  it('reads back what was appended, in seq order, after a given seq and at most count', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(5, 's1', 'http://127.0.0.1:1', 10_000))!;
    expect(epoch).toBe(1);
    expect(await log.lastSeq(5)).toBe(0);
    expect(await log.append(5, 's1', epoch, 1, [fills('op1'), fills('op2', 3)])).toBe('appended');
    expect(await log.append(5, 's1', epoch, 3, [{ kind: 'transfers', id: 'op3', transfers: [{ from: 'm', to: 's', asset: 'USD', amount: 5 }] }])).toBe('appended');
    expect(await log.lastSeq(5)).toBe(3);
    expect((await redis.xrange(keys.fills(5), '-', '+')).map(([id]) => id)).toEqual(['1-0', '2-0', '3-0']);
    const all = await log.read(5, 0, 100);
    expect(all.map((r) => [r.seq, r.entry.id])).toEqual([[1, 'op1'], [2, 'op2'], [3, 'op3']]);
    expect(all[1].entry).toEqual(fills('op2', 3));
    expect((await log.read(5, 1, 1)).map((r) => r.seq)).toEqual([2]);
    expect(await log.read(5, 3, 10)).toEqual([]);
    expect(await log.read(6, 0, 10)).toEqual([]); // another partition: its own stream
  });

  it('answers a retried append whose first try landed with "duplicate", storing nothing twice', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(0, 's1', 'u', 10_000))!;
    const batch = [fills('op1'), fills('op2')];
    expect(await log.append(0, 's1', epoch, 1, batch)).toBe('appended');
    expect(await log.append(0, 's1', epoch, 1, batch)).toBe('duplicate');
    expect(await log.append(0, 's1', epoch, 2, [fills('op2')])).toBe('duplicate');
    expect(await redis.xlen(keys.fills(0))).toBe(2);
  });

  it('refuses an append whose seqs hold other entries, or that would leave a gap, writing nothing', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(0, 's1', 'u', 10_000))!;
    await log.append(0, 's1', epoch, 1, [fills('op1'), fills('op2')]);
    await expect(log.append(0, 's1', epoch, 2, [fills('other')])).rejects.toThrow(LogConflictError);
    await expect(log.append(0, 's1', epoch, 2, [fills('op2'), fills('op3')])).rejects.toThrow(/at or below the stream's top seq 2/);
    await expect(log.append(0, 's1', epoch, 4, [fills('op4')])).rejects.toThrow(/would leave a gap after seq 2/);
    expect((await log.read(0, 0, 10)).map((r) => r.entry.id)).toEqual(['op1', 'op2']);
  });

  it('refuses bad arguments before touching Redis', async () => {
    const log = new PartitionLog(redis, fresh());
    await expect(log.append(0, 's1', 1, 0, [fills('x')])).rejects.toThrow(/firstSeq must be an integer ≥ 1, got 0/);
    await expect(log.append(0, 's1', 1, 1, [])).rejects.toThrow(/at least one entry/);
    await expect(log.append(64, 's1', 1, 1, [fills('x')])).rejects.toThrow(/partition must be/);
    await expect(log.read(0, -1, 10)).rejects.toThrow(/afterSeq/);
  });
});

describe('PartitionLog: leases and fencing', () => {
  it('gives a partition held under a live lease to no other shard', async () => {
    const log = new PartitionLog(redis, fresh());
    expect(await log.acquire(1, 's1', 'u1', 10_000)).toBe(1);
    expect(await log.acquire(1, 's2', 'u2', 10_000)).toBeNull();
    expect(await log.acquire(1, 's1', 'u1', 10_000)).toBe(1); // the holder taking it again keeps its epoch
  });

  it('says how long a lease has left (0 when no shard holds the partition)', async () => {
    const log = new PartitionLog(redis, fresh());
    expect(await log.leaseLeftMs(2)).toBe(0);
    await log.acquire(2, 's1', 'u1', 10_000);
    const left = await log.leaseLeftMs(2);
    expect(left).toBeGreaterThan(9_000);
    expect(left).toBeLessThanOrEqual(10_000);
  });

  it('fences a stale owner after another shard took over its lapsed lease: append, trim and setCheckpoint refused, nothing of it in Redis', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const stale = (await log.acquire(9, 'sA', 'http://127.0.0.1:1', 50))!;
    await log.append(9, 'sA', stale, 1, [fills('a1'), fills('a2'), fills('a3')]);
    await log.setCheckpoint(9, 'sA', stale, { fillSeq: 1, tickId: '0-0', file: 'p9-1.ckpt' });
    await sleep(120); // sA "paused" past its lease
    const fresher = (await log.acquire(9, 'sB', 'http://127.0.0.1:2', 10_000))!;
    expect(fresher).toBe(stale + 1);

    const append = log.append(9, 'sA', stale, 4, [fills('late')]);
    await expect(append).rejects.toBeInstanceOf(FencedError);
    await expect(append).rejects.toThrow(/partition 9: shard sA at epoch 1 is fenced \(epoch now 2, owner .*"shard":"sB"/);
    await expect(log.trim(9, 'sA', stale, 3)).rejects.toBeInstanceOf(FencedError);
    await expect(log.setCheckpoint(9, 'sA', stale, { fillSeq: 3, tickId: '0-0', file: 'late.ckpt' })).rejects.toBeInstanceOf(FencedError);
    // a retry of an append that did land is fenced too: the stale owner cannot even confirm it
    await expect(log.append(9, 'sA', stale, 1, [fills('a1')])).rejects.toBeInstanceOf(FencedError);

    expect((await log.read(9, 0, 10)).map((r) => r.entry.id)).toEqual(['a1', 'a2', 'a3']);
    expect(await log.getCheckpoint(9)).toEqual({ fillSeq: 1, tickId: '0-0', file: 'p9-1.ckpt' });
    expect(JSON.parse((await redis.get(keys.owner(9)))!)).toEqual({ shard: 'sB', epoch: 2, url: 'http://127.0.0.1:2' });

    // the new owner goes on from the log's top
    expect(await log.lastSeq(9)).toBe(3);
    expect(await log.append(9, 'sB', fresher, 4, [fills('b4')])).toBe('appended');
  });

  it('fences a shard whose lease lapsed even when nobody took over, and gives it a new epoch when it comes back', async () => {
    const log = new PartitionLog(redis, fresh());
    const first = (await log.acquire(2, 'sA', 'u', 50))!;
    await sleep(120);
    await expect(log.append(2, 'sA', first, 1, [fills('x')])).rejects.toBeInstanceOf(FencedError);
    expect(await log.renew(2, 'sA', first, 10_000)).toBe(false);
    const again = (await log.acquire(2, 'sA', 'u', 10_000))!;
    expect(again).toBe(first + 1);
    expect(await log.append(2, 'sA', again, 1, [fills('x')])).toBe('appended');
  });

  it('gives a restarted process under the same shard id (another url) a new epoch, fencing the old one', async () => {
    const log = new PartitionLog(redis, fresh());
    const old = (await log.acquire(3, 'shard-1', 'http://127.0.0.1:1001', 10_000))!;
    const restarted = (await log.acquire(3, 'shard-1', 'http://127.0.0.1:1002', 10_000))!;
    expect(restarted).toBe(old + 1);
    await expect(log.append(3, 'shard-1', old, 1, [fills('x')])).rejects.toBeInstanceOf(FencedError);
  });

  it('renews a held lease, and fails to renew after a takeover', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(4, 'sA', 'u', 200))!;
    expect(await log.renew(4, 'sA', epoch, 60_000)).toBe(true);
    const ttl = await redis.pttl(keys.owner(4));
    expect(ttl).toBeGreaterThan(1000); // renewed to 60 s, not the 200 ms it was taken with
    await redis.pexpire(keys.owner(4), 1); // the lease runs out
    await sleep(20);
    expect(await log.acquire(4, 'sB', 'u2', 10_000)).toBe(epoch + 1);
    expect(await log.renew(4, 'sA', epoch, 10_000)).toBe(false);
    expect(JSON.parse((await redis.get(keys.owner(4)))!).shard).toBe('sB');
  });

  it('releases only its own lease, so the next shard takes the partition at once', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(7, 'sA', 'u', 60_000))!;
    await log.release(7, 'sA', epoch + 1); // not ours at that epoch: nothing
    await log.release(7, 'sB', epoch);
    expect(await redis.exists(keys.owner(7))).toBe(1);
    await log.release(7, 'sA', epoch);
    expect(await redis.exists(keys.owner(7))).toBe(0);
    expect(await log.acquire(7, 'sB', 'u2', 60_000)).toBe(epoch + 1);
  });
});

describe('PartitionLog: appendMany (several partitions in one round trip)', () => {
  it('appends each partition at its own seqs, fenced on its own: a stale owner\'s part refused, the others written', async () => {
    const keys = fresh();
    const log = new PartitionLog(redis, keys);
    const [e1, e2, e3] = [await log.acquire(1, 'me', 'http://127.0.0.1:1', 60_000), await log.acquire(2, 'me', 'http://127.0.0.1:1', 60_000), await log.acquire(3, 'me', 'http://127.0.0.1:1', 60_000)];
    await log.append(2, 'me', e2!, 1, [fills('earlier')]);
    await other.del(keys.owner(3)); // partition 3's lease ran out and another shard took it
    expect(await new PartitionLog(other, keys).acquire(3, 'other', 'http://127.0.0.1:2', 60_000)).toBe(e3! + 1);
    const settled = await log.appendMany([
      { p: 1, shard: 'me', epoch: e1!, firstSeq: 1, entries: [fills('x'), fills('y')] },
      { p: 2, shard: 'me', epoch: e2!, firstSeq: 2, entries: [fills('x')] },
      { p: 3, shard: 'me', epoch: e3!, firstSeq: 1, entries: [fills('x')] },
      { p: 4, shard: 'me', epoch: 0, firstSeq: 1, entries: [fills('x')] }, // bad arguments: refused alone, never sent
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(FencedError);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect((await log.read(1, 0, 10)).map((e) => [e.seq, e.entry.id])).toEqual([[1, 'x'], [2, 'y']]);
    expect((await log.read(2, 0, 10)).map((e) => [e.seq, e.entry.id])).toEqual([[1, 'earlier'], [2, 'x']]);
    expect(await log.lastSeq(3)).toBe(0);
    expect(await log.lastSeq(4)).toBe(0);
  });

  it('answers a resent part whose first try landed with "duplicate", next to a new part', async () => {
    const log = new PartitionLog(redis, fresh());
    const [e1, e2] = [await log.acquire(1, 'me', 'u', 60_000), await log.acquire(2, 'me', 'u', 60_000)];
    await log.append(1, 'me', e1!, 1, [fills('a')]);
    const settled = await log.appendMany([{ p: 1, shard: 'me', epoch: e1!, firstSeq: 1, entries: [fills('a')] }, { p: 2, shard: 'me', epoch: e2!, firstSeq: 1, entries: [fills('b')] }]);
    expect(settled).toEqual([{ status: 'fulfilled', value: 'duplicate' }, { status: 'fulfilled', value: 'appended' }]);
    expect((await log.read(1, 0, 10)).map((e) => e.entry.id)).toEqual(['a']);
  });

  it('appends what several partitions ask for in one turn (appendSoon), each at its own seqs', async () => {
    const keys = fresh();
    const log = new PartitionLog(redis, keys);
    const epochs = await Promise.all([0, 1, 2].map((p) => log.acquire(p, 'me', 'u', 60_000)));
    const outcomes = await Promise.all([0, 1, 2].map((p) => log.appendSoon({ p, shard: 'me', epoch: epochs[p]!, firstSeq: 1, entries: [fills(`op${p}`)] })));
    expect(outcomes).toEqual(['appended', 'appended', 'appended']);
    for (const p of [0, 1, 2]) expect((await log.read(p, 0, 10)).map((e) => e.entry.id)).toEqual([`op${p}`]);
  });
});

describe('PartitionLog: trim and checkpoint pointer', () => {
  it('keeps every entry at or above minSeq, and lastSeq does not go back', async () => {
    const log = new PartitionLog(redis, fresh());
    const epoch = (await log.acquire(8, 's', 'u', 10_000))!;
    await log.append(8, 's', epoch, 1, Array.from({ length: 6 }, (_, i) => fills(`op${i + 1}`)));
    expect(await log.trim(8, 's', epoch, 4)).toBe(3);
    expect((await log.read(8, 0, 10)).map((r) => r.seq)).toEqual([4, 5, 6]);
    expect(await log.trim(8, 's', epoch, 100)).toBe(3); // everything
    expect(await log.lastSeq(8)).toBe(6);
    expect(await log.append(8, 's', epoch, 7, [fills('op7')])).toBe('appended');
    await expect(log.append(8, 's', epoch, 1, [fills('op1')])).rejects.toThrow(/only 0 of its 1 seqs are in the stream \(trimmed/);
  });

  it('stores and returns the checkpoint pointer', async () => {
    const log = new PartitionLog(redis, fresh());
    expect(await log.getCheckpoint(0)).toBeNull();
    const epoch = (await log.acquire(0, 's', 'u', 10_000))!;
    await log.setCheckpoint(0, 's', epoch, { fillSeq: 42, tickId: '1700000000000-3', file: 'p0-42.ckpt' });
    expect(await log.getCheckpoint(0)).toEqual({ fillSeq: 42, tickId: '1700000000000-3', file: 'p0-42.ckpt' });
    await expect(log.setCheckpoint(0, 's', epoch, { fillSeq: 1, tickId: 'latest', file: 'x' })).rejects.toThrow(/stream id/);
  });
});

describe('a paused Redis (CLIENT PAUSE … WRITE)', () => {
  it('delays an append until the pause ends, and the append then lands once', async () => {
    const keys = fresh(), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(10, 's', 'u', 60_000))!;
    await log.append(10, 's', epoch, 1, [fills('op1')]); // scripts loaded before the pause
    await other.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    let settled = false;
    const append = log.append(10, 's', epoch, 2, [fills('op2')]).finally(() => (settled = true));
    try {
      await sleep(100);
      expect(settled).toBe(false);
      expect(await other.xlen(keys.fills(10))).toBe(1); // reads go on during a WRITE pause
    } finally {
      await other.call('CLIENT', 'UNPAUSE'); // never leave the server paused, even when this test fails
    }
    expect(await append).toBe('appended');
    expect((await log.read(10, 0, 10)).map((r) => r.entry.id)).toEqual(['op1', 'op2']);
  });
});

describe('TickLog', () => {
  it('appends ticks and reads them in order after an id', async () => {
    const ticks = new TickLog(redis, fresh());
    expect(await ticks.lastId()).toBe('0-0');
    const ids = [await ticks.append({ assets: { BTC: { price: 100 } } }), await ticks.append({ assets: { BTC: { price: 101 } } }), await ticks.append({ assets: { BTC: { price: 99 } } })];
    expect(compareStreamIds(ids[0], ids[1])).toBeLessThan(0);
    expect(await ticks.lastId()).toBe(ids[2]);
    const all = await ticks.read('0-0', 10);
    expect(all.map((t) => t.id)).toEqual(ids);
    expect(all.map((t) => (t.tick as { assets: { BTC: { price: number } } }).assets.BTC.price)).toEqual([100, 101, 99]);
    expect((await ticks.read(ids[0], 1)).map((t) => t.id)).toEqual([ids[1]]);
    expect(await ticks.trim(ids[1])).toBe(1);
    expect((await ticks.read('0-0', 10)).map((t) => t.id)).toEqual(ids.slice(1));
    expect(await ticks.trim('99999999999999-0')).toBe(2); // all of them
    expect(await ticks.lastId()).toBe(ids[2]); // the stream remembers its top
  });

  it('blocks a read until a tick arrives, and returns none when none came in time', async () => {
    const keys = fresh(), reader = new TickLog(other, keys), writer = new TickLog(redis, keys);
    expect(await reader.read('0-0', 10, 30)).toEqual([]);
    const waiting = reader.read('0-0', 10, 10_000);
    await sleep(50);
    const id = await writer.append({ assets: { ETH: { price: 2000 } } });
    expect(await waiting).toEqual([{ id, tick: { assets: { ETH: { price: 2000 } } } }]);
  });
});

describe('compareStreamIds', () => {
  it('orders ids numerically, not as text', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('18446744073709551615-1', '18446744073709551615-0')).toBe(1); // 2^64 − 1 ms, exact
    expect(compareStreamIds('5-5', '5-5')).toBe(0);
    expect(() => compareStreamIds('5', '5-0')).toThrow(/"ms-seq"/);
  });
});
