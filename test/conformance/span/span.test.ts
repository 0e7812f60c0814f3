/**
 * Conformance of the `span` profile (src/profiles/span.ts): seven cases the issue lists, each computed here by hand
 * from CME's documented SPAN algorithm (docs/span-margin.md; the arithmetic and the figures in CASES.md beside this
 * file), never from the code under test. Options are valued by the independent 50-digit BSM of
 * test/reference/decimal-bsm.ts with carry = rate, which is Black-76 on the futures price.
 *
 * The profile's BTC parameters: price scan range 10% of 100,000 = 10,000 USD; vol scan range 25% of the implied vol;
 * look-ahead 1 day; composite delta weights 0.0062, 0.0606, 0.2417, 0.383, …; tiers ≤ 31, ≤ 92, > 92 days with
 * calendar charges 400 (tier 1 v 2), 800 (1 v 3), 600 (2 v 3) per spread; short option minimum 500 per unit.
 * ETH: scan 12% of 3,000 = 360. BTC/ETH inter spread: 1 BTC delta (A) against 30 ETH (B), credit 50%.
 * IM = 1.1 × the SPAN (maintenance) requirement. Every figure to the cent, and the same bits on every backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccountMargin, Engine } from '../../../src/index.js';
import { allEngines } from '../../support/engines.js';
import { bsmRef } from '../../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const VALUATION = '2026-11-20T08:00:00Z';
const DEC = '2026-12-25T08:00:00Z'; // 35 days: tier 2
const INSTRUMENTS = [
  { id: 'BTC-27NOV26', kind: 'future', underlying: 'BTC', expiry: '2026-11-27T08:00:00Z' }, // 7 days: tier 1
  { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: DEC },
  { id: 'BTC-26MAR27', kind: 'future', underlying: 'BTC', expiry: '2027-03-26T08:00:00Z' }, // 126 days: tier 3
  { id: 'BTC-25DEC26-110000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: DEC },
  { id: 'BTC-25DEC26-50000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 50_000, expiry: DEC },
  { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
];
const MARKET = {
  valuationTime: VALUATION,
  assets: { BTC: { price: 100_000, vol: 0.5, rate: 0.04, carry: 0.04 }, ETH: { price: 3_000, vol: 0.7, rate: 0.04, carry: 0.04 }, USDC: { price: 1, vol: 0 } },
  // option marks quoted (the NOV reads them); futures at their derived marks (carry = rate: the price itself)
  marks: { 'BTC-25DEC26-110000-C': 2_650, 'BTC-25DEC26-50000-P': 0.01 },
  impliedVols: { 'BTC-25DEC26-110000-C': 0.5, 'BTC-25DEC26-50000-P': 0.5 },
  correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
};

/** The 16 standard scenarios (CME "Risk Arrays"): price move in scan ranges, vol move in vol scan ranges, fraction of the loss. */
const SCENARIOS: [number, number, number][] = [
  [0, 1, 1], [0, -1, 1], [1 / 3, 1, 1], [1 / 3, -1, 1], [-1 / 3, 1, 1], [-1 / 3, -1, 1], [2 / 3, 1, 1], [2 / 3, -1, 1],
  [-2 / 3, 1, 1], [-2 / 3, -1, 1], [1, 1, 1], [1, -1, 1], [-1, 1, 1], [-1, -1, 1], [2, 0, 0.35], [-2, 0, 0.35],
];
const F = 100_000, PSR = 10_000, VSR = 0.25, R = 0.04;
const T = 35 / 365, LOOK_AHEAD = 1 / 365;

/** Black-76 value of a BTC option per unit (carry = rate in the generalised BSM). */
const black76 = (isCall: boolean, f: number, strike: number, vol: number, t: number) => bsmRef({ isCall, spot: f, strike, expiryYears: t, vol, rate: R, carry: R });

/** Risk array of a Dec BTC option: loss per long unit in each scenario, value now − value one day later at the scenario. */
function optionLosses(isCall: boolean, strike: number, vol: number): number[] {
  const v0 = black76(isCall, F, strike, vol, T).price;
  return SCENARIOS.map(([p, v]) => v0 - black76(isCall, F + p * PSR, strike, vol * (1 + v * VSR), T - LOOK_AHEAD).price);
}
/** A long BTC future's loss per unit: −(price move). */
const futureLosses = SCENARIOS.map(([p]) => -p * PSR);

