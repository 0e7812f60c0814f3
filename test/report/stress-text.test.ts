/**
 * The stress text report (src/report/stress-text.ts) on hand-made cascades: the round table's counts grouped as the
 * summary's are, and the summary's stop reason per step when the steps of a path stopped for different reasons.
 */
import { describe, expect, it } from 'vitest';
import { cascadeSummary, cascadeTable, reverseTable } from '../../src/report/stress-text.js';
import type { CascadeResult, CascadeRound, CascadeStop, ReverseStressResult } from '../../src/stress/report.js';

/** A round with only the figures the table writes. */
function round(n: number, step: number, liquidated: number, bankrupt: number): CascadeRound {
  return {
    round: n, step, prices: { BTC: 60_000 }, vols: { BTC: 0.5 }, accountsLiquidated: liquidated, accountsBankrupt: bankrupt,
    liquidatedNotional: 0, fees: 0, feesToFund: 0, badDebt: 0, fundPaid: 0, adlAbsorbed: 0, uncovered: 0, insuranceFund: 0, adlNotional: 0, flowUnits: {}, impactMove: {}, conservationResidual: 0,
  };
}

/** A cascade of `rounds` over steps that stopped as `stops` says (step k + 1 for stops[k]), no amplification. */
function cascade(rounds: CascadeRound[], stops: CascadeStop[]): CascadeResult {
  return {
    method: 'cross', backend: 'js', efficiency: 10, im: 1_000_000, rounds,
    stops: stops.map((stoppedBy, k) => ({ step: k + 1, label: `step ${k + 1}`, rounds: 1, stoppedBy })),
    metrics: {
      rounds: 55, amplification: null, badDebt: 0, fundStart: 1_000_000, fundEnd: 1_000_000, fundPaid: 0, fundDrawdown: 0,
      fundDepleted: false, fundDepletedInRound: null, accountsLiquidated: 225_577, accountsBankrupt: 20_166, liquidatedNotional: 0, fees: 0, feesToFund: 0, adlAbsorbed: 0, uncovered: 0, adlNotional: 0,
    },
    pricesBefore: { BTC: 60_000 }, finalPrices: { BTC: 60_000 },
  };
}

/** The summary's stop reason: what the parentheses after `55 rounds of liquidations` hold. */
function stopPart(c: CascadeResult): string {
  return /^.*? of liquidations \((.*?)\); \d/.exec(cascadeSummary(c))![1];
}

describe('stress text report', () => {
  it('writes the round table\'s counts with thousands separators, as the summary does', () => {
    const c = cascade([round(1, 1, 65_953, 20_166), round(2, 1, 7, 0)], ['fixed-point']);
    const lines = cascadeTable(c).split('\n');
    const first = lines.find((l) => /^\s+1\s/.exec(l))!.trim().split(/\s{2,}/);
    // round, step, liquidated, left in deficit, notional, fees, bad debt, fund, ADL notional (BTC never moved: no column)
    expect(first).toEqual(['1', '1', '65,953', '20,166', '0', '0', '0', '0', '0']);
    expect(cascadeSummary(c)).toContain('225,577 accounts liquidated, 20,166 left in deficit');
  });

  it('says which step stopped for which reason when they differ', () => {
    const rounds = [round(1, 1, 1, 0), round(2, 2, 1, 0), round(3, 3, 1, 0)];
    expect(stopPart(cascade(rounds, ['round-cap', 'fixed-point', 'fixed-point']))).toBe('step 1 stopped at the round cap; steps 2–3 at a fixed point');
    expect(stopPart(cascade(rounds, ['fixed-point', 'round-cap', 'fixed-point']))).toBe('steps 1, 3 stopped at a fixed point; step 2 at the round cap');
    expect(stopPart(cascade(rounds, ['fixed-point', 'price-tolerance', 'round-cap'])))
      .toBe('step 1 stopped at a fixed point; step 2 at the price tolerance; step 3 at the round cap');
  });

  it('keeps one reason when every step stopped for it, and the single-step wording', () => {
    expect(stopPart(cascade([round(1, 1, 1, 0)], ['fixed-point']))).toBe('stopped at a fixed point');
    expect(stopPart(cascade([round(1, 1, 1, 0)], ['round-cap']))).toBe('stopped at the round cap');
    expect(stopPart(cascade([round(1, 1, 1, 0), round(2, 2, 1, 0), round(3, 3, 1, 0)], ['fixed-point', 'fixed-point', 'fixed-point']))).toBe('stopped at a fixed point');
    expect(cascadeSummary(cascade([round(1, 1, 1, 0)], ['fixed-point']))).toBe(
      'cross margin on js: 55 rounds of liquidations (stopped at a fixed point); 225,577 accounts liquidated, 20,166 left in deficit; ' +
      'liquidated notional 0; bad debt 0.00; insurance fund 1,000,000.00 → 1,000,000.00 (drawdown 0.00)',
    );
  });
});

describe('the reverse stress table', () => {
  it('writes the threshold and the bad debt found in cents: 80.16 above 80.00 reads as above it', () => {
    const found: ReverseStressResult = { method: 'cross', thresholdUsd: 80, scale: 1.0167, moves: { X: -0.10167 }, badDebt: 80.16, badDebtBelow: 79.4, evaluations: 31, tolerance: 1e-3, gridStep: 5e-3 };
    const none: ReverseStressResult = { ...found, method: 'isolated', scale: null, moves: null, badDebt: null, badDebtBelow: 0.004 };
    const lines = reverseTable([found, none]).split('\n');
    expect(lines[2]).toMatch(/^cross\s+80\.00\s+.*X -10\.17%\s+80\.16\s+31$/);
    expect(lines[3]).toMatch(/^isolated\s+80\.00\s+not reached\s+—\s+≤ 0\.00\s+31$/);
  });
});
