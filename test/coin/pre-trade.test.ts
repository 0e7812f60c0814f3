/**
 * Pre-trade checks on a BTC-margined account (src/live/check.ts): the margin test in BTC with the reason stated in
 * BTC, and the size tier on an inverse contract's USD notional at the index (face × S/F), worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

const ACCOUNT = { marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.01 }] };

describe('pre-trade check of a BTC-margined account', () => {
  it('caps an inverse contract by its USD notional at the index: 10 USD × S/F per contract', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    // the perpetual marked at 125,000 over an index of 100,000: 10 × 100,000/125,000 = 8 USD a contract, so a
    // 40,000 USD tier allows 5,000 contracts short: 4,000 more on the 1,000 held
    const session = engine.live(coinBook(ACCOUNT), coinMarket({ marks: { 'BTC-PERPETUAL': 125_000 } }), { method: 'cross', limits: { maxNotional: { BTC: 40_000 } } });
    try {
      const r = session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -4_001, price: 125_000 });
      expect([r.accepted, r.rejectedBy]).toEqual([false, 'size tier']);
      expect(r.reason).toBe('size tier: a BTC position\'s notional may not exceed 40,000.00 USD');
      // buying: 6,000 covers the short 1,000 and goes long 5,000, the tier's edge
      expect(session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: 6_001, price: 125_000 }).rejectedBy).toBe('size tier');
    } finally {
      session.release();
    }
  });

  it('judges an inverse order at the worse of its price and the mark, in USD per coin (a favourable price is not credited)', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    // marked at 100,000: a buy at 95,000 USD per coin is judged at 100,000, a sell at 105,000 too, so each gets the
    // maximum of the same order at the mark; a buy at 105,000 keeps its own price (its open loss counts)
    const session = engine.live(coinBook(ACCOUNT), coinMarket({ marks: { 'BTC-PERPETUAL': 100_000 } }), { method: 'cross' });
    try {
      const at = (quantity: number, price: number) => session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity, price });
      for (const [quantity, price] of [[1, 95_000], [-1, 105_000]]) {
        const r = at(quantity, price), atMark = at(quantity, 100_000);
        expect(r.assumedPrice).toBe(100_000);
        expect([r.accepted, r.maxQuantity, r.after]).toEqual([atMark.accepted, atMark.maxQuantity, atMark.after]);
      }
      expect(at(1, 105_000).assumedPrice).toBe(105_000);
      // a limit of 0 (a market order) is no limit: judged at the mark either way (it was refused, price 0 not > 0)
      for (const quantity of [1, -1]) expect(at(quantity, 0)).toEqual(at(quantity, 100_000));
    } finally {
      session.release();
    }
  });

  it('caps a USDC-settled contract by its USD notional: its USDC value at USDC\'s index', async () => {
    const engine = await createEngine({ backend: 'js' });
    // 1 BTC held, marked 111,111.11 USDC with USDC at 0.9: 100,000 USD of notional; a 110,000 USD tier leaves 0.1 BTC
    // (the USDC value read as USD, 111,111.11, refused any buy)
    const book = {
      instruments: [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' }],
      accounts: [{ id: 'usdc-1', marginCurrency: 'USDC', collateral: [{ asset: 'USDC', amount: 50_000 }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 1, entryPrice: 111_111.11 }] }],
    };
    const market = {
      valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 0.9, vol: 0.05 } },
      marks: { 'BTC_USDC-PERPETUAL': 111_111.11 }, correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
    };
    const session = engine.live(book, market, { method: 'cross', limits: { maxNotional: { BTC: 110_000 } } });
    try {
      const r = session.check('usdc-1', { instrument: 'BTC_USDC-PERPETUAL', quantity: 0.05, price: 111_111.11 });
      expect(r.accepted).toBe(true);
      expect(r.maxQuantity).toBe(0.1);
      expect(session.check('usdc-1', { instrument: 'BTC_USDC-PERPETUAL', quantity: 0.101, price: 111_111.11 }).rejectedBy).toBe('size tier');
      // a sell with a limit of 0 (a market order) is judged at the mark, as one with no price
      const market0 = session.check('usdc-1', { instrument: 'BTC_USDC-PERPETUAL', quantity: -0.5, price: 0 });
      expect(market0.assumedPrice).toBe(111_111.11);
      expect(market0).toEqual(session.check('usdc-1', { instrument: 'BTC_USDC-PERPETUAL', quantity: -0.5 }));
    } finally {
      session.release();
    }
  });

  it('answers a maximum beyond 2^53 steps (a step of 1e-12 contracts) instead of bisecting forever', async () => {
    // 0.01 BTC sells about 10⁴ contracts of 10 USD: 10¹⁶ steps of 1e-12, past 2^53 ≈ 9.0e15, where the bisection's
    // midpoint rounded back to an end and never moved; the answer is the 1e-9 grid's to the precision doubles keep there
    const engine = await createEngine({ backend: 'js' });
    const book = coinBook({ marginCurrency: 'BTC', positions: [], collateral: [{ asset: 'BTC', amount: 0.01 }] });
    const maxAt = (quantityStep: number) => {
      const session = engine.live(book, coinMarket(), { method: 'cross', limits: { quantityStep } });
      try {
        return session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -quantityStep, price: 100_000 }).maxQuantity!;
      } finally {
        session.release();
      }
    };
    const coarse = maxAt(1e-9), fine = maxAt(1e-12);
    expect(Math.abs(coarse) / 1e-12).toBeGreaterThan(2 ** 53);
    expect(Math.abs(fine - coarse)).toBeLessThanOrEqual(1e-8);
  });

  it('rejects by margin in BTC, with the amounts in BTC', async () => {
    const engine = await createEngine({ backend: 'js' });
    const session = engine.live(coinBook(ACCOUNT), coinMarket(), { method: 'cross' });
    try {
      // short 1,000 more at the mark 100,000 (no P&L): notional 20,000 USD, IM 0.8% = 160 USD = 0.0016 BTC ≤ 0.01 BTC;
      // short 20,000 more: notional 210,000 USD, IM 50,000·0.8% + 160,000·1% = 2,000 USD = 0.02 BTC > 0.01 BTC
      expect(session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -1_000, price: 100_000 }).accepted).toBe(true);
      const r = session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -20_000, price: 100_000 });
      expect([r.accepted, r.rejectedBy]).toEqual([false, 'margin']);
      expect(r.reason).toBe('margin: equity for IM after the order 0.01000000 is below IM 0.02000000 (BTC)');
    } finally {
      session.release();
    }
  });

  it('writes the two BTC amounts of a margin rejection with the digits that tell them apart', async () => {
    const engine = await createEngine({ backend: 'js' });
    // short 1,000 held + 4,000 more at the mark 100,000: notional 5,000 × 10 = 50,000 USD, IM 0.8% = 400 USD
    // = 0.004 BTC; 0.003999997 BTC of collateral falls short by 3e-9 BTC, which reads 0.004 to the satoshi (8 decimals):
    // both amounts then to 9 decimals, so the two read alike
    const short = { ...ACCOUNT, collateral: [{ asset: 'BTC', amount: 0.003_999_997 }] };
    const session = engine.live(coinBook(short), coinMarket(), { method: 'cross' });
    try {
      const r = session.check('acct-0', { instrument: 'BTC-PERPETUAL', quantity: -4_000, price: 100_000 });
      expect([r.accepted, r.rejectedBy]).toEqual([false, 'margin']);
      expect(r.reason).toBe('margin: equity for IM after the order 0.003999997 is below IM 0.004000000 (BTC)');
    } finally {
      session.release();
    }
  });
});
