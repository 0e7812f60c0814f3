import { it } from 'vitest';
import { createEngine } from '../../src/index.js';
it('aside', async () => {
  const book = {
    instruments: [
      { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
      { id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 120000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'BTC-C2', kind: 'option', underlying: 'BTC', right: 'call', strike: 120000, expiry: '2026-12-25T08:00:00Z' },
    ],
    accounts: [
      { id: 'coin', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10000, entryPrice: 100000 }, { instrument: 'BTC-C', quantity: -1, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 1 }] },
      { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100000 }, { instrument: 'BTC-C2', quantity: -1, entryPrice: 2000 }], collateral: [{ asset: 'USDC', amount: 50000 }] },
    ],
  };
  const market = {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { BTC: { price: 110000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
    marks: { 'BTC-PERPETUAL': 110000 },
    impliedVols: { 'BTC-C': 0.5, 'BTC-C2': 0.5 },
    correlation: { assets: ['BTC'], matrix: [[1]] },
  };
  const e = await createEngine({ backend: 'wasm' });
  for (const method of ['isolated', 'cross', 'portfolio', 'var', 'span', 'derive', 'deribit']) {
    try {
      const r = e.margin(book, market, { method, breakdown: method !== 'var' });
      console.log(method, JSON.stringify(r.accounts.map((a) => [a.id, a.status, a.im, a.error ?? ''])), JSON.stringify(r.totals.byStatus));
      const s = e.margin(book, market, { method });
      console.log('  summary', JSON.stringify(s.accounts.map((a) => [a.id, a.status, a.im])), s.totals.im);
    } catch (err) { console.log(method, 'THROW', (err as Error).message); }
  }
  for (const method of ['cross', 'portfolio', 'deribit', 'var']) {
    try { const l = e.liquidate(book, market, { method }); console.log('liq', method, JSON.stringify(l.totals)); } catch (err) { console.log('liq', method, 'THROW', (err as Error).message); }
  }
});
