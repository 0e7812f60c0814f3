/**
 * A partition's recovery (src/durable/recovery.ts) against a real redis-server and checkpoint files on disk, where the
 * log was trimmed: from the checkpoint the trim was made for, only the entries after it are replayed; with that
 * checkpoint gone or damaged, or the log trimmed to nothing, recovery refuses (LogGapError) rather than serve a state
 * with fills missing.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { buildFingerprint, CheckpointStore } from '../../src/durable/checkpoint.js';
import { PartitionLog, TickLog } from '../../src/durable/log.js';
import { LogGapError, LogLostError, PartitionState, partitionBook, TickLostError } from '../../src/durable/partition-state.js';
import { type LogEntry, LogKeys, partitionOf } from '../../src/durable/partitions.js';
import { recoverPartition, type RecoverySource } from '../../src/durable/recovery.js';
import { validateBook } from '../../src/model/validate.js';
import { bookAssets } from '../../src/scale/shard-book.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-durable-recovery-');
const MARKET = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
const BOOK = validateBook({
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [{ id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] }],
});
const P = partitionOf('usd');
/** Three fills of 1 BTC-PERP each, at 101,000, 102,000 and 103,000. */
const ENTRIES: LogEntry[] = [1, 2, 3].map((k) => ({ kind: 'fills', id: `op${k}`, fills: [{ account: 'usd', instrument: 'BTC-PERP', quantity: 1, price: 100_000 + 1_000 * k }] }));

let server: RedisServer;
let redis: RedisClient;
let engine: Engine;
let clusters = 0;

beforeAll(async () => {
  server = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
  redis = await connectRedis(server.url, { maxAttempts: 3 });
  engine = await createEngine({ backend: 'js' });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/**
 * A fresh cluster whose partition P holds the three entries, a checkpoint at seq 2 in its own directory, and a log
 * trimmed below seq 3 (as a shard trims up to its older checkpoint's fill seq).
 */
async function trimmedAfterCheckpoint(): Promise<{ src: RecoverySource; store: CheckpointStore }> {
  const keys = new LogKeys(`r${++clusters}`);
  const log = new PartitionLog(redis, keys);
  const epoch = (await log.acquire(P, 's', 'http://127.0.0.1:1', 60_000))!;
  await log.append(P, 's', epoch, 1, ENTRIES);
  const store = new CheckpointStore(join(dir, keys.cluster));
  const lived = PartitionState.open(engine, P, partitionBook(BOOK, P), MARKET, { method: 'cross' }, { fillSeq: 0, tickId: '0-0' });
  try {
    ENTRIES.slice(0, 2).forEach((e, i) => lived.applyEntry(i + 1, e));
    await store.write(P, await lived.checkpoint(buildFingerprint()));
  } finally {
    lived.release();
  }
  expect(await log.trim(P, 's', epoch, 3)).toBe(2);
  const src: RecoverySource = { engine, store, fingerprint: buildFingerprint(), liveOptions: { method: 'cross' }, bookFile: async () => ({ book: BOOK, assets: bookAssets(BOOK) }), market: MARKET, log, ticks: new TickLog(redis, keys) };
  return { src, store };
}

/** Flips a byte of the store's one checkpoint file (its CRC then refuses it); returns the file's name. */
function flipCheckpointByte(store: CheckpointStore): string {
  const [file] = readdirSync(store.dir);
  const bytes = readFileSync(join(store.dir, file));
  bytes[100] ^= 0xff;
  writeFileSync(join(store.dir, file), bytes);
  return file;
}

/** The position of `usd` in a recovered partition: quantity and average entry price. */
function position(state: PartitionState): { quantity: number; entryPrice: number } {
  const positions = state.live!.layout.positions;
  const at = positions.start.array[0];
  return { quantity: positions.column<'f64'>('quantity').array[at], entryPrice: positions.column<'f64'>('entryPrice').array[at] };
}

describe('recovery over a trimmed log', () => {
  it('recovers from the checkpoint the trim was made for, replaying only the entry after it', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const r = await recoverPartition(src, P, () => true);
    try {
      expect(r.from).toBe('checkpoint');
      expect(r.at.fillSeq).toBe(2);
      expect(r.entriesReplayed).toBe(1);
      expect(r.state.lastFillSeq).toBe(3);
      // 1 long at 100,000 then 1 each at 101,000, 102,000, 103,000: 4 long at an average cost of 101,500 (by hand)
      expect(position(r.state)).toEqual({ quantity: 4, entryPrice: 101_500 });
    } finally {
      r.state.release();
    }
  });

  it('refuses to recover from the book when the checkpoint is gone: entries 1…2 are missing from the log', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    for (const f of readdirSync(store.dir)) rmSync(join(store.dir, f));
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(LogGapError);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(/entries 1…2 are missing/);
  });

  it('refuses the book, and a checkpoint behind the log, when the log was trimmed to nothing: the highest seq ever appended tells', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    const epoch = (await src.log.acquire(P, 's', 'http://127.0.0.1:1', 60_000))!;
    expect(await src.log.trim(P, 's', epoch, 4)).toBe(1); // entry 3 goes too: the stream is empty, its top seq 3
    expect(await src.log.read(P, 0, 10)).toEqual([]);
    // the checkpoint at seq 2: entry 3 is gone
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(/partition \d+: the log's entries 3…3 are missing/);
    // no checkpoint: entries 1…3 are gone (the book at seq 0 would serve none of the three fills acknowledged)
    for (const f of readdirSync(store.dir)) rmSync(join(store.dir, f));
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(LogGapError);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(/entries 1…3 are missing/);
  });

  it('refuses the damaged checkpoint by its CRC, then refuses the book for the gap', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    flipCheckpointByte(store);
    const refused: string[] = [];
    const found = await store.latestValid(P, src.fingerprint, (r) => refused.push(r.kind));
    expect(found).toBeNull();
    expect(refused).toEqual(['crc']);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(LogGapError);
  });

  it('names the checkpoints it refused on the way, and why, in the refusal for the gap', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    const file = flipCheckpointByte(store);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(new RegExp(`entries 1…2 are missing .*; checkpoints refused: ${file.replace(/[.]/g, '\\.')} \\(crc: `));
  });
});

