/**
 * A cascade's liquidated notional is in USD for contracts settled in another asset: a USDC-settled perpetual's fills
 * are in USDC (its account's figures), so the round converts them at USDC's index, as the liquidation's totals do.
 * By hand: 1 BTC long on 2,000 USDC, BTC 100,000 and USDC 0.9 (mark 111,111.11 USDC), BTC −1.5%: the account goes below
 * MM and the round sells its bitcoin at about 98,500 USD (109,444 USDC); the notional it reports was 1/0.9 too large.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

const book = {
  instruments: [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' }],
  accounts: [{ id: 'usdc-1', marginCurrency: 'USDC', collateral: [{ asset: 'USDC', amount: 2_000 }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 1, entryPrice: 111_111.11 }] }],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 0.9, vol: 0.05 } },
  marks: { 'BTC_USDC-PERPETUAL': 100_000 / 0.9 },
  correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
};

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('stress: a USDC-settled contract\'s liquidated notional', () => {
  it('is in USD at USDC\'s index', () => {
    const s = engine.stress(book, market, { name: 'BTC -1.5%', spot: { BTC: -0.015 } }, { method: 'cross' });
    const round = s.cascades[0].rounds[0];
    expect(round.accountsLiquidated).toBe(1);
    const sold = -round.flowUnits.BTC; // bitcoin sold, units of the underlying
    expect(sold).toBeGreaterThan(0);
    // sold at about BTC's shocked price in USD (the impact model's temporary price: within 1%)
    const perBitcoin = round.liquidatedNotional / sold;
    expect(perBitcoin).toBeGreaterThan(98_500 * 0.99);
    expect(perBitcoin).toBeLessThanOrEqual(98_500 * (1 + 1e-12));
  });
});
