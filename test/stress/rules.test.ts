/**
 * The cascade's and the reverse stress test's rules on cases worked by hand (docs/stress.md), on js, wasm-scalar and
 * wasm-simd: a round's bankrupt accounts are the ones it liquidated that end in a deficit written off (an isolated
 * position's at its close too), ADL never leaves a counterparty below zero for a later round to find, and the reverse
 * search returns the smallest shock on its grid whose bad debt crosses the threshold, though bad debt is not monotone
 * in the shock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type StressReport } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { amplificationNote } from '../../src/report/words.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/** Every backend gives the same report (bits); returns it. */
function stress(b: unknown, m: unknown, shock: unknown, options: Record<string, unknown>): StressReport {
  const reports = engines.map((e) => e.stress(b, m, shock, options));
  const text = (r: StressReport) => JSON.stringify({ ...r, backend: '', cascades: r.cascades.map((c) => ({ ...c, backend: '' })) });
  for (const r of reports) expect(text(r)).toBe(text(reports[0]));
  return reports[0];
}

const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['X'], matrix: [[1]] },
};
const X_PERP = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }];

/** MM 5% of notional, no fees, whole positions per step, linear depth κ = 0.5 USD per unit, all of it permanent, no fund. */
const params = {
  linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] },
  liquidation: { feeRate: 0, maxFractionPerStep: 1, insuranceFund: { balanceUsd: 0 } },
  stress: { impact: { X: { model: 'linear', pricePerUnit: 0.5, permanent: 1 } } },
};

/** A: long 10 X entered at 100 on 100 USDC; W: short 10 entered at 81 on 35 USDC (the cases below shock X by −20%). */
const AW = {
  instruments: X_PERP,
  accounts: [
    { id: 'A', positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: 100 }] },
    { id: 'W', positions: [{ instrument: 'X-PERP', quantity: -10, entryPrice: 81 }], collateral: [{ asset: 'USDC', amount: 35 }] },
  ],
};

/** AW's cascade at X −20%: one round, A liquidated and bankrupt in it, bad debt 125, 9 X sold (see the cases). */
function expectOneBankruptRound(c: StressReport['cascades'][number]): void {
  expect(c.rounds).toHaveLength(1);
  const [round] = c.rounds;
  expect([round.accountsLiquidated, round.accountsBankrupt]).toEqual([1, 1]);
  expect(round.badDebt).toBeCloseTo(125, 9);
  expect(round.flowUnits.X).toBeCloseTo(-9, 12);
  expect(c.metrics.accountsBankrupt).toBe(1);
}

