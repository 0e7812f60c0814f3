/**
 * A counterparty whose ADL cap a fill takes whole gives nothing after it: the cap left is a rounding above 0, not a
 * dust of contracts to take later as a deleveraging of its own (deleverage.ts capLeft). Worked by hand on BTC-margined
 * accounts of BTC-PERPETUAL (10 USD face, inverse), BTC at 100,000, queue ADL, no fund, on js, wasm-scalar and wasm-simd.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['BTC'], matrix: [[1]] },
};
const instruments = [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }];
const account = (id: string, quantity: number, entryPrice: number, btc: number) => ({ id, marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity, entryPrice }], collateral: [{ asset: 'BTC', amount: btc }] });
const plain = { slippage: { default: { model: 'none' } }, feeRate: 0, smallShortfallUsd: 0, maxFractionPerStep: 0.5, adl: 'queue', insuranceFund: { balanceUsd: 0 } };

describe('ADL: a cap taken whole', () => {
  it('gives no dust fill after it', () => {
    // nb: long 10,000 USD face at 100,000 with −0.5 BTC: equity −0.5 BTC at any price, no finite bankruptcy price, so
    // its closes fill at x = −1/F = 0 and cost a short 10 × (1/100,000 − 0) = 0.0001 BTC a contract against the mark.
    // cs: short 30,000 face from 120,000: profit 30,000 × (1/100,000 − 1/120,000) = 0.05 BTC, its cap: 500 contracts.
    // cs2: short 10,000 face from 101,000: profit 10,000 × (1/100,000 − 1/101,000) = 0.000990099 BTC: 9.90099 contracts.
    const book = { instruments, accounts: [account('nb', 1_000, 100_000, -0.5), account('cs', -3_000, 120_000, 0.2), account('cs2', -1_000, 101_000, 0.01)] };
    for (const engine of engines) {
      const r = engine.liquidate(book, market, { method: 'cross', liquidation: plain });
      expect(r.adl.map((f) => f.account), engine.backend).toEqual(['cs', 'cs2']);
      expect(r.adl[0].quantity).toBeCloseTo(-500, 9);
      expect(r.adl[1].quantity).toBeCloseTo(-(10_000 * (1 / 100_000 - 1 / 101_000)) / 0.0001, 9);
    }
  });

  it('a rest short of the counterparties\' caps by a rounding is given by the last of them, not by one more', () => {
    // S: short 22.17 X from 179.71 with nothing else: bankrupt at 179.71, marked 181.32, so a long gives up 1.61 a
    // contract. L0's profit is 3.96 × 1.61 (cap 3.96 contracts), L1's 18.21 × 1.61 (cap 18.21): 3.96 + 18.21 = 22.17,
    // the caps summed are 22.17 but for a rounding (1e-14); Z, a long with room, must not be deleveraged for it
    const mark = 181.32, bankruptcy = 179.71, loss = mark - bankruptcy;
    const long = (id: string, quantity: number, capContracts: number, usdc: number) => ({ id, positions: [{ instrument: 'X-PERP', quantity, entryPrice: mark - (capContracts * loss) / quantity }], collateral: [{ asset: 'USDC', amount: usdc }] });
    const book = {
      instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
      accounts: [
        { id: 'S', positions: [{ instrument: 'X-PERP', quantity: -22.17, entryPrice: bankruptcy }], collateral: [{ asset: 'USDC', amount: 0 }] },
        long('L0', 16.704, 3.96, 908.63), long('L1', 76.089, 18.21, 4_138.94),
        { id: 'Z', positions: [{ instrument: 'X-PERP', quantity: 44.34, entryPrice: 181.14 }], collateral: [{ asset: 'USDC', amount: 1e7 }] },
      ],
    };
    const x = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: mark, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, correlation: { assets: ['X'], matrix: [[1]] } };
    for (const engine of engines) {
      const r = engine.liquidate(book, x, { method: 'cross', liquidation: { ...plain, maxFractionPerStep: 1 } });
      expect(r.adl.map((f) => f.account).sort(), engine.backend).toEqual(['L0', 'L1']);
      expect(r.totals.accountsDeleveraged).toBe(2);
      expect(r.adl[0].quantity + r.adl[1].quantity).toBeCloseTo(22.17, 11);
      expect(r.accounts.find((a) => a.id === 'S')!.state).toBe('resolved');
    }
  });
});
