/**
 * The worker-thread pool (`createEngine({ workers: 2 })`): shards laid out in two threads, each with its own instance
 * of the module compiled here; reports equal the single-process engine's bit for bit; a thread killed mid-run is
 * replaced and its shard re-run. Needs the worker bundle (dist/node/scale-worker.js): `npm test` builds it first.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { BUILT_IN_METHODS } from '../../src/methods/registry.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import type { WorkerTransport } from '../../src/scale/worker-transport.js';
import { CRASH_DURING_NEXT_RUN } from '../../src/scale/transport.js';
import { groupedSample } from '../support/grouped-book.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { buildIdentity } from '../../src/scale/identity.js';
import { expectSameProblems } from '../support/problems.js';
import { flatMethod } from '../support/methods/flat/index.js';

let book: ValidatedBook;
let market: ValidatedMarket;
/** A smaller book for stress: every Monte Carlo path is a cascade of the whole book. */
let small: ValidatedBook;

beforeAll(() => {
  const sample = generateSample({ accounts: 800, seed: 3 });
  ({ book, market } = validateInputs(sample.book, sample.market));
  small = validateInputs(generateSample({ accounts: 120, seed: 3 }).book, sample.market).book;
});

describe.each(['wasm', 'js'] as const)('two worker threads on %s', (backend) => {
  let single: Engine;
  let pooled: Engine;
  beforeAll(async () => {
    single = await createEngine({ backend });
    pooled = await createEngine({ backend, workers: 2 });
  });
  afterAll(async () => {
    await pooled.close();
  });

  test('each thread runs its own instance of the same backend, of this build, and the report names both', async () => {
    expect(pooled.workers).toBe(2);
    const sharded = await pooled.openShardedBook(book);
    const health = await pooled.shardTransport.health();
    expect(health.workers.map((w) => w.backend)).toEqual([single.backend, single.backend]);
    expect(new Set(health.workers.map((w) => w.id)).size).toBe(2);
    expect(health.workers.every((w) => w.shardsHeld === 1)).toBe(true);
    // the threads run dist/node/scale-worker.js: the same version, kernels and default parameters as this process
    const { version, build, params } = buildIdentity();
    for (const w of health.workers) expect({ version: w.version, build: w.build, params: w.params }).toEqual({ version, build, params });
    const report = await sharded.margin(market, { method: 'cross' });
    expect(report.computedBy).toEqual(health.workers.map((w, shard) => ({ worker: w.id, backend: single.backend, shards: [shard] })));
    await sharded.release();
  });

  test('layOut "first-margin": no shard laid out until the first margin call, the same reports; a stress test never lays them out', async () => {
    const sharded = await pooled.openShardedBook(book, undefined, { layOut: 'first-margin' });
    try {
      const held = async () => (await pooled.shardTransport.health()).workers.map((w) => w.shardsHeld);
      expect(await held()).toEqual([0, 0]);
      const shock = { spot: { BTC: -0.1 } }, options = { paths: 3, seed: 2, params: { stress: { maxRounds: 4 } } };
      expect(firstDifference(await sharded.stress(market, shock, options), single.stress(book, market, shock, options))).toBeNull();
      expect(await held()).toEqual([0, 0]); // the paths ran on the whole book, held apart from the shards
      expect(firstDifference(withoutWorkers(await sharded.margin(market, { method: 'cross' })), single.margin(book, market, { method: 'cross' }))).toBeNull();
      expect(await held()).toEqual([1, 1]);
      expect(firstDifference(await sharded.compareMethods(market), single.compareMethods(book, market))).toBeNull();
    } finally {
      await sharded.release();
    }
    await expect(pooled.openShardedBook(book, undefined, { layOut: 'later' as 'at-open' })).rejects.toThrow(/options\.layOut: expected "at-open" or "first-margin", got "later"/);
  });

  test.each(['cross', 'isolated', 'portfolio', 'var'])('%s margin: the single-process report, bit for bit', async (method) => {
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(withoutWorkers(await sharded.margin(market, { method })), single.margin(book, market, { method }))).toBeNull();
    await sharded.release();
  });

  test('bad params fail closed with the single-process problems, and the next call gets the single-process report', async () => {
    const sharded = await pooled.openShardedBook(book);
    const bad = { method: 'portfolio', params: { portfolio: { mmFactor: 7 } } };
    await expectSameProblems(() => single.margin(book, market, bad), sharded.margin(market, bad));
    expect(firstDifference(withoutWorkers(await sharded.margin(market, { method: 'portfolio' })), single.margin(book, market, { method: 'portfolio' }))).toBeNull();
    await sharded.release();
  });

  test('Monte Carlo VaR with breakdown: the single-process report, bit for bit', async () => {
    const options = { method: 'var', breakdown: true, params: { var: { model: 'monte-carlo', scenarios: 300, seed: 9, measure: 'es' } } };
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(withoutWorkers(await sharded.margin(market, options)), single.margin(book, market, options))).toBeNull();
    await sharded.release();
  });

  test('Monte Carlo VaR: the risk array split by rows across the threads and shared, the single-process report, bit for bit', async () => {
    const options = { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 300, seed: 9 } } };
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(withoutWorkers(await sharded.margin(market, options)), single.margin(book, market, options))).toBeNull();
    expect(sharded.lastRun!.tableParts).toBe(2);
    await sharded.release();
  });

  test('a thread killed while computing its slice of the risk array: replaced, its slice re-run, the same bits', async () => {
    const options = { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 300, seed: 9 } } };
    const sharded = await pooled.openShardedBook(book);
    const transport = pooled.shardTransport as WorkerTransport;
    const before = (await transport.health()).recoveries;
    transport[CRASH_DURING_NEXT_RUN](0); // its next task is phase one's
    expect(firstDifference(withoutWorkers(await sharded.margin(market, options)), single.margin(book, market, options))).toBeNull();
    expect((await transport.health()).recoveries).toBe(before + 1);
    expect(sharded.lastRun!.tableParts).toBe(2);
    await sharded.release();
  });

  test('a book with masters, subaccounts (coin-margined among them) and accounts\' own methods: each policy\'s report and roll-up, bit for bit', async () => {
    const sample = groupedSample({ accounts: 300, seed: 8, accountsPerMaster: 3, coinAccounts: 20, methodEvery: 7, methodAt: 4 });
    const grouped = validateInputs(sample.book, sample.market);
    const sharded = await pooled.openShardedBook(grouped.book);
    for (const policy of ['independent', 'cross']) {
      const options = { method: 'cross', params: { subaccounts: { policy } } };
      expect(firstDifference(withoutWorkers(await sharded.margin(grouped.market, options)), single.margin(grouped.book, grouped.market, options))).toBeNull();
    }
    const compare = { methods: ['cross', 'portfolio'] as ('cross' | 'portfolio')[] };
    expect(firstDifference(await sharded.compareMethods(grouped.market, compare), single.compareMethods(grouped.book, grouped.market, compare))).toBeNull();
    await sharded.release();
  });

  test('compareMethods: the single-process comparison, bit for bit', async () => {
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(await sharded.compareMethods(market), single.compareMethods(book, market))).toBeNull();
    await sharded.release();
  });

  test('Monte Carlo stress split by path across the threads: the single-process report, bit for bit', async () => {
    const shock = { spot: { BTC: -0.08, ETH: -0.1 } };
    const sharded = await pooled.openShardedBook(small);
    // every method on one backend (the paths' code is the same on both; the file stays quick)
    const all = { method: backend === 'wasm' ? 'all' : 'portfolio', paths: 6, seed: 9, horizonDays: 3 };
    const report = await sharded.stress(market, shock, all);
    expect(report.monteCarlo?.map((m) => m.method)).toEqual(backend === 'wasm' ? single.methods : ['portfolio']);
    expect(firstDifference(report, single.stress(small, market, shock, all))).toBeNull();
    // with a reverse search (on the coordinator) before the paths in the report
    const reverse = { method: 'cross', paths: 4, seed: 2, reverse: true };
    expect(firstDifference(await sharded.stress(market, shock, reverse), single.stress(small, market, shock, reverse))).toBeNull();
    await sharded.release();
  });

  test('a thread killed in the middle of Monte Carlo paths: its job re-runs on the replacement', async () => {
    const sharded = await pooled.openShardedBook(small);
    const transport = pooled.shardTransport as WorkerTransport;
    const before = (await transport.health()).recoveries;
    transport[CRASH_DURING_NEXT_RUN](-1);
    const shock = { spot: { BTC: -0.05 } };
    expect(firstDifference(await sharded.stress(market, shock, { paths: 6, seed: 4 }), single.stress(small, market, shock, { paths: 6, seed: 4 }))).toBeNull();
    expect((await transport.health()).recoveries).toBe(before + 1);
    await sharded.release();
  });

  test('a thread killed in the middle of a reverse search\'s probe: the probe re-runs on the replacement', async () => {
    const sharded = await pooled.openShardedBook(small);
    const transport = pooled.shardTransport as WorkerTransport;
    const before = (await transport.health()).recoveries;
    transport[CRASH_DURING_NEXT_RUN](-1);
    const shock = { spot: { BTC: -0.1 } }, options = { reverse: true, params: { stress: { maxRounds: 4 } } };
    expect(firstDifference(await sharded.stress(market, shock, options), single.stress(small, market, shock, options))).toBeNull();
    expect((await transport.health()).recoveries).toBe(before + 1);
    await sharded.release();
  });

  test('a thread killed mid-run is replaced, its shard reloaded and re-run: nothing lost, nothing doubled', async () => {
    const sharded = await pooled.openShardedBook(book);
    const transport = pooled.shardTransport as WorkerTransport;
    const before = (await transport.health()).recoveries;
    transport[CRASH_DURING_NEXT_RUN](1);
    const report = await sharded.margin(market, { method: 'portfolio' });
    expect((await transport.health()).recoveries).toBe(before + 1);
    expect(report.accounts.map((a) => a.id)).toEqual(book.accounts.map((a) => a.id));
    expect(firstDifference(withoutWorkers(report), single.margin(book, market, { method: 'portfolio' }))).toBeNull();
    // the replacement thread holds the shard from now on
    expect(firstDifference(withoutWorkers(await sharded.margin(market, { method: 'cross' })), single.margin(book, market, { method: 'cross' }))).toBeNull();
    await sharded.release();
  });
});