describe('a cascade round', () => {
  it('counts the accounts it liquidated that end in a deficit, and bad debt once, when the loop stops right after ADL', () => {
    // X falls to 80. A: long 10 entered at 100 with 100 USDC: equity −100, bankrupt. Closing all 10 fills at the mid of
    // the walk, 80 − 0.5·10/2 = 77.5; bankruptcy price 80 − (−100)/10 = 90, so each contract the fund or ADL takes
    // costs 90 − 77.5 = 12.5 beyond it. No fund. W: short 10 entered at 81 with 35 USDC (equity 45 ≥ MM 40): buying
    // back at 90 against its mark 80 costs it 10 a contract, and its profit is 10: it gives 1 contract (equity 45 → 35).
    // The other 9 fill at the market: A realizes 1·(90 − 100) + 9·(77.5 − 100) = −212.5, equity −112.5, written off.
    // Bad debt 12.5 (ADL) + 112.5 (uncovered) = 125. The 9 sold move X by 0.5·9 = 4.5 (5.6% < the 10% tolerance):
    // the loop stops after round 1, with A bankrupt in it.
    const r = stress(AW, market, { spot: { X: -0.2 } }, { params: { ...params, stress: { ...params.stress, priceTolerance: 0.1 } } });
    const c = r.cascades[0];
    expect(c.stops).toEqual([{ step: 1, label: 'X -20.0%', rounds: 1, stoppedBy: 'price-tolerance' }]);
    expect(c.rounds).toHaveLength(1);
    const [round] = c.rounds;
    expect([round.accountsLiquidated, round.accountsBankrupt]).toEqual([1, 1]);
    expect(round.badDebt).toBeCloseTo(125, 9);
    // and its parts: no fund to pay, 12.5 ADL absorbed, 112.5 nobody covered; no fee (A had no surplus)
    expect([round.fundPaid, round.adlAbsorbed, round.uncovered, round.feesToFund]).toEqual([0, expect.closeTo(12.5, 9), expect.closeTo(112.5, 9), 0]);
    expect([c.metrics.adlAbsorbed, c.metrics.uncovered, c.metrics.feesToFund]).toEqual([round.adlAbsorbed, round.uncovered, 0]);
    expect(round.adlNotional).toBeCloseTo(90, 9);
    expect(round.flowUnits.X).toBeCloseTo(-9, 12);
    expect([c.metrics.badDebt, c.metrics.accountsBankrupt, c.metrics.accountsLiquidated]).toEqual([expect.closeTo(125, 9), 1, 1]);
    // the same round as a liquidation alone: W is in it, deleveraged, never below zero
    const liq = engines[0].liquidate(AW, { ...market, assets: { ...market.assets, X: { price: 80, vol: 0.5 } } }, { params, liquidation: { ...params.liquidation, slippage: { X: { model: 'linear', pricePerUnit: 0.5 } } } });
    const w = liq.accounts.find((a) => a.id === 'W')!;
    expect([w.state, w.before.equity]).toEqual(['deleveraged', 45]);
    expect(w.after.equity).toBeCloseTo(35, 9);
    expect([liq.totals.adlAbsorbed, liq.totals.uncovered]).toEqual([expect.closeTo(12.5, 9), expect.closeTo(112.5, 9)]);
  });

  it('counts an account pro-rata ADL could not cover as bankrupt in its round, as under the queue', () => {
    // The case above under pro-rata: A's 10 contracts go to ADL at the bankruptcy price 90 (12.5 each beyond the fill
    // 77.5: 125) and are settled at the round's end. W alone holds the other side: 10/10 of its position, but its cap is
    // its profit 10 at a cost of 90 − 80 = 10 a contract: 1 contract. The other 9 (9 · 10 = 90 against the mark) are
    // written off A: A ends bankrupt, ADL absorbed 125 − 90 = 35, uncovered 90, bad debt 125. The 9 nobody took are
    // not ADL's: they count in the round's flow as under the queue (0.5 · 9 = 4.5 < the 10% tolerance: one round).
    const proRata = { ...params, liquidation: { ...params.liquidation, adl: 'pro-rata' }, stress: { ...params.stress, priceTolerance: 0.1 } };
    const c = stress(AW, market, { spot: { X: -0.2 } }, { params: proRata }).cascades[0];
    expectOneBankruptRound(c);
  });

  it('counts an isolated account whose position was written off at its close as bankrupt in its round', () => {
    // The first case under isolated margin: A's 100 USDC are its long's allocation (pro rata by IM, all of it), W's 35
    // its short's. A's long closes at its bankruptcy price 90: W gives 1 contract (its room min(profit 10, position
    // equity 45) at 10 a contract), the other 9 are written off at |90 − 77.5| = 12.5 each, 112.5, at that close.
    // Nothing of A is left: it ends bankrupt, and the round counts it (bad debt 12.5 + 112.5 = 125, as under cross).
    const c = stress(AW, market, { spot: { X: -0.2 } }, { method: 'isolated', params: { ...params, stress: { ...params.stress, priceTolerance: 0.1 } } }).cascades[0];
    expectOneBankruptRound(c);
  });
});

describe('a fall beyond the floor', () => {
  // three longs of 10 X entered at 100 on 100, 150 and 200 USDC; depth κ = 10 USD per unit, all of it permanent
  const longs = { instruments: X_PERP, accounts: [100, 150, 200].map((usdc, k) => ({ id: `long-${k}`, positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: usdc }] })) };
  const deep = { ...params, stress: { impact: { X: { model: 'linear', pricePerUnit: 10, permanent: 1 } } } };

  it('reports the impact move applied: a price never falls below (1 − 0.999999) of itself', () => {
    // X −50% to 50: each long's equity usdc − 500 < 0, all three closed, 30 units sold: the impact −10 × 30 = −300 on a
    // price of 50 is −600%, floored at −99.9999%: round 2 is at 50 × 10⁻⁶
    const rounds = stress(longs, market, { spot: { X: -0.5 } }, { method: 'cross', params: deep }).cascades[0].rounds;
    expect(rounds[0].impactMove.X).toBe(-0.999999);
    expect(rounds[1].prices.X).toBe(50 * (1 + -0.999999));
  });

  it('measures amplification against the shock applied, floored as a move is', () => {
    const amplification = stress(longs, market, { spot: { X: -0.9999999 } }, { method: 'cross', params: deep }).cascades[0].metrics.amplification!;
    expect([amplification.asset, amplification.shockMove]).toEqual(['X', -0.999999]);
  });

  it('a cascade that liquidates nothing has amplification 1 exactly (95 / 100 − 1 is −0.050000000000000044, not −0.05)', () => {
    const cascade = stress(longs, market, { spot: { X: -0.05 } }, { method: 'cross', params: deep }).cascades[0];
    expect(cascade.metrics.accountsLiquidated).toBe(0);
    expect(cascade.metrics.amplification).toEqual({ asset: 'X', shockMove: -0.05, totalMove: -0.05, ratio: 1 });
    expect(amplificationNote(cascade)).toBe('cross: amplification 1: the liquidations left X where the shock put it');
  });
});

