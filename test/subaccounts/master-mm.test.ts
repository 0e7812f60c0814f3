/**
 * A master whose free collateral sits at a location slower than the liquidation horizon (exclude-mm: it counts for IM,
 * not for MM) is never made liquidatable by its subaccounts' backstop, by the allocation the engine proposes, or by a
 * transfer: each keeps the master at or above MM as well as IM (docs/subaccounts.md). Hand figures, cross defaults:
 * m long 1 BTC-PERP at 100,000 (IM 900, MM 450) on 1,000 USDC and 0.5 BTC at `ethereum` (2 h > 1 h horizon): equity
 * for IM 1,000 + 0.95·50,000 = 48,500, for MM 1,000. Its surplus over IM is 47,600, over MM 550: it can give 550.
 * s1 long 1 BTC-PERP on 1 USDC (MM 450, short 449), s2 short 10 ETH-PERP on 1 USDC (MM 150, short 149).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const market = JSON.parse(readFileSync(new URL('../../data/examples/market.json', import.meta.url), 'utf8'));
const instruments = [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }];
const book = {
  instruments,
  accounts: [
    { id: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'BTC', amount: 0.5, location: 'ethereum' }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -10, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 1 }] },
  ],
};
const locations = { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } };

describe('a master with collateral that counts for IM only stays at MM', () => {
  it('the figures the cases start from', () => {
    for (const e of engines) {
      const r = e.margin(book, market, { method: 'cross', params: { locations } });
      expect(r.accounts.map((a) => [a.id, a.equityIm, a.equityMm, a.im, a.mm])).toEqual([['m', 48_500, 1_000, 900, 450], ['s1', 1, 1, 900, 450], ['s2', 1, 1, 300, 150]]);
    }
  });

  it('backstop: F = min(47,600, 550) = 550 pays s2 its 149 and s1 400.99; the master ends a cent above MM, not liquidatable', () => {
    for (const e of engines) {
      const r = e.margin(book, market, { method: 'cross', params: { locations, subaccounts: { policy: 'backstop' } } });
      // a cover of all of F is trimmed a cent: the master keeps a surplus beyond its figures' rounding (backstop.ts)
      expect(r.subaccounts!.masters[0].backstop).toEqual({ freeUsd: 550, coveredUsd: 549.99, uncoveredUsd: 598 - 549.99, covers: [{ account: 's2', usd: 149 }, { account: 's1', usd: 400.99 }] });
      const m = r.accounts[0];
      expect([m.equityMm, m.mm, m.status]).toEqual([1_000 - 549.99, 450, 'healthy']);
    }
  });

  it('allocation: 550 split to equal health, (1 + x₁)/450 = (1 + x₂)/150 with x₁ + x₂ = 550: t = 0.92', async () => {
    const r = await engines[0].allocateCollateral(book, market, 'm', { method: 'cross', params: { locations } });
    expect(r.minHealthAfter).toBeCloseTo(0.92, 9);
    expect(r.usedUsd).toBeLessThanOrEqual(550);
    const got = Object.fromEntries(r.transfers.map((t) => [t.account, t.usd]));
    expect(got.s1).toBeCloseTo(413, 6);
    expect(got.s2).toBeCloseTo(137, 6);
    expect(r.transfers.every((t) => t.source === 'USDC')).toBe(true); // the BTC at ethereum brings no equity for MM
  });

  it('transfer: 1,000 USDC out of m is refused below MM (its IM surplus would allow it); 550 is taken', () => {
    for (const e of engines) {
      const live = e.live(book, market, { method: 'cross', params: { locations } });
      const refused = live.transfer({ from: 'm', to: 's1', asset: 'USDC', amount: 1_000 });
      expect([refused.accepted, refused.reason]).toEqual([false, 'm would fall below MM: equity for MM 0.00 < MM 450.00 after the transfer']);
      expect(live.account('m').equityMm).toBe(1_000); // nothing moved
      const taken = live.transfer({ from: 'm', to: 's1', asset: 'USDC', amount: 550 });
      expect([taken.accepted, live.account('m').equityMm, live.account('m').status]).toEqual([true, 450, 'healthy']);
      live.release();
    }
  });
});

describe('a pre-trade check never accepts an order into liquidation', () => {
  // m buying s more BTC-PERP at the mark: MM on (1 + s)·100,000 is 0.4 % of the first 50,000 and 0.5 % above, so its
  // equity for MM 1,000 covers 200 + 0.005·((1 + s)·100,000 − 50,000) up to s = 1.1; IM (2,000 there) is far inside
  // 48,500. Buying 2 (MM 200 + 0.005·250,000 = 1,450) was accepted on IM alone, leaving m liquidatable.
  it('m buys 2 BTC-PERP: rejected on MM; maxQuantity 1.1', () => {
    for (const e of engines) {
      const live = e.live(book, market, { method: 'cross', params: { locations } });
      const r = live.check('m', { instrument: 'BTC-PERP', quantity: 2, price: 100_000 });
      expect([r.accepted, r.rejectedBy, r.reason]).toEqual([false, 'margin', 'margin: equity for MM after the order 1,000.00 is below MM 1,450.00 (USD): a balance that counts for IM but less for MM (at a location slower than the liquidation horizon) does not cover it']);
      expect(r.maxQuantity).toBeCloseTo(1.1, 9);
      const at = live.check('m', { instrument: 'BTC-PERP', quantity: r.maxQuantity!, price: 100_000 });
      expect([at.accepted, at.after.status]).toEqual([true, 'healthy']);
      live.release();
    }
  });
});
