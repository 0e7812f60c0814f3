/**
 * A book held in columns (src/model/book-columns.ts) is the same book as its objects: every call gives the same
 * report bytes on every backend, margin laid out from the columns, the rest through the object view built on demand.
 */
import { describe, expect, it } from 'vitest';
import { generateSample, validateInputs } from '../../src/index.js';
import { columnarBook, bookColumnsOf, objectViewBuilt } from '../../src/model/book-columns.js';
import { columnsOfBook } from '../../src/model/book-columns-builder.js';
import { allEngines } from '../support/engines.js';

const engines = await allEngines();

function inputs(options: Parameters<typeof generateSample>[0]) {
  const sample = generateSample(options);
  const valid = validateInputs(sample.book, sample.market);
  return { ...valid, columnar: columnarBook(columnsOfBook(valid.book)) };
}

describe.each(engines.map((e) => [e.backend, e] as const))('a columnar book on %s', (_, engine) => {
  const plain = inputs({ accounts: 400, seed: 11, positionsPerAccount: 6 });

  it.each(['cross', 'isolated', 'portfolio', 'var', 'span'])('margin %s: the same report bytes as the book of objects', (method) => {
    const expected = JSON.stringify(engine.margin(plain.book, plain.market, { method }));
    expect(JSON.stringify(engine.margin(plain.columnar, plain.market, { method }))).toBe(expected);
  });

  it('with breakdown, masters, and in liquidation and stress (the object view, built on demand)', () => {
    const grouped = inputs({ accounts: 120, seed: 5, positionsPerAccount: 3, accountsPerMaster: 4 });
    expect(JSON.stringify(engine.margin(grouped.columnar, grouped.market, { method: 'cross', breakdown: true }))).toBe(JSON.stringify(engine.margin(grouped.book, grouped.market, { method: 'cross', breakdown: true })));
    expect(JSON.stringify(engine.liquidate(plain.columnar, plain.market, { method: 'cross' }))).toBe(JSON.stringify(engine.liquidate(plain.book, plain.market, { method: 'cross' })));
    const shock = { spot: { BTC: -0.2, ETH: -0.25 } };
    expect(JSON.stringify(engine.stress(plain.columnar, plain.market, shock, { method: 'cross' }))).toBe(JSON.stringify(engine.stress(plain.book, plain.market, shock, { method: 'cross' })));
  });
});

describe.each(engines.map((e) => [e.backend, e] as const))('a live session on a columnar book on %s', (_, engine) => {
  // what serve opens on an Arrow book: laid out from the columns, no object per account or position built on the way
  it('gives the report bytes of the book of objects after ticks, fills and transfers, and never builds the object view', () => {
    const { book, market, columnar } = inputs({ accounts: 300, seed: 17, positionsPerAccount: 5 });
    const sessions = [engine.live(book, market, { method: 'cross' }), engine.live(columnar, market, { method: 'cross' })];
    try {
      const id = book.accounts[7].id, instrument = book.accounts[7].positions[0].instrument;
      const steps = [
        (s: (typeof sessions)[0]) => s.applyTick({ assets: { BTC: { price: market.assets.get('BTC')!.price * 0.93 } } }),
        (s: (typeof sessions)[0]) => s.applyFills([{ account: id, instrument, quantity: 1.5, price: 1000 }]),
        (s: (typeof sessions)[0]) => s.applyTransfers([{ account: id, asset: 'USDC', amount: -250 }]),
        (s: (typeof sessions)[0]) => s.whatIf(id, [{ instrument, quantity: -2 }]),
      ];
      for (const step of steps) expect(JSON.stringify(step(sessions[1]))).toBe(JSON.stringify(step(sessions[0])));
      expect(JSON.stringify(sessions[1].report())).toBe(JSON.stringify(sessions[0].report()));
      expect(objectViewBuilt(columnar)).toBe(false);
      expect(objectViewBuilt(book)).toBe(false); // a book of objects has no view to build: the probe answers false
    } finally {
      for (const s of sessions) s.release();
    }
  });
});

describe('liquidation and stress of a columnar book', () => {
  // what liquidate and stress run on an Arrow book: the layout from the columns, no object per position on the way
  it('never build its object view', () => {
    const engine = engines[0];
    const { market, columnar } = inputs({ accounts: 200, seed: 3, positionsPerAccount: 5 });
    expect(engine.liquidate(columnar, market, { method: 'cross' }).totals.accountsBreaching).toBeGreaterThan(0);
    expect(engine.stress(columnar, market, { spot: { BTC: -0.2 } }, { method: 'cross' }).cascades.length).toBe(1);
    expect(objectViewBuilt(columnar)).toBe(false);
  });
});

describe('the object view of a columnar book', () => {
  it('is built once something reads book.accounts, and the probe says so', () => {
    const { columnar } = inputs({ accounts: 20, seed: 3, positionsPerAccount: 2 });
    expect(objectViewBuilt(columnar)).toBe(false);
    expect(columnar.accounts.length).toBe(20);
    expect(objectViewBuilt(columnar)).toBe(true);
  });


  it('equals the accounts it was built from, JSON and all', () => {
    const { book, columnar } = inputs({ accounts: 50, seed: 3, positionsPerAccount: 4, accountsPerMaster: 5 });
    expect(bookColumnsOf(columnar)).toBeDefined();
    expect(JSON.stringify(columnar)).toBe(JSON.stringify(book));
    expect(columnar.accounts).toEqual(book.accounts);
  });
});
