/**
 * `margin --sort` on a book of USD and BTC-margined accounts (src/cli/margin-rows.ts rowOrder): money compared in USD.
 * By hand, BTC at 95,000: usd-1 holds 10,000 USDC short 1 BTC entered at 100,000: equity 15,000 USD; btc-1 holds
 * 1.2 BTC short 50,000 USD of inverse face entered at 100,000: equity 1.2 + 50,000·(1/95,000 − 1/100,000) =
 * 1.22631579 BTC = 116,500 USD. Largest equity first is btc-1 (its 1.23 read as USD put it last).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { rowOrder } from '../../src/cli/margin-rows.js';

const book = {
  instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }, { id: 'BTC-USD-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }],
  accounts: [
    { id: 'usd-1', collateral: [{ asset: 'USDC', amount: 10_000 }], positions: [{ instrument: 'BTC-USD-PERP', quantity: -1, entryPrice: 100_000 }] },
    { id: 'btc-1', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1.2 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: -5_000, entryPrice: 100_000 }] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERPETUAL': 95_000, 'BTC-USD-PERP': 95_000 }, correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
};

describe('margin --sort with coin-margined accounts', () => {
  it('orders money in USD: a coin account at its coin\'s index', async () => {
    const engine = await createEngine({ backend: 'js' });
    const rows = engine.margin(book, market, { method: 'cross' }).accounts;
    const btc = rows.find((r) => r.id === 'btc-1')!;
    expect(btc.equity).toBeCloseTo(1.2 + 50_000 * (1 / 95_000 - 1 / 100_000), 12);
    expect(btc.usd!.equity).toBeCloseTo(116_500, 6);
    const ids = (key: Parameters<typeof rowOrder>[0]) => [...rows].sort(rowOrder(key)).map((r) => r.id);
    expect(ids('equity')).toEqual(['btc-1', 'usd-1']); // largest first: 116,500 USD before 15,000
    expect(ids('excess')).toEqual(['usd-1', 'btc-1']); // smallest excess over MM first: about 14,575 before 116,300
    expect(ids('health')[0]).toBe(rows.reduce((a, b) => (a.health <= b.health ? a : b)).id); // a ratio: as it is
  });
});
