/**
 * A live fill on an isolated position (docs/live-margin.md, src/margin/account-changes.ts): what it realizes moves its
 * own allocation, as a liquidation's close does, so one position's loss never reaches another's pro-rata share; closed
 * in full, the rest of its allocation goes back to the account. Hand-computed; the what-if of the same fill gives the
 * same figures, and the session's figures are those of a fresh margin of its book, on both backends.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

// 5,000 USDC; long 1 BTC-PERP from 103,000 (marked 100,000) with 4,000 allocated; long 10 ETH-PERP at 3,000 sharing
// the rest pro rata: 5,000 − 4,000 = 1,000, the only position that shares it
const BOOK = book({
  id: 'iso',
  positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 103_000, isolatedMargin: 4_000 }, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }],
  collateral: [{ asset: 'USDC', amount: 5_000 }],
});
const sell = (quantity: number) => [{ account: 'iso', instrument: 'BTC-PERP', quantity: -quantity, price: 100_000 }];

describe('a live fill on an isolated position', () => {
  for (const backend of ['wasm', 'js'] as const) {
    it(`moves its own allocation by what it realizes and gives it back once closed (${backend})`, async () => {
      const engine = await createEngine({ backend });
      const live = engine.live(BOOK, market(), { method: 'isolated' });
      const fresh = () => engine.margin(live.book(), live.marketJson, { method: 'isolated', breakdown: true }).accounts[0];
      expect(fresh().positions!.map((p) => p.allocated)).toEqual([4_000, 1_000]);

      // sell 0.5 at 100,000: realizes 0.5 × (100,000 − 103,000) = −1,500, taken by BTC's allocation (2,500), not ETH's
      const whatIf = live.whatIf('iso', sell(0.5).map(({ account: _a, ...t }) => t));
      live.applyFills(sell(0.5));
      expect(live.book().accounts[0].positions![0]).toMatchObject({ quantity: 0.5, entryPrice: 103_000, isolatedMargin: 2_500 });
      expect(live.book().accounts[0].cashUsd).toBe(-1_500);
      let row = fresh();
      expect(row.positions!.map((p) => p.allocated)).toEqual([2_500, 1_000]);
      expect(row.positions!.map((p) => p.status)).toEqual(['healthy', 'healthy']); // BTC: 2,500 − 1,500 of loss = 1,000
      expect(row.status).toBe('healthy');
      expect(live.account('iso')).toMatchObject({ equity: row.equity, im: row.im, mm: row.mm, status: row.status });
      expect([whatIf.after.equity, whatIf.after.im, whatIf.after.status]).toEqual([row.equity, row.im, row.status]);

      // sell the other 0.5: −1,500 more, the allocation at 1,000 and the position flat: the 1,000 goes back to the
      // account, whose 2,000 (5,000 − 3,000 realized) ETH now shares alone
      live.applyFills(sell(0.5));
      expect(live.book().accounts[0].positions![0]).not.toHaveProperty('isolatedMargin');
      row = fresh();
      expect(row.positions!.map((p) => p.allocated)).toEqual([0, 2_000]);
      expect([row.equity, row.status]).toEqual([2_000, 'healthy']);
      expect(live.account('iso')).toMatchObject({ equity: row.equity, im: row.im, status: row.status });
      live.release();
    });
  }

  it('a flip closes the position and opens the other side: the rest of its allocation goes back, the new side shares pro rata', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    const live = engine.live(BOOK, market(), { method: 'isolated' });
    // sell 2 at 100,000: the long 1 closes, −3,000 realized against 4,000 allocated, and a short 1 opens at 100,000
    live.applyFills([{ account: 'iso', instrument: 'BTC-PERP', quantity: -2, price: 100_000 }]);
    const position = live.book().accounts[0].positions![0];
    expect(position).toMatchObject({ quantity: -1, entryPrice: 100_000 });
    expect(position).not.toHaveProperty('isolatedMargin');
    // 5,000 USDC less the 3,000 realized: 2,000 shared by the short BTC and the ETH pro rata to their IM
    const row = engine.margin(live.book(), live.marketJson, { method: 'isolated', breakdown: true }).accounts[0];
    const [btc, eth] = row.positions!;
    expect(btc.allocated! + eth.allocated!).toBeCloseTo(2_000, 9);
    expect(btc.allocated! / eth.allocated!).toBeCloseTo(btc.im / eth.im, 12);
    live.release();
  });

  it('moves the allocation by the realized P&L itself, not by the change of a large cash balance (its rounding)', async () => {
    const b = book({ id: 'big', positions: [{ instrument: 'ETH-PERP', quantity: -5, entryPrice: 3_100.3, isolatedMargin: 1_500.1 }], collateral: [{ asset: 'USDC', amount: 10_000 }] });
    (b.accounts[0] as { cashUsd?: number }).cashUsd = 1_234_567.891;
    const engine = await createEngine({ backend: 'js' });
    const live = engine.live(b, market(), { method: 'isolated' });
    live.applyFills([{ account: 'big', instrument: 'ETH-PERP', quantity: 2, price: 3_050.7 }]);
    // closing 2 of the short realizes 2·(3,100.3 − 3,050.7) = 99.2 (to its last bit), added to 1,500.1; the cash's own
    // difference, (1,234,567.891 + 99.2) − 1,234,567.891, would have been 99.19999999995343
    expect(live.book().accounts[0].positions![0].isolatedMargin).toBe(1_500.1 + 2 * (3_100.3 - 3_050.7) * 1);
    live.release();
  });

  it('keeps a loss beyond the allocation as the flat position\'s own deficit, never the rest of the account\'s', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    const live = engine.live(BOOK, market(), { method: 'isolated' });
    // the whole position sold at 98,000: −5,000 realized against 4,000 allocated leaves −1,000 on the flat position
    live.applyFills([{ account: 'iso', instrument: 'BTC-PERP', quantity: -1, price: 98_000 }]);
    expect(live.book().accounts[0].positions![0]).toMatchObject({ quantity: 0, isolatedMargin: -1_000 });
    const row = engine.margin(live.book(), live.marketJson, { method: 'isolated', breakdown: true }).accounts[0];
    // ETH keeps its 1,000: cash −5,000 + 5,000 USDC, less −1,000 allocated to BTC
    expect(row.positions!.map((p) => p.allocated)).toEqual([-1_000, 1_000]);
    expect(row.positions![0].status).toBe('bankrupt');
    live.release();
  });
});
