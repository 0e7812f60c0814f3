import { describe, expect, it } from 'vitest';
import { layoutBook, layoutToBook } from '../../src/layout/index.js';
import { validateBook } from '../../src/model/validate.js';
import { problemsOf } from '../support/problems.js';
import { smallBook } from '../model/fixtures.js';
import { ALLOCATORS } from './helpers.js';

const PERP = { instrument: 'BTC-PERP', quantity: 1, entryPrice: 90000 };
/** An instrument alice does not hold yet (a row on one she holds is netted into her position). */
const FUTURE = { instrument: 'BTC-26MAR27', quantity: 1, entryPrice: 90000 };

describe.each(ALLOCATORS)('adding and removing without re-laying out (%s)', (_name, makeAllocator) => {
  function fresh(slack = 2) {
    return layoutBook(validateBook(smallBook()), makeAllocator(), { positionSlack: slack });
  }

  it('adds a position into the account slack in place: no column moves', () => {
    const layout = fresh(2);
    const generation = layout.generation;
    const start = layout.positions.start.array[1];
    layout.addPosition('bob', PERP);
    expect(layout.generation).toBe(generation);
    expect(layout.positions.start.array[1]).toBe(start);
    expect(layoutToBook(layout).accounts[1].positions).toEqual([smallBook().accounts[1].positions[0], PERP]);
  });

  it('moves an account whose slack is used up to the end of the arena, leaving a hole', () => {
    const layout = fresh(0);
    const before = layout.positions.start.array[0];
    layout.addPosition('alice', FUTURE);
    expect(layout.positions.start.array[0]).not.toBe(before);
    expect(layout.positions.wastedSlots).toBe(2);
    const expected = smallBook().accounts[0].positions.concat(FUTURE);
    expect(layoutToBook(layout).accounts[0].positions).toEqual(expected);
  });

  it('keeps every account intact through many inserts that grow the arena', () => {
    const layout = fresh(0);
    for (let k = 0; k < 100; k++) layout.addInstrument({ id: `PERP-${k}`, kind: 'perpetual', underlying: 'BTC' });
    for (let k = 0; k < 300; k++) layout.addPosition(['alice', 'bob', 'carol'][k % 3], { ...PERP, instrument: `PERP-${Math.floor(k / 3)}`, quantity: k + 1 });
    const accounts = layoutToBook(layout).accounts;
    expect(accounts.map((a) => a.positions!.length)).toEqual([102, 101, 100]);
    expect(accounts[2].positions![99].quantity).toBe(300);
    expect(accounts[0].positions![0]).toEqual(smallBook().accounts[0].positions[0]);
  });

  it('removes a position keeping the order of the others', () => {
    const layout = fresh();
    layout.removePosition('alice', 0);
    expect(layoutToBook(layout).accounts[0].positions).toEqual([smallBook().accounts[0].positions[1]]);
  });

  it('adds and removes accounts, and compact() drops the removed ones and the holes', () => {
    const layout = fresh(0);
    layout.addAccount({ id: 'dave', positions: [PERP], collateral: [{ asset: 'USDC', amount: 5 }] });
    layout.addPosition('alice', FUTURE); // relocation: a hole
    layout.removeAccount('bob');
    expect(layout.live.array[1]).toBe(0);
    const expected = layoutToBook(layout);
    expect(expected.accounts.map((a) => a.id)).toEqual(['alice', 'carol', 'dave']);
    const generation = layout.generation;
    layout.compact();
    expect(layout.generation).not.toBe(generation);
    expect(layout.positions.wastedSlots).toBe(0);
    expect(layout.accountIds).toEqual(['alice', 'carol', 'dave']);
    expect(layoutToBook(layout)).toEqual(expected);
    // Compacted CSR: each run starts right after the previous one (plus slack, 0 here).
    expect(layout.positions.end.array[0]).toBe(layout.positions.start.array[1]);
  });

  it('sets and removes collateral balances', () => {
    const layout = fresh();
    layout.setCollateral('alice', 'BTC', 3);
    layout.setCollateral('alice', 'ETH', 1.5);
    layout.removeCollateral('alice', 'USDC');
    expect(layoutToBook(layout).accounts[0].collateral).toEqual([
      { asset: 'BTC', amount: 3 },
      { asset: 'ETH', amount: 1.5 },
    ]);
  });

  it('adds an instrument and marks the market stale', () => {
    const layout = fresh();
    layout.addInstrument({ id: 'SOL-PERP', kind: 'perpetual', underlying: 'SOL' });
    layout.addPosition('carol', { instrument: 'SOL-PERP', quantity: -3, entryPrice: 140 });
    expect(layout.marketStale).toBe(true);
    expect(layout.assets).toContain('SOL');
    expect(layoutToBook(layout).accounts[2].positions).toEqual([{ instrument: 'SOL-PERP', quantity: -3, entryPrice: 140 }]);
  });

  it('validates what it adds, with paths', () => {
    const layout = fresh();
    expect(problemsOf(() => layout.addPosition('alice', { instrument: 'NOPE', quantity: NaN, entryPrice: 1 })).map((p) => p.path)).toEqual([
      'position.instrument',
      'position.quantity',
    ]);
    expect(problemsOf(() => layout.addAccount({ id: 'alice', collateral: [{ asset: 'USDC', amount: 1 }] }))).toEqual([
      { path: 'account.id', message: 'duplicate account id "alice"' },
    ]);
    expect(problemsOf(() => layout.removePosition('zed', 0))).toEqual([{ path: 'accountId', message: 'no account "zed" in the book' }]);
  });
});
