/**
 * `margin-core stress` on the book it read (src/cli/stress-owned.ts): the report of engine.stress on the book of
 * objects, byte for byte, whether the columnar book's positions were let go after its one session (a single method)
 * or kept for every method's own session (`all`).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample, validateInputs } from '../../src/index.js';
import { columnarBook } from '../../src/model/book-columns.js';
import { columnsOfBook } from '../../src/model/book-columns-builder.js';
import { stressOwnedBook } from '../../src/cli/stress-owned.js';

const engine = await createEngine({ backend: 'wasm' });
const sample = generateSample({ accounts: 80, seed: 21, positionsPerAccount: 4 });
const { book, market } = validateInputs(sample.book, sample.market);
const shock = { spot: { BTC: -0.25, ETH: -0.3 } };

describe('stressOwnedBook', () => {
  it.each(['cross', 'all'])('method %s: the report engine.stress gives for the book of objects', (method) => {
    const report = engine.stress(book, market, shock, { method }), expected = JSON.stringify(report);
    expect(report.cascades[0].rounds.some((r) => r.accountsLiquidated > 0)).toBe(true); // a cascade that liquidates
    const owned = columnarBook(columnsOfBook(book));
    expect(JSON.stringify(stressOwnedBook(engine, owned, market, shock, { method }))).toBe(expected);
    // one method: the positions went with its session; every method: they stayed for the next one
    if (method === 'all') expect(owned.accounts.length).toBe(80);
    else expect(() => owned.accounts).toThrow(/positions were let go once it was laid out/);
  });
});
