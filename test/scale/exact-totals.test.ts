/**
 * Exact totals (issue 36 item 6): on a 100,000-account book the report's totals have the same bits from one thread,
 * 2 and 4 worker threads and a Redis cluster, however the book is split, and in any order of its accounts: each shard
 * sums its own rows into exact accumulators, the coordinator merges them and rounds once (src/margin/exact-totals.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { MarginTotals } from '../../src/margin/report.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { RedisTransport } from '../../src/scale/redis/transport.js';
import { type RedisServer, startRedis, startWorker, type WorkerProcess } from '../support/redis.js';

const ACCOUNTS = 100_000;
let book: ValidatedBook;
let reversed: ValidatedBook;
let market: ValidatedMarket;
let single: Engine;
const totals: Record<string, MarginTotals> = {};

/** The totals' numbers as their exact bit patterns, for an equality that tells −0 from 0 and every last bit. */
function bits(t: MarginTotals): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['equity', 'im', 'mm', 'grossNotional', 'efficiency'] as const) out[k] = Buffer.from(Float64Array.of(t[k]).buffer).toString('hex');
  return { ...out, counts: JSON.stringify([t.accounts, t.covered, t.complete, t.byStatus]) };
}

beforeAll(async () => {
  const sample = generateSample({ accounts: ACCOUNTS, seed: 36 });
  ({ book, market } = validateInputs(sample.book, sample.market));
  reversed = validateInputs({ ...sample.book, accounts: [...sample.book.accounts].reverse() }, sample.market).book;
  single = await createEngine({ backend: 'wasm' });
  totals.single = single.margin(book, market, { method: 'cross' }).totals;
}, 300_000);

describe(`exact totals on a ${ACCOUNTS.toLocaleString('en')}-account book`, () => {
  test('the same bits with the accounts in reverse order (one thread)', () => {
    expect(bits(single.margin(reversed, market, { method: 'cross' }).totals)).toEqual(bits(totals.single));
  }, 300_000);

  test.each([2, 4])('the same bits from %i worker threads', async (workers) => {
    const pooled = await createEngine({ backend: 'wasm', workers });
    try {
      const sharded = await pooled.openShardedBook(book);
      const t = (await sharded.margin(market, { method: 'cross' })).totals;
      await sharded.release();
      expect(bits(t)).toEqual(bits(totals.single));
    } finally {
      await pooled.close();
    }
  }, 600_000);

  describe('a Redis cluster of two worker processes, the book cut into 3 shards', () => {
    let redis: RedisServer;
    let procs: WorkerProcess[] = [];
    let transport: RedisTransport;
    beforeAll(async () => {
      redis = await startRedis();
      const group = `exact-${process.pid}`;
      procs = await Promise.all([startWorker(redis.url, group, { consumer: 'w1' }), startWorker(redis.url, group, { consumer: 'w2' })]);
      transport = await RedisTransport.connect({ url: redis.url, group, shards: 3, timeoutMs: 300_000 });
    }, 120_000);
    afterAll(async () => {
      await transport?.close();
      await Promise.all(procs.map((p) => p.stop()));
      await redis?.stop();
    });

    test('the same bits', async () => {
      const sharded = await single.openShardedBook(book, transport);
      const t = (await sharded.margin(market, { method: 'cross' })).totals;
      await sharded.release();
      expect(bits(t)).toEqual(bits(totals.single));
    }, 600_000);
  });
});
