import { it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { coinBook, coinMarket } from '../support/coin-books.js';
it('liq', async () => {
  const book = coinBook(
    { id: 'short', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.1 }] },
    { id: 'long', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 20_000, entryPrice: 90_000 }], collateral: [{ asset: 'BTC', amount: 3 }] },
    { id: 'callwriter', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-120000-C', quantity: -3, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 0.3 }] },
    { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
  );
  for (const backend of ['js', 'wasm'] as const) {
    const e = await createEngine({ backend });
    for (const method of ['cross', 'portfolio', 'deribit']) {
      const r = e.liquidate(book, coinMarket({ btc: 109_000 }), { method });
      console.log(backend, method, JSON.stringify(r.totals));
      for (const a of r.accounts) console.log('  ', a.id, a.state, a.note ?? '', JSON.stringify(a.waterfall), a.steps.map((s) => `${s.id} q${s.quantity} m${s.markPrice.toFixed(2)} f${s.fillPrice.toFixed(2)} b${s.bankruptcyPrice} fee${s.feeToLiquidator + s.feeToFund}`).join(' | '));
      for (const f of r.adl) console.log('   adl', JSON.stringify(f));
    }
  }
});
