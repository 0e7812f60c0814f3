/**
 * Isolated margin and ADL at their edges, each a case worked by hand from the rules (docs/liquidation.md), on js,
 * wasm-scalar and wasm-simd: an isolated deficit is the fund's to pay (the rest of the account's at once, the
 * position's at its bankruptcy price); an isolated small shortfall never closes the whole holding for its own sake; an
 * isolated ADL loss stays on the position's allocation; a counterparty whose cap is used up still takes fills at or
 * better than the mark, and one whose equity caps its fill ends at 0, not below; a root at the whole close is found
 * through rounding; a root interval narrower than any scan step is found. X-PERP on X, MM 5% (IM 10%) of notional at every size, USDC collateral.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type LiquidationReport } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { liquidateSession } from '../../src/liquidation/liquidate-session.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const XY = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }, { id: 'Y-PERP', kind: 'perpetual', underlying: 'Y' }];
const FIVE_PERCENT = { linear: { X: [{ imRate: 0.1, mmRate: 0.05 }], Y: [{ imRate: 0.1, mmRate: 0.05 }] } };
function xMarket(x: number) {
  return {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { X: { price: x, vol: 0.5 }, Y: { price: 20, vol: 0.8 }, USDC: { price: 1, vol: 0 } },
    correlation: { assets: ['X', 'Y'], matrix: [[1, 0.5], [0.5, 1]] },
  };
}
/** No slippage, no fee, no per-step cap, no small-shortfall rule. */
const plain = { slippage: { default: { model: 'none' } }, feeRate: 0, maxFractionPerStep: 1, smallShortfallUsd: 0 };

/** Every backend gives the same report (bits); returns it. */
function liquidate(b: unknown, m: unknown, options: Record<string, unknown>): LiquidationReport {
  const reports = engines.map((e) => e.liquidate(b, m, { params: FIVE_PERCENT, ...options }));
  const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
  for (const r of reports) expect(text(r)).toBe(text(reports[0]));
  return reports[0];
}

describe('an isolated deficit is paid by the fund', () => {
  // short 1 X entered at 18,000, X at 20,000, no collateral, cash −10,000. The position: allocation 0, P&L −2,000,
  // MM 1,000; the rest of the account: −10,000 (it owes). The rest is settled first (the worse slack, −10,000 against
  // −2,000 − 1.02·1,000 = −3,020): nothing to close, so the fund pays its 10,000. Then the short closes at its
  // bankruptcy price 20,000 − (−2,000)/(−1) = 18,000, the fund buying it there and at the mark 20,000: 2,000.
  const b = { instruments: XY, accounts: [{ id: 'S', cashUsd: -10_000, positions: [{ instrument: 'X-PERP', quantity: -1, entryPrice: 18_000 }] }] };

  // Under cross margin the account is one pool: the short's bankruptcy price is 20,000 − (−12,000)/(−1) = 8,000, and
  // the fund pays the same 12,000 at that one step.
  for (const [method, bankruptcy] of [['isolated', 18_000], ['cross', 8_000]] as const) {
    it(`${method}: the fund pays 10,000 + 2,000, the short closes at ${bankruptcy}, equity 0, conserved`, () => {
      const r = liquidate(b, xMarket(20_000), { method, liquidation: plain });
      const [a] = r.accounts;
      expect(a.steps.map((s) => [s.id, s.quantity, s.fillPrice, s.bankruptcyPrice, s.routes.insuranceFund])).toEqual([['X-PERP', -1, 20_000, bankruptcy, -1]]);
      expect([a.state, a.before.equity, a.after.equity, a.waterfall.insuranceFund]).toEqual(['resolved', -12_000, 0, 12_000]);
      expect([r.totals.fundPaid, r.totals.uncovered, r.totals.conservationResidual]).toEqual([12_000, 0, 0]);
    });
  }

  it('isolated, the small form, no fund: short 0.001 at 16,000, cash −3, mark 18,000: 3 + 2 written off, nothing left below zero', () => {
    // position: 0.001·(16,000 − 18,000) = −2; rest −3. With no fund both are written off: uncovered 5, equity 0
    const small = { instruments: XY, accounts: [{ id: 'S', cashUsd: -3, positions: [{ instrument: 'X-PERP', quantity: -0.001, entryPrice: 16_000 }] }] };
    const r = liquidate(small, xMarket(18_000), { method: 'isolated', liquidation: { ...plain, insuranceFund: { balanceUsd: 0 } } });
    const [a] = r.accounts;
    expect(a.steps.map((s) => [s.quantity, s.bankruptcyPrice])).toEqual([[-0.001, 16_000]]);
    expect([a.state, a.after.equity, a.waterfall.writtenOff, r.totals.uncovered]).toEqual(['bankrupt', 0, 5, 5]);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-12);
    // with the fund: it pays 3 and 2
    const funded = liquidate(small, xMarket(18_000), { method: 'isolated', liquidation: plain });
    expect([funded.accounts[0].state, funded.accounts[0].after.equity, funded.totals.fundPaid, funded.totals.uncovered]).toEqual(['resolved', 0, 5, 0]);
  });

  it('isolated, default parameters: the deficit of 12,000 and the slippage are paid, money conserved to 1e-9', () => {
    const r = liquidate(b, xMarket(20_000), { method: 'isolated' });
    const [a] = r.accounts;
    expect(a.after.equity).toBeGreaterThanOrEqual(0);
    expect(r.totals.fundPaid).toBeCloseTo(12_000 + r.totals.marketSlippage, 6);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-9 * (20_000 + 12_000 + 1e6));
  });
});