describe('recovery over a log that lost acknowledged entries (Redis flushed, or back without its append-only file)', () => {
  it('refuses a checkpoint ahead of the log: the entries it holds were appended, so the log lost them and any after', async () => {
    const { src } = await trimmedAfterCheckpoint();
    await redis.del(new LogKeys(`r${clusters}`).fills(P));
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(LogLostError);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(/the log's highest seq is 0, but entries up to 2 were appended \(the checkpoint at seq 2 holds them\)/);
  });

  it('refuses a log behind the seq the shard applied before, from the book as from a checkpoint', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    await redis.del(new LogKeys(`r${clusters}`).fills(P));
    for (const f of readdirSync(store.dir)) rmSync(join(store.dir, f));
    // nothing on disk or in Redis knows of the three fills: the book at seq 0 is all there is, and it would be served
    const served = await recoverPartition(src, P, () => true);
    expect(served.state.lastFillSeq).toBe(0);
    served.state.release();
    // the shard that applied them does
    const withMemory = { ...src, appliedBefore: (p: number) => (p === P ? 3 : 0) };
    await expect(recoverPartition(withMemory, P, () => true)).rejects.toThrow(/highest seq is 0, but entries up to 3 were appended \(this shard applied them\)/);
    // a log that reaches what it applied is recovered as usual
    const again = await recoverPartition({ ...src, appliedBefore: () => 0 }, P, () => true);
    expect(again.state.lastFillSeq).toBe(0);
    again.state.release();
  });
});

describe('recovery over a log whose newest entry was deleted (XDEL: the stream remembers its top)', () => {
  it('refuses a partition whose last acknowledged fill is gone while the entries before it stay (its newest left is 2)', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const keys = new LogKeys(`r${++clusters}`), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(P, 's', 'http://127.0.0.1:1', 60_000))!;
    await log.append(P, 's', epoch, 1, ENTRIES);
    await redis.xdel(keys.fills(P), '3-0');
    const fromBook = { ...src, store: new CheckpointStore(join(dir, keys.cluster)), log, ticks: new TickLog(redis, keys) };
    await expect(recoverPartition(fromBook, P, () => true)).rejects.toThrow(LogGapError);
    await expect(recoverPartition(fromBook, P, () => true)).rejects.toThrow(/the log's entries 3…3 are missing/);
  });

  it('refuses a partition whose checkpoint holds the deleted newest entry: appends would follow the entry left before it', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const keys = new LogKeys(`r${++clusters}`), log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(P, 's', 'http://127.0.0.1:1', 60_000))!;
    await log.append(P, 's', epoch, 1, ENTRIES);
    const withLog = { ...src, store: new CheckpointStore(join(dir, keys.cluster)), log, ticks: new TickLog(redis, keys) };
    const served = await recoverPartition(withLog, P, () => true);
    try {
      expect(served.state.lastFillSeq).toBe(3);
      await withLog.store.write(P, await served.state.checkpoint(buildFingerprint()));
    } finally {
      served.state.release();
    }
    await redis.xdel(keys.fills(P), '3-0');
    await expect(recoverPartition(withLog, P, () => true)).rejects.toThrow(LogGapError);
    await expect(recoverPartition(withLog, P, () => true)).rejects.toThrow(/partition \d+: the log's entries 3…3 are missing \(deleted from the stream; its last entry is 2\)/);
  });

  it('refuses a partition the newest tick would move: it would be served at an older market than the gateway reports', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const ticks = new LogKeys(`r${clusters}`).ticks;
    await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 101_000 } } }));
    const newest = await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 102_000 } } }));
    const served = await recoverPartition(src, P, () => true);
    expect(served.state.lastTickId).toBe(newest);
    served.state.release();
    await redis.xdel(ticks, newest!);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(TickLostError);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(new RegExp(`the ticks stream's newest tick ${newest} is missing`));
  });
});

