/**
 * The `deribit-standard` profile: Deribit's futures margin growing with the position's size in coin (support.deribit.com
 * "11 January 2022": BTC IM = 2% + size in BTC × 0.005%, MM = 1% + size in BTC × 0.005%), by hand, on every backend,
 * with the liquidation price the exact root of equity = MM under it (a quadratic in 1/F for an inverse contract).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { problemsOf } from '../support/problems.js';
import { coinBook, coinMarket, type CoinAccount } from '../support/coin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const relative = (x: number, y: number) => Math.abs(x / y - 1);

function row(account: CoinAccount, options: Record<string, unknown> = { profile: 'deribit-standard' }): AccountMargin {
  const reports = engines.map((e) => e.margin(coinBook(account), coinMarket(), { ...options, breakdown: true }));
  for (const r of reports) expect(JSON.stringify(r.accounts)).toBe(JSON.stringify(reports[0].accounts));
  return reports[0].accounts[0];
}

describe("Deribit's futures margin grows with size", () => {
  it('a short inverse perpetual of 10 BTC at 100,000: IM 10·(2% + 10·0.005%) = 0.205 BTC, MM 10·(1% + 0.05%) = 0.105 BTC', () => {
    // 100,000 contracts of 10 USD = 1,000,000 USD of face at F = 100,000: size_currency q = 10 BTC
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -100_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 2 }] });
    expect(relative(r.im, 10 * (0.02 + 0.00005 * 10))).toBeLessThan(1e-14);
    expect(relative(r.mm, 10 * (0.01 + 0.00005 * 10))).toBeLessThan(1e-14);
    expect(relative(r.equity, 2)).toBeLessThan(1e-15);
  });

  it('its liquidation price is the root of 2 + y − 10 = y·(0.01 + 0.00005·y), y = 1,000,000/F: 0.00005y² − 0.99y + 8 = 0', () => {
    // equity in BTC 2 + 1,000,000·(1/F − 1/100,000) = 2 + y − 10; MM y·(1% + 0.005%·y). The smaller root (F above
    // 100,000): y = (0.99 − √(0.99² − 4·0.00005·8)) / (2·0.00005) ≈ 8.08409, F ≈ 123,700
    const y = (0.99 - Math.sqrt(0.99 ** 2 - 4 * 0.00005 * 8)) / (2 * 0.00005);
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -100_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 2 }] });
    expect(relative(r.liquidationPrice!.above!, 1_000_000 / y)).toBeLessThan(1e-9);
    // the other root, y ≈ 19,792 (F ≈ 50.5: the short's size in coin grows as F falls), is beyond the search's 1/1000
    expect(r.liquidationPrice!.below).toBeNull();
  });

  it('a USD-margined long of 20 BTC-PERP at 100,000: IM 2,000,000·(2% + 20·0.005%) = 42,000, MM 22,000, liquidated at 1,900,000/19.78', () => {
    const r = row({ positions: [{ instrument: 'BTC-PERP', quantity: 20, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] });
    expect(relative(r.im, 2_000_000 * 0.021)).toBeLessThan(1e-14);
    expect(relative(r.mm, 2_000_000 * 0.011)).toBeLessThan(1e-14);
    // equity 100,000 + 20·(F − 100,000) = MM 20·F·(1% + 20·0.005%) at F = 1,900,000 / (20 − 0.22)
    expect(relative(r.liquidationPrice!.below!, 1_900_000 / 19.78)).toBeLessThan(1e-9);
  });

  it('the generic cross method keeps its flat brackets (0.8% / 0.4% to 50,000 of notional)', () => {
    const r = row({ positions: [{ instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] }, { method: 'cross' });
    expect(relative(r.im, 50_000 * 0.008)).toBeLessThan(1e-14);
    expect(relative(r.mm, 50_000 * 0.004)).toBeLessThan(1e-14);
  });

  it('params.linearSize is checked with its paths', () => {
    const b = coinBook({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e5 }] });
    expect(problemsOf(() => engines[0].margin(b, coinMarket(), { method: 'cross', params: { linearSize: { BTC: { imPerUnit: 0.00001, mmPerUnit: 0.00002 }, ETH: { imPerUnt: 0 } } } }))).toEqual([
      { path: 'params.linearSize.BTC.mmPerUnit', message: 'maintenance rate per unit 0.00002 exceeds the initial 0.00001' },
      expect.objectContaining({ path: 'params.linearSize.ETH.imPerUnt', message: expect.stringContaining('did you mean "imPerUnit"') }),
      expect.objectContaining({ path: 'params.linearSize.ETH.imPerUnit' }),
      expect.objectContaining({ path: 'params.linearSize.ETH.mmPerUnit' }),
    ]);
  });
});