describe('paths that stay on the coordinator', () => {
  let pooled: Engine;
  beforeAll(async () => {
    pooled = await createEngine({ workers: 2, methods: [...BUILT_IN_METHODS, flatMethod] });
  });
  afterAll(async () => {
    await pooled.close();
  });

  test('a plug-in method of the caller’s runs on the coordinator, with the same report', async () => {
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(withoutWorkers(await sharded.margin(market, { method: 'flat' })), pooled.margin(book, market, { method: 'flat' }))).toBeNull();
    await sharded.release();
  });

  test('an account naming a plug-in method of the caller\'s: the book is margined on the coordinator, with the same report', async () => {
    const sample = generateSample({ accounts: 40, seed: 6, accountsPerMaster: 4 });
    (sample.book.accounts as { master?: string; method?: string }[])[5].method = 'flat';
    const own = validateInputs(sample.book, sample.market).book;
    const sharded = await pooled.openShardedBook(own);
    const report = await sharded.margin(sample.market, { method: 'cross' });
    expect(report.computedBy).toBeUndefined(); // not the workers': they do not have the method
    expect(firstDifference(report, pooled.margin(own, sample.market, { method: 'cross' }))).toBeNull();
    expect(report.accounts[5].method).toBe('flat');
    await sharded.release();
  });

  test('liquidate runs single-threaded on the coordinator and leaves the sharded book as it was', async () => {
    const sharded = await pooled.openShardedBook(book);
    expect(firstDifference(await sharded.liquidate(market, { method: 'cross' }), pooled.liquidate(book, market, { method: 'cross' }))).toBeNull();
    expect(firstDifference(withoutWorkers(await sharded.margin(market)), pooled.margin(book, market))).toBeNull();
    await sharded.release();
  });

  test('workers must be a whole number from 1', async () => {
    await expect(createEngine({ workers: 0 })).rejects.toThrow('options.workers: expected an integer from 1 to 256, got 0');
    await expect(createEngine({ workers: 1.5 })).rejects.toThrow('options.workers: expected an integer from 1 to 256, got 1.5');
  });

  test('a released sharded book refuses further runs', async () => {
    const sharded = await pooled.openShardedBook(book);
    await sharded.release();
    await expect(sharded.margin(market)).rejects.toThrow(/released/);
  });

  test('after engine.close() a sharded book opened on it refuses to run (it had started new threads), releases, and the engine still serves', async () => {
    const engine = await createEngine({ workers: 2 });
    const sharded = await engine.openShardedBook(book);
    const before = await sharded.margin(market, { method: 'cross' });
    await engine.close();
    const closed = /the engine was closed: its worker threads are stopped/;
    await expect(sharded.margin(market, { method: 'cross' })).rejects.toThrow(closed);
    await expect(sharded.stress(market, { spot: { BTC: -0.1 } }, { method: 'cross', paths: 2 })).rejects.toThrow(closed);
    await expect(engine.openShardedBook(book)).rejects.toThrow(closed);
    await sharded.release(); // nothing left to let go: no error
    expect(engine.margin(book, market, { method: 'cross' }).totals).toEqual(before.totals);
  });
});