describe('an account stopped by maxStepsPerAccount ends no run below zero', () => {
  // long 100 X at 110, X at 100, nothing else: equity −1,000, MM 500. With no slippage every close is bankrupt (the
  // fill at the mark takes equity below 0): a quarter of the position (maxFractionPerStep 0.25) closes at the
  // bankruptcy price 110, the fund paying 10 a unit (250 a step), and under isolated margin, with no fund, each
  // step's 250 is written off at once. After 2 steps (the cap) 50 units are left at a P&L of −500: the run stops acting
  // on the account, so that deficit is settled as one with nothing left to close (the fund's, else written off),
  // under a pooled method and under isolated margin alike. The 50 units stay open.
  const b = { instruments: XY, accounts: [{ id: 'L', positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 110 }] }] };
  const capped = { slippage: { default: { model: 'none' } }, maxStepsPerAccount: 2 };
  for (const method of ['isolated', 'cross']) {
    it(`${method}, fund 1,000,000: it pays 250 + 250 at the steps and 500 at the stop; equity 0, conserved`, () => {
      const r = liquidate(b, xMarket(100), { method, liquidation: capped });
      const [a] = r.accounts;
      expect(a.steps.map((s) => [s.quantity, s.fillPrice, s.bankruptcyPrice])).toEqual([[25, 100, 110], [25, 100, 110]]);
      expect([a.state, a.note, a.after.equity, a.waterfall.insuranceFund, a.waterfall.writtenOff]).toEqual(['being_liquidated', 'stopped after 2 steps (params.liquidation.maxStepsPerAccount)', 0, 1_000, 0]);
      expect([r.totals.fundPaid, r.totals.uncovered, r.totals.conservationResidual]).toEqual([1_000, 0, 0]);
    });
  }
  it('isolated, no fund: 250 + 250 written off at the steps and 500 at the stop; bankrupt at equity 0, conserved', () => {
    const r = liquidate(b, xMarket(100), { method: 'isolated', liquidation: { ...capped, insuranceFund: { balanceUsd: 0 } } });
    const [a] = r.accounts;
    expect(a.steps.map((s) => s.quantity)).toEqual([25, 25]);
    expect([a.state, a.after.equity, a.waterfall.writtenOff, r.totals.uncovered, r.totals.conservationResidual]).toEqual(['bankrupt', 0, 1_000, 1_000, 0]);
  });
});

