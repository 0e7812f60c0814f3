/**
 * A USDC-settled linear contract closed by liquidation (src/liquidation/pricing.ts linearFill): its mark is in USDC, the
 * slippage model's parameters in USD. Twins by hand, BTC at 90,000 USD, USDC at 0.9: a USDC account long 1
 * BTC_USDC-PERPETUAL marked 100,000 USDC (90,000 USD) and a USD account long 1 BTC-PERP marked 90,000, each at health
 * 0.8. The square-root model moves the price by y·σ_daily·√(notional USD / advUsd) = 0.5/√365·√(90,000/1e9) =
 * 0.000248282 for both: the USDC account fills at 100,000·(1 − that) USDC, which is the USD account's fill in USD
 * (the USDC mark was read as 100,000 USD: 1/√0.9 more slippage). The linear model's 100 USD per unit is 111.1 USDC.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

const book = {
  instruments: [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' }, { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }],
  accounts: [
    { id: 'usdc', marginCurrency: 'USDC', collateral: [{ asset: 'USDC', amount: 10_400 }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 1, entryPrice: 110_000 }] },
    { id: 'usd', cashUsd: 10_360, positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 90_000, vol: 0.5 }, USDC: { price: 0.9, vol: 0 } },
  marks: { 'BTC_USDC-PERPETUAL': 100_000, 'BTC-PERP': 90_000 }, correlation: { assets: ['BTC'], matrix: [[1]] },
};

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

describe('liquidating a USDC-settled linear contract: the slippage model in USD', () => {
  it('square-root model: the USDC fill is the USD twin\'s fill in USD', () => {
    const move = (0.5 / Math.sqrt(365)) * Math.sqrt(90_000 / 1e9);
    for (const engine of engines) {
      const r = engine.liquidate(book, market, { method: 'cross', liquidation: { slippage: { default: { model: 'sqrt', y: 1, advUsd: 1e9 } }, maxFractionPerStep: 1 } });
      const [usdc, usd] = ['usdc', 'usd'].map((id) => r.accounts.find((a) => a.id === id)!.steps[0]);
      expect(usd.fillPrice).toBeCloseTo(90_000 * (1 - move), 8);
      expect(usdc.fillPrice).toBeCloseTo(100_000 * (1 - move), 8);
      expect(usdc.quantity).toBe(usd.quantity);
    }
  });

  it('linear model: 100 USD per unit is 111.1 USDC per unit', () => {
    for (const engine of engines) {
      const r = engine.liquidate(book, market, { method: 'cross', liquidation: { slippage: { default: { model: 'linear', pricePerUnit: 100 } }, maxFractionPerStep: 1, feeRate: 0.001, smallShortfallUsd: 0 } });
      const [usdc, usd] = ['usdc', 'usd'].map((id) => r.accounts.find((a) => a.id === id)!.steps[0]);
      // a sale of q fills at the mark − pricePerUnit·q/2, in the mark's unit
      expect(usd.fillPrice).toBeCloseTo(90_000 - 100 * usd.quantity * 0.5, 8);
      expect(usdc.fillPrice).toBeCloseTo(100_000 - (100 / 0.9) * usdc.quantity * 0.5, 8);
      expect(usdc.quantity).toBeCloseTo(usd.quantity, 12);
    }
  });
});