/** Scan risk of a portfolio's per-scenario losses: the largest after weighting scenarios 15, 16 by 35%, floored at 0. */
function scan(losses: number[]): { risk: number; scenario: number } {
  let risk = 0, scenario = 1;
  losses.forEach((l, s) => {
    const w = l * SCENARIOS[s][2];
    if (w > risk) [risk, scenario] = [w, s + 1];
  });
  return { risk, scenario };
}
const combine = (...legs: [number, number[]][]) => SCENARIOS.map((_, s) => legs.reduce((sum, [q, l]) => sum + q * l[s], 0));

/** The one account's report row under the profile on every backend (the same bits everywhere). */
function spanOf(positions: { instrument: string; quantity: number }[]): AccountMargin {
  const book = { instruments: INSTRUMENTS, accounts: [{ id: 'a', positions: positions.map((p) => ({ ...p, entryPrice: 0 })), collateral: [{ asset: 'USDC', amount: 1_000_000 }] }] };
  const rows = engines.map((e) => e.margin(book, MARKET, { profile: 'span', breakdown: true }).accounts[0]);
  for (const r of rows) expect([r.im, r.mm, r.span]).toEqual([rows[0].im, rows[0].mm, rows[0].span]);
  return rows[0];
}
/** To the cent. */
const cents = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(0.005);

