/**
 * The deribit profiles liquidate futures before options (params.liquidation.order linear-first: Deribit's liquidation
 * page, "futures first, then options"). An account long 1 BTC-PERP at 100,000 and short 2 puts (strike 90,000) on
 * 45,000 USDC, BTC at 75,000: both closes lower its MM; under the default order (efficiency) the puts went first,
 * under the profiles the perpetual goes first, a quarter a step (maxFractionPerStep), then the puts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const E = '2026-12-25T08:00:00Z';
const book = {
  instruments: [
    { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
    { id: 'P90', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: E },
  ],
  accounts: [
    { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'P90', quantity: -2, entryPrice: 2_000 }], collateral: [{ asset: 'USDC', amount: 45_000 }] },
    { id: 'short', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }, { instrument: 'P90', quantity: 2, entryPrice: 2_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] },
  ],
};
const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 75_000, vol: 0.6 }, USDC: { price: 1, vol: 0 } }, impliedVols: { P90: 0.6 } };

describe('deribit profiles: futures before options', () => {
  for (const profile of ['deribit', 'deribit-standard', 'deribit-legacy']) {
    it(`${profile}: the perpetual is closed first`, () => {
      const plans = engines.map((e) => e.liquidate(book, market, { profile }));
      const text = (r: object) => JSON.stringify({ ...r, backend: '' });
      for (const p of plans) expect(text(p)).toBe(text(plans[0]));
      const account = plans[0].accounts.find((a) => a.id === 'long')!;
      expect(account.steps.map((x) => x.id)).toEqual(['BTC-PERP', 'BTC-PERP', 'BTC-PERP', 'BTC-PERP', 'P90', 'P90', 'P90', 'P90']);
      expect(plans[0].params.order).toBe('linear-first');
    });
  }
  it('without a profile the order is efficiency, as documented (the put first here)', () => {
    const plan = engines[0].liquidate(book, market, { method: 'cross' });
    expect(plan.params.order).toBe('efficiency');
    expect(plan.accounts.find((a) => a.id === 'long')!.steps.map((x) => x.id)).toEqual(['P90', 'P90', 'P90', 'P90', 'BTC-PERP', 'BTC-PERP', 'BTC-PERP', 'BTC-PERP']);
  });
});
