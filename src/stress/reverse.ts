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
 * What the search asks next: the cascades at `lambdas`, stopped once their bad debt exceeds `stopAbove` (when given).
 * The search's answer is the same whatever order or threads they run on.
 */
export interface ProbeBatch {
  lambdas: number[];
  stopAbove?: number | undefined;
}

/** The search as a sequence of batches of probes: yields a batch, is given the batch's results in its order. */
export type ReverseProbes = Generator<ProbeBatch, ReverseSearch, readonly BadDebtAt[]>;

/**
 * Finds λ with badDebt(λ) > threshold, the first such grid point refined against the one below it (badDebt there ≤
 * threshold). A probe only asks whether the threshold is crossed, so its cascade stops once it is (the rounds after
 * the crossing cannot bring bad debt back below it); the answer's bad debt is then taken from its whole cascade, run
 * once more. `evaluations` counts the multiples on the search's path.
 *
 * `width` probes may run at once (worker threads): the scan then asks for `width` grid points at a time, and each
 * bisection step for the midpoint and the next `width` − 1 midpoints along the side the bad debt's linear
 * interpolation between the bracket's ends expects. Results are read in order and a probe off the path is dropped, so
 * the answer, its bits and `evaluations` are those of width 1: only the cascades run (and the time) change.
 */
export function* reverseProbes(steps: readonly ShockStep[], thresholdUsd: number, width = 1): ReverseProbes {
  const most = Math.max(1, Math.floor(width));
  let evaluations = 0;
  const wholeAt = function* (lambda: number, at: BadDebtAt): Generator<ProbeBatch, number, readonly BadDebtAt[]> {
    if (at.whole) return at.badDebt;
    return (yield { lambdas: [lambda] })[0].badDebt;
  };
  const top = largestScale(steps);
  const step = gridStep(steps, top);
  // lo, atLo: the last grid point (then bisection point) at or below the threshold (a whole cascade: it never
  // stops below); hi, above: the first above it. Grid point 0 is the unshocked book.
  let lo = 0, atLo = 0, hi = 0, above: BadDebtAt = { badDebt: 0, whole: true };
  scan: for (let k = 0; ; k += most) {
    const lambdas: number[] = [];
    for (let j = 0; j < most; j++) {
      lambdas.push(Math.min((k + j) * step, top));
      if (lambdas[j] >= top) break;
    }
    const got = yield { lambdas, stopAbove: thresholdUsd };
    for (let j = 0; j < lambdas.length; j++) {
      evaluations++;
      hi = lambdas[j];
      above = got[j];
      if (above.badDebt > thresholdUsd) break scan;
      if (hi >= top) return { scale: null, badDebt: null, badDebtBelow: above.badDebt, evaluations, tolerance: 0, gridStep: step };
      lo = hi;
      atLo = above.badDebt;
    }
  }
  if (hi === 0) {
    const badDebt = yield* wholeAt(0, above);
    return { scale: 0, badDebt, badDebtBelow: badDebt, evaluations, tolerance: 0, gridStep: step };
  }
  const open = (l: number, h: number) => h - l > REVERSE_TOLERANCE * h;
  while (open(lo, hi)) {
    // the bisection's next midpoints if the crossing is where the bad debt's line between the ends crosses
    const guess = lo + ((thresholdUsd - atLo) / (above.badDebt - atLo)) * (hi - lo);
    const lambdas: number[] = [];
    for (let l = lo, h = hi; lambdas.length < most && open(l, h); ) {
      const mid = 0.5 * (l + h);
      lambdas.push(mid);
      if (guess <= mid) h = mid;
      else l = mid;
    }
    const got = yield { lambdas, stopAbove: thresholdUsd };
    for (let j = 0; j < lambdas.length; j++) {
      if (lambdas[j] !== 0.5 * (lo + hi)) break; // off the path: an earlier probe went the other way
      evaluations++;
      const v = got[j];
      if (v.badDebt > thresholdUsd) {
        hi = lambdas[j];
        above = v;
      } else {
        lo = lambdas[j];
        atLo = v.badDebt;
      }
    }
  }
  const badDebt = yield* wholeAt(hi, above);
  return { scale: hi, badDebt, badDebtBelow: atLo, evaluations, tolerance: (hi - lo) / hi, gridStep: step };
}

/** {@link reverseProbes} one probe at a time on this thread: `badDebtAt` runs one cascade from the unshocked book. */
export function reverseSearch(steps: readonly ShockStep[], thresholdUsd: number, badDebtAt: (lambda: number, stopAbove?: number) => BadDebtAt): ReverseSearch {
  const probes = reverseProbes(steps, thresholdUsd);
  for (let next = probes.next(); ; ) {
    if (next.done) return next.value;
    const batch = next.value;
    next = probes.next(batch.lambdas.map((lambda) => badDebtAt(lambda, batch.stopAbove)));
  }
}

/** {@link reverseProbes} with `width` probes at a time, run by `probe` (worker threads): the same answer, bits and evaluations. */
export async function reverseSearchBatched(steps: readonly ShockStep[], thresholdUsd: number, width: number, probe: (batch: ProbeBatch) => Promise<readonly BadDebtAt[]>): Promise<ReverseSearch> {
  const probes = reverseProbes(steps, thresholdUsd, width);
  for (let next = probes.next(); ; ) {
    if (next.done) return next.value;
    next = probes.next(await probe(next.value));
  }
}
