/**
 * A hedge the solver sizes to close a position closes it exactly. The LP's answer for a close carries round-off
 * (1691 − 1690.9999999999998): applied as is, it left a stray position the engine either refused (below the smallest
 * quantity 1e-12: `optimize` threw an InputError at `changes`, a path the user never gave) or reported (−8e-12
 * contracts). src/optimize/hedge-prices.ts `tradeQuantity`.
 *
 * Where a close is the answer, by hand: under cross margin a future's requirement is |units| × price × rate, so each
 * contract sold off a long lowers IM by more than its spread and fee cost (rates of a few %, spreads of a few bp), and
 * each contract sold past flat raises it again: the slack is largest exactly at flat.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { tradeQuantity } from '../../src/optimize/hedge-prices.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

describe('tradeQuantity: round-off of a close is a close', () => {
  test('a trade leaving round-off of the position closes it; any other trade is as solved', () => {
    expect(tradeQuantity(1691, -1690.9999999999998)).toBe(-1691);
    expect(tradeQuantity(6201, -6201.000000000008)).toBe(-6201);
    expect(tradeQuantity(-0.6, 0.6000000000000001)).toBe(0.6);
    expect(tradeQuantity(1e-3, -1e-3 + 5e-13)).toBe(-1e-3); // what is left is below the smallest quantity (1e-12)
    expect(tradeQuantity(1691, -1690)).toBe(-1690); // a partial close
    expect(tradeQuantity(1691, -1691.5)).toBe(-1691.5); // through flat to a short
    expect(tradeQuantity(1691, -1691)).toBe(-1691);
    expect(tradeQuantity(0, 5)).toBe(5);
    expect(tradeQuantity(1691, 10)).toBe(10);
  });
});

describe('optimize: the closest hedge of a position too large to keep closes it exactly', () => {
  test('coin-margined (BTC) under cross, an inverse perpetual beside a short call: infeasible, the perpetual closed, the after figures from scratch', async () => {
    const PERP = { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' };
    const CALL = { id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 95000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' };
    const book = (perp: number, btc: number) => ({
      instruments: [PERP, CALL],
      accounts: [{
        id: 'a', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: btc }],
        positions: [...(perp !== 0 ? [{ instrument: 'BTC-PERPETUAL', quantity: perp, entryPrice: 88040.6 }] : []), { instrument: 'BTC-C', quantity: -0.6, entryPrice: 0.02 }],
      }],
    });
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 92297.9, vol: 0.5 } }, impliedVols: { 'BTC-C': 0.5 } };
    const hedges = [{ instrument: 'BTC-PERPETUAL', spread: 20, fee: 0.05, maxQuantity: 1_000_000 }];
    const answers: string[] = [];
    for (const engine of engines) {
      const r = await engine.optimize(book(1691, 0.03243), market, { method: 'cross', account: 'a', hedges });
      expect(r.outcome).toBe('infeasible'); // the short call alone needs more than the account holds
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].quantity).toBe(-1691);
      const fill = r.trades[0].price; // USD per coin, as quoted: the mark less the spread
      expect(fill).toBeCloseTo(92297.9 - 20, 9);
      // the traded book from scratch: the call alone, the balance plus the close's realized P&L (face · q · (1/entry −
      // 1/fill) coin, docs/coin-margined.md) less the fee (0.05 USD a contract at the index)
      const balance = 0.03243 + 10 * 1691 * (1 / 88040.6 - 1 / fill) - (1691 * 0.05) / 92297.9;
      const fresh = engine.margin(book(0, balance), market, { method: 'cross' }).accounts[0];
      expect(r.after.im).toBe(fresh.im);
      expect(r.after.mm).toBe(fresh.mm);
      expect(r.after.equity).toBeCloseTo(fresh.equity, 14);
      answers.push(JSON.stringify(r));
    }
    expect(answers[1]).toBe(answers[0]);
  });

  test('USD account under cross and portfolio: closing 6,201 and 3,673 contracts trades exactly that many', async () => {
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 92297.9, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
    for (const engine of engines) {
      for (const held of [6201, 3673]) {
        for (const method of ['cross', 'portfolio'] as const) {
          const book = {
            instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
            accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: held, entryPrice: 99000 }], collateral: [{ asset: 'USDC', amount: 10 }] }],
          };
          const r = await engine.optimize(book, market, { method, account: 'a', hedges: [{ instrument: 'BTC-PERP', spread: 3, fee: 0.05, maxQuantity: 20_000 }] });
          expect(r.outcome, `${method} ${held}`).toBe('infeasible'); // 10 USDC cannot carry a 6,900 USD loss
          expect(r.trades.map((t) => t.quantity), `${method} ${held}`).toEqual([-held]);
        }
      }
    }
  });
});
