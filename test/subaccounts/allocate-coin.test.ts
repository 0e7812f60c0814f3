/**
 * Collateral allocation (src/subaccounts/allocate-master.ts) with a BTC-margined subaccount: its figures enter in USD
 * at BTC's index, and it can receive only the master's BTC (it holds nothing else). By hand, BTC at 80,000:
 * - desk (master, USD): 1,000 USDC and 0.01 BTC (800 USD: 760 for IM at 5%, 780 for MM at 2.5%); no positions: free 1,760;
 * - usd-sub: 200 USDC, long 1 BTC-USD-PERP at 80,000: equity for MM 200, MM 350;
 * - btc-sub: 0.1 BTC, long 50,000 USD of inverse face entered at 95,000: equity 0.1 + 50,000·(1/95,000 − 1/80,000)
 *   = 0.00131579 BTC = 105.26 USD, MM 0.0025 BTC = 200 USD (it was read as 0.0013 USD against 0.0025).
 * Maximin: usd-sub takes the 1,000 USDC and y of the BTC's 760, btc-sub the rest. Per USD sent (0.01/760 BTC), usd-sub
 * gains w1 = 780/760 (BTC at the 2.5 % MM haircut), btc-sub w2 = 800/760 (its own coin counts whole):
 * (1,200 + w1·y)/350 = (105.26 + w2·(760 − y))/200 ⇒ y = (350·905.263 − 240,000)·760/436,000 = 133.945, min health 3.8218.
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
    const y = ((350 * (105.263157894736842 + 800) - 200 * 1_200) * 760) / 436_000;
    expect(a.transfers.find((t) => t.account === 'usd-sub' && t.source === 'BTC')!.usd).toBeCloseTo(y, 6);
    expect(a.transfers.find((t) => t.account === 'btc-sub')!.usd).toBeCloseTo(760 - y, 6);
    expect(a.minHealthAfter).toBeCloseTo((1_200 + (780 / 760) * y) / 350, 6);
    expect(a.minHealthAfter).toBeCloseTo((105.263157894736842 + (800 / 760) * (760 - y)) / 200, 6);
    await engine.close();
  });

  it("gives each transfer in the asset's own units: the IM-valued USD over the source's, times the master's balance", async () => {
    const engine = await createEngine({ backend: 'js' });
    const a = await engine.allocateCollateral(book, market, 'desk', { method: 'cross' });
    const y = ((350 * (105.263157894736842 + 800) - 200 * 1_200) * 760) / 436_000; // USD of the BTC's 760 for IM
    expect(a.problem.sources.map((s) => [s.id, s.amount])).toEqual([['USDC', 1_000], ['BTC', 0.01]]);
    const moved = (account: string, source: string) => a.transfers.find((t) => t.account === account && t.source === source)!.amount!;
    expect(moved('usd-sub', 'USDC')).toBeCloseTo(1_000, 6);
    // 0.01 BTC is 800 USD at the index but 760 for IM: y USD of it is y/760 of the coin, not y/80,000 BTC
    expect(moved('usd-sub', 'BTC')).toBeCloseTo((y / 760) * 0.01, 12);
    expect(moved('btc-sub', 'BTC')).toBeCloseTo(((760 - y) / 760) * 0.01, 12);
    // moved as the amounts say, from scratch: both healths are the ones claimed (usd-sub values BTC at the master's
    // haircut, btc-sub counts its coin whole)
    const after = structuredClone(book);
    after.accounts[0].collateral = [{ asset: 'USDC', amount: 1_000 - moved('usd-sub', 'USDC') }, { asset: 'BTC', amount: 0.01 - moved('usd-sub', 'BTC') - moved('btc-sub', 'BTC') }];
    after.accounts[1].collateral = [{ asset: 'USDC', amount: 200 + moved('usd-sub', 'USDC') }, { asset: 'BTC', amount: moved('usd-sub', 'BTC') }];
    after.accounts[2].collateral = [{ asset: 'BTC', amount: 0.1 + moved('btc-sub', 'BTC') }];
    const fresh = engine.margin(after, market, { method: 'cross' }).accounts;
    for (const id of ['usd-sub', 'btc-sub']) expect(fresh.find((x) => x.id === id)!.health, id).toBeCloseTo(a.health.find((h) => h.account === id)!.after, 9);
    await engine.close();
  });
});