describe('an isolated small shortfall closes what the rules size, never the whole holding for its own sake', () => {
  it('long 10 at 100, 120 allocated, X at 90, linear depth 0.5: 2.5, then the whole 7.5, as under cross, no bad debt', () => {
    // equity 120 − 100 = 20, MM 45, slack 20 − 45.9 = −25.9 < 50: the cap is lifted. Closing q fills at 90 − 0.25q
    // (slippage 0.25q²), fee min(0.45q, 20·q/10 − 0.25q²) floored at 0: S = −25.9 + 4.14q − 0.25q² (q ≤ 6.2),
    // −25.9 + 2.59q (6.2 ≤ q ≤ 8), −25.9 + 4.59q − 0.25q² (q ≥ 8): at most −4.83 < 0, so no close restores and the
    // step takes the cap, 2.5: slippage 1.5625, fee 1.125, equity 17.3125, MM 33.75. Then slack 17.3125 − 34.425 =
    // −17.1125: closing all 7.5 costs 14.0625, the fee is capped at 17.3125 − 14.0625 = 3.25: equity 0, MM 0.
    // Isolated margin had closed all 10 at its bankruptcy price 88 (fill 87.5), the fund paying 5.
    const b = { instruments: XY, accounts: [{ id: 'L', collateral: [{ asset: 'USDC', amount: 120 }], positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100, isolatedMargin: 120 }] }] };
    for (const method of ['isolated', 'cross']) {
      const r = liquidate(b, xMarket(90), { method, liquidation: { slippage: { default: { model: 'linear', pricePerUnit: 0.5 } } } });
      const [a] = r.accounts;
      expect(a.steps.map((s) => [s.quantity, s.fillPrice, s.routes.market]), method).toEqual([[2.5, 89.375, 2.5], [7.5, 88.125, 7.5]]);
      expect(a.steps.map((s) => s.feeToLiquidator + s.feeToFund)).toEqual([expect.closeTo(1.125, 12), expect.closeTo(3.25, 12)]);
      expect([a.state, r.totals.fundPaid, r.totals.badDebt]).toEqual(['resolved', 0, 0]);
      expect(a.after.equity).toBeCloseTo(0, 12);
    }
  });
});

describe('a counterparty whose equity caps its ADL fill ends at 0, not bankrupt by a rounding', () => {
  // X at 100, no fund, cross margin. L: long 17.57 entered at 115.65, 78.04 USDC: equity 78.04 − 17.57·15.65 =
  // −196.9305, bankruptcy price 100 + 196.9305/17.57 ≈ 111.208338. S: short 6.07 entered at 123.59, cash −99.17, 15.95
  // USDC: profit 6.07·23.59 = 143.1913, equity −99.17 + 15.95 + 143.1913 = 59.9713 < profit. S buys back at the
  // bankruptcy price, 11.208338 a contract over the mark: its cap is its equity, 59.9713/11.208338 ≈ 5.350597 contracts,
  // which take it to exactly 0 (the margin run's own sum gave −2.1e-14 and reported it bankrupt). The 0.719403 it still
  // holds need MM 0.719403·100·5% ≈ 3.597: S is liquidatable, for the next run, at equity 0.
  const b = {
    instruments: XY, accounts: [
      { id: 'L', collateral: [{ asset: 'USDC', amount: 78.04 }], positions: [{ instrument: 'X-PERP', quantity: 17.57, entryPrice: 115.65 }] },
      { id: 'S', cashUsd: -99.17, collateral: [{ asset: 'USDC', amount: 15.95 }], positions: [{ instrument: 'X-PERP', quantity: -6.07, entryPrice: 123.59 }] },
    ],
  };
  it('S gives its 59.9713 of equity for 5.350597 contracts and ends at 0, liquidatable; what the rounding left is booked', () => {
    const r = liquidate(b, xMarket(100), { method: 'cross', liquidation: { ...plain, insuranceFund: { balanceUsd: 0 } } });
    const s = r.accounts.find((a) => a.id === 'S')!;
    const bankruptcy = 100 + 196.9305 / 17.57, contracts = 59.9713 / (bankruptcy - 100);
    expect(r.adl.map((f) => [f.account, f.from])).toEqual([['S', 'L']]);
    expect(r.adl[0].price).toBeCloseTo(bankruptcy, 9);
    expect(r.adl[0].quantity).toBeCloseTo(-contracts, 9); // signed like its short
    expect([s.state, s.after.status]).toEqual(['deleveraged', 'liquidatable']);
    expect(s.waterfall.adl).toBeCloseTo(-59.9713, 9);
    expect(s.after.equity).toBeGreaterThanOrEqual(0);
    expect(s.after.equity).toBeLessThan(1e-12);
    expect(s.after.mm).toBeCloseTo((6.07 - contracts) * 100 * 0.05, 9);
    // the rounding it was credited is the venue's (no fund here): uncovered, and within rounding of nothing
    expect(s.waterfall.insuranceFund + s.waterfall.writtenOff).toBeLessThan(1e-12);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-12);
  });
});

