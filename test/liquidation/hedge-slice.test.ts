/**
 * A slice of the account (src/liquidation/slice.ts): when no close of one holding lowers MM and the shortfall — a long
 * perpetual covering short calls under a scenario grid (the deribit profile), where closing either leg alone unhedges
 * the other — the same fraction of every position is closed together (OKX closes a cross account's long and short
 * pairs together; Deribit reduces "the risk of the position"). Before, such an account stayed `being_liquidated` with
 * "no close left that lowers MM and the shortfall" and its positions open.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { allEngines } from '../support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const E = '2026-12-25T08:00:00Z';
const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.6 }, USDC: { price: 1, vol: 0 } }, impliedVols: { C100: 0.6 } };
function bookOf(calls: number, usdc: number) {
  return {
    instruments: [
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'C100', kind: 'option', underlying: 'BTC', right: 'call', strike: 100_000, expiry: E },
    ],
    accounts: [
      { id: 'covered', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'C100', quantity: calls, entryPrice: 5_000 }], collateral: [{ asset: 'USDC', amount: usdc }] },
      { id: 'other', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }, { instrument: 'C100', quantity: -calls, entryPrice: 5_000 }], collateral: [{ asset: 'USDC', amount: 1_000_000 }] },
    ],
  };
}
const same = (r: object) => JSON.stringify({ ...r, backend: '' });

describe('liquidation: a slice of a hedged account', () => {
  it('long 1 perpetual, short 2 calls on 16,000 USDC (deribit): single closes, then the rest closed together; resolved, money conserved', () => {
    const book = bookOf(-2, 16_000);
    const plans = engines.map((e) => e.liquidate(book, market, { profile: 'deribit' }));
    for (const p of plans) expect(same(p)).toBe(same(plans[0]));
    const a = plans[0].accounts.find((x) => x.id === 'covered')!;
    expect(a.state).toBe('resolved');
    expect(a.steps.slice(0, 6).map((s) => `${s.id} ${s.quantity}`)).toEqual(['C100 -0.5', 'BTC-PERP 0.25', 'C100 -0.5', 'BTC-PERP 0.25', 'C100 -0.5', 'BTC-PERP 0.25']);
    // then no close of one holding lowers MM and the shortfall (0.25 perpetual, 0.5 calls left): the slice, the same
    // fraction of each, below the step caps (a quarter of each start: all that was left)
    const [call, perp] = a.steps.slice(6);
    expect(a.steps).toHaveLength(8);
    expect([call.id, perp.id]).toEqual(['C100', 'BTC-PERP']);
    const f = perp.quantity / 0.25;
    expect(call.quantity / -0.5).toBeCloseTo(f, 14);
    expect(f).toBeGreaterThan(0.9);
    expect(f).toBeLessThan(1);
    // alone, closing the calls leaves the perpetual's MM, closing the perpetual the naked calls': the calls go first
    expect(call.mmAfter).toBeGreaterThan(call.mmBefore);
    // the fees, by hand: the call leg releases no MM, so its fee's cap (equity × share released − slippage) is 0; the
    // perpetual's is feeRate × notional = 0.005 × q × 100,000, within its cap
    expect(call.feeToLiquidator + call.feeToFund).toBe(0);
    expect(perp.feeToLiquidator + perp.feeToFund).toBeCloseTo(0.005 * perp.quantity * 100_000, 9);
    // the smallest slice that reaches the target: health (equity for MM / MM) 1.02, the 2% buffer
    expect(a.after.health).toBeCloseTo(1.02, 9);
    expect(a.after.health).toBeGreaterThanOrEqual(1.02);
    expect(Math.abs(plans[0].totals.conservationResidual)).toBeLessThan(1e-6);
    expect(a.after.equity).toBeGreaterThan(0);
  });

  it('a partial slice: the same fraction of each position, the smallest that reaches the target', () => {
    const book = bookOf(-1.5, 14_000);
    const plans = engines.map((e) => e.liquidate(book, market, { profile: 'deribit' }));
    for (const p of plans) expect(same(p)).toBe(same(plans[0]));
    const a = plans[0].accounts.find((x) => x.id === 'covered')!;
    expect(a.state).toBe('resolved');
    const [call, perp] = a.steps.slice(-2);
    expect([call.id, perp.id]).toEqual(['C100', 'BTC-PERP']);
    // held before the slice: the start less the earlier steps
    const held = (id: string, start: number) => start - a.steps.slice(0, -2).filter((s) => s.id === id).reduce((x, s) => x + s.quantity, 0);
    const f = perp.quantity / held('BTC-PERP', 1);
    expect(call.quantity / held('C100', -1.5)).toBeCloseTo(f, 12);
    expect(f).toBeGreaterThan(0);
    expect(f).toBeLessThan(1);
    // at the target (mm-buffer 2%): health 1.02
    expect(a.after.health).toBeCloseTo(1.02, 9);
    expect(a.after.health).toBeGreaterThanOrEqual(1.02);
    // a slice 1% smaller leaves the account short of the target, margined from scratch: its equity is at most the
    // plan's plus 2% of what the slice cost (fees and slippage), its MM that of the larger holdings left
    const smaller = structuredClone(book);
    const cov = smaller.accounts[0];
    cov.positions[0].quantity = held('BTC-PERP', 1) - 0.99 * perp.quantity;
    cov.positions[1].quantity = held('C100', -1.5) - 0.99 * call.quantity;
    const mmSmaller = engines[0].margin(smaller, market, { profile: 'deribit' }).accounts[0].mm;
    const sliceCost = [perp, call].reduce((x, s) => x + s.feeToLiquidator + s.feeToFund + Math.abs(s.quantity * (s.markPrice - s.fillPrice)), 0);
    expect(a.after.equityMm + 0.02 * sliceCost).toBeLessThan(1.02 * mmSmaller);
  });
});
