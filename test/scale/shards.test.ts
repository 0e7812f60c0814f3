/**
 * Cutting a book into shards and merging the shards' reports, in this process (LocalTransport with several shards):
 * every account lands in exactly one shard, and the merged report equals the single-process report bit for bit
 * (the single-process engine is the reference: sharding must change nothing).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { InputError } from '../../src/errors.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { partitionBook } from '../../src/scale/shard-book.js';
import { ShardedBook } from '../../src/scale/sharded-book.js';
import { BUILT_IN_REGISTRY } from '../../src/methods/registry.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';

let book: ValidatedBook;
let market: ValidatedMarket;

beforeAll(() => {
  const sample = generateSample({ accounts: 600, seed: 11 });
  ({ book, market } = validateInputs(sample.book, sample.market));
});

async function sharded(engine: Engine, shards: number): Promise<ShardedBook> {
  return engine.openShardedBook(book, new LocalTransport(engine, shards));
}

const RUNS = [
  { method: 'cross' },
  { method: 'isolated' },
  { method: 'portfolio' },
  { method: 'var' },
  { method: 'var', params: { var: { model: 'delta-gamma' } } },
  { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } },
  { method: 'portfolio', breakdown: true },
  { method: 'isolated', breakdown: true },
  { profile: 'deribit' },
];

describe('partition', () => {
  test('every account is in exactly one shard, in book order within it', () => {
    const p = partitionBook(book, 3);
    const seen = p.shards.flatMap((s) => s.accounts.map((a) => a.id));
    expect(seen.length).toBe(book.accounts.length);
    expect(new Set(seen).size).toBe(book.accounts.length);
    book.accounts.forEach((a, i) => expect(p.shards[p.shardOfAccount[i]].accounts[p.indexInShard[i]].id).toBe(a.id));
    for (const s of p.shards) {
      const order = s.accounts.map((a) => book.accounts.indexOf(a));
      expect(order).toEqual([...order].sort((x, y) => x - y));
      expect(s.instrumentRows.length).toBe(s.accounts.reduce((n, a) => n + a.positions.length, 0));
    }
  });

  test('the same book gives the same partition', () => {
    expect(partitionBook(book, 4).shardOfAccount).toEqual(partitionBook(book, 4).shardOfAccount);
  });

  test('every shard lays out the whole book’s assets and instruments', () => {
    for (const s of partitionBook(book, 5).shards) {
      expect(s.instruments.length).toBe(book.instruments.length);
      expect(s.assets).toEqual(partitionBook(book, 1).shards[0].assets);
    }
  });
});

describe.each(['wasm', 'js'] as const)('merged shard reports on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  test.each(RUNS)('%j: the report of the single-process engine, bit for bit', async (options) => {
    const reference = engine.margin(book, market, options);
    for (const shards of [2, 3]) {
      const b = await sharded(engine, shards);
      const report = await b.margin(market, options);
      expect(report.computedBy).toEqual([{ worker: 'main', backend: engine.backend, shards: Array.from({ length: shards }, (_, s) => s) }]);
      expect(firstDifference(withoutWorkers(report), reference)).toBeNull();
      await b.release();
    }
  });

  test('the comparison sees one changed bit (the tests above can fail)', async () => {
    const b = await sharded(engine, 2);
    const merged = await b.margin(market, { method: 'cross' });
    const bits = new Float64Array([merged.accounts[7].im]);
    new BigUint64Array(bits.buffer)[0] ^= 1n;
    merged.accounts[7].im = bits[0];
    expect(firstDifference(withoutWorkers(merged), engine.margin(book, market, { method: 'cross' }))).toMatch(/^\$\.accounts\[7\]\.im/);
  });

  test('compareMethods: the single-process comparison, bit for bit', async () => {
    const b = await sharded(engine, 3);
    expect(firstDifference(await b.compareMethods(market), engine.compareMethods(book, market))).toBeNull();
  });

  test('bad params fail closed with the path of the single-process error', async () => {
    const b = await sharded(engine, 3);
    const error = await b.margin(market, { method: 'portfolio', params: { portfolio: { mmFactor: 7 } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0].path).toMatch(/^params\.portfolio\.mmFactor/);
  });
});

describe('bad input to a sharded book fails closed, with the paths of the whole book', () => {
  test('a bad account is named by its index in the book', async () => {
    const engine = await createEngine({ backend: 'js' });
    const json = generateSample({ accounts: 5, seed: 1 }).book;
    (json.accounts[3].positions as { quantity: unknown }[])[0].quantity = 'ten';
    const error = await engine.openShardedBook(json).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0].path).toBe('accounts[3].positions[0].quantity');
  });

  test('options given where the transport goes are refused, naming the transport and where the options go', async () => {
    const engine = await createEngine({ backend: 'js' });
    const json = generateSample({ accounts: 5, seed: 1 }).book;
    // (a caller without types: layOut is the third argument)
    const error = await engine.openShardedBook(json, { layOut: 'first-margin' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([{ path: 'transport', message: expect.stringContaining('openShardedBook(book, undefined, { layOut })') }]);
    expect(await engine.openShardedBook(json, undefined, { layOut: 'first-margin' })).toBeInstanceOf(ShardedBook);
  });

  test('a market without an option\'s implied vol is refused before any shard runs', async () => {
    const engine = await createEngine({ backend: 'js' });
    const sample = generateSample({ accounts: 50, seed: 2 });
    const b = await engine.openShardedBook(sample.book);
    const option = sample.book.instruments.find((i) => i.kind === 'option')!.id;
    const vols = { ...sample.market.impliedVols };
    delete vols[option];
    const error = await b.margin({ ...sample.market, impliedVols: vols }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems.map((p) => p.path).join(' ')).toContain(option);
  });
});

describe('books the shards cannot hold yet', () => {
  test('a book with subaccount groups or per-account methods is refused with the path of the first, not split', () => {
    const sample = generateSample({ accounts: 40, seed: 3, accountsPerMaster: 4 });
    const grouped = validateInputs(sample.book, sample.market).book;
    const first = grouped.accounts.findIndex((a) => a.master !== undefined);
    expect(first).toBeGreaterThanOrEqual(0);
    try {
      partitionBook(grouped, 2);
      throw new Error('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problems).toEqual([{ path: `accounts[${first}].master`, message: expect.stringMatching(/open it without workers/) }]);
    }
  });
});
