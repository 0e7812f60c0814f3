/**
 * A columnar book's positions let go once a session has laid them out (src/model/book-columns.ts releasePositions,
 * what `margin-core liquidate` does with the book it read): the session's liquidation is that of the book of objects,
 * byte for byte, and anything that would read a position afterwards fails with an internal error instead of seeing
 * a book without positions. Books whose later paths read the object view keep it.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample, validateInputs } from '../../src/index.js';
import { bookColumnsOf, columnarBook, releasePositions } from '../../src/model/book-columns.js';
import { columnsOfBook } from '../../src/model/book-columns-builder.js';

const engine = await createEngine({ backend: 'wasm' });

function inputs(options: Parameters<typeof generateSample>[0]) {
  const sample = generateSample(options);
  const valid = validateInputs(sample.book, sample.market);
  return { ...valid, columnar: columnarBook(columnsOfBook(valid.book)) };
}

describe('releasePositions', () => {
  const { book, market, columnar } = inputs({ accounts: 400, seed: 11, positionsPerAccount: 6 });

  it('leaves a laid-out session liquidating as the book of objects does', () => {
    const expected = JSON.stringify(engine.liquidate(book, market, { method: 'cross' }));
    const session = engine.openBook(columnar);
    try {
      expect(releasePositions(columnar)).toBe(true);
      expect(JSON.stringify(engine.liquidate(session, market, { method: 'cross' }))).toBe(expected);
    } finally {
      session.release();
    }
  });

  it('fails closed when a position is read afterwards', () => {
    const released = inputs({ accounts: 50, seed: 3, positionsPerAccount: 4 }).columnar;
    engine.openBook(released).release();
    expect(releasePositions(released)).toBe(true);
    expect(() => released.accounts).toThrow(/positions were let go once it was laid out/);
    expect(() => bookColumnsOf(released)!.entryPrice).toThrow(/its entryPrice was read/);
    expect(() => engine.openBook(released)).toThrow(/let go once it was laid out/);
    // what a session still reads of its book stays
    expect(bookColumnsOf(released)!.accountIds.length).toBe(50);
  });

  it('lets nothing go from a book of objects, a book with masters, or one whose object view was built', () => {
    expect(releasePositions(book)).toBe(false);
    const grouped = inputs({ accounts: 40, seed: 5, positionsPerAccount: 3, accountsPerMaster: 4 }).columnar;
    expect(releasePositions(grouped)).toBe(false);
    expect(grouped.accounts[0].positions.length).toBeGreaterThan(0);
    const viewed = inputs({ accounts: 20, seed: 9, positionsPerAccount: 3 }).columnar;
    const first = viewed.accounts[0].positions[0];
    expect(releasePositions(viewed)).toBe(false);
    expect(viewed.accounts[0].positions[0]).toBe(first);
  });
});
