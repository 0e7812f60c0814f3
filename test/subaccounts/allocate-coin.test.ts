/**
 * Collateral allocation (src/subaccounts/allocate-master.ts) with a BTC-margined subaccount: its figures enter in USD
 * at BTC's index, and it can receive only the master's BTC (it holds nothing else). By hand, BTC at 80,000:
 * - desk (master, USD): 1,000 USDC and 0.01 BTC (800 USD: 760 for IM at 5%, 780 for MM at 2.5%); no positions: free 1,760;
 * - usd-sub: 200 USDC, long 1 BTC-USD-PERP at 80,000: equity for MM 200, MM 350;
 * - btc-sub: 0.1 BTC, long 50,000 USD of inverse face entered at 95,000: equity 0.1 + 50,000·(1/95,000 − 1/80,000)
 *   = 0.00131579 BTC = 105.26 USD, MM 0.0025 BTC = 200 USD (it was read as 0.0013 USD against 0.0025).
 * Maximin: usd-sub takes the 1,000 USDC and y of the BTC's 760, btc-sub the rest; w = 780/760 per USD sent:
 * (1,200 + w·y)/350 = (105.26 + w·(760 − y))/200 ⇒ w·y = 126.985, y = 123.730, min health 3.7914.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';

const book = {
  instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }, { id: 'BTC-USD-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }],
  accounts: [
    { id: 'desk', collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'BTC', amount: 0.01 }] },
    { id: 'usd-sub', master: 'desk', collateral: [{ asset: 'USDC', amount: 200 }], positions: [{ instrument: 'BTC-USD-PERP', quantity: 1, entryPrice: 80_000 }] },
    { id: 'btc-sub', master: 'desk', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 5_000, entryPrice: 95_000 }] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 80_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERPETUAL': 80_000, 'BTC-USD-PERP': 80_000 }, correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
};

describe('collateral allocation to a coin-margined subaccount', () => {
  it('works in USD and sends it only BTC', async () => {
    const engine = await createEngine({ backend: 'js' });
    const a = await engine.allocateCollateral(book, market, 'desk', { method: 'cross' });
    const btcSub = a.problem.accounts.find((x) => x.id === 'btc-sub')!;
    expect(btcSub.equityMm).toBeCloseTo((0.1 + 50_000 * (1 / 95_000 - 1 / 80_000)) * 80_000, 8);
    expect(btcSub.mm).toBeCloseTo(200, 9);
    expect(a.transfers.filter((t) => t.account === 'btc-sub').map((t) => t.source)).toEqual(['BTC']);
    const w = 780 / 760, wy = (350 * (105.263157894736842 + 780) - 200 * 1_200) / 550;
    expect(a.transfers.find((t) => t.account === 'usd-sub' && t.source === 'BTC')!.usd).toBeCloseTo(wy / w, 6);
    expect(a.transfers.find((t) => t.account === 'btc-sub')!.usd).toBeCloseTo(760 - wy / w, 6);
    expect(a.minHealthAfter).toBeCloseTo((1_200 + wy) / 350, 6);
    await engine.close();
  });

  it("gives each transfer in the asset's own units: the IM-valued USD over the source's, times the master's balance", async () => {
    const engine = await createEngine({ backend: 'js' });
    const a = await engine.allocateCollateral(book, market, 'desk', { method: 'cross' });
    const w = 780 / 760, y = (350 * (105.263157894736842 + 780) - 200 * 1_200) / 550 / w; // USD of the BTC's 760 for IM
    expect(a.problem.sources.map((s) => [s.id, s.amount])).toEqual([['USDC', 1_000], ['BTC', 0.01]]);
    const moved = (account: string, source: string) => a.transfers.find((t) => t.account === account && t.source === source)!.amount!;
    expect(moved('usd-sub', 'USDC')).toBeCloseTo(1_000, 6);
    // 0.01 BTC is 800 USD at the index but 760 for IM: y USD of it is y/760 of the coin, not y/80,000 BTC
    expect(moved('usd-sub', 'BTC')).toBeCloseTo((y / 760) * 0.01, 12);
    expect(moved('btc-sub', 'BTC')).toBeCloseTo(((760 - y) / 760) * 0.01, 12);
    // moved as the amounts say, from scratch: usd-sub's health is the one claimed (it values BTC at the master's haircut)
    const after = structuredClone(book);
    after.accounts[0].collateral = [{ asset: 'USDC', amount: 1_000 - moved('usd-sub', 'USDC') }, { asset: 'BTC', amount: 0.01 - moved('usd-sub', 'BTC') - moved('btc-sub', 'BTC') }];
    after.accounts[1].collateral = [{ asset: 'USDC', amount: 200 + moved('usd-sub', 'USDC') }, { asset: 'BTC', amount: moved('usd-sub', 'BTC') }];
    const fresh = engine.margin(after, market, { method: 'cross' }).accounts.find((x) => x.id === 'usd-sub')!;
    expect(fresh.health).toBeCloseTo(a.health.find((h) => h.account === 'usd-sub')!.after, 9);
    await engine.close();
  });
});
