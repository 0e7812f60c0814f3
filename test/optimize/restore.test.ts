import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

// A BTC future whose value is exactly spot (r = q: F = S·e^0), so its risk-array row equals the perpetual's.
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const withFuture = (b: ReturnType<typeof book>) => ({ ...b, instruments: [...INSTRUMENTS, FUTURE] });
// a long BTC perpetual at 100,000 against `usdc` of collateral
const longPerp = (usdc: number) => withFuture(book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }));
// sell the future at value − 10, pay 1 USD per contract: 11 USD per contract, also taken from equity
const FUTURE_HEDGE = { instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 };

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

describe('portfolio margin: restore to IM at least cost', () => {
  test('a short future against a long perpetual: the hand-computed size, confirmed by the engine', async () => {
    // Hand: selling x futures leaves 1 − x BTC of delta; every scenario P&L is (1 − x)·100,000·move, the worst at −16%
    // (tails are weighted to ≤ 16%): loss 16,000·(1 − x); add-on 0.5% of the net linear notional: 500·(1 − x).
    // IM(x) = 16,500·(1 − x); equity for IM after costs 10,000 − 11x. Least x with 10,000 − 11x ≥ 16,500(1 − x):
    // x = 6,500 / 16,489, cost 11x.
    const x = 6_500 / 16_489;
    for (const engine of engines) {
      const r = await engine.optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: [FUTURE_HEDGE] });
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      expect(r.before.im).toBe(16_500);
      expect(r.slackBefore).toBe(10_000 - 16_500);
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].instrument).toBe('BTC-25DEC26');
      expect(r.trades[0].quantity).toBeCloseTo(-x, 6);
      expect(r.trades[0].price).toBe(100_000 - 10);
      expect(r.cost).toBeCloseTo(11 * x, 5);
      // the engine's own figures after the trades: at the target, by no more than the safety margin
      expect(r.slackAfter).toBeGreaterThanOrEqual(0);
      expect(r.slackAfter).toBeLessThan(0.05);
      expect(r.after.equityIm).toBeCloseTo(10_000 - 11 * x, 4);
      expect(r.after.im).toBeCloseTo(16_500 * (1 - x), 2); // within the safety margin δ = 1e-7 × 10,000 USD, a few times
    }
  });

  test('to MM with a buffer: equity for MM ≥ 1.02 × 0.8 × IM', async () => {
    // Hand: 10,000 − 11x ≥ 1.02·0.8·16,500·(1 − x) = 13,464·(1 − x) → x = 3,464 / 13,453.
    const r = await engines[0].optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: [FUTURE_HEDGE], target: 'mm', buffer: 0.02 });
    expect(r.outcome).toBe('restored');
    expect(r.trades[0].quantity).toBeCloseTo(-3_464 / 13_453, 6);
    expect(r.after.equityMm - r.after.mm * 1.02).toBeGreaterThanOrEqual(0);
  });

  test('an account already at its target needs nothing', async () => {
    const r = await engines[0].optimize(longPerp(20_000), market(), { method: 'portfolio', account: 'alice', hedges: [FUTURE_HEDGE] });
    expect(r).toMatchObject({ outcome: 'met', trades: [], cost: 0, confirmed: true, solver: { programmes: 0 } });
  });

  test('infeasible: limits too small to reach IM; the closest hedge and its shortfall are reported', async () => {
    // Hand: the best is to sell all 0.1 allowed (each contract lowers IM by 16,500 and costs 11):
    // slack = 10,000 − 1.1 − 16,500·0.9 = −4,851.1.
    const r = await engines[0].optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: [{ ...FUTURE_HEDGE, maxQuantity: 0.1 }] });
    expect(r.outcome).toBe('infeasible');
    expect(r.confirmed).toBe(false);
    expect(r.trades[0].quantity).toBeCloseTo(-0.1, 9);
    expect(r.slackAfter).toBeCloseTo(-4_851.1, 6);
    expect(r.reason).toMatch(/no trades within the hedges' limits reach its target .* 4,851\.10 USD short \(was 6,500\.00\)/);
  });

  test('a hedge allowed only on the useless side is infeasible too', async () => {
    const r = await engines[0].optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: [{ ...FUTURE_HEDGE, side: 'buy' }] });
    expect(r.outcome).toBe('infeasible');
    expect(r.trades).toEqual([]); // buying adds risk: the closest is to do nothing
    expect(r.slackAfter).toBe(r.slackBefore);
  });
});

