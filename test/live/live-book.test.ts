/**
 * `live.book()`: the book a live session holds now, as book JSON (docs/live-margin.md). A fresh `engine.margin` of it
 * on `live.marketJson` is the session's report, bit for bit, after fills, ticks and transfers, on a generated book with
 * masters, subaccounts, coin-margined and USDC-linear accounts, under cross and isolated margin; a fill shows in it as the position the fill made.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample } from '../../src/sample/generate.js';
import { firstDifference } from '../support/bits.js';

/** The generated book with a USDC-margined account trading a USDC-settled perpetual beside its USD and coin accounts. */
function mixedSample() {
  const sample = generateSample({ accounts: 120, seed: 5, accountsPerMaster: 4, coinAccounts: 8 });
  const book = sample.book as { instruments: unknown[]; accounts: unknown[] };
  book.instruments.push({ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' });
  book.accounts.push({ id: 'usdc-linear', marginCurrency: 'USDC', positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 0.4, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 20_000 }] });
  return sample;
}

describe.each(['wasm', 'js'] as const)('live.book() on %s', (backend) => {
  it.each([
    { method: 'cross', policy: 'cross' }, { method: 'isolated', policy: 'independent' },
  ] as const)('$method, policy $policy: is the book whose fresh margin run is the session\'s report, with each fill in it', async ({ method, policy }) => {
    const engine = await createEngine({ backend });
    const sample = mixedSample();
    const params = { subaccounts: { policy } };
    const live = engine.live(sample.book, sample.market, { method, params });
    try {
      const accounts = sample.book.accounts as { id: string; master?: string; marginCurrency?: string; positions: { instrument: string }[] }[];
      const usd = accounts.find((a) => a.marginCurrency === undefined && a.master === undefined && !a.positions.some((p) => p.instrument === 'ETH-PERP'))!;
      live.applyFills([{ account: usd.id, instrument: 'ETH-PERP', quantity: 2.5, price: 3_000 }]);
      live.applyFills([{ account: 'usdc-linear', instrument: 'BTC_USDC-PERPETUAL', quantity: -0.1, price: 95_000 }]);
      live.applyTick({ assets: { BTC: { price: sample.market.assets.BTC.price * 0.97 } } });
      // a subaccount whose master can give: healthy (under isolated margin a master with a position short of its own IM
      // may not move collateral out)
      const status = new Map(live.report().accounts.map((a) => [a.id, a.status]));
      const sub = accounts.find((a) => a.master !== undefined && a.marginCurrency === undefined && status.get(a.master) === 'healthy')!;
      expect(live.transfer({ from: sub.master!, to: sub.id, cashUsd: 25 }).accepted).toBe(true);
      const book = live.book();
      // the fill is a new position of 2.5 at 3,000; the subaccount keeps its master
      expect(book.accounts.find((a) => a.id === usd.id)!.positions).toContainEqual({ instrument: 'ETH-PERP', quantity: 2.5, entryPrice: 3_000 });
      expect(book.accounts.find((a) => a.id === sub.id)!.master).toBe(sub.master);
      // the USDC account's short 0.1 at 95,000 closed part of its long 0.4 (average cost kept, the P&L in its balance)
      expect(book.accounts.find((a) => a.id === 'usdc-linear')!.positions).toEqual([{ instrument: 'BTC_USDC-PERPETUAL', quantity: 0.4 - 0.1, entryPrice: 90_000 }]); // the doubles' sum
      expect(book.accounts).toHaveLength(accounts.length);
      const fresh = engine.margin(JSON.parse(JSON.stringify(book)), live.marketJson, { method, params });
      expect(firstDifference(live.report(), fresh)).toBeNull();
    } finally {
      live.release();
    }
  });
});

describe('a released session', () => {
  it('refuses to read its book, report or accounts with one message', async () => {
    const engine = await createEngine({ backend: 'js' });
    const sample = mixedSample();
    const live = engine.live(sample.book, sample.market, { method: 'cross' });
    const id = live.report().accounts[0].id;
    live.release();
    for (const read of [() => live.book(), () => live.report(), () => live.account(id), () => live.subaccounts(), () => live.marketJson]) expect(read).toThrow('live session used after release');
  });
});