describe('span profile: hand-derived cases (CME SPAN algorithm)', () => {
  it('1. a long future: scan risk = the full price scan range (scenario 13), IM = 1.1 × MM', () => {
    const row = spanOf([{ instrument: 'BTC-25DEC26', quantity: 1 }]);
    // −3/3 of the range loses 10,000 (scenarios 13, 14); the extreme −2× loses 20,000 × 35% = 7,000
    cents(row.mm, 10_000);
    cents(row.im, 11_000);
    expect(row.span!.commodities[0]).toMatchObject({ commodity: 'BTC', scanRisk: 10_000, scenario: 13, netDelta: 1, intraCharge: 0, shortOptionMinimum: 0 });
  });

  it('2. a long call: its worst revaluation over the 16 scenarios; the NOV (its mark) offsets it in the total', () => {
    const losses = optionLosses(true, 110_000, 0.5);
    const { risk, scenario } = scan(losses);
    expect([+risk.toFixed(4), scenario]).toEqual([2_474.0101, 14]); // CASES.md
    const row = spanOf([{ instrument: 'BTC-25DEC26-110000-C', quantity: 2 }]);
    cents(row.mm, 2 * risk);
    cents(row.im, 1.1 * 2 * risk);
    expect(row.span!.commodities[0].scenario).toBe(scenario);
    cents(row.span!.longOptionValue, 2 * 2_650);
    cents(row.span!.totalRequirement, 2 * risk - 2 * 2_650);
  });

  it('3. a covered write (long future, short call, same tier): scan of the combined array, above the SOM of 500', () => {
    const losses = combine([1, futureLosses], [-1, optionLosses(true, 110_000, 0.5)]);
    const { risk, scenario } = scan(losses);
    expect([+risk.toFixed(4), scenario]).toEqual([8_765.574, 13]); // CASES.md: the SOM (500) does not bind
    const row = spanOf([{ instrument: 'BTC-25DEC26', quantity: 1 }, { instrument: 'BTC-25DEC26-110000-C', quantity: -1 }]);
    cents(row.mm, risk);
    cents(row.im, 1.1 * risk);
    const c = row.span!.commodities[0];
    expect(c.scenario).toBe(scenario);
    cents(c.shortOptionMinimum, 500);
    // composite delta: the probability-weighted Black-76 deltas at the seven price points, one day later
    const weights = [0.0062, 0.0606, 0.2417, 0.383, 0.2417, 0.0606, 0.0062];
    const callDelta = weights.reduce((d, w, k) => d + w * bsmRef({ isCall: true, spot: F + (k - 3) / 3 * PSR, strike: 110_000, expiryYears: T - LOOK_AHEAD, vol: 0.5, rate: R, carry: R }).delta, 0);
    expect(c.netDelta).toBeCloseTo(1 - callDelta, 12);
    cents(row.span!.shortOptionValue, 2_650);
  });

  it('4. a ratio write (long 1 future, short 3 calls): the up moves bind, still above the SOM of 3 × 500', () => {
    const losses = combine([1, futureLosses], [-3, optionLosses(true, 110_000, 0.5)]);
    const { risk, scenario } = scan(losses);
    expect([+risk.toFixed(4), scenario]).toEqual([7_014.2817, 11]); // CASES.md: above the SOM of 1,500
    const row = spanOf([{ instrument: 'BTC-25DEC26', quantity: 1 }, { instrument: 'BTC-25DEC26-110000-C', quantity: -3 }]);
    cents(row.mm, risk);
    expect(row.span!.commodities[0].scenario).toBe(scenario);
    cents(row.span!.commodities[0].shortOptionMinimum, 1_500);
  });

  it('5. a calendar spread across tiers: scan risk 0 (the months move together), intra charges in priority order', () => {
    // long 3 Nov (tier 1) against short 1 Dec (tier 2) and short 2 Mar (tier 3):
    // priority 1 (tier 1 v 2): min(3, 1) = 1 spread × 400; priority 2 (tier 1 v 3): min(2, 2) = 2 × 800; total 2,000
    const row = spanOf([{ instrument: 'BTC-27NOV26', quantity: 3 }, { instrument: 'BTC-25DEC26', quantity: -1 }, { instrument: 'BTC-26MAR27', quantity: -2 }]);
    const c = row.span!.commodities[0];
    cents(c.scanRisk, 0);
    cents(c.intraCharge, 2_000);
    cents(row.mm, 2_000);
    cents(row.im, 2_200);
    expect(c.tiers).toEqual([{ tier: 1, delta: 3, remaining: 0 }, { tier: 2, delta: -1, remaining: 0 }, { tier: 3, delta: -2, remaining: 0 }]);
    expect(row.span!.spreads.map((s) => [s.kind, s.priority, s.spreads, s.amount])).toEqual([['intra', 0, 1, 400], ['intra', 1, 2, 1_600]]);
  });

  it('6. an inter-commodity pair (long 2 BTC, short 30 ETH): one spread, each leg credited 50% of its weighted price risk', () => {
    // BTC: scan 20,000 (scenario 13), time and vol risk 0, price risk 20,000 over |delta| 2: 10,000 per delta
    // ETH: short 30 × 360 = 10,800 (scenario 11), 360 per delta
    // spreads: min(2 / 1, 30 / 30) = 1: BTC credit 1 × 1 × 10,000 × 0.5 = 5,000; ETH 1 × 30 × 360 × 0.5 = 5,400
    const row = spanOf([{ instrument: 'BTC-25DEC26', quantity: 2 }, { instrument: 'ETH-PERP', quantity: -30 }]);
    const [btc, eth] = row.span!.commodities;
    cents(btc.scanRisk, 20_000);
    cents(btc.interCredit, 5_000);
    cents(btc.requirement, 15_000);
    cents(eth.scanRisk, 10_800);
    expect(eth.scenario).toBe(11);
    cents(eth.interCredit, 5_400);
    cents(eth.requirement, 5_400);
    cents(row.mm, 20_400);
    cents(row.im, 22_440);
  });

  it('7. a deep OTM short put: its scan risk is a few dollars, the short option minimum (500) holds the requirement up', () => {
    const { risk } = scan(optionLosses(false, 50_000, 0.5).map((l) => -l));
    expect(+risk.toFixed(4)).toBe(3.6211); // CASES.md: scenario 13, far below the SOM
    const row = spanOf([{ instrument: 'BTC-25DEC26-50000-P', quantity: -1 }]);
    const c = row.span!.commodities[0];
    cents(c.scanRisk, risk);
    cents(c.shortOptionMinimum, 500);
    cents(row.mm, 500);
    cents(row.im, 550);
    cents(row.span!.netOptionValue, -0.01);
    cents(row.span!.totalRequirement, 500.01);
  });
});
