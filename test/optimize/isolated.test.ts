/**
 * Restore health under isolated margin (src/optimize/isolated.ts), solved by hand. BTC at 100,000, ETH at 3,000
 * (test/support/margin-books.ts); default brackets (src/margin/params.ts): BTC-PERP 0.8% IM up to 50,000 USD of
 * notional then 1%, so long 1 has IM 900 and, reduced by s, IM 900 − 1,000·s while its notional stays above 50,000;
 * ETH-PERP 1% up to 50,000. A reduction of s contracts fills at value ∓ spread and pays the fee: selling s BTC-PERP
 * (entry 100,000) with spread 10 and fee 1 brings s·(100,000 − 10 − 100,000) − s = −11·s to cash.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

const BTC_HEDGE = { instrument: 'BTC-PERP', spread: 10, fee: 1, maxQuantity: 2 };
const ETH_HEDGE = { instrument: 'ETH-PERP', spread: 1, fee: 0.1, maxQuantity: 20 };
const btcLong = { instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 };

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

describe('isolated margin: restore every position at least cost', () => {
  test('one position: the hand-computed reduction, the whole pool allocated to it, confirmed by the engine', async () => {
    // 900 − 1,000·s ≤ 500 − 11·s  ⇒  s = 400/989 (notional 59,555 > 50,000: the 1% bracket holds)
    const s = 400 / 989;
    for (const engine of engines) {
      const r = await engine.optimize(book({ id: 'alice', positions: [btcLong], collateral: [{ asset: 'USDC', amount: 500 }] }), market(), { method: 'isolated', account: 'alice', hedges: [BTC_HEDGE] });
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      expect(r.slackBefore).toBe(500 - 900);
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].quantity).toBeCloseTo(-s, 6);
      expect(r.trades[0].price).toBe(99_990);
      expect(r.cost).toBeCloseTo(11 * s, 5); // optimal to within the safety margin δ = 1e-7 × 900 USD
      expect(r.after.im).toBeCloseTo(900 - 1_000 * s, 3);
      expect(r.allocations).toHaveLength(1);
      expect(r.allocations![0].instrument).toBe('BTC-PERP');
      expect(r.allocations![0].usd).toBeCloseTo(500 - 11 * s, 3);
      expect(r.slackAfter).toBeGreaterThanOrEqual(0);
    }
  });

  test('a profitable position funds a losing one: its profit realised, where cross margin sees nothing to do', async () => {
    // ETH long 10 entered at 2,000: P&L +10,000, IM 300; BTC long 1 needs 900 from a pool of 500 USDC. Under cross
    // margin equity 10,500 ≥ IM 1,200: met. Under isolated, ETH's profit is its own: selling e ETH realises
    // e·(3,000 − 1 − 2,000) − 0.1·e = 998.9·e into the pool at 1.1·e, far cheaper than reducing BTC (11 per 989 USD of
    // IM): 500 + 998.9·e = 900 ⇒ e = 400/998.9; ETH still needs nothing (300·(1 − e/10) ≤ 10,000·(1 − e/10)).
    const b = book({ id: 'alice', positions: [btcLong, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 2_000 }], collateral: [{ asset: 'USDC', amount: 500 }] });
    const e = 400 / 998.9;
    const engine = engines[0];
    expect((await engine.optimize(b, market(), { method: 'cross', account: 'alice', hedges: [BTC_HEDGE, ETH_HEDGE] })).outcome).toBe('met');
    const r = await engine.optimize(b, market(), { method: 'isolated', account: 'alice', hedges: [BTC_HEDGE, ETH_HEDGE] });
    expect(r.outcome).toBe('restored');
    expect(r.confirmed).toBe(true);
    expect(r.trades.map((t) => t.instrument)).toEqual(['ETH-PERP']);
    expect(r.trades[0].quantity).toBeCloseTo(-e, 5); // δ = 1e-7 × 10,500 USD
    expect(r.cost).toBeCloseTo(1.1 * e, 5);
    const btc = r.allocations!.find((x) => x.instrument === 'BTC-PERP')!;
    expect(btc.usd).toBeCloseTo(900, 2); // the whole pool, 900 + δ
  });

  test('infeasible: the closest reduction and the shortfall left', async () => {
    // at most 0.1 BTC sold: IM 900 − 100 = 800 against a pool of 500 − 1.1: 301.1 short
    const r = await engines[0].optimize(book({ id: 'alice', positions: [btcLong], collateral: [{ asset: 'USDC', amount: 500 }] }), market(), {
      method: 'isolated', account: 'alice', hedges: [{ ...BTC_HEDGE, maxQuantity: 0.1 }],
    });
    expect(r.outcome).toBe('infeasible');
    expect(r.confirmed).toBe(false);
    expect(r.trades[0].quantity).toBeCloseTo(-0.1, 9);
    expect(r.slackAfter).toBeCloseTo(-(800 - (500 - 1.1)), 6);
  });

  test('an account whose positions all meet their targets: met, nothing traded', async () => {
    const r = await engines[0].optimize(book({ id: 'alice', positions: [btcLong], collateral: [{ asset: 'USDC', amount: 5_000 }] }), market(), { method: 'isolated', account: 'alice', hedges: [BTC_HEDGE] });
    expect(r).toMatchObject({ outcome: 'met', trades: [], cost: 0, confirmed: true });
  });
});
