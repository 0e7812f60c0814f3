/**
 * A live session over collateral held at a location (docs/locations.md): the book it gives back keeps where each
 * balance sits, so a fresh run of it has the session's bits; and under the cross policy, whose pools are judged from
 * the layout's holdings (which do not say where a balance sits), a group with a located balance is refused at its path
 * instead of counting that balance as held at the venue.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { firstDifference } from '../support/bits.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const locations = { horizonHours: 1, at: { arbitrum: { haircut: 0.02, delayHours: 0.5 }, ethereum: { haircut: 0, delayHours: 2 } } };

describe('a live session over located balances', () => {
  it('gives back a book that keeps them where they are: engine.margin of it is the session\'s report', () => {
    const b = book({ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 98_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }, { asset: 'ETH', amount: 1, location: 'arbitrum' }] });
    const live = engine.live(b, market(), { method: 'cross', params: { locations } });
    try {
      live.applyTransfers([{ account: 'a', asset: 'ETH', amount: 0.5 }]);
      expect(live.book().accounts[0].collateral).toEqual([{ asset: 'USDC', amount: 5_000 }, { asset: 'ETH', amount: 1.5, location: 'arbitrum' }]);
      expect(firstDifference(live.report(), engine.margin(live.book(), live.marketJson, { method: 'cross', params: { locations } }))).toBeNull();
    } finally {
      live.release();
    }
  });

  it('under the cross policy refuses a group whose member holds one, at the balance\'s path; the independent policy takes it', () => {
    const b = book(
      { id: 'm', collateral: [{ asset: 'USDC', amount: 100 }, { asset: 'ETH', amount: 2, location: 'ethereum' }] },
      { id: 's', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_100 }], collateral: [{ asset: 'USDC', amount: 500 }] },
    );
    (b.accounts[1] as { master?: string }).master = 'm';
    expect(() => engine.live(b, market(), { method: 'cross', params: { locations, subaccounts: { policy: 'cross' } } })).toThrow(/accounts\[0\]\.collateral\[1\]\.location: held at "ethereum" by a member of "m"'s group: a live session's pools under the cross policy do not follow locations/);
    const live = engine.live(b, market(), { method: 'cross', params: { locations, subaccounts: { policy: 'independent' } } });
    try {
      expect(firstDifference(live.report(), engine.margin(live.book(), live.marketJson, { method: 'cross', params: { locations, subaccounts: { policy: 'independent' } } }))).toBeNull();
    } finally {
      live.release();
    }
  });
});
