import { it } from 'vitest';
import { createEngine } from '../../src/index.js';
it('scratch', async () => {
const book = {
  instruments: [
    { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
    { id: 'BTC-27DEC26-120000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 120000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
    { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
  ],
  accounts: [
    { id: 'short-perp', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10000, entryPrice: 100000 }], collateral: [{ asset: 'BTC', amount: 0.1 }] },
    { id: 'covered-call', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-27DEC26-120000-C', quantity: -1, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    { id: 'usd', positions: [{ instrument: 'ETH-PERP', quantity: 1, entryPrice: 3000 }], collateral: [{ asset: 'USDC', amount: 1000 }] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 110000, vol: 0.5 }, ETH: { price: 3000, vol: 0.6 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERPETUAL': 110000 },
  impliedVols: { 'BTC-27DEC26-120000-C': 0.5 },
  correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
};
for (const backend of ['js', 'wasm'] as const) {
  const e = await createEngine({ backend });
  const r = e.margin(book, market, { method: 'cross', breakdown: true });
  console.log(backend, JSON.stringify(r.accounts.map((a) => ({ id: a.id, eq: a.equity, im: a.im, mm: a.mm, cv: a.collateralValue, cur: a.marginCurrency, usd: a.usd, pos: a.positions, lp: a.liquidationPrice })), null, 0));
  console.log(JSON.stringify(r.totals));
  const s = e.margin(book, market, { method: 'cross' });
  console.log(JSON.stringify(s.accounts[0]));
}
});
