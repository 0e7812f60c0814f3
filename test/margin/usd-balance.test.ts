/**
 * A balance of asset USD is cash: the rule-based methods value it as `cashUsd` (no haircut, no liability weight), as
 * the scenario methods and profiles already list USD among their stable assets. It used to fall to the "every other
 * asset" rule (20% / 10% haircuts), so an account written with `{ asset: 'USD' }` lost 10% of its equity for MM.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const perp = { instrument: 'PERP', quantity: 1, entryPrice: 100_000 };
const book = {
  instruments: [{ id: 'PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }],
  accounts: [
    { id: 'usd', collateral: [{ asset: 'USD', amount: 10_000 }], positions: [perp] },
    { id: 'cash', cashUsd: 10_000, positions: [perp] },
    { id: 'owes', collateral: [{ asset: 'USD', amount: -5_000 }, { asset: 'USDC', amount: 15_000 }], positions: [perp] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 100_000, vol: 0.5 }, USD: { price: 1, vol: 0 }, USDC: { price: 1, vol: 0 } },
  marks: { PERP: 100_000 },
};

describe('a USD balance is cash under the rule-based methods', () => {
  test.each(['cross', 'isolated'] as const)('%s: 10,000 USD held counts 10,000 for IM and MM, as cashUsd does (every backend)', (method) => {
    for (const engine of engines) {
      const rows = engine.margin(book, market, { method }).accounts;
      const byId = new Map(rows.map((r) => [r.id, r]));
      // hand: the perpetual is at its entry (P&L 0); 10,000 of USD at no haircut: 10,000 for IM and for MM
      for (const id of ['usd', 'cash', 'owes']) {
        expect(byId.get(id)!.equityIm, `${engine.backend} ${id}`).toBe(10_000);
        expect(byId.get(id)!.equityMm, `${engine.backend} ${id}`).toBe(10_000);
      }
      // a borrowing of USD carries no liability weight: −5,000 + 15,000 USDC = 10,000 either way
      expect(byId.get('usd')!.status).toBe(byId.get('cash')!.status);
    }
  });
});
