/**
 * The cascade simulator on cases worked out by hand from the rules alone (README "Stress testing"), not from the code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type StressReport } from '../../src/index.js';
import { bsmRef } from '../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'wasm' })];
});

/** Every backend gives the same report (bits); returns it. */
function stress(b: unknown, m: unknown, shock: unknown, options: Record<string, unknown>): StressReport {
  const reports = engines.map((e) => e.stress(b, m, shock, options));
  const text = (r: StressReport) => JSON.stringify({ ...r, backend: '', cascades: r.cascades.map((c) => ({ ...c, backend: '' })) });
  for (const r of reports) expect(text(r)).toBe(text(reports[0]));
  return reports[0];
}

const VALUATION = '2026-11-20T08:00:00Z';

/** One asset X at 100 with a perpetual on it; USDC collateral counts in full. */
function oneAssetMarket(price = 100) {
  return {
    valuationTime: VALUATION,
    assets: { X: { price, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
    correlation: { assets: ['X'], matrix: [[1]] },
  };
}

function longs(collaterals: number[]) {
  return {
    instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
    accounts: collaterals.map((c, i) => ({ id: `long-${i + 1}`, positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: c }] })),
  };
}

/** MM 5% of notional at every size, no fees, whole positions per step, linear depth κ = 0.5 USD per unit, all of it permanent. */
const goldenParams = {
  linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] },
  liquidation: { feeRate: 0, maxFractionPerStep: 1, insuranceFund: { balanceUsd: 1_000 } },
  stress: { impact: { X: { model: 'linear', pricePerUnit: 0.5, permanent: 1 } } },
};

