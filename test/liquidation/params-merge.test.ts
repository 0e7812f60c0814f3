/**
 * The liquidation parameters of `options.liquidation` over the params file's `liquidation` section, a field at a time
 * (docs/liquidation.md): a nested field given keeps the file's others, where they stand alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

// one account below MM: IM 900, MM 450 on long 1 BTC-PERP at the mark, 300 USDC
const below = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] });
const paramsOf = (file: object, given: object) => engine.liquidate(below, market(), { method: 'cross', params: { liquidation: file }, liquidation: given }).params;

describe('options.liquidation over the params file', () => {
  it('the fund: a balance given keeps the file\'s per-step cap', () => {
    const p = paramsOf({ insuranceFund: { balanceUsd: 5, maxPerStepUsd: 10 } }, { insuranceFund: { balanceUsd: 7 } });
    expect(p.insuranceFund).toEqual({ balanceUsd: 7, maxPerStepUsd: 10 });
  });

  it('slippage: a default given keeps the file\'s model of BTC; a model of an asset given replaces the file\'s whole', () => {
    const file = { slippage: { BTC: { model: 'linear', pricePerUnit: 2 }, ETH: { model: 'sqrt', y: 0.5, advUsd: 1e9 } } };
    const p = paramsOf(file, { slippage: { default: { model: 'none' }, ETH: { model: 'linear', pricePerUnit: 1 } } });
    expect(p.slippage).toEqual({ BTC: { model: 'linear', pricePerUnit: 2 }, ETH: { model: 'linear', pricePerUnit: 1 }, default: { model: 'none' } });
  });

  it('the fee split is given whole (its shares sum to 1); fields not given are the file\'s', () => {
    const p = paramsOf({ feeSplit: { liquidator: 0.3, insuranceFund: 0.7 }, feeRate: 0.001 }, { feeSplit: { liquidator: 1, insuranceFund: 0 } });
    expect([p.feeSplit, p.feeRate]).toEqual([{ liquidator: 1, insuranceFund: 0 }, 0.001]);
  });

  it('a field present but undefined is not given: the file\'s stays (`{ insuranceFund: flags.fund }` with no flag)', () => {
    const file = { feeRate: 0.01, insuranceFund: { balanceUsd: 500, maxPerStepUsd: 10 }, adl: 'pro-rata' };
    const p = paramsOf(file, { feeRate: undefined, adl: undefined, insuranceFund: undefined });
    expect([p.feeRate, p.adl, p.insuranceFund]).toEqual([0.01, 'pro-rata', { balanceUsd: 500, maxPerStepUsd: 10 }]);
    expect(paramsOf(file, { insuranceFund: { balanceUsd: undefined, maxPerStepUsd: 20 } }).insuranceFund).toEqual({ balanceUsd: 500, maxPerStepUsd: 20 });
  });
});