describe('reverse stress test', () => {
  // The toy book: three longs of 10 X entered at 100 with 100, 150 and 200 USDC, no fund, threshold 80. At a fall s
  // that breaches long-1 alone (s ≤ 10.5%: long-2 has 10p − 850 against MM 0.5p), each long in turn closes all 10 at
  // the mid of a walk of 5 and moves X down 5: long-1 has 10p − 900, fills at p − 2.5 and loses 25 − (10p − 900)
  // beyond zero; the next round the same for long-2 at p − 5 (150 + 10(p − 105) = 10p − 900) and long-3 at p − 10.
  // With p = 100(1 − s): bad debt 3·(925 − 1000(1 − s)) = 3,000·(s − 0.075), above 80 from s = 0.075 + 80/3,000 =
  // 10.1667%. Deeper falls are not monotone: −11.2% gives more bad debt than −11.4%, where long-2 breaches in round 1
  // and both close at one price. A bisection on [0, 1] of the shock X −15.8% lands past the first crossing.
  const b = {
    instruments: X_PERP,
    accounts: [100, 150, 200].map((c, i) => ({ id: `long-${i + 1}`, positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: c }] })),
  };

  it('bad debt is not monotone in the shock on this book', () => {
    const at = (s: number) => engines[0].stress(b, market, { spot: { X: -s } }, { params }).cascades[0].metrics.badDebt;
    expect(at(0.1)).toBeCloseTo(75, 9); // 3,000 × (0.1 − 0.075)
    expect(at(0.112)).toBeGreaterThan(at(0.114));
  });

  it('finds the smallest shock on its grid that crosses the threshold: X −10.17%, to 0.1% of λ', () => {
    const r = stress(b, market, { spot: { X: -0.158 } }, { params, reverse: { thresholdUsd: 80 } });
    const rev = r.reverse![0];
    const step = 0.005 / 0.158; // half a percentage point of X's move
    expect(rev.gridStep).toBeCloseTo(step, 15);
    expect(rev.scale! * 0.158).toBeCloseTo(0.075 + 80 / 3_000, 3);
    expect(rev.moves!.X).toBeCloseTo(-(0.075 + 80 / 3_000), 3);
    expect(rev.tolerance).toBeLessThanOrEqual(1e-3);
    expect(rev.badDebt!).toBeGreaterThan(80);
    expect(rev.badDebtBelow).toBeLessThanOrEqual(80);
    // no grid point below it crosses (the first crossing lies between X −10.0% and −10.5%)
    for (let k = 1; k * step < rev.scale!; k++) {
      expect(engines[0].stress(b, market, { spot: { X: -0.158 * k * step } }, { params }).cascades[0].metrics.badDebt).toBeLessThanOrEqual(80);
    }
  });
});

describe('the flow of an inverse contract', () => {
  it('is its USD face divided by the fill price, in coin, and its notional the face', () => {
    // A BTC-margined long of 1,000 inverse contracts of 10 USD face (10,000 USD) on 0.01 BTC, entered at 100 and
    // shocked 20% down: it loses 10,000 × (1/80 − 1/100) = 25 BTC and is liquidated. Whatever the fills, the contracts
    // sent to the market leave as 10 USD / fill price BTC each (never 10 "units" of BTC), and the closed notional is
    // 10 USD a contract.
    const book = {
      instruments: [{ id: 'X-INV', kind: 'perpetual', underlying: 'X', multiplier: 10, settlement: 'X' }],
      accounts: [{ id: 'coin', marginCurrency: 'X', positions: [{ instrument: 'X-INV', quantity: 1000, entryPrice: 100 }], collateral: [{ asset: 'X', amount: 0.01 }] }],
    };
    // a shallow market (0.0001 USD per unit, the liquidation's fills and the round's impact), so fills stay near 80
    const shallow = { ...params, stress: { impact: { X: { model: 'linear', pricePerUnit: 0.0001, permanent: 1 } } } };
    const report = stress(book, market, { spot: { X: -0.2 } }, { method: 'cross', params: shallow });
    const round = report.cascades[0].rounds[0];
    const liquidation = report.cascades[0] as unknown as { rounds: { accountsLiquidated: number; liquidatedNotional: number; flowUnits: Record<string, number> }[] };
    expect(round.accountsLiquidated).toBe(1);
    const first = liquidation.rounds[0];
    // the whole position sold near 80: 10,000 USD / 80 = 125 X (treated as linear it would be 10,000 X), notional 10,000
    expect(first.liquidatedNotional).toBeCloseTo(10_000, 6);
    expect(first.flowUnits.X).toBeLessThan(-10_000 / 80.001);
    expect(first.flowUnits.X).toBeGreaterThan(-10_000 / 79.9);
  });
});