describe('cascade, hand-computed', () => {
  it('the issue\'s golden case: three longs liquidated in turn over three rounds, final price 77, notional 2,535, bad debt 15', () => {
    // At 92 only long-1 breaches: equity 100 + 10·(92 − 100) = 20 < MM 0.05·920 = 46. No partial close restores
    // MM·1.02 (closing q costs 0.25·q² of slippage against 4.6·q of MM released: the slack peaks below 0), so it closes
    // all 10: the 10 sold move the price by κ·10 = 5, filled at the mid 89.5; equity 20 − 25 = −5, so the close goes at
    // the bankruptcy price 90 and the fund pays 5. Next round at 87: long-2 has 150 − 130 = 20 < 43.5 → same story
    // (fill 84.5, fund pays 5), price 82; long-3: 200 − 180 = 20 < 41 → fill 79.5, fund 5, price 77. At 77 nobody is left.
    const r = stress(longs([100, 150, 200]), oneAssetMarket(), { name: 'X to 92', spot: { X: -0.08 } }, { params: goldenParams });
    const c = r.cascades[0];
    expect(c.method).toBe('cross');
    expect(c.rounds.map((x) => x.accountsLiquidated)).toEqual([1, 1, 1, 0]);
    expect(c.rounds.map((x) => x.prices.X)).toEqual([92, 87, 82, 77].map((p) => expect.closeTo(p, 9)));
    expect(c.finalPrices.X).toBeCloseTo(77, 9);
    expect(c.stops).toEqual([{ step: 1, label: 'X -8.00%', rounds: 4, stoppedBy: 'fixed-point' }]);
    expect(c.rounds.map((x) => x.badDebt)).toEqual([5, 5, 5, 0].map((v) => expect.closeTo(v, 9)));
    expect(c.rounds.map((x) => x.liquidatedNotional)).toEqual([895, 845, 795, 0].map((v) => expect.closeTo(v, 9)));
    expect(c.rounds[0].flowUnits).toEqual({ X: -10 });
    const m = c.metrics;
    expect(m.rounds).toBe(3);
    expect(m.liquidatedNotional).toBeCloseTo(2_535, 9);
    expect(m.badDebt).toBeCloseTo(15, 9);
    expect(m.fundDrawdown).toBeCloseTo(15, 9);
    expect(m.fundPaid).toBeCloseTo(15, 9);
    expect(m.fundEnd).toBeCloseTo(985, 9);
    expect(m.fundDepleted).toBe(false);
    expect(m.accountsLiquidated).toBe(3);
    expect(m.accountsBankrupt).toBe(0);
    // the shock moved X by −8%, the cascade by −23% in all: amplification 23/8
    expect(m.amplification?.asset).toBe('X');
    expect(m.amplification?.ratio).toBeCloseTo(0.23 / 0.08, 9);
    // an asset of the market the book never touches, moved more, is not the one measured (it has no prices in the rounds)
    const wider = { ...oneAssetMarket(), assets: { ...oneAssetMarket().assets, DOGE: { price: 0.1, vol: 0.9 } }, correlation: { assets: ['X', 'DOGE'], matrix: [[1, 0], [0, 1]] } };
    const withDoge = stress(longs([100, 150, 200]), wider, { name: 'X to 92', spot: { X: -0.08, DOGE: -0.5 } }, { params: goldenParams }).cascades[0];
    expect(withDoge.metrics.amplification).toEqual(m.amplification);
    expect(Object.keys(withDoge.finalPrices)).not.toContain('DOGE');
    for (const x of c.rounds) expect(Math.abs(x.conservationResidual)).toBeLessThan(1e-9);
    // before the shock: gross notional 3,000 against IM 3 × 100
    expect(c.efficiency).toBeCloseTo(10, 12);
  });

  it('a small fund runs dry: what it cannot pay is written off as uncovered bad debt, counted once', () => {
    // Same case with a fund of 7: round 1 pays 5 (2 left), round 2 pays 2 and writes 3 off long-2, round 3 writes all 5
    // off long-3. Bad debt is still 15 (5 + 5 + 5), the fund's drawdown only 7, it ran dry in round 2, and the two
    // accounts whose liquidation ended in a deficit nobody covered are the bankrupt ones.
    const params = { ...goldenParams, liquidation: { ...goldenParams.liquidation, insuranceFund: { balanceUsd: 7 } } };
    const r = stress(longs([100, 150, 200]), oneAssetMarket(), { spot: { X: -0.08 } }, { params, method: 'cross' });
    const m = r.cascades[0].metrics;
    expect(m.badDebt).toBeCloseTo(15, 9);
    expect(m.fundDrawdown).toBeCloseTo(7, 9);
    expect(m.fundDepleted).toBe(true);
    expect(m.fundDepletedInRound).toBe(2);
    expect(m.accountsBankrupt).toBe(2);
    expect(r.cascades[0].finalPrices.X).toBeCloseTo(77, 9);
  });

  it('a USDC de-peg to 0.92 liquidates a perp long whose collateral is USDC, with no move in X at all', () => {
    // 10 X-PERP at 100 (notional 1,000, MM 50). With 54 USDC at 0.92 the collateral is worth 49.68 < MM 50: liquidatable.
    // Closing q (no small-shortfall shortcut): MM 50 − 5q, slippage 0.25·q², so the slack to MM·1.02 is
    // 49.68 − 0.25q² − 1.02·(50 − 5q) = −1.32 + 5.1q − 0.25q², zero at q = (5.1 − √(5.1² − 1.32))/0.5 = 0.26219…
    // Those q units sold move X by 0.5·q (all permanent). Round 2: equity 49.68 − 0.25q² − (10 − q)·0.5q = 48.386 against
    // MM 0.05·(10 − q)·(100 − 0.5q) = 48.625: below MM again, so the spiral goes on, more slowly each round.
    const b = { instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }], accounts: [{ id: 'a', positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: 54 }] }] };
    const params = { ...goldenParams, liquidation: { ...goldenParams.liquidation, smallShortfallUsd: 0 } };
    const r = stress(b, oneAssetMarket(), { name: 'USDC de-peg', depeg: { USDC: 0.92 } }, { params });
    const c = r.cascades[0];
    const q = (5.1 - Math.sqrt(5.1 * 5.1 - 4 * 0.25 * 1.32)) / (2 * 0.25);
    expect(c.rounds[0].prices).toEqual({ X: 100, USDC: 0.92 });
    expect(c.rounds[0].accountsLiquidated).toBe(1);
    // sized to the engine's tolerance: the slack within 1e-9 × (notional 1,000 + equity 49.68 + 1) ≈ 1.05e-6 USD of 0,
    // so q within 1.05e-6 / S′(q) ≈ 1.05e-6 / 4.97 ≈ 2e-7
    expect(c.rounds[0].flowUnits.X).toBeCloseTo(-q, 6);
    expect(c.rounds[0].badDebt).toBe(0);
    expect(c.rounds[1].prices.X).toBeCloseTo(100 - 0.5 * q, 6);
    // round 2: equity 49.68 − 0.25q² − (10 − q)·0.5q (the mark's fall on what is left) against MM 0.05·(10 − q)·(100 − 0.5q)
    const equity2 = 49.68 - 0.25 * q * q - (10 - q) * 0.5 * q;
    const mm2 = 0.05 * (10 - q) * (100 - 0.5 * q);
    expect(equity2).toBeLessThan(mm2);
    expect(c.rounds[1].accountsLiquidated).toBe(1);
    // the one account, liquidated again round after round, is one distinct account liquidated
    expect(c.rounds.filter((x) => x.accountsLiquidated > 0).length).toBeGreaterThan(1);
    expect(c.metrics.accountsLiquidated).toBe(1);
    expect(c.rounds[1].prices.USDC).toBe(0.92);
    expect(c.metrics.amplification).toEqual({ asset: 'USDC', shockMove: expect.closeTo(-0.08, 12), totalMove: expect.closeTo(-0.08, 12), ratio: expect.closeTo(1, 12) });
    expect(c.stops[0].stoppedBy).toBe('fixed-point');
  });
});

