/**
 * Backtest statistics (src/backtest/backtest-stats.ts) on hand-made breach sequences; reference values from an
 * independent evaluation of the closed forms (Python with scipy.stats.chi2 for the p-values).
 */
import { describe, expect, it } from 'vitest';
import { chiSquare1Survival, chiSquare2Survival, coverageTest, transitionsOf } from '../../src/backtest/backtest-stats.js';
import { largestIncrease, peakToTrough, procyclicality } from '../../src/dynamic/procyclicality.js';

const days = (n: number, breachesAt: number[]) => Array.from({ length: n }, (_, t) => breachesAt.includes(t));

describe('coverage tests', () => {
  it('Kupiec and Christoffersen on 250 days with 5 breaches at days 10, 11, 50, 120, 200 (99% margin)', () => {
    // n01 = 4 (days 10, 50, 120, 200), n11 = 1 (day 11), n10 = 4, n00 = 249 − 9 = 240
    // LR_pof = −2[245 ln 0.99 + 5 ln 0.01] + 2[245 ln 0.98 + 5 ln 0.02] = 1.956809788230622, p = 0.1618549171960387
    // LR_ind = 3.153989286651445 (π = 5/249, π01 = 4/244, π11 = 1/5), p = 0.07574158174658203
    // LR_cc = 5.110799074882067, p(χ²(2)) = 0.07766119731190023
    const t = coverageTest(days(250, [10, 11, 50, 120, 200]), 0.01);
    expect(t.breaches).toBe(5);
    expect(t.christoffersen.transitions).toEqual({ n00: 240, n01: 4, n10: 4, n11: 1 });
    expect(t.kupiec.lr).toBeCloseTo(1.956809788230622, 12);
    expect(t.kupiec.pValue).toBeCloseTo(0.1618549171960387, 12);
    expect(t.christoffersen.lr).toBeCloseTo(3.153989286651445, 12);
    expect(t.christoffersen.pValue).toBeCloseTo(0.07574158174658203, 12);
    expect(t.conditionalCoverage.lr).toBeCloseTo(5.110799074882067, 12);
    expect(t.conditionalCoverage.pValue).toBeCloseTo(0.07766119731190023, 12);
  });

  it('no breach in 250 days: 0·ln 0 = 0, LR_pof = −2·250·ln 0.99 = 5.025167926750726 (p 0.0249815)', () => {
    const t = coverageTest(days(250, []), 0.01);
    expect(t.kupiec.lr).toBeCloseTo(5.025167926750726, 12);
    expect(t.kupiec.pValue).toBeCloseTo(0.02498150305344973, 12);
    expect(t.christoffersen.lr).toBe(0);
  });

  it('every day a breach stays finite', () => {
    const t = coverageTest(days(20, Array.from({ length: 20 }, (_, k) => k)), 0.05);
    expect(Number.isFinite(t.kupiec.lr) && Number.isFinite(t.christoffersen.lr)).toBe(true);
    expect(transitionsOf(days(20, Array.from({ length: 20 }, (_, k) => k)))).toEqual({ n00: 0, n01: 0, n10: 0, n11: 19 });
  });

  it('χ² survival functions at their 5% and 1% critical values', () => {
    expect(chiSquare1Survival(3.841459)).toBeCloseTo(0.05, 7);
    expect(chiSquare1Survival(6.634897)).toBeCloseTo(0.01, 7);
    expect(chiSquare2Survival(5.991465)).toBeCloseTo(0.05, 7);
  });

  it('refuses an expected rate outside (0, 1) and an empty sequence', () => {
    expect(() => coverageTest([true], 0)).toThrow(RangeError);
    expect(() => coverageTest([], 0.01)).toThrow(RangeError);
  });
});

describe('procyclicality (Murphy, Vasios & Vause 2014)', () => {
  it('peak-to-trough and the largest 1-day and n-day increases on a hand-made series', () => {
    const m = [100, 110, 99, 150, 150, 120, 240];
    // peak 240 / trough 99; 1-day: 240/120 − 1 = 1.0 on day 6; 3-day: 240/150 − 1 = 0.6 (day 6, from day 3), 150/100 − 1 = 0.5 (day 3)
    expect(peakToTrough(m)).toBeCloseTo(240 / 99, 15);
    expect(largestIncrease(m, 1)).toEqual({ ratio: 1, amount: 120, day: 6 });
    expect(largestIncrease(m, 3)).toEqual({ ratio: 0.6000000000000001, amount: 90, day: 6 });
    expect(procyclicality(m, 3).n).toBe(3);
    expect(peakToTrough([0, 5])).toBe(Infinity);
    expect(peakToTrough([])).toBe(1);
    expect(largestIncrease([5, 4, 3], 1)).toEqual({ ratio: 0, amount: 0, day: null });
    // no n-day window at all (n days or fewer, or every window from a zero margin): no increase to state, not 0
    expect(largestIncrease([5, 4, 3], 3)).toEqual({ ratio: null, amount: null, day: null });
    expect(largestIncrease([3, 0, 0], 1)).toEqual({ ratio: 0, amount: 0, day: null }); // a window that fell: 0
    expect(largestIncrease([0, 3], 1)).toEqual({ ratio: null, amount: null, day: null });
  });
});
