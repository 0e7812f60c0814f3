/** A small complete book and market (the example of docs/book-format.md), fresh on every call. */

export function smallBook(): any {
  return {
    instruments: [
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'BTC-26MAR27', kind: 'future', underlying: 'BTC', expiry: '2027-03-26T08:00:00Z' },
      { id: 'BTC-27NOV26-100000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100000, expiry: '2026-11-27T08:00:00Z' },
      { id: 'ETH-25DEC26-2800-P', kind: 'option', underlying: 'ETH', right: 'put', strike: 2800, expiry: '2026-12-25T08:00:00Z', multiplier: 1 },
    ],
    accounts: [
      {
        id: 'alice',
        positions: [
          { instrument: 'BTC-27NOV26-100000-C', quantity: -2, entryPrice: 650 },
          { instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 90500 },
        ],
        collateral: [
          { asset: 'BTC', amount: 2 },
          { asset: 'USDC', amount: 25000 },
        ],
      },
      {
        id: 'bob',
        positions: [{ instrument: 'ETH-25DEC26-2800-P', quantity: 10, entryPrice: 95.5 }],
        collateral: [{ asset: 'USDT', amount: -1500 }, { asset: 'ETH', amount: 4 }],
      },
      { id: 'carol', collateral: [{ asset: 'USDC', amount: 1000 }] },
    ],
  };
}

export function smallMarket(): any {
  return {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: {
      BTC: { price: 91500, vol: 0.52, rate: 0.042, carry: -0.04 },
      ETH: { price: 3050, vol: 0.68, rate: 0.042, carry: -0.045 },
      USDC: { price: 1, vol: 0 },
      USDT: { price: 1.0002, vol: 0 },
    },
    marks: { 'BTC-PERP': 91520.5 },
    impliedVols: { 'BTC-27NOV26-100000-C': 0.55, 'ETH-25DEC26-2800-P': 0.71 },
    correlation: {
      assets: ['BTC', 'ETH'],
      matrix: [
        [1, 0.82],
        [0.82, 1],
      ],
    },
  };
}
