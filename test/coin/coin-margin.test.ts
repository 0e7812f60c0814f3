/**
 * Margin in the settlement coin, worked by hand (docs/coin-margined.md): a BTC-margined short inverse perpetual (its
 * P&L and requirement in BTC, its liquidation price in USD), a BTC-margined covered call (Deribit's coin-settled
 * short option margin), the portfolio grid in coin, the USD view, Deribit's own ticker for the coin delta, and the
 * same bits on every backend. Option values from the independent 50-digit BSM (test/reference/decimal-bsm.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../src/index.js';
import { coinGreeks, inverseMovePnl, inversePnlCoin } from '../../src/margin/coin-valuation.js';
import { allEngines } from '../support/engines.js';
import { bsmRef } from '../reference/decimal-bsm.js';
import { COIN_METHODS, coinBook, coinMarket, type CoinAccount } from '../support/coin-books.js';
import { expectValidReport } from '../support/schemas.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const T = 35 / 365; // 2026-11-20 → 2026-12-25
const relative = (x: number, y: number) => Math.abs(x / y - 1);

/** The one account's row (breakdown) under `method`, checked identical on every backend and against the report schema. */
function row(account: CoinAccount, method: string, btc = 100_000, marks: Record<string, number> = {}): AccountMargin {
  const reports = engines.map((e) => e.margin(coinBook(account), coinMarket({ btc, marks }), { method, breakdown: true }));
  for (const r of reports) expect(JSON.stringify(r.accounts)).toBe(JSON.stringify(reports[0].accounts));
  expectValidReport(reports[0]);
  return reports[0].accounts[0];
}

