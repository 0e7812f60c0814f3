import { it } from 'vitest';
import { createEngine } from '../../src/index.js';
it('pme', async () => {
  const perp = 0.314538364, fut = -0.001187534, fPerp = 65910.57, fFut = 67371.75;
  const book = {
    instruments: [
      { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
      { id: 'BTC-28JUN24', kind: 'future', underlying: 'BTC', multiplier: 10, settlement: 'BTC', expiry: '2024-06-28T08:00:00Z' },
    ],
    accounts: [{ id: 'pme', marginCurrency: 'BTC', positions: [
      { instrument: 'BTC-PERPETUAL', quantity: perp * fPerp / 10, entryPrice: fPerp },
      { instrument: 'BTC-28JUN24', quantity: fut * fFut / 10, entryPrice: fFut },
    ], collateral: [{ asset: 'BTC', amount: 1 }] }],
  };
  const market = {
    valuationTime: new Date(1718619740501).toISOString(),
    assets: { BTC: { price: 65666.19, vol: 0.5 } },
    marks: { 'BTC-PERPETUAL': fPerp, 'BTC-28JUN24': fFut },
    correlation: { assets: ['BTC'], matrix: [[1]] },
  };
  for (const backend of ['js', 'wasm'] as const) {
    const e = await createEngine({ backend });
    const r = e.margin(book, market, { method: 'deribit', breakdown: true });
    console.log(backend, JSON.stringify(r.accounts[0], null, 1));
  }
});