describe('an isolated ADL loss stays on the position', () => {
  // X at 80, no fund. A: long 10 entered at 130, 50 USDC allocated: equity 50 − 500 = −450, bankruptcy price
  // 80 + 450/10 = 125. W: short 4 entered at 100, 10 allocated of 30 USDC: profit 4·20 = 80, position equity 90, account
  // 110. W buys back at 125, 45 a contract over the mark: its cap min(profit 80, position 90, account 110) = 80 gives
  // 80/45 = 16/9 contracts; the other 74/9 are uncovered, 74/9·45 = 370. W realizes 16/9·(100 − 125) = −400/9 on its
  // allocation, 10 − 400/9 = −310/9, against its short's remaining profit 20/9·20 = 400/9: the position keeps
  // 90 − 80 = 10, the rest of the account its 20, the account 30. MM of the short left: 20/9·80·5% = 80/9 < 10.
  const b = {
    instruments: XY, accounts: [
      { id: 'A', collateral: [{ asset: 'USDC', amount: 50 }], positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 130, isolatedMargin: 50 }] },
      { id: 'W', collateral: [{ asset: 'USDC', amount: 30 }], positions: [{ instrument: 'X-PERP', quantity: -4, entryPrice: 100, isolatedMargin: 10 }] },
    ],
  };
  const options = { method: 'isolated', params: FIVE_PERCENT, liquidation: { ...plain, insuranceFund: { balanceUsd: 0 } } };

  it('W gives 16/9 at 125 (haircut 80) and keeps 10 on its position and 20 beside it', () => {
    const r = liquidate(b, xMarket(80), options);
    expect(r.adl.map((f) => [f.account, f.quantity, f.price])).toEqual([['W', expect.closeTo(-16 / 9, 12), 125]]);
    expect(r.adl[0].haircut).toBeCloseTo(80, 9);
    const [a, w] = r.accounts;
    expect([a.id, a.after.equity, a.steps[0].bankruptcyPrice]).toEqual(['A', 0, 125]);
    expect(a.steps[0].routes).toEqual({ market: 0, insuranceFund: 0, adl: expect.closeTo(16 / 9, 12), uncovered: expect.closeTo(74 / 9, 12) });
    expect(r.totals.uncovered).toBeCloseTo(370, 9);
    expect([w.id, w.state, w.before.equity]).toEqual(['W', 'deleveraged', 110]);
    expect(w.after.equity).toBeCloseTo(30, 9);
    expect(w.after.status).not.toBe('bankrupt');
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-9 * 1_000);
  });

  it('a second run on the same market finds nothing to do; the book as left margins W at 10 on its position', () => {
    for (const engine of engines) {
      const session = engine.openBook(b);
      liquidateSession(session, xMarket(80), options);
      const again = liquidateSession(session, xMarket(80), options);
      expect([again.totals.accountsBreaching, again.totals.uncovered, again.accounts.length], engine.backend).toEqual([0, 0, 0]);
      const m = session.margin(xMarket(80), { method: 'isolated', params: FIVE_PERCENT, breakdown: true });
      const w = m.accounts.find((x) => x.id === 'W')!;
      expect(w.equity).toBeCloseTo(30, 9);
      expect(w.status).not.toMatch(/bankrupt|liquidatable/);
      session.release();
    }
  });

  it('with W a subaccount, the session margins again: the book as left states W\'s allocation −310/9, and margins the same from scratch', () => {
    // the master-level policies read the book as the layout holds it (session.book): W's allocation below 0 had made
    // that book invalid, so the session could not be margined after its liquidation
    const grouped = { instruments: XY, accounts: [...b.accounts.map((x) => (x.id === 'W' ? { ...x, master: 'M' } : x)), { id: 'M', collateral: [{ asset: 'USDC', amount: 5 }] }] };
    for (const engine of engines) {
      const session = engine.openBook(grouped);
      liquidateSession(session, xMarket(80), options);
      const left = session.book.accounts.find((x) => x.id === 'W')!;
      expect(left.positions[0].isolatedMargin).toBeCloseTo(-310 / 9, 9);
      const m = session.margin(xMarket(80), { method: 'isolated', params: FIVE_PERCENT });
      expect(m.accounts.find((x) => x.id === 'W')!.equity, engine.backend).toBeCloseTo(30, 9);
      const fresh = engine.margin(session.book, xMarket(80), { method: 'isolated', params: FIVE_PERCENT });
      expect(JSON.stringify({ ...fresh, backend: '' })).toBe(JSON.stringify({ ...m, backend: '' }));
      session.release();
    }
  });
});