describe('cascade with options, portfolio margin', () => {
  it('a short put book liquidated after a crash sends its buyers\' delta hedge into the market, and the impact follows it', () => {
    // Short 20 puts K = 100 (30 days) on X and 400 USDC, under portfolio margin. X falls 20% and its vols rise 20 points:
    // the account breaches and closes puts. Whoever buys the puts back from it hedges their delta: the forced flow in X
    // is −q·Δ_put for the q puts closed (q < 0 for a short), Δ from the independent decimal BSM at the round's market
    // (X 80, vol 0.7, 30 days), and the mark then moves by κ·flow (linear depth κ = 0.5, all permanent).
    const expiry = '2026-12-20T08:00:00Z';
    const b = {
      instruments: [{ id: 'X-P100', kind: 'option', underlying: 'X', right: 'put', strike: 100, expiry }],
      accounts: [{ id: 'seller', positions: [{ instrument: 'X-P100', quantity: -20, entryPrice: 4 }], collateral: [{ asset: 'USDC', amount: 400 }] }],
    };
    const m = { ...oneAssetMarket(), impliedVols: { 'X-P100': 0.5 } };
    const params = { liquidation: { feeRate: 0, maxFractionPerStep: 1, insuranceFund: { balanceUsd: 1e6 } }, stress: { impact: { X: { model: 'linear', pricePerUnit: 0.5, permanent: 1 } } } };
    const r = stress(b, m, { spot: { X: -0.2 }, volPoints: { X: 20 } }, { params, method: 'portfolio' });
    const c = r.cascades[0];
    const round1 = c.rounds[0];
    expect(round1.prices.X).toBeCloseTo(80, 12);
    expect(round1.vols.X).toBeCloseTo(0.7, 12);
    expect(round1.accountsLiquidated).toBe(1);
    // what round 1 closed: the liquidation engine alone on the round's market, filling by the same depth
    const roundMarket = { ...oneAssetMarket(80), assets: { X: { price: 80, vol: 0.7 }, USDC: { price: 1, vol: 0 } }, impliedVols: { 'X-P100': 0.7 } };
    const alone = engines[0].liquidate(b, roundMarket, { method: 'portfolio', liquidation: { ...params.liquidation, slippage: { X: { model: 'linear', pricePerUnit: 0.5 } } } });
    const q = alone.accounts[0].steps.reduce((n, st) => n + st.quantity - st.routes.adl, 0);
    expect(q).toBeLessThan(0);
    expect(q).toBeGreaterThanOrEqual(-20);
    const delta = bsmRef({ isCall: false, spot: 80, strike: 100, expiryYears: 30 / 365, vol: 0.7, rate: 0, carry: 0 }).delta;
    expect(round1.flowUnits.X).toBeCloseTo(-q * delta, 9);
    expect(round1.flowUnits.X).toBeLessThan(0); // the hedge sells X into the fall
    expect(c.rounds[1].prices.X).toBeCloseTo(80 + 0.5 * round1.flowUnits.X, 9);
    expect(round1.impactMove.X).toBeCloseTo((0.5 * round1.flowUnits.X) / 80, 12);
  });
});