describe('recovery over a ticks stream whose newest tick was deleted while a checkpoint holds it', () => {
  it('refuses the partition all the same: the others, recovering from older checkpoints, could not follow', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    const ticks = new LogKeys(`r${clusters}`).ticks;
    const older = await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 101_000 } } }));
    const newest = await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 102_000 } } }));
    const served = await recoverPartition(src, P, () => true);
    try {
      expect(served.state.lastTickId).toBe(newest);
      await store.write(P, await served.state.checkpoint(buildFingerprint()));
    } finally {
      served.state.release();
    }
    await redis.xdel(ticks, newest!);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(new RegExp(`the ticks stream's newest tick ${newest} is missing \\(its last entry is ${older}\\)`));
  });
});

describe('recovery over a ticks stream that lost acknowledged ticks (Redis back from an older copy)', () => {
  it('refuses a checkpoint at a tick the stream no longer reaches', async () => {
    const { src, store } = await trimmedAfterCheckpoint();
    const ticks = new LogKeys(`r${clusters}`).ticks;
    const tick = await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 101_000 } } }));
    const served = await recoverPartition(src, P, () => true);
    expect(served.state.lastTickId).toBe(tick);
    try {
      await store.write(P, await served.state.checkpoint(buildFingerprint()));
    } finally {
      served.state.release();
    }
    // the stream as an older copy of Redis's data holds it: gone, its last generated id with it
    await redis.del(ticks);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(TickLostError);
    await expect(recoverPartition(src, P, () => true)).rejects.toThrow(new RegExp(`tick ${tick} was logged \\(the checkpoint at tick ${tick} holds it\\), but the ticks stream's newest tick is 0-0: Redis lost acknowledged ticks`));
  });

  it('refuses a partition while the stream ends before a tick the shard applied, and recovers it once the stream reaches past it', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const ticks = new LogKeys(`r${clusters}`).ticks;
    const applied = '1796000000000-0'; // a tick the shard's tail delivered, which the stream no longer holds
    await expect(recoverPartition({ ...src, tickSeen: () => applied }, P, () => true)).rejects.toThrow(/tick 1796000000000-0 was logged \(this shard applied it\), but the ticks stream's newest tick is 0-0/);
    const newer = await redis.xadd(ticks, '*', 't', JSON.stringify({ assets: { BTC: { price: 103_000 } } }));
    const again = await recoverPartition({ ...src, tickSeen: () => applied }, P, () => true);
    expect(again.state.lastTickId).toBe(newer);
    again.state.release();
  });
});

describe('a replay names the entries the rules refuse', () => {
  it('counts and names entries rejected on apply (an unknown account, a quantity beyond the domain), applying the rest', async () => {
    const keys = new LogKeys(`r${++clusters}`);
    const log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(P, 's', 'http://127.0.0.1:1', 60_000))!;
    const ghost: LogEntry = { kind: 'fills', id: 'ghost', fills: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] };
    const huge: LogEntry = { kind: 'fills', id: 'huge', fills: [{ account: 'usd', instrument: 'BTC-PERP', quantity: 1e300, price: 100_000 }] };
    await log.append(P, 's', epoch, 1, [ENTRIES[0], ghost, huge, ENTRIES[1]]);
    const store = new CheckpointStore(join(dir, keys.cluster));
    const src: RecoverySource = { engine, store, fingerprint: buildFingerprint(), liveOptions: { method: 'cross' }, bookFile: async () => ({ book: BOOK, assets: bookAssets(BOOK) }), market: MARKET, log, ticks: new TickLog(redis, keys) };
    const r = await recoverPartition(src, P, () => true);
    try {
      expect(r.entriesReplayed).toBe(4); // consumed, rejected or not
      expect(r.rejected?.rejected).toBe(2);
      expect(r.rejected?.firstRejected.map((x) => [x.seq, x.id])).toEqual([[2, 'ghost'], [3, 'huge']]);
      expect(r.rejected?.firstRejected[0].problem).toMatch(/^fills\[0\]\.account: .*nobody/);
      expect(r.rejected?.firstRejected[1].problem).toMatch(/^fills\[0\]\.quantity: /);
      // 1 long at 100,000, then 1 at 101,000 and 1 at 102,000: 3 long at an average cost of 101,000 (by hand)
      expect(position(r.state)).toEqual({ quantity: 3, entryPrice: 101_000 });
    } finally {
      r.state.release();
    }
  });

  it('says nothing was rejected when every entry applied', async () => {
    const { src } = await trimmedAfterCheckpoint();
    const r = await recoverPartition(src, P, () => true);
    try {
      expect(r.rejected).toBeNull();
    } finally {
      r.state.release();
    }
  });
});