describe('an isolated position ADL takes whole gives what it has left back to the account', () => {
  // X at 80, no fund. A: long 4 entered at 100 on 20 allocated (its 20 USDC): equity 20 − 80 = −60, bankruptcy price
  // 80 + 60/4 = 95. W: short 4 entered at 100, 10 allocated of its 100 USDC: profit 4·20 = 80, position equity 90,
  // account 180. W buys the 4 back at 95, 15 a contract over the mark: 60 ≤ its cap min(80, 90, 180), so ADL takes the
  // whole short. It realizes 4·(100 − 95) = 20: the position ends flat with 10 + 20 = 30 left, which goes back to the
  // account, as a fill closing it would (live-margin.md): W's rest is all its equity, 100 + 20 = 120 (= 180 − 60).
  const b = {
    instruments: XY, accounts: [
      { id: 'A', collateral: [{ asset: 'USDC', amount: 20 }], positions: [{ instrument: 'X-PERP', quantity: 4, entryPrice: 100, isolatedMargin: 20 }] },
      { id: 'W', collateral: [{ asset: 'USDC', amount: 100 }], positions: [{ instrument: 'X-PERP', quantity: -4, entryPrice: 100, isolatedMargin: 10 }] },
    ],
  };
  const options = { method: 'isolated', params: FIVE_PERCENT, liquidation: { ...plain, insuranceFund: { balanceUsd: 0 } } };

  it('W gives its 4 at 95 (haircut 60); its flat row keeps no allocation, and its rest backs a new position with all 120', () => {
    const r = liquidate(b, xMarket(80), options);
    expect(r.adl.map((f) => [f.account, f.quantity, f.price, f.haircut])).toEqual([['W', -4, 95, 60]]);
    for (const engine of engines) {
      const session = engine.openBook(b);
      liquidateSession(session, xMarket(80), options);
      const w = session.book.accounts.find((x) => x.id === 'W')!;
      expect(w.positions[0], engine.backend).toMatchObject({ instrument: 'X-PERP', quantity: 0 });
      expect(w.positions[0].isolatedMargin, engine.backend).toBeUndefined();
      // a new Y position of IM 100 (50 at 20, 10%) shares the rest pro rata: 120 ≥ 100 (the 30 left on the flat row
      // had kept it at 90, margin call)
      const opened = { ...session.book, accounts: session.book.accounts.map((x) => (x.id === 'W' ? { ...x, positions: [...x.positions, { instrument: 'Y-PERP', quantity: 50, entryPrice: 20 }] } : x)) };
      const row = engine.margin(opened, xMarket(80), { method: 'isolated', params: FIVE_PERCENT, breakdown: true }).accounts.find((x) => x.id === 'W')!;
      expect([row.equity, row.status], engine.backend).toEqual([120, 'healthy']);
      expect(row.positions!.find((p) => p.instrument === 'Y-PERP')!.allocated, engine.backend).toBe(120);
      session.release();
    }
  });
});