describe('the notional of a coin-settled option', () => {
  it('is in USD, at the coin\'s index, as a plain liquidation at the shocked market totals it', () => {
    // A BTC-margined account short 2 BTC-settled 90,000 puts on 0.2 BTC; BTC falls 20% to 80,000: the puts are deep in
    // the money and the account is liquidated. Its round-1 notional is the liquidation's closed notional at 80,000
    // (2 × 80,000 = 160,000 USD once the puts are closed), not 2 (the notional in BTC).
    const book = coinBook({ id: 'puts', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-25DEC26-90000-P', quantity: -2, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 0.2 }] });
    const options = { method: 'cross', params: { liquidation: { feeRate: 0, maxFractionPerStep: 1 }, stress: { maxRounds: 1 } } };
    const report = stress(book, coinMarket(), { spot: { BTC: -0.2 } }, options);
    const plain = engines[0].liquidate(book, coinMarket({ btc: 80_000 }), { method: 'cross', liquidation: { feeRate: 0, maxFractionPerStep: 1 } });
    expect(plain.totals.closedNotional).toBe(160_000);
    expect(report.cascades[0].rounds[0].liquidatedNotional).toBe(plain.totals.closedNotional);
  });
});

describe('a stress keeps every price within the domain (at most 1e12)', () => {
  const one = (q: number, entry: number, usdc: number) => ({ instruments: X_PERP, accounts: [{ id: 'a', positions: [{ instrument: 'X-PERP', quantity: q, entryPrice: entry }], collateral: [{ asset: 'USDC', amount: usdc }] }] });
  const at = (x: number) => ({ ...market, assets: { ...market.assets, X: { price: x, vol: 0.5 } } });
  const withImpact = (impact: unknown) => ({ ...params, liquidation: { ...params.liquidation, insuranceFund: { balanceUsd: 1e6 } }, stress: { impact: { X: impact } } });

  it('a shock of +1e6 from 1e7 is applied at the largest price, 1e12 (it reached 1e13, a market a fresh run refuses)', () => {
    const [c] = stress(one(-1, 1e7, 1e6), at(1e7), { spot: { X: 1e6 } }, { method: 'cross', params: withImpact({ model: 'none' }) }).cascades;
    expect(c.rounds[0].prices.X).toBe(1e12);
    expect(c.finalPrices.X).toBe(1e12);
    // the short's loss at 1e12: 1e12 − 1e7 against 1e6 of collateral, all of it bad debt beyond the fund
    expect(c.metrics.badDebt).toBeCloseTo(1e12 - 1e7 - 1e6, 0);
  });

  it('market impact never lifts a price past 1e12: a squeeze at 1e12 USD a unit stops there', () => {
    // short 10 at 100 on 100 USDC, X +8%: the buy-back of 10 at 1e12 USD per unit would move X by 1e13 (it reported
    // X = 1.0000000000108e13 and an amplification of 1.25e12)
    const [c] = stress(one(-10, 100, 100), market, { spot: { X: 0.08 } }, { method: 'cross', params: withImpact({ model: 'linear', pricePerUnit: 1e12, permanent: 1 }) }).cascades;
    for (const r of c.rounds) expect(r.prices.X).toBeLessThanOrEqual(1e12);
    expect(c.finalPrices.X).toBe(1e12);
    expect(c.rounds[0].impactMove.X).toBeCloseTo(1e12 / 108 - 1, 0); // the move applied: from 108 to 1e12
    expect(c.metrics.amplification!.totalMove).toBeCloseTo(1e12 / 100 - 1, 0);
  });
});
