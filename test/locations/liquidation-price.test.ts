/**
 * The liquidation price counts located collateral as the margin run does (docs/locations.md): a balance on a chain
 * slower than the liquidation horizon counts for IM, not for MM, so it is no buffer against liquidation. Hand figures:
 * long 1 BTC-PERP entered at 100,000, BTC's default brackets (MM 0.4% to 50,000 of notional, 0.5% beyond): MM at
 * price P = 200 + 0.005·(P − 50,000) = 0.005P − 50; equity for MM = USDC + (P − 100,000), the BTC on `ethereum`
 * (delay 2 h, horizon 1 h) counting 0. Before, the search counted that BTC (0.1 BTC: below 90,938.22).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const market = (price: number) => ({ valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price, vol: 0.6 }, USDC: { price: 1, vol: 0 } } });
const params = { locations: { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } } };
const bookOf = (usdc: number) => ({
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }, { asset: 'BTC', amount: 0.1, location: 'ethereum' }] }],
});

describe('liquidation price with collateral by location', () => {
  it('600 USDC and 0.1 BTC on a slow chain: below 99,350 / 0.995 (equity for MM 600 + P − 100,000 = 0.005P − 50)', () => {
    for (const e of engines) {
      const row = e.margin(bookOf(600), market(100_000), { method: 'cross', params, breakdown: true }).accounts[0];
      expect(row.status).toBe('healthy');
      expect(row.liquidationPrice!.below).toBeCloseTo(99_350 / 0.995, 6);
      expect(row.liquidationPrice!.above).toBeNull();
      // the run agrees on either side
      expect(e.margin(bookOf(600), market(99_849), { method: 'cross', params }).accounts[0].status).toBe('liquidatable');
      expect(e.margin(bookOf(600), market(99_850), { method: 'cross', params }).accounts[0].status).not.toBe('liquidatable');
    }
  });

  it('100 USDC: liquidatable on its MM alone; it leaves liquidation above 99,850 / 0.995', () => {
    for (const e of engines) {
      const row = e.margin(bookOf(100), market(100_000), { method: 'cross', params, breakdown: true }).accounts[0];
      expect(row.status).toBe('liquidatable');
      expect(row.liquidationPrice!.above).toBeCloseTo(99_850 / 0.995, 6);
      expect(row.liquidationPrice!.below).toBeNull();
    }
  });
});
