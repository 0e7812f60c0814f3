/**
 * A released session refuses every call with one message naming the release (not the first column a call reached).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('a released session', () => {
  it('says it was released, for margin, prepare, liquidate and live', () => {
    const session = engine.openBook(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] }));
    expect(session.margin(market()).accounts).toHaveLength(1);
    session.release();
    const released = /this session was released \(session\.release\(\)\): open another with engine\.openBook/;
    expect(() => session.margin(market())).toThrow(released);
    expect(() => session.prepare(market())).toThrow(released);
    expect(() => engine.liquidate(session, market())).toThrow(released);
    expect(() => engine.live(session, market())).toThrow(released);
  });
});
