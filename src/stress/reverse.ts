/**
 * Reverse stress test: the smallest multiple λ of a shock (its moves and vol shifts, every step) whose cascade leaves
 * bad debt above a threshold (the insurance fund by default).
 *
 * Bad debt is not monotone in λ: a deeper shock can liquidate an account in an earlier round, at a better price, and
 * leave less bad debt than a milder one (one price per round). So λ is scanned on a grid from below — steps that move
 * the shock's largest price move by half a percentage point (1/64 of the shock for one that moves no price), at most
 * {@link MAX_GRID} points up to the largest λ — and the first grid point whose bad debt exceeds the threshold is
 * refined by bisection against the grid point below it, to a relative width of {@link REVERSE_TOLERANCE}. The answer
 * crosses the threshold and no smaller grid point does; a crossing narrower than one grid step, wholly between two
 * grid points, can be missed (the grid step is the search's resolution, reported with it). λ stops short of a fall
 * of 100% in any asset.
 */
import { MIN_RETURN } from '../model/move-market.js';
import type { ShockStep } from './shock.js';

export const REVERSE_TOLERANCE = 1e-3;
/** Largest λ tried for shocks with no fall in them (nothing bounds them otherwise). */
export const MAX_SCALE = 1024;
/** The grid's step moves the shock's largest price move by this much (0.005: half a percentage point). */
export const GRID_MOVE = 0.005;
/** Most grid points scanned (the step grows when the range would need more). */
export const MAX_GRID = 400;

export interface ReverseSearch {
  scale: number | null;
  badDebt: number | null;
  badDebtBelow: number;
  evaluations: number;
  tolerance: number;
  /** The grid's step in λ: the resolution of the search for the first crossing. */
  gridStep: number;
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

/** The grid's step in λ for a shock and the largest λ: {@link GRID_MOVE} of its largest move, at most {@link MAX_GRID} points. */
export function gridStep(steps: readonly ShockStep[], top: number): number {
  let largest = 0;
  for (const s of steps) for (const r of s.move.returns.values()) largest = Math.max(largest, Math.abs(r));
  const step = largest > 0 ? GRID_MOVE / largest : 1 / 64;
  return Math.max(step, top / MAX_GRID);
}

/**
 * One cascade's bad debt (USD). Given `stopAbove`, the cascade may stop once its bad debt so far exceeds it (a round's
 * bad debt is never negative, so the whole cascade's exceeds it too): `whole` is then false and `badDebt` what the
 * rounds run so far left, above `stopAbove`.
 */
export interface BadDebtAt {
  badDebt: number;
  whole: boolean;
}

/**
 * Finds λ with badDebt(λ) > threshold, the first such grid point refined against the one below it (badDebt there ≤
 * threshold); `badDebtAt` runs one cascade from the unshocked book. A probe only asks whether the threshold is
 * crossed, so its cascade stops once it is (the rounds after the crossing cannot bring bad debt back below it); the
 * answer's bad debt is then taken from its whole cascade, run once more. `evaluations` counts the multiples probed.
 */
export function reverseSearch(steps: readonly ShockStep[], thresholdUsd: number, badDebtAt: (lambda: number, stopAbove?: number) => BadDebtAt): ReverseSearch {
  let evaluations = 0;
  const f = (lambda: number) => {
    evaluations++;
    return badDebtAt(lambda, thresholdUsd);
  };
  const whole = (lambda: number, at: BadDebtAt) => (at.whole ? at.badDebt : badDebtAt(lambda).badDebt);
  const top = largestScale(steps);
  const step = gridStep(steps, top);
  const atZero = f(0);
  if (atZero.badDebt > thresholdUsd) {
    const badDebt = whole(0, atZero);
    return { scale: 0, badDebt, badDebtBelow: badDebt, evaluations, tolerance: 0, gridStep: step };
  }
  // lo, atLo: the last grid point (then bisection point) at or below the threshold (a whole cascade: it never
  // stops below); hi, above: the first above it
  let lo = 0, atLo = atZero.badDebt, hi = 0, above = atZero;
  for (let k = 1; ; k++) {
    hi = Math.min(k * step, top);
    above = f(hi);
    if (above.badDebt > thresholdUsd) break;
    if (hi >= top) return { scale: null, badDebt: null, badDebtBelow: above.badDebt, evaluations, tolerance: 0, gridStep: step };
    lo = hi;
    atLo = above.badDebt;
  }
  while (hi - lo > REVERSE_TOLERANCE * hi) {
    const mid = 0.5 * (lo + hi);
    const v = f(mid);
    if (v.badDebt > thresholdUsd) {
      hi = mid;
      above = v;
    } else {
      lo = mid;
      atLo = v.badDebt;
    }
  }
  return { scale: hi, badDebt: whole(hi, above), badDebtBelow: atLo, evaluations, tolerance: (hi - lo) / hi, gridStep: step };
}
