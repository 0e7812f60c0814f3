/**
 * A book held in columns (src/model/book-columns.ts) is the same book as its objects: every call gives the same
 * report bytes on every backend, margin laid out from the columns, the rest through the object view built on demand.
 */
import { describe, expect, it } from 'vitest';
import { generateSample, validateInputs } from '../../src/index.js';
import { columnarBook, bookColumnsOf } from '../../src/model/book-columns.js';
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

describe('the object view of a columnar book', () => {
  it('equals the accounts it was built from, JSON and all', () => {
    const { book, columnar } = inputs({ accounts: 50, seed: 3, positionsPerAccount: 4, accountsPerMaster: 5 });
    expect(bookColumnsOf(columnar)).toBeDefined();
    expect(JSON.stringify(columnar)).toBe(JSON.stringify(book));
    expect(columnar.accounts).toEqual(book.accounts);
  });
});
