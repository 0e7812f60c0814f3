/**
 * Instrument tables (src/methods/method.ts InstrumentTable): a run's per-instrument work computed in slices by other
 * runs (as other workers do) and supplied to it gives the report of a run that computed it whole, bit for bit, on
 * every backend; a sharded run splits the table only where it pays, and phase two on a worker that lost phase one's
 * run still gives the same bits.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { TablePart } from '../../src/methods/method.js';
import { SPLIT_MIN_INSTRUMENTS } from '../../src/methods/engines/scenario-grid/run.js';
import { checkParts } from '../../src/methods/table-parts.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import type { Book, Market } from '../../src/model/types.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { partitionBook } from '../../src/scale/shard-book.js';
import { ShardStore, type ShardTask } from '../../src/scale/tasks.js';
import type { PreparedRun } from '../../src/session/prepared-run.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { expectSameProblems } from '../support/problems.js';

let book: ValidatedBook;
let market: ValidatedMarket;
let engines: Engine[];

/** 60 days of fixed returns for the sample's six risky assets (an LCG: the numbers only need to be fixed). */
function returns(): { assets: string[]; matrix: number[][] } {
  const assets = ['AVAX', 'BTC', 'DOGE', 'ETH', 'SOL', 'XRP'];
  let state = 777;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.1;
  return { assets, matrix: Array.from({ length: 60 }, () => assets.map(() => next())) };
}

const RUNS = [
  { name: 'Monte Carlo VaR', options: { method: 'var', params: { var: { model: 'monte-carlo', scenarios: 250, seed: 3, measure: 'es' } } } },
  { name: 'historical VaR', options: { method: 'var', params: { var: { model: 'historical', returns: returns() } } } },
  { name: 'portfolio', options: { method: 'portfolio' } },
];

beforeAll(async () => {
  const sample = generateSample({ accounts: 400, seed: 21 });
  ({ book, market } = validateInputs(sample.book, sample.market));
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'wasm' })];
});

/** The table of `options`' run on `engine`, computed in the slices [0, a), [a, b), [b, rows) by three runs of their own. */
function tableInSlices(engine: Engine, options: object): TablePart[] {
  const session = engine.openBook(book);
  try {
    const probe = session.prepare(market, options) as PreparedRun;
    const { rows, width } = probe.methodRun.scale!.instrumentTable!;
    probe.release();
    const cuts = [0, Math.floor(rows / 7), Math.floor((rows * 5) / 9), rows];
    return cuts.slice(1).map((to, k) => {
      const from = cuts[k];
      const run = session.prepare(market, options) as PreparedRun;
      try {
        const data = new Float64Array((to - from) * width);
        run.methodRun.scale!.instrumentTable!.compute(from, to, data);
        return { from, to, data };
      } finally {
        run.release();
      }
    });
  } finally {
    session.release();
  }
}

describe.each(RUNS)('$name: a table computed in slices elsewhere', ({ options }) => {
  test('supplied to a run on every backend gives the report of the run that computed it, bit for bit', () => {
    const parts = tableInSlices(engines[0], options); // computed on the JS twin
    for (const engine of engines) {
      const session = engine.openBook(book);
      try {
        const run = session.prepare(market, options) as PreparedRun;
        run.methodRun.scale!.instrumentTable!.supply([...parts].reverse()); // any order
        run.run();
        const supplied = run.report();
        run.release();
        expect(firstDifference(supplied, engine.margin(book, market, options)), engine.backend).toBeNull();
      } finally {
        session.release();
      }
    }
  });
});

describe('checkParts', () => {
  const part = (from: number, to: number, width = 2): TablePart => ({ from, to, data: new Float64Array((to - from) * width) });
  test('takes parts covering every row once, in any order', () => {
    expect(() => checkParts([part(3, 5), part(0, 3)], 5, 2)).not.toThrow();
  });
  test.each([
    ['a gap', [part(0, 2), part(3, 5)]],
    ['an overlap', [part(0, 3), part(2, 5)]],
    ['a short table', [part(0, 4)]],
    ['a row too many', [part(0, 6)]],
    ['a wrong width', [part(0, 2), part(2, 5, 3)]],
  ])('refuses %s', (_what, parts) => {
    expect(() => checkParts(parts, 5, 2)).toThrow(RangeError);
  });
});

