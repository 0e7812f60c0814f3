/**
 * The whole book as it travels to the workers for stress jobs (src/scale/whole-book.ts): as columns, whatever its
 * accounts; after a structured clone (what a worker receives) it is the same book: the same stress report, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { bookColumnsOf, columnarBook, objectViewBuilt } from '../../src/model/book-columns.js';
import { columnsOfBook } from '../../src/model/book-columns-builder.js';
import { validateInputs } from '../../src/model/validate.js';
import { generateSample } from '../../src/sample/generate.js';
import { wholeAsBook, wholeBookOf } from '../../src/scale/whole-book.js';
import { ShardStore } from '../../src/scale/tasks.js';
import { stressPaths } from '../../src/stress/stress.js';
import { firstDifference } from '../support/bits.js';

const engine = await createEngine({ backend: 'wasm' });
const shock = { spot: { BTC: -0.2, ETH: -0.15 } }, options = { method: 'cross', params: { stress: { maxRounds: 5 } }, paths: 3, seed: 4 };

describe('the whole book for the workers', () => {
  it('a book of objects of every account kind travels as columns, and, cloned, gives the same stress report', () => {
    const usdSample = generateSample({ accounts: 60, seed: 8, positionsPerAccount: 4 });
    // some positions with their own isolated allocation (a column of its own)
    for (const [k, account] of (usdSample.book as { accounts: { positions: { quantity: number; entryPrice: number; isolatedMargin?: number }[] }[] }).accounts.entries()) {
      if (k % 3 === 0) account.positions[0].isolatedMargin = Math.abs(account.positions[0].quantity * account.positions[0].entryPrice) * 0.05;
    }
    const usd = validateInputs(usdSample.book, usdSample.market);
    // BTC-margined subaccounts (inverse perpetual, coin-settled options) and masters with their subaccounts
    const coinSample = generateSample({ accounts: 40, seed: 9, coinAccounts: 5, accountsPerMaster: 4 });
    const coin = validateInputs(coinSample.book, coinSample.market);
    // accounts with a method of their own (isolated) beside the book's
    const ownSample = generateSample({ accounts: 30, seed: 10, positionsPerAccount: 3 });
    for (const [k, account] of (ownSample.book as { accounts: { method?: string }[] }).accounts.entries()) if (k % 4 === 1) account.method = 'isolated';
    const own = validateInputs(ownSample.book, ownSample.market);
    for (const [{ book, market }, kind] of [[usd, 'USD'], [coin, 'coin-margined, masters'], [own, 'own methods']] as const) {
      const whole = wholeBookOf(book);
      expect(whole.columns.accountIds.length, kind).toBe(book.accounts.length);
      expect(objectViewBuilt(wholeAsBook(whole)), kind).toBe(false);
      const received = wholeAsBook(structuredClone(whole));
      expect(firstDifference(engine.stress(received, market, shock, options), engine.stress(book, market, shock, options)), kind).toBeNull();
    }
  });

  it('a columnar book sends its own columns, each typed array on a buffer of its own size, without building its object view', () => {
    const { book, market } = validateInputs(generateSample({ accounts: 50, seed: 3, positionsPerAccount: 3 }).book, generateSample({ accounts: 50, seed: 3 }).market);
    const own = columnsOfBook(book);
    // a reader's column may be a view into a bigger buffer (an Arrow file's): only the view's bytes travel
    const big = new Float64Array(own.quantity.length + 1000);
    big.set(own.quantity, 500);
    const entryPrice = Float64Array.from(own.entryPrice); // a buffer of its own size
    const columnar = columnarBook({ ...own, quantity: big.subarray(500, 500 + own.quantity.length), entryPrice });
    const whole = wholeBookOf(columnar);
    expect(whole.columns.quantity.buffer.byteLength).toBe(8 * own.quantity.length);
    expect(Array.from(whole.columns.quantity)).toEqual(Array.from(own.quantity));
    expect(whole.columns.entryPrice).toBe(bookColumnsOf(columnar)!.entryPrice); // already its own size: not copied
    expect(whole.columns.entryPrice).toBe(entryPrice);
    expect(objectViewBuilt(columnar)).toBe(false);
    expect(firstDifference(engine.stress(wholeAsBook(structuredClone(whole)), market, shock, options), engine.stress(book, market, shock, options))).toBeNull();
  });

  it('a worker lets its copy of a columnar book\'s positions go once a method\'s runner laid it out; another method is sent the book again', () => {
    const sample = generateSample({ accounts: 40, seed: 12, positionsPerAccount: 3 });
    const { book, market } = validateInputs(sample.book, sample.market);
    const store = new ShardStore(engine);
    const whole = wholeBookOf(book);
    store.loadWhole('b', structuredClone(whole));
    const job = (method: string, from: number, to: number) => ({ bookId: 'b', market, shock, options: { ...options, method }, method, from, to });
    const fresh = (method: string, from: number, to: number) => stressPaths(() => engine.openBook(book), engine.methods, market, shock, { ...options, method }, method, from, to);
    expect(firstDifference(store.stressPaths(job('cross', 0, 2)), fresh('cross', 0, 2))).toBeNull();
    expect(store.stressPaths(job('portfolio', 0, 1))).toBe('missing'); // the positions were let go: send the book again
    store.loadWhole('b', structuredClone(whole));
    expect(firstDifference(store.stressPaths(job('portfolio', 0, 1)), fresh('portfolio', 0, 1))).toBeNull();
    // the cross runner stayed, laid out: its next job needs no book
    expect(firstDifference(store.stressPaths(job('cross', 2, 3)), fresh('cross', 2, 3))).toBeNull();
    store.unload('b');
    expect(store.stressPaths(job('cross', 0, 1))).toBe('missing');
  });
});
