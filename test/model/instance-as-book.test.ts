/**
 * An object of a class given where a book is expected — a live session, a session of engine.openBook — is said as
 * what it is, with where its book is, not as a dozen unknown fields (`run: unknown field …; limits: …`).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { problemsOf } from '../support/problems.js';
import { book, market } from '../support/margin-books.js';

const BOOK = book({ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] });

describe('a class instance given as a book', () => {
  it('a live session, to liquidate, margin and stress; a session to margin; any other instance', async () => {
    const engine = await createEngine({ backend: 'js' });
    const live = engine.live(BOOK, market(), { method: 'cross' });
    const session = engine.openBook(BOOK);
    const problems = problemsOf;
    const liveSaid = [{ path: 'book', message: 'expected an object with instruments and accounts, got a live session (engine.live): its book now is live.book(), read before it is released' }];
    expect(problems(() => engine.liquidate(live, market()))).toEqual(liveSaid);
    expect(problems(() => engine.margin(live, market()))).toEqual(liveSaid);
    expect(problems(() => engine.stress(live, market(), { shock: { steps: [{ label: 'x', returns: { BTC: -0.1 } }] } }))).toEqual(liveSaid);
    expect(problems(() => engine.margin(session, market()))).toEqual([{ path: 'book', message: 'expected an object with instruments and accounts, got a session (engine.openBook): this call takes the book itself (liquidate and live take a session)' }]);
    expect(problems(() => engine.margin(new Map(), market()))).toEqual([{ path: 'book', message: 'expected an object with instruments and accounts, got an instance of Map' }]);
    // given as the market: said so, with where its market is
    expect(problems(() => engine.margin(BOOK, live))).toEqual([{ path: 'market', message: 'expected an object with valuationTime and assets, got a live session (engine.live): its market now is live.marketJson, read before it is released' }]);
    expect(problems(() => engine.margin(BOOK, session))).toEqual([{ path: 'market', message: 'expected an object with valuationTime and assets, got a session (engine.openBook): this call takes the market itself' }]);
    // the live session's own book is taken
    expect(engine.margin(live.book(), live.marketJson).accounts.length).toBe(BOOK.accounts.length);
    live.release();
    session.release();
  });
});