describe('rule-based cross margin: piecewise linear in size', () => {
  test('selling part of the position, across the 50,000 bracket bound', async () => {
    // Default BTC schedule: 0.8% up to 50,000 of notional, 1% above. Long 1 BTC at 100,000: IM = 400 + 500 = 900.
    // Selling x of it (at 99,990, fee 1: 11 USD per contract): for notional ≥ 50,000, IM = 900 − 1,000x;
    // equity 500 − 11x ≥ 900 − 1,000x → x = 400/989 (< 0.5, so in the upper bracket). The future would add IM.
    const r = await engines[0].optimize(longPerp(500), market(), {
      method: 'cross', account: 'alice', hedges: [{ instrument: 'BTC-PERP', spread: 10, fee: 1, maxQuantity: 1 }, FUTURE_HEDGE],
    });
    expect(r.before.im).toBe(900);
    expect(r.outcome).toBe('restored');
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].instrument).toBe('BTC-PERP');
    expect(r.trades[0].quantity).toBeCloseTo(-400 / 989, 6);
    expect(r.after.im).toBeCloseTo(900 - (1_000 * 400) / 989, 3);
    expect(r.slackAfter).toBeGreaterThanOrEqual(0);
  });

  test('isolated margin: a hedge on an instrument the account does not hold is refused with its path', async () => {
    await expect(engines[0].optimize(longPerp(500), market(), { method: 'isolated', account: 'alice', hedges: [FUTURE_HEDGE] })).rejects.toMatchObject({
      name: 'InputError', problems: [{ path: 'hedges[0].instrument', message: expect.stringMatching(/must reduce a position the account holds/) }],
    });
  });
});

describe('the IM target restores health: above MM too, where a balance counts for IM only (collateral by location)', () => {
  // USDC at "ethereum" arrives in 2 hours, after the 1-hour horizon: it counts for IM, 0 for MM (docs/locations.md,
  // exclude-mm). Cross margin of 1 BTC-PERP at 100,000: IM 900, MM 450 (50,000 × 0.4% + 50,000 × 0.5%).
  const params = { locations: { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } } };
  const located = (home: number) => book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000, location: 'ethereum' } as never, ...(home > 0 ? [{ asset: 'USDT', amount: home }] : [])] });
  const PERP_HEDGE = { instrument: 'BTC-PERP', spread: 10, fee: 1, maxQuantity: 2 };

  test('the MM target\'s least-cost trades, when they meet IM too', async () => {
    // 300 USDT at home: equity for MM 300 < MM 450 (liquidatable), equity for IM 10,300 ≥ IM 900 (the IM target "met").
    // Selling q at 99,990 with a fee of 1 costs 11q; above half the position MM(1 − q) = 500(1 − q) − 50, so the
    // least q with 300 − 11q ≥ 500(1 − q) − 50 is q = 150/489.
    for (const engine of engines) {
      const r = await engine.optimize(located(300), market(), { method: 'cross', account: 'alice', hedges: [PERP_HEDGE], params });
      expect([r.before.equityIm, r.before.im, r.before.equityMm, r.before.mm]).toEqual([10_300, 900, 300, 450]);
      expect([r.outcome, r.confirmed]).toEqual(['restored', true]);
      expect(r.trades[0].quantity).toBeCloseTo(-150 / 489, 6);
      expect(r.after.equityMm).toBeGreaterThanOrEqual(r.after.mm);
      expect(r.slackAfter).toBe(r.after.equityIm - r.after.im);
      expect(r.reason).toContain('also meet its target (equity for IM ≥ IM)');
      // the engine's status after the trades, from scratch
      const after = engine.margin({ ...located(300), accounts: [{ ...located(300).accounts[0], positions: [{ instrument: 'BTC-PERP', quantity: 1 + r.trades[0].quantity, entryPrice: 100_000 }] }] }, market(), { method: 'cross', params });
      expect(after.accounts[0].mm).toBeCloseTo(r.after.mm, 9);
    }
  });

  test('unconfirmed, saying why, when no single target\'s answer restores health', async () => {
    // nothing at home: equity for MM is 0, and every close costs 11 per contract, so MM is out of reach
    for (const engine of engines) {
      const r = await engine.optimize(located(0), market(), { method: 'cross', account: 'alice', hedges: [PERP_HEDGE], params });
      expect(r.before.equityMm).toBe(0);
      expect([r.outcome, r.confirmed]).toEqual(['met', false]);
      expect(r.reason).toContain('leave equity for MM 0.00 below MM 450.00 USD');
    }
  });
});
