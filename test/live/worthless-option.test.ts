/**
 * Orders on an option whose model value is below the smallest price (1e-12): a what-if or check judged at that value
 * threw ("its average entry would leave the domain: 2.9e-66 …") for a legitimate order; they are judged at 0.
 */
import { expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';

const OPTION = 'BTC-21NOV26-150000-C';
const book = {
  instruments: [{ id: OPTION, kind: 'option', underlying: 'BTC', right: 'call', strike: 150_000, expiry: '2026-11-21T08:00:00Z' }],
  accounts: [{ id: 'alice', collateral: [{ asset: 'USDC', amount: 100_000 }] }],
};
const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, impliedVols: { [OPTION]: 0.5 } };

for (const method of ['cross', 'portfolio'] as const) {
  test(`${method}: a what-if and a check on a call worth ~3e-66 are answered, at price 0, as a fresh margin of the book after it`, async () => {
    const engine = await createEngine({ backend: 'js' });
    const live = engine.live(book, market, { method });
    // the value is a model value far below the smallest price: the case itself
    const value = engine.margin(book, market, { method, breakdown: true });
    expect(value.accounts[0].status).toBe('healthy');
    const withPosition = (quantity: number) => ({ ...book, accounts: [{ ...book.accounts[0], positions: [{ instrument: OPTION, quantity, entryPrice: 0 }] }] });
    for (const quantity of [1, -1]) {
      const fresh = engine.margin(withPosition(quantity), market, { method }).accounts[0];
      const w = live.whatIf('alice', [{ instrument: OPTION, quantity }]);
      expect([w.after.equity, w.after.im, w.after.mm, w.after.status]).toEqual([fresh.equity, fresh.im, fresh.mm, fresh.status]);
      // a sale at 5 is judged at the worse price for it, the value, taken as 0 (no premium counted)
      const c = live.check('alice', { instrument: OPTION, quantity, ...(quantity < 0 ? { price: 5 } : {}) });
      expect(c.assumedPrice).toBe(0);
      expect(c.accepted).toBe(fresh.equityIm >= fresh.im);
      expect([c.after.equity, c.after.im]).toEqual([fresh.equity, fresh.im]);
    }
    // nothing changed, and the fill itself at 5 is applied as before
    expect(live.account('alice')).toEqual(engine.margin(book, market, { method }).accounts[0]);
    live.applyFills([{ account: 'alice', instrument: OPTION, quantity: -1, price: 5 }]);
    // the premium of the sale (5 USD) is cash, the short entered at 5
    const sold = { ...book, accounts: [{ ...book.accounts[0], cashUsd: 5, positions: [{ instrument: OPTION, quantity: -1, entryPrice: 5 }] }] };
    expect(live.account('alice')).toEqual(engine.margin(sold, market, { method }).accounts[0]);
  });
}