describe('an ADL counterparty whose cap is used up still takes fills at or better than the mark', () => {
  it('W gives its whole profit to B1 at 120, then 9.5 to A at 79.5 below the mark 80: uncovered 0.75, not 15', () => {
    // X at 80, no fund, linear depth 0.4. B1: long 0.5 entered at 120, nothing else: equity −20, bankruptcy price
    // 80 + 20/0.5 = 120. W: short 10 entered at 82 with 100 USDC: profit 20 (its cap), equity 120, MM 40. A: long 10
    // entered at 80 with 5 USDC: equity 5, MM 40. B1 first (health −10 against 0.125): W buys its 0.5 at 120, 40 over
    // the mark: 20, W's whole cap. A: S(q) = 5 − 0.2q² − 4.08·(10 − q) ≤ S(10) = −15 < 0: the whole 10 closes; at
    // the fill 80 − 0.4·10/2 = 78 equity would be −15: bankruptcy price 80 − 5/10 = 79.5, below the mark, so W, whose
    // cap is used up, buys its remaining 9.5 there (a gain of 0.5 each, 4.75) and 0.5 fills at 78. A realizes
    // 9.5·(−0.5) + 0.5·(−2) = −5.75: equity −0.75, written off. Conservation: B1 +20, A −5, W −20 + 4.75, market
    // 0.5·2 = 1, uncovered 0.75: 20 − 5 − 15.25 + 1 − 0.75 = 0.
    const b = {
      instruments: XY, accounts: [
        { id: 'B1', positions: [{ instrument: 'X-PERP', quantity: 0.5, entryPrice: 120 }] },
        { id: 'W', collateral: [{ asset: 'USDC', amount: 100 }], positions: [{ instrument: 'X-PERP', quantity: -10, entryPrice: 82 }] },
        { id: 'A', collateral: [{ asset: 'USDC', amount: 5 }], positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 80 }] },
      ],
    };
    for (const method of ['cross', 'isolated']) {
      const r = liquidate(b, xMarket(80), { method, liquidation: { ...plain, slippage: { default: { model: 'linear', pricePerUnit: 0.4 } }, insuranceFund: { balanceUsd: 0 } } });
      expect(r.adl.map((f) => [f.account, f.from, f.quantity, f.price]), method).toEqual([['W', 'B1', -0.5, 120], ['W', 'A', -9.5, 79.5]]); // signed like W's short
      expect(r.adl.map((f) => f.haircut)).toEqual([expect.closeTo(20, 12), expect.closeTo(-4.75, 12)]);
      const a = r.accounts.find((x) => x.id === 'A')!;
      expect(a.steps[0].routes).toEqual({ market: 0, insuranceFund: 0, adl: 9.5, uncovered: 0.5 });
      expect(r.totals.uncovered).toBeCloseTo(0.75, 12);
      expect(r.accounts.find((x) => x.id === 'W')!.after.equity).toBeCloseTo(104.75, 12);
      expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-12 * 1_000);
    }
  });
});

