/**
 * An account the run stops acting on at `maxStepsPerAccount` says so (liquidation.md, `note`), also when a deficit is
 * written off beside it: its positions are left open because of the guard, which the write-off note alone hid.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const book = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }],
  accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 10, entryPrice: 100_000 }, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 80_000 }] }],
};
const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 90_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.6 }, USDC: { price: 1, vol: 0 } } };

describe('maxStepsPerAccount: the guard is named', () => {
  for (const balanceUsd of [0, 1_000_000]) {
    it(`isolated, one step, a fund of ${balanceUsd}: the note names the guard`, () => {
      for (const e of engines) {
        const params = { liquidation: { maxStepsPerAccount: 1, insuranceFund: { balanceUsd, maxPerStepUsd: null } } };
        const a = e.liquidate(book, market, { method: 'isolated', params }).accounts[0];
        expect(a.steps).toHaveLength(1);
        expect(a.note).toContain('stopped after 1 step (params.liquidation.maxStepsPerAccount)');
        if (a.state === 'bankrupt') expect(a.note).toMatch(/written off/);
      }
    });
  }
});
