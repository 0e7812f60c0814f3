/**
 * The reverse search's probes stop their cascade once its bad debt crosses the threshold; the answer's bad debt still
 * comes from its whole cascade.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList } from '../../src/errors.js';
import { checkLiquidationParams } from '../../src/liquidation/validate.js';
import { validateInputs } from '../../src/model/validate.js';
import { type CascadeSetup, runCascade } from '../../src/stress/cascade.js';
import { checkStressParams } from '../../src/stress/validate.js';
import { type BadDebtAt, reverseSearch } from '../../src/stress/reverse.js';
import { type ShockStep, validateShock } from '../../src/stress/shock.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';

const engines = await allEngines();

/** X −10% in one step: the grid step in λ is 0.005 / 0.1 = 0.05. */
const steps: ShockStep[] = [{ label: 'X −10%', move: { returns: new Map([['X', -0.1]]), volShift: new Map() } }];

/**
 * A cascade of two rounds at λ: round 1 leaves first(λ) of bad debt, round 2 second(λ); a probe given `stopAbove`
 * stops after round 1 when first(λ) already exceeds it, as the cascade does (and reports round 1's alone).
 */
function twoRounds(calls: { lambda: number; stopAbove?: number }[], first: (l: number) => number, second: (l: number) => number) {
  return (lambda: number, stopAbove?: number): BadDebtAt => {
    calls.push({ lambda, stopAbove });
    if (stopAbove !== undefined && first(lambda) > stopAbove) return { badDebt: first(lambda), whole: false };
    return { badDebt: first(lambda) + second(lambda), whole: true };
  };
}

describe('reverse search with probes that stop at the threshold', () => {
  it('takes the answer\'s bad debt from one more, whole cascade when its probe stopped; evaluations count the probes', () => {
    // bad debt 100·λ in round 1, and 10·λ more in round 2 from λ = 0.5 on: 33 is crossed above λ = 0.33, in round 1,
    // so the grid (step 0.05) crosses at 0.35 and the bisection against 0.3 ends just above 0.33, on a stopped probe
    const calls: { lambda: number; stopAbove?: number }[] = [];
    const r = reverseSearch(steps, 33, twoRounds(calls, (l) => 100 * l, (l) => (l >= 0.5 ? 10 * l : 0)));
    expect(r.scale!).toBeGreaterThan(0.33);
    expect(r.scale! - 0.33).toBeLessThanOrEqual(1e-3 * r.scale!);
    expect(r.badDebt).toBeCloseTo(100 * r.scale!, 12);
    expect(r.badDebtBelow).toBeLessThanOrEqual(33);
    // every probe is told the threshold; the last call is the answer's whole cascade, not counted
    expect(calls.slice(0, -1).every((c) => c.stopAbove === 33)).toBe(true);
    expect(calls[calls.length - 1]).toEqual({ lambda: r.scale, stopAbove: undefined });
    expect(r.evaluations).toBe(calls.length - 1);
  });

  it('runs no extra cascade when the answer\'s probe ran whole', () => {
    // 100·λ + 10·λ crosses 33 above λ = 0.3, where round 1 alone (30) does not: the answer's probe ran both rounds
    const calls: { lambda: number; stopAbove?: number }[] = [];
    const r = reverseSearch(steps, 33, twoRounds(calls, (l) => 100 * l, (l) => 10 * l));
    expect(r.scale! - 0.3).toBeLessThanOrEqual(1e-3 * r.scale!);
    expect(r.badDebt).toBeCloseTo(110 * r.scale!, 12);
    expect(r.evaluations).toBe(calls.length);
    expect(calls.every((c) => c.stopAbove === 33)).toBe(true);
  });

  it('gives λ = 0 with the unshocked book\'s whole bad debt when it already crosses', () => {
    const calls: { lambda: number; stopAbove?: number }[] = [];
    const r = reverseSearch(steps, 0.5, (lambda, stopAbove) => {
      calls.push({ lambda, stopAbove });
      return stopAbove !== undefined ? { badDebt: 1, whole: false } : { badDebt: 3, whole: true };
    });
    expect(r).toMatchObject({ scale: 0, badDebt: 3, badDebtBelow: 3, evaluations: 1 });
    expect(calls).toEqual([{ lambda: 0, stopAbove: 0.5 }, { lambda: 0, stopAbove: undefined }]);
  });
});

describe('a cascade told to stop above a bad debt', () => {
  // docs/stress.md's toy book: three longs of 10 X at 100 on 100, 150 and 200 USDC, no fund; each close of 10 X moves
  // X down 5 (linear depth 0.5, all permanent). After X −12% (88) long-1 is below zero and closes in round 1; its sale
  // takes X to 83, where long-2 (equity 150 − 170) is below zero in round 2: bad debt in two rounds at least, so a
  // stop after round 1 is a strict prefix of the whole cascade.
  const raw = {
    market: { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, correlation: { assets: ['X'], matrix: [[1]] } },
    book: { instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
      accounts: [100, 150, 200].map((usdc, k) => ({ id: `long-${k + 1}`, positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: usdc }] })) },
  };
  const params = { linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] } };
  const liquidationJson = { feeRate: 0, maxFractionPerStep: 1, insuranceFund: { balanceUsd: 0 } };
  const stressJson = { impact: { X: { model: 'linear', pricePerUnit: 0.5, permanent: 1 } } };

  it.each(engines.map((e) => [e.backend, e] as const))('%s: stops after the round that crosses, its rounds a prefix of the whole cascade', (_name, engine) => {
    const { book, market } = validateInputs(raw.book, raw.market);
    const shock = validateShock({ spot: { X: -0.12 }, contagion: false }, market, checkStressParams(stressJson, 'params.stress', new ProblemList()));
    const liquidation = checkLiquidationParams(liquidationJson, new ProblemList());
    const stress = shock.params;
    const cascade = (stopAboveBadDebt?: number) => {
      const session = engine.openBook(book);
      try {
        const setup: CascadeSetup = { session, market, method: 'cross', margin: { params }, liquidation, stress, stopAboveBadDebt };
        return runCascade(setup, shock.steps);
      } finally {
        session.release();
      }
    };
    const whole = cascade();
    const withBadDebt = whole.rounds.filter((r) => r.badDebt > 0).length;
    expect(withBadDebt).toBeGreaterThanOrEqual(2);
    const first = whole.rounds[0].badDebt;
    expect(first).toBeGreaterThan(0);
    // a stop below round 1's bad debt: round 1 only
    const stopped = cascade(first / 2);
    expect(stopped.stoppedAboveBadDebt).toBe(true);
    expect(stopped.rounds).toHaveLength(1);
    expect(firstDifference(stopped.rounds[0], whole.rounds[0])).toBeNull();
    expect(stopped.metrics.badDebt).toBe(first);
    // a stop at the whole cascade's bad debt is never crossed (> is strict): the whole cascade, unflagged
    const never = cascade(whole.metrics.badDebt);
    expect(never.stoppedAboveBadDebt).toBeUndefined();
    expect(firstDifference(never, whole)).toBeNull();
  });
});
