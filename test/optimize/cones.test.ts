import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

// Norm requirements (delta-normal VaR, correlation-aggregated portfolio loss) go through cutting planes: these cases
// are solved by hand from the documented formulas (a quadratic, a bisection on the closed form), never by the optimiser.
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const HEDGE = { instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }; // 11 USD per contract
// long 1 BTC (100,000) and 10 ETH (30,000) of perpetuals against `usdc`
const twoAssets = (usdc: number) => ({
  ...book({ id: 'bob', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }),
  instruments: [...INSTRUMENTS, FUTURE],
});

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('delta-normal VaR: a cone, by cutting planes', () => {
  test('the hand-solved quadratic', async () => {
    // VaR(x) = z·√(dᵀΣd), Σ = vols·ρ·vols × 1/365 (1-day horizon), d = (100,000·u, 30,000), u = 1 − x after selling
    // x futures; z = Φ⁻¹(0.99) = 2.3263478740408408. Equity after costs 5,000 − 11x = 4,989 + 11u. The floor
    // 1% × gross = 1,300 + 1,000x stays below. Squared: (4,989 + 11u)² = k²·(0.25e10·u² + 0.56·3e9·u + 0.49·9e8),
    // k² = z²/365; the largest root u gives the least x.
    const z = 2.3263478740408408, k2 = (z * z) / 365;
    const A = 121 - k2 * 0.25e10, B = 2 * 4_989 * 11 - k2 * 0.56 * 3e9, C = 4_989 ** 2 - k2 * 0.49 * 9e8;
    const roots = [(-B + Math.sqrt(B * B - 4 * A * C)) / (2 * A), (-B - Math.sqrt(B * B - 4 * A * C)) / (2 * A)];
    const u = Math.max(...roots.filter((r) => r >= 0 && r <= 1));
    const x = 1 - u;
    const r = await engine.optimize(twoAssets(5_000), market(), { method: 'var', account: 'bob', hedges: [HEDGE] });
    expect(r.outcome).toBe('restored');
    expect(r.confirmed).toBe(true);
    expect(r.trades[0].quantity).toBeCloseTo(-x, 6);
    expect(r.cost).toBeCloseTo(11 * x, 4);
    expect(r.slackAfter).toBeGreaterThanOrEqual(0);
    expect(r.solver.programmes).toBeGreaterThan(1); // the tangent at x = 0 alone is not enough: planes were added
  });

  test('Monte Carlo VaR has no convex model: an error naming params.var.model', async () => {
    await expect(engine.optimize(twoAssets(5_000), market(), { method: 'var', params: { var: { model: 'monte-carlo' } }, account: 'bob', hedges: [HEDGE] }))
      .rejects.toMatchObject({ problems: [{ path: 'params.var.model', message: expect.stringMatching(/delta-normal/) }] });
  });
});

describe('portfolio margin with correlation aggregation: √(LᵀρL) by cutting planes', () => {
  test('bisection on the closed form', async () => {
    // L_BTC = 16,000·u (u = 1 − x), L_ETH = 16% × 30,000 = 4,800, ρ = 0.8; add-ons 0.5% of net notional: 500u + 150.
    // IM(u) = √(L_BTC² + 1.6·L_BTC·L_ETH + L_ETH²) + 500u + 150; equity 10,000 − 11x. g(x) = equity − IM is increasing
    // in x on [0, 1]: bisect for its zero.
    const g = (x: number) => {
      const l1 = 16_000 * (1 - x), l2 = 4_800;
      return 10_000 - 11 * x - (Math.sqrt(l1 * l1 + 1.6 * l1 * l2 + l2 * l2) + 500 * (1 - x) + 150);
    };
    let lo = 0, hi = 1;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (g(mid) < 0) lo = mid;
      else hi = mid;
    }
    const r = await engine.optimize(twoAssets(10_000), market(), { method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } }, account: 'bob', hedges: [HEDGE] });
    expect(r.outcome).toBe('restored');
    expect(r.confirmed).toBe(true);
    expect(r.trades[0].quantity).toBeCloseTo(-hi, 6);
    expect(r.slackAfter).toBeGreaterThanOrEqual(0);
  });
});