describe('coin-margined accounts, by hand', () => {
  it('a short inverse perpetual: P&L −100,000·(1/100,000 − 1/110,000) BTC, IM 900 USD of notional at the index in BTC, liquidated above 110,611.11', () => {
    // short 10,000 contracts of 10 USD entered at 100,000, marked 110,000, on 0.1 BTC
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.1 }] }, 'cross', 110_000);
    const pnl = -100_000 * (1 / 100_000 - 1 / 110_000); // −0.090909… BTC
    expect(inversePnlCoin(-10_000, 10, 100_000, 110_000)).toBe(pnl);
    expect(r.marginCurrency).toBe('BTC');
    expect(relative(r.positions![0].markToMarket, pnl)).toBeLessThan(1e-14);
    expect(relative(r.equity, 0.1 + pnl)).toBeLessThan(1e-12);
    // notional 100,000 USD at the index (face × S/F): 50,000 × 0.8% + 50,000 × 1% = 900 USD, 450 USD for MM
    expect(relative(r.im, 900 / 110_000)).toBeLessThan(1e-14);
    expect(relative(r.mm, 450 / 110_000)).toBeLessThan(1e-14);
    expect(relative(r.grossNotional, 100_000 / 110_000)).toBeLessThan(1e-14);
    // USD view at the index
    expect(r.usd!.price).toBe(110_000);
    expect(r.usd!.equity).toBeCloseTo(1_000, 9);
    expect(r.usd!.im).toBeCloseTo(900, 9);
    // equity 100,000/P − 0.9 BTC meets MM 450/P BTC at P = 99,550/0.9
    expect(r.liquidationPrice?.below).toBeNull();
    expect(relative(r.liquidationPrice!.above!, 99_550 / 0.9)).toBeLessThan(1e-9);
  });

  it('a BTC-margined covered call: IM max(0.15 − OTM/S, 0.1), MM 0.075 in BTC, its mark in equity once; liquidated only when P reaches 0.925 BTC', () => {
    const premiumAt = (s: number) => bsmRef({ isCall: true, spot: s, strike: 120_000, expiryYears: T, vol: 0.5, rate: 0, carry: 0 }).price / s;
    const p = premiumAt(100_000);
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-120000-C', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 1 }] }, 'cross');
    expect(relative(r.positions![0].markToMarket, -p)).toBeLessThan(1e-12);
    expect(relative(r.equity, 1 - p)).toBeLessThan(1e-12);
    // Deribit: IM max(0.15 − OTM/S, 0.1) + P and MM 0.075 + P against the margin balance 1 = equity + P; margin-core
    // holds equity (with −P) against the rates alone: the same excess, P counted once
    expect(relative(r.im, Math.max(0.15 - 20_000 / 100_000, 0.1))).toBeLessThan(1e-12);
    expect(relative(r.mm, 0.075)).toBeLessThan(1e-12);
    expect(relative(r.excessOverMm, 1 - (0.075 + p))).toBeLessThan(1e-12);
    expect(r.collateral).toEqual([{ asset: 'BTC', amount: 1, value: 1, imValue: 1, mmValue: 1 }]);
    // covered: margin balance 1 = 0.075 + P(S) needs P = 0.925 BTC, far above the strike (S ≈ 120,000/0.075 at
    // intrinsic); never below
    const above = r.liquidationPrice!.above!;
    expect(r.liquidationPrice!.below).toBeNull();
    expect(Math.abs(premiumAt(above) - 0.925)).toBeLessThan(1e-9);
  });

  it('the portfolio grid in coin: a long inverse perpetual of 1 BTC loses q·m/(1 + m) = 0.16/0.84 at −16%, plus 0.5% of its coin notional', () => {
    expect(inverseMovePnl(1, -0.16)).toBe(-0.16 / 0.84);
    const r = row({ marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 10_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] }, 'portfolio');
    expect(r.portfolio!.underlyings[0].worstScenario.spotMove).toBe(-0.16);
    expect(relative(r.portfolio!.scenarioLoss, 0.16 / 0.84)).toBeLessThan(1e-15);
    expect(r.portfolio!.addOns).toEqual([{ kind: 'linearNotional', underlying: 'BTC', net: 100_000, amount: 0.005 }]);
    expect(relative(r.im, 0.16 / 0.84 + 0.005)).toBeLessThan(1e-15);
    // +16%: 0.16/1.16, a smaller gain than the loss: concave in coin
    const grid = r.portfolio!.underlyings[0].grid;
    expect(relative(grid.pnl[1][grid.spotMoves.length - 1], 0.16 / 1.16)).toBeLessThan(1e-15);
  });

  it('a coin-settled option\'s coin delta is Δ − P: Deribit\'s ticker for BTC-27SEP24-40000-C (mark 0.2168 BTC, delta 0.59621, net 0.3794)', () => {
    // the public/ticker example of ccxt's deribit.ts: underlying_price 38,992.71, mark_iv 61.27, rate 0, T = 0.88297
    const usd = bsmRef({ isCall: true, spot: 38_992.71, strike: 40_000, expiryYears: 0.88297, vol: 0.6127, rate: 0, carry: 0 });
    const coin = coinGreeks(usd, 38_992.71, 0, 0, 0.88297);
    expect(coin.price).toBeCloseTo(0.2168, 4);
    expect(usd.delta).toBeCloseTo(0.59621, 4);
    expect(coin.delta).toBeCloseTo(0.5962 - 0.2168, 3);
    expect(coin.vega).toBeCloseTo(usd.vega / 38_992.71, 15);
  });

  it('a USD account beside coin accounts keeps the bits it has alone, on every method that margins both', () => {
    const usd = { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 95_000 }, { instrument: 'ETH-PERP', quantity: -3, entryPrice: 3_100 }], collateral: [{ asset: 'USDC', amount: 20_000 }] };
    const coin = { id: 'coin', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 2_000, entryPrice: 90_000 }, { instrument: 'BTC-25DEC26-90000-P', quantity: -2, entryPrice: 0.02 }], collateral: [{ asset: 'BTC', amount: 0.5 }] };
    for (const method of COIN_METHODS) {
      const mixed = engines.map((e) => e.margin(coinBook(usd, coin), coinMarket(), { method, breakdown: true }));
      const alone = engines[0].margin(coinBook(usd), coinMarket(), { method, breakdown: true });
      for (const r of mixed) expect(JSON.stringify(r.accounts)).toBe(JSON.stringify(mixed[0].accounts));
      expect(JSON.stringify(mixed[0].accounts[0])).toBe(JSON.stringify(alone.accounts[0]));
      // totals in USD: the coin account's figures through its USD view
      const [u, c] = mixed[0].accounts;
      expect(mixed[0].totals.im).toBe(u.im + c.im * c.usd!.price);
    }
  });
});
