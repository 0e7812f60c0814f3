import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, type Trade } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

// Optimality against brute force: every point of a grid of trade sizes is checked by the engine's own what-if (the
// figures a fresh run on the traded book gives); no feasible grid point may be cheaper than the optimiser's answer.
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const b = {
  ...book({ id: 'carol', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'BTC-110000-C', quantity: -2, entryPrice: 1_000 }], collateral: [{ asset: 'USDC', amount: 14_000 }] }),
  instruments: [...INSTRUMENTS, FUTURE],
};
const hedges = [
  { instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 1, side: 'sell' }, // 11 USD per contract
  { instrument: 'BTC-90000-P', spread: 20, fee: 2, maxQuantity: 1, side: 'buy' }, // 22 USD per contract, quoted at 800
  { instrument: 'BTC-110000-C', spread: 30, fee: 3, maxQuantity: 2, side: 'buy' }, // 33 USD per contract, quoted at 1,234
];

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('restore health: optimal against a grid', () => {
  for (const method of ['portfolio', 'cross'] as const) {
    test(`${method}: no feasible grid point is cheaper, and the answer is feasible`, async () => {
      const r = await engine.optimize(b, market(), { method, account: 'carol', hedges });
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      const live = engine.live(b, market(), { method });
      try {
        const before = live.whatIf('carol', []).before;
        expect(before.equityIm - before.im).toBeLessThan(0);
        let best = Infinity;
        const steps = [20, 10, 10];
        for (let i = 0; i <= steps[0]; i++) {
          for (let j = 0; j <= steps[1]; j++) {
            for (let k = 0; k <= steps[2]; k++) {
              const q = [-i / steps[0], j / steps[1], (2 * k) / steps[2]];
              const cost = 11 * -q[0] + 22 * q[1] + 33 * q[2];
              if (cost >= best) continue;
              const trades: Trade[] = [];
              if (q[0] !== 0) trades.push({ instrument: 'BTC-25DEC26', quantity: q[0], price: 100_000 - 10 });
              if (q[1] !== 0) trades.push({ instrument: 'BTC-90000-P', quantity: q[1], price: 800 + 20 });
              if (q[2] !== 0) trades.push({ instrument: 'BTC-110000-C', quantity: q[2], price: 1_234 + 30 });
              const fees = 1 * -q[0] + 2 * q[1] + 3 * q[2];
              if (fees > 0) trades.push({ cashUsd: -fees });
              const after = live.whatIf('carol', trades).after;
              if (after.equityIm >= after.im) best = cost;
            }
          }
        }
        expect(best).toBeLessThan(Infinity);
        expect(r.cost).toBeLessThanOrEqual(best + 1e-6);
        // and the grid comes within one step of it (a check that the grid can see the optimum's neighbourhood)
        expect(best - r.cost).toBeLessThanOrEqual(11 / steps[0] + 22 / steps[1] + 66 / steps[2]);
      } finally {
        live.release();
      }
    });
  }
});
