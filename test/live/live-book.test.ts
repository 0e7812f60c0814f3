/**
 * `live.book()`: the book a live session holds now, as book JSON (docs/live-margin.md). A fresh `engine.margin` of it
 * on `live.marketJson` is the session's report, bit for bit, after fills, ticks and transfers, on a generated book with
 * masters, subaccounts and coin-margined accounts; a fill shows in it as the position the fill made.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample } from '../../src/sample/generate.js';
import { firstDifference } from '../support/bits.js';

describe.each(['wasm', 'js'] as const)('live.book() on %s', (backend) => {
  it('is the book whose fresh margin run is the session\'s report, with each fill in it', async () => {
    const engine = await createEngine({ backend });
    const sample = generateSample({ accounts: 120, seed: 5, accountsPerMaster: 4, coinAccounts: 8 });
    const params = { subaccounts: { policy: 'cross' } };
    const live = engine.live(sample.book, sample.market, { method: 'cross', params });
    try {
      const accounts = sample.book.accounts as { id: string; master?: string; marginCurrency?: string; positions: { instrument: string }[] }[];
      const usd = accounts.find((a) => a.marginCurrency === undefined && a.master === undefined && !a.positions.some((p) => p.instrument === 'ETH-PERP'))!;
      live.applyFills([{ account: usd.id, instrument: 'ETH-PERP', quantity: 2.5, price: 3_000 }]);
      live.applyTick({ assets: { BTC: { price: sample.market.assets.BTC.price * 0.97 } } });
      const sub = accounts.find((a) => a.master !== undefined && a.marginCurrency === undefined)!;
      expect(live.transfer({ from: sub.master!, to: sub.id, cashUsd: 25 }).accepted).toBe(true);
      const book = live.book();
      // the fill is a new position of 2.5 at 3,000; the subaccount keeps its master
      expect(book.accounts.find((a) => a.id === usd.id)!.positions).toContainEqual({ instrument: 'ETH-PERP', quantity: 2.5, entryPrice: 3_000 });
      expect(book.accounts.find((a) => a.id === sub.id)!.master).toBe(sub.master);
      expect(book.accounts).toHaveLength(accounts.length);
      const fresh = engine.margin(JSON.parse(JSON.stringify(book)), live.marketJson, { method: 'cross', params });
      expect(firstDifference(live.report(), fresh)).toBeNull();
    } finally {
      live.release();
    }
  });
});