describe('a sharded run splits the table where it pays', () => {
  test('Monte Carlo VaR on three shards: split three ways, the single-process report', async () => {
    const engine = engines[2];
    const sharded = await engine.openShardedBook(book, new LocalTransport(engine, 3));
    const options = RUNS[0].options;
    expect(firstDifference(withoutWorkers(await sharded.margin(market, options)), engine.margin(book, market, options))).toBeNull();
    expect(sharded.lastRun!.tableParts).toBe(3);
    // not split: a model without a table, a method without one, breakdown rows
    await sharded.margin(market, { method: 'var' });
    expect(sharded.lastRun!.tableParts).toBe(0);
    await sharded.margin(market, { method: 'cross' });
    expect(sharded.lastRun!.tableParts).toBe(0);
    await sharded.margin(market, { ...options, breakdown: true });
    expect(sharded.lastRun!.tableParts).toBe(0);
    await sharded.release();
  });

  test('bad Monte Carlo params fail closed with the single-process problems (phase one meets them first)', async () => {
    const engine = engines[2];
    const sharded = await engine.openShardedBook(book, new LocalTransport(engine, 3));
    const bad = { method: 'var', params: { var: { model: 'monte-carlo', scenarios: -5, seed: 1.5 } } };
    await expectSameProblems(() => engine.margin(book, market, bad), sharded.margin(market, bad));
    // and the next call is split and right again
    expect(firstDifference(withoutWorkers(await sharded.margin(market, RUNS[0].options)), engine.margin(book, market, RUNS[0].options))).toBeNull();
    expect(sharded.lastRun!.tableParts).toBe(3);
    await sharded.release();
  });

  test(`portfolio: not below ${SPLIT_MIN_INSTRUMENTS} instruments, split from there, the single-process report`, async () => {
    const engine = engines[2];
    const small = await engine.openShardedBook(book, new LocalTransport(engine, 2));
    await small.margin(market, { method: 'portfolio' });
    expect(small.lastRun!.tableParts).toBe(0);
    await small.release();
    // the sample with copies of its options (new ids and vols) up to the threshold, held by some accounts
    const sample = generateSample({ accounts: 300, seed: 5 });
    const options = sample.book.instruments.filter((i) => i.kind === 'option');
    const extra: Book['instruments'] = [];
    const vols: Market['impliedVols'] = { ...sample.market.impliedVols };
    for (let k = 0; sample.book.instruments.length + extra.length < SPLIT_MIN_INSTRUMENTS; k++) {
      const o = options[k % options.length];
      const id = `${o.id}-copy${k}`;
      extra.push({ ...o, id });
      vols![id] = sample.market.impliedVols![o.id] * (1 + (k % 5) / 50);
    }
    const bigBook: Book = { ...sample.book, instruments: [...sample.book.instruments, ...extra] };
    bigBook.accounts = bigBook.accounts.map((a, i) => (i % 3 ? a : { ...a, positions: [...(a.positions ?? []), { instrument: extra[(i * 17) % extra.length].id, quantity: i % 2 ? 2 : -3, entryPrice: 10 }] }));
    const valid = validateInputs(bigBook, { ...sample.market, impliedVols: vols });
    const sharded = await engine.openShardedBook(valid.book, new LocalTransport(engine, 2));
    expect(firstDifference(withoutWorkers(await sharded.margin(valid.market, { method: 'portfolio' })), engine.margin(valid.book, valid.market, { method: 'portfolio' }))).toBeNull();
    expect(sharded.lastRun!.tableParts).toBe(2);
    await sharded.release();
  });

  test('phase two on a worker that no longer holds phase one’s run (a replacement) prepares afresh: same bits', () => {
    const engine = engines[1];
    const [shard] = partitionBook(book, 1).shards;
    const parts = tableInSlices(engine, RUNS[0].options);
    const store = new ShardStore(engine);
    store.load('b', shard);
    const task: ShardTask = { bookId: 'b', shard: 0, tick: 0, market, runs: [RUNS[0].options], table: parts };
    const withTable = store.run(task);
    const plain = store.run({ ...task, tick: 1, table: undefined });
    expect(withTable.kind).toBe('ok');
    expect(plain.kind).toBe('ok');
    expect(firstDifference(withTable.kind === 'ok' && withTable.reports, plain.kind === 'ok' && plain.reports)).toBeNull();
    store.unload('b');
  });
});
