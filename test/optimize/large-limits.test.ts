import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

// A larger limit only adds trades the programme may choose: the least-cost trade must not change with it. A limit of
// 1e10 contracts once made a needed 1.8-contract trade count as solver round-off (below 1e-9 of the limit), so
// nothing was traded and the account was called infeasible.
const LIMITS = [2, 1e3, 1e9, 1e10, 1e12, 1e15];

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

// restore.test.ts's hand-solved case: long 1 BTC-PERP at 100,000; selling x futures at 11 USD a contract
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const longPerp = (usdc: number) => ({
  ...book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }),
  instruments: [...INSTRUMENTS, FUTURE],
});
const future = (maxQuantity: number) => [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity }];

describe('a candidate\'s limit far above the trade it needs', () => {
  test('portfolio: the hand-solved sale of 6,500 / 16,489 futures, whatever the limit', async () => {
    for (const engine of engines) {
      for (const maxQuantity of LIMITS) {
        const r = await engine.optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: future(maxQuantity) });
        expect({ maxQuantity, outcome: r.outcome, confirmed: r.confirmed }).toEqual({ maxQuantity, outcome: 'restored', confirmed: true });
        expect(r.trades).toHaveLength(1);
        expect(r.trades[0].quantity).toBeCloseTo(-6_500 / 16_489, 6);
        expect(r.slackAfter).toBeGreaterThanOrEqual(0);
      }
    }
  });

  test('infeasible: the closest trade (sell 1, the position flat) is reported, whatever the limit', async () => {
    // on 5 USDC: at x = 1 the future offsets the perpetual (IM 0), but its 11 USD leave equity at 5 − 11 = −6
    for (const maxQuantity of LIMITS) {
      const r = await engines[0].optimize(longPerp(5), market(), { method: 'portfolio', account: 'alice', hedges: future(maxQuantity) });
      expect({ maxQuantity, outcome: r.outcome }).toEqual({ maxQuantity, outcome: 'infeasible' });
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0].quantity).toBeCloseTo(-1, 6);
      expect(r.slackAfter).toBeCloseTo(-6, 4);
    }
  });

  test('cross, the bundled sample\'s distressed-000009: the same sale of BTC-PERP for every limit', async () => {
    const read = (file: string) => JSON.parse(readFileSync(new URL(`../../data/sample/${file}`, import.meta.url), 'utf8'));
    const sample = read('book.json'), prices = read('market.json');
    const solve = (engine: Engine, maxQuantity: number) => engine.optimize(sample, prices, {
      method: 'cross', account: 'distressed-000009', hedges: [{ instrument: 'BTC-PERP', spread: 10, fee: 1, maxQuantity }],
    });
    for (const engine of engines) {
      const small = await solve(engine, 10);
      expect(small.outcome).toBe('restored');
      expect(small.trades[0].quantity).toBeCloseTo(-1.8358, 4);
      for (const maxQuantity of LIMITS.slice(1)) {
        const r = await solve(engine, maxQuantity);
        expect({ maxQuantity, outcome: r.outcome, confirmed: r.confirmed }).toEqual({ maxQuantity, outcome: 'restored', confirmed: true });
        expect(r.trades).toHaveLength(1);
        expect(r.trades[0].quantity).toBeCloseTo(small.trades[0].quantity, 9);
      }
    }
  });
});
