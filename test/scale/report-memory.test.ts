/**
 * What a report holds, and for how long. A margin report's rows stay columns until read (src/margin/summary-rows.ts),
 * and a sharded one's columns are the buffers the shards sent: megabytes per call on a big book. The report must own
 * them (a later call changes no earlier report), and a report the caller dropped must be freed by a young-generation
 * collection: reports kept alive until a full collection piled their buffers up in external memory, which then ran
 * full collections of the caller's whole heap every ~64 MB (README "Scale-out numbers"). The cause was a hidden class
 * per report (an accessor closure per report, src/model/lazy-field.ts), so that is tested directly too.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { withoutWorkers } from '../support/bits.js';

setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
/** V8's own answer: do two objects have the same hidden class (map)? */
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
/** A young-generation collection (scavenge) only. */
const minorGc = runInNewContext('gc') as (options: { type: 'minor' }) => void;

let book: ValidatedBook;
let market: ValidatedMarket;
let shocked: ValidatedMarket;
let single: Engine;
let threads: Engine;

beforeAll(async () => {
  const sample = generateSample({ accounts: 4000, seed: 11 });
  ({ book, market } = validateInputs(sample.book, sample.market));
  // every price 30% lower: other figures for most accounts
  const raw = structuredClone(sample.market) as { assets: Record<string, { price: number }> };
  for (const asset of Object.values(raw.assets)) asset.price *= 0.7;
  shocked = validateInputs(sample.book, raw).market;
  single = await createEngine();
  threads = await createEngine({ workers: 2 });
});

afterAll(async () => {
  await threads.close();
});

describe('margin reports', () => {
  test('of one shape share one hidden class, single-process and sharded', async () => {
    expect(sameMap(single.margin(book, market, { method: 'cross' }), single.margin(book, shocked, { method: 'cross' }))).toBe(true);
    const sharded = await threads.openShardedBook(book);
    try {
      expect(sameMap(await sharded.margin(market, { method: 'portfolio' }), await sharded.margin(shocked, { method: 'portfolio' }))).toBe(true);
    } finally {
      await sharded.release();
    }
  });

  test('a dropped report is freed by a young-generation collection, single-process and sharded', async () => {
    // 4,000 rows: 360 kB of columns a single-process report (Node's arrayBuffers figure), 264 kB a sharded one (the
    // shards' buffers, transferred: V8's external figure). Each call in a function of its own, so no stale register
    // of this one keeps a report.
    const call = (): number => single.margin(book, market, { method: 'cross' }).totals.accounts;
    const growth = async (each: () => unknown, figure: () => number): Promise<number> => {
      for (let i = 0; i < 3; i++) await each();
      minorGc({ type: 'minor' });
      const before = figure();
      for (let i = 0; i < 20; i++) {
        await each();
        minorGc({ type: 'minor' });
      }
      return figure() - before;
    };
    // kept until a full collection, 20 reports would hold 7.2 MB more (single-process) and 5.3 MB (sharded)
    expect(await growth(call, () => process.memoryUsage().arrayBuffers)).toBeLessThan(2_000_000);
    const sharded = await threads.openShardedBook(book);
    try {
      const shardedCall = async (): Promise<number> => (await sharded.margin(market, { method: 'portfolio' })).totals.accounts;
      expect(await growth(shardedCall, () => process.memoryUsage().external)).toBeLessThan(2_000_000);
    } finally {
      await sharded.release();
    }
  });

  test('a sharded report owns its figures: a later call on another market changes no earlier report', async () => {
    const sharded = await threads.openShardedBook(book);
    try {
      const first = await sharded.margin(market, { method: 'portfolio' });
      const expected = single.margin(book, market, { method: 'portfolio' });
      const second = await sharded.margin(shocked, { method: 'portfolio' });
      const third = await sharded.margin(shocked, { method: 'cross' });
      // the earlier report still reads as the single-process report on its market, and the later ones differ from it
      expect(JSON.stringify(withoutWorkers(first))).toBe(JSON.stringify(expected));
      expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
      expect(JSON.stringify(third)).not.toBe(JSON.stringify(first));
      expect(JSON.stringify(withoutWorkers(second))).toBe(JSON.stringify(single.margin(book, shocked, { method: 'portfolio' })));
    } finally {
      await sharded.release();
    }
  });
});