describe('sizing finds the smallest root', () => {
  it('an exact root at the whole close, through rounding: long 4.914 closed in one step, the fee capped at the surplus', () => {
    // long 4.914 entered at 99, 15 USDC, X at 100: equity 15 + 4.914 = 19.914, MM 24.57, slack 19.914 − 25.0614 =
    // −5.1474 (small: the cap is lifted). Fee 6% > the MM released, 5.1% a unit: no partial close restores (with the fee
    // capped, S = (4.914 − q)·slack₀/4.914 < 0). The whole close: fill 100 − 0.2·4.914/2 = 99.5086, slippage
    // 4.914·0.4914 = 2.4147396, fee min(0.06·491.4 = 29.484, 19.914 − 2.4147396) = 17.4992604: equity 0, MM 0, slack 0
    // (−1.8e-15 in doubles). Four capped steps had paid fees of 18.40.
    const b = { instruments: XY, accounts: [{ id: 'L', collateral: [{ asset: 'USDC', amount: 15 }], positions: [{ instrument: 'X-PERP', quantity: 4.914, entryPrice: 99 }] }] };
    for (const method of ['cross', 'isolated']) {
      const r = liquidate(b, xMarket(100), { method, liquidation: { feeRate: 0.06, slippage: { default: { model: 'linear', pricePerUnit: 0.2 } } } });
      const [a] = r.accounts;
      expect(a.steps.map((s) => s.quantity), method).toEqual([4.914]);
      expect(a.steps[0].feeToLiquidator + a.steps[0].feeToFund).toBeCloseTo(19.914 - 2.4147396, 12);
      expect(a.state).toBe('resolved');
      expect(a.after.equity).toBeCloseTo(0, 12);
    }
  });

  it('a root interval strictly between the quarter points: long 100, S > 0 on (50.5, 51.5) only', () => {
    // long 100 entered at 100, 379.9625 USDC, X at 100, MM 5% (500), linear depth 0.1, no fee: closing q fills at
    // 100 − 0.05q, S(q) = 379.9625 − 0.05q² − 1.02·5·(100 − q) = 0.0125 − 0.05·(q − 51)²: ≥ 0 on [50.5, 51.5] only,
    // below 0 at 25, 50, 75 and 100 (S(50) = −0.0375). The smallest root is 50.5; the fund pays nothing (closing all
    // 100 at the bankruptcy price 96.200375 had cost it 120.0375). To the tolerance 1e-9·(10,000 + 379.9625 + 1):
    // S ∈ [0, 1.04e-5] and q within 1.04e-5 / S′(50.5) = 1.04e-5 / 0.05 ≈ 2.1e-4 of 50.5.
    const b = { instruments: XY, accounts: [{ id: 'L', collateral: [{ asset: 'USDC', amount: 379.9625 }], positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 100 }] }] };
    for (const method of ['cross', 'isolated']) {
      const r = liquidate(b, xMarket(100), { method, liquidation: { ...plain, slippage: { default: { model: 'linear', pricePerUnit: 0.1 } } } });
      const [a] = r.accounts;
      expect(a.steps).toHaveLength(1);
      const q = a.steps[0].quantity;
      expect(Math.abs(q - 50.5), method).toBeLessThan(2.1e-4);
      const slack = a.after.equityMm - 1.02 * a.after.mm;
      expect(slack).toBeGreaterThanOrEqual(0);
      expect(slack).toBeLessThanOrEqual(1e-9 * (10_000 + 379.9625 + 1));
      expect([a.state, r.totals.fundPaid, a.steps[0].routes.market]).toEqual(['resolved', 0, q]);
      expect(a.after.equity).toBeCloseTo(379.9625 - 0.05 * q * q, 9);
    }
  });
});
