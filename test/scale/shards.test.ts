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
import type { MarginMethod } from '../../src/margin/report.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { groupedSample } from '../support/grouped-book.js';
import { expectSameProblems } from '../support/problems.js';

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
    // a misspelt option is refused with the name meant, as every options object refuses it (it had been ignored)
    const misspelt = await engine.openShardedBook(json, undefined, { layout: 'first-margin' } as never).catch((e: unknown) => e);
    expect((misspelt as InputError).problems).toEqual([{ path: 'options.layout', message: 'unknown option (did you mean "layOut"?)' }]);
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

describe('books with masters, subaccounts and accounts\' own methods', () => {
  // USD accounts in groups of 4, coin-margined ones in groups of their own (one margin currency per pool) or in none
  // (backstop pays covers in USD cash, which a coin-margined account cannot take: refused, as in one process), some
  // accounts of their own method: each group goes whole to its master's shard, and the report and its roll-up are the
  // single-process ones
  let grouped: ValidatedBook, groupedMarket: ValidatedMarket, coinAlone: ValidatedBook, coinAloneMarket: ValidatedMarket;
  const generated = (coinGroups: boolean) => {
    const sample = groupedSample({ accounts: 120, seed: 3, accountsPerMaster: 4, coinAccounts: 16, methodEvery: 5, methodAt: 2, coinGroups });
    return validateInputs(sample.book, sample.market);
  };
  beforeAll(() => {
    ({ book: grouped, market: groupedMarket } = generated(true));
    ({ book: coinAlone, market: coinAloneMarket } = generated(false));
  });

  test('a subaccount goes to its master\'s shard; the other accounts keep theirs', () => {
    const p = partitionBook(grouped, 3), plain = partitionBook(book, 3);
    const index = new Map(grouped.accounts.map((a, i) => [a.id, i]));
    const masters = grouped.accounts.filter((a) => a.master !== undefined);
    expect(masters.length).toBeGreaterThan(20);
    grouped.accounts.forEach((a, i) => {
      if (a.master !== undefined) expect(p.shardOfAccount[i]).toBe(p.shardOfAccount[index.get(a.master)!]);
    });
    expect(p.shards.map((s) => s.accounts.length).every((n) => n > 0)).toBe(true);
    expect(plain.shardOfAccount).toEqual(partitionBook(book, 3).shardOfAccount);
  });

  describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await createEngine({ backend });
    });

    test.each([
      ...(['independent', 'cross', 'backstop'] as const).flatMap((policy) => ['cross', 'portfolio', 'var'].map((method) => ({ method, policy }))),
      { method: 'isolated', policy: 'independent' },
      { method: 'cross', policy: 'cross', breakdown: true },
    ])('$method under $policy: the single-process report and roll-up, bit for bit, on 2, 3 and 7 shards', async ({ method, policy, breakdown }) => {
      const [book, market] = policy === 'backstop' ? [coinAlone, coinAloneMarket] : [grouped, groupedMarket];
      const options = { method, params: { subaccounts: { policy } }, ...(breakdown ? { breakdown } : {}) };
      const reference = engine.margin(book, market, options);
      expect(reference.subaccounts!.masters.length).toBeGreaterThan(0);
      for (const shards of [2, 3, 7]) {
        const b = await engine.openShardedBook(book, new LocalTransport(engine, shards));
        expect(firstDifference(withoutWorkers(await b.margin(market, options)), reference)).toBeNull();
        await b.release();
      }
    });

    test.each(['cross', 'backstop'] as const)('one group among accounts in none, under %s: shards without a group add their accounts to the roll-up\'s sums', async (policy) => {
      const sample = generateSample({ accounts: 60, seed: 9, coinAccounts: 8 }); // coin-margined ones in no group
      const accounts = sample.book.accounts as { id: string; master?: string }[];
      for (const k of [5, 17, 30]) accounts[k].master = accounts[2].id;
      const { book: few, market } = validateInputs(sample.book, sample.market);
      const options = { method: 'cross', params: { subaccounts: { policy } } };
      const reference = engine.margin(few, market, options);
      expect(reference.subaccounts!.totals).toMatchObject({ masters: 1, subaccounts: 3 });
      const p = partitionBook(few, 7);
      const groupless = p.shards.filter((s) => s.accounts.length > 0 && s.accounts.every((a) => a.master === undefined && a.id !== accounts[2].id));
      expect(groupless.length).toBeGreaterThan(3);
      expect(groupless.some((s) => s.accounts.some((a) => a.marginCurrency !== undefined))).toBe(true);
      const b = await engine.openShardedBook(few, new LocalTransport(engine, 7));
      expect(firstDifference(withoutWorkers(await b.margin(market, options)), reference)).toBeNull();
    });

    test('a rule of the policy fails closed with the whole book\'s paths (coin-margined accounts under backstop), as in one process', async () => {
      const sample = generateSample({ accounts: 60, seed: 3, accountsPerMaster: 4, coinAccounts: 6 });
      const accounts = sample.book.accounts as { id: string; master?: string; marginCurrency?: string }[];
      const coin = accounts.filter((a) => a.marginCurrency !== undefined);
      for (const a of coin.slice(0, 2)) a.master = accounts[0].id; // two coin-margined subaccounts of the first master
      const { book: coinGroups, market } = validateInputs(sample.book, sample.market);
      const options = { method: 'cross', params: { subaccounts: { policy: 'backstop' } } };
      const b = await engine.openShardedBook(coinGroups, new LocalTransport(engine, 3));
      await expectSameProblems(() => engine.margin(coinGroups, market, options), b.margin(market, options));
    });

    test('the roll-up\'s comparison sees one changed bit of a shard\'s sums', async () => {
      const options = { method: 'cross', params: { subaccounts: { policy: 'cross' } } };
      const merged = withoutWorkers(await (await engine.openShardedBook(grouped, new LocalTransport(engine, 3))).margin(groupedMarket, options));
      const bits = new Float64Array([merged.subaccounts!.totals.im]);
      new BigUint64Array(bits.buffer)[0] ^= 1n;
      merged.subaccounts!.totals.im = bits[0];
      expect(firstDifference(merged, engine.margin(grouped, groupedMarket, options))).toMatch(/^\$\.subaccounts\.totals\.im/);
    });

    test('compareMethods on a book with groups: the single-process comparison', async () => {
      const b = await engine.openShardedBook(grouped, new LocalTransport(engine, 3));
      const options = { methods: ['cross', 'portfolio'] as MarginMethod[], params: { subaccounts: { policy: 'cross' } } };
      expect(firstDifference(await b.compareMethods(groupedMarket, options), engine.compareMethods(grouped, groupedMarket, options))).toBeNull();
    });
  });
});

describe('a lenient book with masters', () => {
  test('the sharded report is the single-process JSON, warnings before the roll-up (they came after it)', async () => {
    const engine = await createEngine({ backend: 'js' });
    const sample = generateSample({ accounts: 40, seed: 5, accountsPerMaster: 4 });
    (sample.book.accounts[3] as unknown as Record<string, unknown>).colour = 'red'; // an unknown field: a warning under lenient
    const { book: lenientBook, market: lenientMarket } = validateInputs(sample.book, sample.market, { lenient: true });
    const one = engine.margin(lenientBook, lenientMarket, { method: 'cross', lenient: true });
    expect(Object.keys(one).slice(-2)).toEqual(['warnings', 'subaccounts']);
    const sharded = await engine.openShardedBook(lenientBook, new LocalTransport(engine, 3));
    try {
      const report = withoutWorkers(await sharded.margin(lenientMarket, { method: 'cross', lenient: true }));
      expect(JSON.stringify({ ...report, backend: '' })).toBe(JSON.stringify({ ...one, backend: '' }));
    } finally {
      await sharded.release();
    }
  });
});
