/**
 * Merging shard reports one shard at a time (src/scale/merge.ts ReportMerger, what the coordinator does as the thread
 * pool's shards answer): any arrival order gives the single-process report bit for bit, a shard answering for other
 * accounts is refused, and a missing shard fails the report instead of leaving it partial; the same for shards
 * answering in parts (src/scale/parts.ts), including parts of two ticks interleaved on one worker.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { accountColumns } from '../../src/index.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { mergeReports, placementOf, ReportMerger } from '../../src/scale/merge.js';
import { partitionBook } from '../../src/scale/shard-book.js';
import { type ShardReport, ShardStore } from '../../src/scale/tasks.js';
import { firstDifference } from '../support/bits.js';

let engine: Engine;
let book: ValidatedBook;
let market: ValidatedMarket;
let reports: ShardReport[];
let placement: ReturnType<typeof placementOf>;
let store: ShardStore;

beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
  const sample = generateSample({ accounts: 300, seed: 3 });
  ({ book, market } = validateInputs(sample.book, sample.market));
  const partition = partitionBook(book, 4);
  placement = placementOf(book.accounts.map((a) => a.id), partition);
  store = new ShardStore(engine);
  for (const shard of partition.shards) store.load('b', shard);
  reports = partition.shards.map((shard) => {
    const outcome = store.run({ bookId: 'b', shard: shard.shard, tick: 0, market, runs: [{ method: 'portfolio' }] });
    if (outcome.kind !== 'ok') throw new Error(outcome.kind);
    return outcome.reports[0];
  });
});

describe('ReportMerger', () => {
  test('shards merged in any order give the single-process report, bit for bit', () => {
    const reference = engine.margin(book, market, { method: 'portfolio' });
    for (const order of [[3, 1, 0, 2], [0, 1, 2, 3], [2, 3, 1, 0]]) {
      const merger = new ReportMerger(placement);
      for (const s of order) merger.add(s, reports[s]);
      expect(firstDifference(merger.finish(book.warnings), reference)).toBeNull();
    }
    expect(firstDifference(mergeReports(placement, reports, book.warnings), reference)).toBeNull();
  });

  test('rows in error come in book order whatever order the shards answer in (accountColumns(report).errors)', () => {
    // coin-margined accounts under var: set aside in status error, spread over the shards
    const coin = generateSample({ accounts: 120, seed: 5, coinAccounts: 40 });
    const v = validateInputs(coin.book, coin.market);
    const cut = partitionBook(v.book, 4);
    const where = placementOf(v.book.accounts.map((a) => a.id), cut);
    const shardStore = new ShardStore(engine);
    for (const shard of cut.shards) shardStore.load('c', shard);
    const parts = cut.shards.map((shard) => {
      const outcome = shardStore.run({ bookId: 'c', shard: shard.shard, tick: 0, market: v.market, runs: [{ method: 'var' }] });
      if (outcome.kind !== 'ok') throw new Error(outcome.kind);
      return outcome.reports[0];
    });
    const reference = [...accountColumns(engine.margin(v.book, v.market, { method: 'var' })).errors.keys()];
    expect(reference.length).toBe(40);
    for (const order of [[3, 1, 0, 2], [2, 0, 3, 1]]) {
      const merger = new ReportMerger(where);
      for (const s of order) merger.add(s, parts[s]);
      expect([...accountColumns(merger.finish(v.book.warnings)).errors.keys()]).toEqual(reference);
    }
  });

  test('a shard answering with another shard’s rows is refused', () => {
    const merger = new ReportMerger(placement);
    expect(() => merger.add(0, reports[1])).toThrow(/shard 0 answered for other accounts/);
  });

  test('a shard that did not answer fails the report', () => {
    const merger = new ReportMerger(placement);
    for (const s of [0, 1, 3]) merger.add(s, reports[s]);
    expect(() => merger.finish(book.warnings)).toThrow(/shard 2 did not answer; refusing a partial report/);
  });
});

describe('shards answering in parts', () => {
  const part = (index: number) => ({ index, count: 3 });
  const runPart = (shard: number, tick: number, index: number, method = 'portfolio') => {
    const outcome = store.run({ bookId: 'b', shard, tick, market, runs: [{ method }], part: part(index) });
    if (outcome.kind !== 'ok') throw new Error(outcome.kind);
    expect(outcome.part).toEqual(part(index));
    return outcome.reports[0];
  };

  test('parts merged in any order, ticks interleaved on the worker, give the single-process report, bit for bit', () => {
    const portfolio = new ReportMerger(placement), cross = new ReportMerger(placement);
    // tick 10 (portfolio) and tick 11 (cross) interleaved: each part of the other tick margins afresh
    for (const index of [2, 0, 1]) {
      for (let s = 0; s < 4; s++) {
        portfolio.add(s, runPart(s, 10, index), part(index));
        cross.add(s, runPart(s, 11, index, 'cross'), part(index));
      }
    }
    expect(firstDifference(portfolio.finish(book.warnings), engine.margin(book, market, { method: 'portfolio' }))).toBeNull();
    expect(firstDifference(cross.finish(book.warnings), engine.margin(book, market, { method: 'cross' }))).toBeNull();
  });

  test('parts asked for out of order margin the shard once (piscina does not keep a worker’s queue in order)', () => {
    let prepared = 0;
    const counting = new ShardStore({
      backend: engine.backend,
      methods: engine.methods,
      openBook: (b, layout) => {
        const session = engine.openBook(b, layout);
        const prepare = session.prepare.bind(session);
        session.prepare = ((...args: Parameters<typeof prepare>) => (prepared++, prepare(...args))) as typeof session.prepare;
        return session;
      },
    });
    const partition = partitionBook(book, 4);
    counting.load('c', partition.shards[1]);
    const merger = new ReportMerger(placement);
    for (let s = 0; s < 4; s++) if (s !== 1) merger.add(s, reports[s]);
    const four = (index: number) => ({ index, count: 4 });
    for (const index of [0, 1, 3, 2]) {
      const outcome = counting.run({ bookId: 'c', shard: 1, tick: 20, market, runs: [{ method: 'portfolio' }], part: four(index) });
      if (outcome.kind !== 'ok') throw new Error(outcome.kind);
      merger.add(1, outcome.reports[0], four(index));
    }
    expect(prepared).toBe(1);
    expect(firstDifference(merger.finish(book.warnings), engine.margin(book, market, { method: 'portfolio' }))).toBeNull();
    // every part answered: the next part of that tick margins afresh (the kept outputs were released)
    counting.run({ bookId: 'c', shard: 1, tick: 20, market, runs: [{ method: 'portfolio' }], part: four(2) });
    expect(prepared).toBe(2);
  });

  test('a part with another part’s rows is refused, and a missing part fails the report', () => {
    const merger = new ReportMerger(placement);
    expect(() => merger.add(0, runPart(0, 12, 1), part(0))).toThrow(/shard 0 answered for other accounts than it holds .* in part 1 of 3/);
    for (let s = 0; s < 4; s++) for (const index of [0, 1, 2]) if (s !== 2 || index !== 1) merger.add(s, runPart(s, 13, index), part(index));
    expect(() => merger.finish(book.warnings)).toThrow(/shard 2 did not answer \(2 of 3 parts\); refusing a partial report/);
  });
});

describe('a book with masters, in parts', () => {
  test.each(['cross', 'backstop'])('under %s, the roll-up travels once per shard, with its first part, and the merged report is the single-process one', (policy) => {
    const sample = generateSample({ accounts: 200, seed: 5, accountsPerMaster: 5, coinAccounts: policy === 'backstop' ? 0 : 12 });
    const grouped = validateInputs(sample.book, sample.market);
    const partition = partitionBook(grouped.book, 3);
    const groupedStore = new ShardStore(engine);
    for (const shard of partition.shards) groupedStore.load('g', shard);
    const options = { method: 'portfolio', params: { subaccounts: { policy } } };
    const merger = new ReportMerger(placementOf(grouped.book.accounts.map((a) => a.id), partition, grouped.book));
    for (const index of [1, 2, 0]) {
      for (let s = 0; s < 3; s++) {
        const outcome = groupedStore.run({ bookId: 'g', shard: s, tick: 1, market: grouped.market, runs: [options], part: { index, count: 3 } });
        if (outcome.kind !== 'ok') throw new Error(outcome.kind);
        expect(outcome.reports[0].rollup !== undefined).toBe(index === 0);
        expect(outcome.reports[0].rows.kind).toBe('packed'); // from the run's columns: no row object on the worker
        merger.add(s, outcome.reports[0], { index, count: 3 });
      }
    }
    const reference = engine.margin(grouped.book, grouped.market, options);
    if (policy === 'backstop') expect(reference.subaccounts!.totals.backstopUsd).toBeGreaterThan(0);
    expect(firstDifference(merger.finish(grouped.book.warnings), reference)).toBeNull();
  });
});

describe('a roll-up that does not add up fails the report', () => {
  test('a shard holding masters that sent no roll-up: refused, never a roll-up short of masters', () => {
    const sample = generateSample({ accounts: 90, seed: 4, accountsPerMaster: 3 });
    const grouped = validateInputs(sample.book, sample.market);
    const partition = partitionBook(grouped.book, 3);
    const groupedStore = new ShardStore(engine);
    for (const shard of partition.shards) groupedStore.load('r', shard);
    const options = { method: 'cross', params: { subaccounts: { policy: 'cross' } } };
    const merger = new ReportMerger(placementOf(grouped.book.accounts.map((a) => a.id), partition, grouped.book));
    for (let s = 0; s < 3; s++) {
      const outcome = groupedStore.run({ bookId: 'r', shard: s, tick: 1, market: grouped.market, runs: [options] });
      if (outcome.kind !== 'ok') throw new Error(outcome.kind);
      const report = outcome.reports[0];
      expect(report.rollup).toBeDefined();
      merger.add(s, s === 1 ? { ...report, rollup: undefined } : report);
    }
    expect(() => merger.finish(grouped.book.warnings)).toThrow(/refusing a partial report/);
  });
});
