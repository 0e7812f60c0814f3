import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

const b = {
  ...book(
    { id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
    { id: 'bob', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
  ),
  instruments: [...INSTRUMENTS, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY }],
};

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('capital efficiency report', () => {
  test('IM per method, capital freed versus isolated, and the optimised hedge of the account below IM', async () => {
    const r = await engine.capitalEfficiency(b, market(), { method: 'portfolio', hedges: [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 }] });
    for (const method of ['isolated', 'cross', 'portfolio'] as const) {
      const report = engine.margin(b, market(), { method });
      r.rows.forEach((row, a) => expect(row.im[method]).toBe(report.accounts[a].im));
    }
    const [alice, bob] = r.rows;
    expect(alice.level).toBe('account');
    // isolated: 0.8% of 50,000 + 1% of 50,000 = 900; portfolio 16,500: "freed" is negative (portfolio charges more here)
    expect(alice.freed.portfolio).toEqual({ usd: 900 - 16_500, fraction: (900 - 16_500) / 900 });
    // alice is below portfolio IM: the hand-computed hedge of restore.test.ts, x = 6,500/16,489 at 11 USD
    expect(alice.hedge).toMatchObject({ outcome: 'restored', trades: 1, imBefore: 16_500, confirmed: true });
    expect(alice.hedge!.cost).toBeCloseTo((11 * 6_500) / 16_489, 5);
    expect(alice.hedge!.imReleased).toBeCloseTo((16_500 * 6_500) / 16_489, 2);
    expect(bob.hedge).toBeUndefined(); // 50,000 ≥ 16,500: nothing to restore
    expect(r.totals).toMatchObject({ hedged: 1, infeasible: 0 });
    expect(r.totals.hedgeCost).toBe(alice.hedge!.cost);
  });

  test('without hedges, the comparison alone', async () => {
    const r = await engine.capitalEfficiency(b, market(), {});
    expect(r.rows.every((row) => row.hedge === undefined)).toBe(true);
    expect(r.totals.im.portfolio).toBe(2 * 16_500);
  });
});
