/**
 * Pro-rata ADL when the bankrupt accounts route more contracts to a book than its counterparties hold: every
 * contract routed counts, the counterparties give what their positions and caps allow at the average bankruptcy
 * price, and each bankrupt account writes off the same fraction of what it routed (docs/liquidation.md, "adl:
 * 'pro-rata'"). Found when the first account liquidated took the whole open interest and the next wrote off all of
 * its contract: the result hung on the order, and the counterparty paid the first account's price.
 *
 * By hand (X at 100, flat MM 5% / IM 10%, no slippage, no fee, empty fund): B1 long 1 at 200 with 50 USDC has equity
 * −50, bankruptcy price 100 + 50 = 150; B2 long 1 at 101 with nothing has equity −1, bankruptcy price 101. C short 1 at
 * 130 with nothing has a profit and an equity of 30: its cap. Two contracts are routed at (150 + 101) / 2 = 125.5, which
 * costs C 25.5 a contract: it gives its 1 (25.5 ≤ 30). Half of each routed contract is left: B1 writes off
 * 0.5 × (150 − 100) = 25 and B2 0.5 × (101 − 100) = 0.5; ADL absorbed 51 − 25.5 = 25.5, uncovered 25.5.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';

const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
const position = (id: string, quantity: number, entryPrice: number, usdc: number) => ({
  id, positions: [{ instrument: 'X-PERP', quantity, entryPrice }], collateral: usdc > 0 ? [{ asset: 'USDC', amount: usdc }] : [],
});
const options = {
  method: 'cross' as const,
  params: { linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] } },
  liquidation: { adl: 'pro-rata', slippage: { default: { model: 'none' } }, feeRate: 0, maxFractionPerStep: 1, smallShortfallUsd: 0, insuranceFund: { balanceUsd: 0, maxPerStepUsd: null } },
};

describe('pro-rata ADL beyond the open interest', () => {
  it.each(['wasm', 'js'] as const)('writes the same fraction off each bankrupt account, at the average price (%s)', async (backend) => {
    const engine = await createEngine({ backend });
    for (const accounts of [[position('B1', 1, 200, 50), position('B2', 1, 101, 0)], [position('B2', 1, 101, 0), position('B1', 1, 200, 50)]]) {
      const plan = engine.liquidate({ instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }], accounts: [...accounts, position('C', -1, 130, 0)] }, market, options);
      const row = (id: string) => plan.accounts.find((a) => a.id === id)!;
      expect([row('B1').state, row('B1').waterfall.writtenOff]).toEqual(['bankrupt', 25]);
      expect([row('B2').state, row('B2').waterfall.writtenOff]).toEqual(['bankrupt', 0.5]);
      expect(plan.adl.map((f) => [f.account, f.quantity, f.price, f.haircut])).toEqual([['C', -1, 125.5, 25.5]]);
      expect([plan.totals.adlAbsorbed, plan.totals.uncovered, plan.totals.badDebt]).toEqual([25.5, 25.5, 51]);
    }
  });
});
