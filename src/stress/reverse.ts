/**
 * Reverse stress test: the smallest multiple λ of a shock (its moves and vol shifts, every step) whose cascade leaves
 * bad debt above a threshold (the insurance fund by default). Bad debt grows with the shock on linear books (a
 * property the tests check), so the crossing is found by doubling λ from 1 until bad debt exceeds the threshold, then
 * bisecting the bracket to a relative width of {@link REVERSE_TOLERANCE}. λ stops short of a fall of 100% in any asset.
 */
import { MIN_RETURN } from '../model/move-market.js';
import type { ShockStep } from './shock.js';

export const REVERSE_TOLERANCE = 1e-3;
/** Largest λ tried for shocks with no fall in them (nothing bounds them otherwise). */
export const MAX_SCALE = 1024;

export interface ReverseSearch {
  scale: number | null;
  badDebt: number | null;
  badDebtBelow: number;
  evaluations: number;
  tolerance: number;
}

/** The shock's steps with every move and vol shift multiplied by `lambda`. */
export function scaledSteps(steps: readonly ShockStep[], lambda: number): ShockStep[] {
  const times = (m: ReadonlyMap<string, number>) => new Map([...m].map(([k, v]) => [k, v * lambda]));
  return steps.map((s) => ({ label: `${s.label} × ${lambda}`, move: { returns: times(s.move.returns), volShift: times(s.move.volShift) } }));
}

/** The largest λ that keeps every step's moves above a 100% fall. */
export function largestScale(steps: readonly ShockStep[]): number {
  let worstFall = 0;
  for (const s of steps) for (const r of s.move.returns.values()) worstFall = Math.min(worstFall, r);
  return worstFall < 0 ? MIN_RETURN / worstFall : MAX_SCALE;
}

/** Finds λ with badDebt(λ) > threshold ≥ badDebt(λ − bracket); `badDebtAt` runs one cascade from the unshocked book. */
export function reverseSearch(steps: readonly ShockStep[], thresholdUsd: number, badDebtAt: (lambda: number) => number): ReverseSearch {
  let evaluations = 0;
  const f = (lambda: number) => {
    evaluations++;
    return badDebtAt(lambda);
  };
  const top = largestScale(steps);
  const atZero = f(0);
  if (atZero > thresholdUsd) return { scale: 0, badDebt: atZero, badDebtBelow: atZero, evaluations, tolerance: 0 };
  let lo = 0, below = atZero, hi = Math.min(1, top), above = f(hi);
  while (!(above > thresholdUsd)) {
    if (hi >= top) return { scale: null, badDebt: null, badDebtBelow: above, evaluations, tolerance: 0 };
    lo = hi;
    below = above;
    hi = Math.min(hi * 2, top);
    above = f(hi);
  }
  while (hi - lo > REVERSE_TOLERANCE * hi) {
    const mid = 0.5 * (lo + hi);
    const v = f(mid);
    if (v > thresholdUsd) {
      hi = mid;
      above = v;
    } else {
      lo = mid;
      below = v;
    }
  }
  return { scale: hi, badDebt: above, badDebtBelow: below, evaluations, tolerance: (hi - lo) / hi };
}
