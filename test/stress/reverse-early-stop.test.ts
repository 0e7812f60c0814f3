/**
 * The reverse search's probes stop their cascade once its bad debt crosses the threshold; the answer's bad debt still
 * comes from its whole cascade.
 */
import { describe, expect, it } from 'vitest';
import { type BadDebtAt, reverseSearch } from '../../src/stress/reverse.js';
import type { ShockStep } from '../../src/stress/shock.js';

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
