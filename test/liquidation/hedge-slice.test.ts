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
    // then no close of one holding lowers MM and the shortfall (0.25 perpetual, 0.5 calls left: closing either alone
    // raises MM): a slice of both, within the step caps (a quarter of each start: all that was left)
    const [call, perp] = a.steps.slice(6);
    expect(a.steps).toHaveLength(8);
    expect([`${call.id} ${call.quantity}`, `${perp.id} ${perp.quantity}`]).toEqual(['C100 -0.5', 'BTC-PERP 0.25']);
    // the calls' own close leaves the lower MM (the perpetual's 3,400 against the naked calls' 5,872): they go first,
    // and that leg raises MM on its own
    expect(call.mmAfter).toBeGreaterThan(call.mmBefore);
    expect(perp.mmAfter).toBe(0);
    // the slice's fee, by hand: nominal 0.005 × 0.5 × 100,000 = 250 for the calls (below 7% of their value,
    // 0.07 × 0.5 × 7,401.58 = 259.06) and 0.005 × 0.25 × 100,000 = 125 for the perpetual, capped by the surplus of the
    // part closed (all of it here: equity − slippage), shared 2 : 1 by the nominal fees
    const fee = (x: typeof call) => x.feeToLiquidator + x.feeToFund;
    const equityBefore = call.healthBefore * call.mmBefore;
    const slippage = Math.abs(call.quantity * (call.markPrice - call.fillPrice)) + Math.abs(perp.quantity * (perp.markPrice - perp.fillPrice));
    expect(fee(call) + fee(perp)).toBeCloseTo(Math.min(375, equityBefore - slippage), 6);
    expect(fee(call) / fee(perp)).toBeCloseTo(2, 9);
    expect(a.after.equity).toBeCloseTo(0, 6);
    expect(Math.abs(plans[0].totals.conservationResidual)).toBeLessThan(1e-6);
  });

  it('a partial slice: the same fraction of each position, the smallest that reaches the target', () => {
    const book = bookOf(-1.5, 14_000);
    const plans = engines.map((e) => e.liquidate(book, market, { profile: 'deribit' }));
    for (const p of plans) expect(same(p)).toBe(same(plans[0]));
    const a = plans[0].accounts.find((x) => x.id === 'covered')!;
    expect(a.state).toBe('resolved');
    const legs = a.steps.slice(-2), perp = legs.find((x) => x.id === 'BTC-PERP')!, call = legs.find((x) => x.id === 'C100')!;
    expect(legs.map((x) => x.id).sort()).toEqual(['BTC-PERP', 'C100']);
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

describe('liquidation: hedged accounts, the chooser and the guard', () => {
  it('maxStepsPerAccount never cuts a slice in two: with one step left the account is stopped, still hedged', () => {
    const book = bookOf(-2, 16_000);
    for (const e of engines) {
      const a = e.liquidate(book, market, { profile: 'deribit', params: { liquidation: { maxStepsPerAccount: 7 } } }).accounts.find((x) => x.id === 'covered')!;
      expect(a.steps).toHaveLength(6); // the single closes; the slice (2 legs) does not fit in the 1 step left
      expect(a.state).toBe('being_liquidated');
      expect(a.note).toBe('stopped after 6 steps (params.liquidation.maxStepsPerAccount): a slice of the account needs more');
      expect(a.after.mm).toBeLessThan(a.before.mm);
    }
  });

  it('a basis trade (long perpetual, short future) under a scenario grid: the smallest close of the future, not a slice', () => {
    // Under `portfolio` the pair's MM is the grid's residual; a small close of the future lowers it (52.80 → 46.35)
    // while its whole step (a quarter) leaves a naked quarter of a BTC. The chooser had bounded the smaller closes by
    // the whole step's slack (valid only where the requirement grows with what is held) and found none.
    const instruments = [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: '2026-12-25T08:00:00Z' }];
    const basisMarket = { ...market, marks: { 'BTC-PERP': 100_000, 'BTC-25DEC26': 100_400 }, impliedVols: {} };
    const basis = (usdc: number) => ({ instruments, accounts: [{ id: 'basis', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'BTC-25DEC26', quantity: -1, entryPrice: 100_400 }], collateral: [{ asset: 'USDC', amount: usdc }] }] });
    for (const options of [{ method: 'portfolio' }, { profile: 'deribit-legacy' }] as const) {
      const rich = engines[0].margin(basis(1e6), basisMarket, options).accounts[0];
      const usdc = 1e6 - (rich.equity - 0.9 * rich.mm); // health 0.9
      for (const e of engines) {
        const a = e.liquidate(basis(usdc), basisMarket, options).accounts[0];
        expect(a.state).toBe('resolved');
        expect(a.steps.map((s) => s.id)).toEqual(['BTC-25DEC26']);
        expect(Math.abs(a.steps[0].quantity)).toBeLessThan(0.01);
        expect(a.after.health).toBeGreaterThanOrEqual(1.02); // the smallest close, to the root search's tolerance
        expect(a.after.health).toBeLessThan(1.0201);
      }
    }
  });
});
