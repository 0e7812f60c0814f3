/**
 * An instrument id the book does not list is refused at its path, with the id the user most likely meant when one is
 * a slip away (case, one edit) or the only id it begins: `BTC-PERP` typed on a Deribit book means `BTC-PERPETUAL`.
 * Two edits are not a slip between structured ids (`XYZ-PERP` is not `XRP-PERP`): no guess then.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { nearestId, unknownInstrumentMessage } from '../../src/model/checks.js';
import { book, market } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';

const ids = (...names: string[]) => new Map(names.map((n, k) => [n, k]));
const DERIBIT = ids('BTC-PERPETUAL', 'ETH-PERPETUAL', 'BTC-27MAR26', 'BTC-27MAR26-100000-C', 'BTC-27MAR26-100000-P');

describe('nearestId', () => {
  it('takes case, one edit, then a unique prefix', () => {
    expect(nearestId('btc-perpetual', DERIBIT)).toBe('BTC-PERPETUAL'); // case
    expect(nearestId('BTC-PERPETAUL', DERIBIT)).toBe('BTC-PERPETUAL'); // an adjacent swap
    expect(nearestId('BTC-27MAR26-100000-c', DERIBIT)).toBe('BTC-27MAR26-100000-C'); // case first, whatever else is near
    expect(nearestId('BTC-PERP', DERIBIT)).toBe('BTC-PERPETUAL'); // the only id it begins
    expect(nearestId('eth-perp', DERIBIT)).toBe('ETH-PERPETUAL');
  });

  it('guesses nothing from two edits, an ambiguous prefix or a prefix too short to mean anything', () => {
    expect(nearestId('XYZ-PERP', ids('XRP-PERP', 'BTC-PERP'))).toBeNull();
    expect(nearestId('NOPE-PERP', ids('DOGE-PERP'))).toBeNull();
    expect(nearestId('BTC-27MAR26-1', DERIBIT)).toBeNull(); // a call and a put begin so
    expect(nearestId('BTC-27MAR26-100000-X', DERIBIT)).toBeNull(); // the call and the put are each one slip away
    expect(nearestId('acct-7', ids('acct-70', 'acct-71'))).toBeNull();
    expect(nearestId('BT', ids('BTC-PERPETUAL'))).toBeNull();
    expect(nearestId('BTC', ids())).toBeNull();
  });

  it('searches a large set by case only', () => {
    const many = new Map<string, number>();
    for (let k = 0; k < 100_001; k++) many.set(`acct-${k}`, k);
    expect(nearestId('ACCT-7', many)).toBe('acct-7');
    expect(nearestId('acct-7x', many)).toBeNull();
  });

  it('words the message with the guess, and searches only while the problem list keeps what it is given', () => {
    expect(unknownInstrumentMessage('BTC-PERP', DERIBIT)).toBe('unknown instrument "BTC-PERP" (did you mean "BTC-PERPETUAL"?)');
    expect(unknownInstrumentMessage('SOL-PERP', DERIBIT)).toBe('unknown instrument "SOL-PERP"');
    expect(unknownInstrumentMessage('BTC-PERP', DERIBIT, { full: false })).toContain('did you mean');
    expect(unknownInstrumentMessage('BTC-PERP', DERIBIT, { full: true })).toBe('unknown instrument "BTC-PERP"'); // the 101st problem is dropped anyway
  });

});

describe('every path that takes an instrument id suggests the one meant', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend: 'js' });
  });
  const BOOK = book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });

  it('a position', () => {
    const b = book({ id: 'alice', positions: [{ instrument: 'btc-perp', quantity: 1, entryPrice: 100_000 }] });
    expect(problemLines(() => engine.margin(b, market(), { method: 'cross' }))).toEqual(['accounts[0].positions[0].instrument: unknown instrument "btc-perp" (did you mean "BTC-PERP"?)']);
  });

  it('an order, a fill, a tick and a limit of a live session', () => {
    const live = engine.live(BOOK, market(), { method: 'cross' });
    try {
      expect(problemLines(() => live.check('alice', { instrument: 'ETH-PRP', quantity: 1, price: 3_000 }))).toEqual(['order.instrument: unknown instrument "ETH-PRP" (did you mean "ETH-PERP"?)']);
      expect(problemLines(() => live.applyFills([{ account: 'alice', instrument: 'BTC-PERPX', quantity: 1, price: 100_000 }]))).toEqual([
        'fills[0].instrument: unknown instrument "BTC-PERPX" (did you mean "BTC-PERP"?)',
      ]);
      expect(problemLines(() => live.applyTick({ marks: { 'BTC-110000-c': 1_000 } }))).toEqual(['tick.marks["BTC-110000-c"]: unknown instrument "BTC-110000-c" (did you mean "BTC-110000-C"?): not in the book']);
    } finally {
      live.release();
    }
    expect(problemLines(() => engine.live(BOOK, market(), { limits: { maxPosition: { 'BTC-PERPS': 1 } } }))).toEqual([
      'limits.maxPosition["BTC-PERPS"]: unknown instrument "BTC-PERPS" (did you mean "BTC-PERP"?)',
    ]);
  });

  it('a hedge to optimise with', async () => {
    await expect(engine.optimize(BOOK, market(), { method: 'portfolio', account: 'alice', hedges: [{ instrument: 'ETH-PER', maxQuantity: 1 }] })).rejects.toThrow(
      'hedges[0].instrument: unknown instrument "ETH-PER" (did you mean "ETH-PERP"?)',
    );
  });
});
