/**
 * The master kept at IM and MM by the allocation it gives (docs/subaccounts.md): the programme's Σ x ≤ F and
 * Σ w·x ≤ G hold the master's requirement fixed, which the rule-based methods do; a method that nets the master's
 * collateral against its positions (portfolio, var, span: a coin hedging a short) charges it more once the coin
 * leaves. The master is re-margined with the transfers made; short of IM or MM, the allocation is solved again on a
 * smaller share of F and G, the largest that keeps it (bisection).
 */
import { allocateCollateral, type AllocationProblem, type AllocationResult } from './allocate.js';
import type { LpSolver } from './highs.js';

/** The master's figures after a set of transfers: what {@link keptMaster} checks. */
export interface MasterAfter {
  equityIm: number;
  im: number;
  equityMm: number;
  mm: number;
}

/** Bisection steps on the share of F and G (2^-30 of it: below any transfer's rounding). */
const SHARE_STEPS = 30;

/**
 * The allocation of `problem`, its transfers shrunk (by solving on a share of F and G) until `marginAfter` of them
 * leaves the master at IM and MM, a rounding of its size allowed; the share used is in `problem`'s returned F and G.
 */
export function allocateKeepingMaster(highs: LpSolver, problem: AllocationProblem, marginAfter: (transfers: AllocationResult['transfers']) => MasterAfter): { result: AllocationResult; problem: AllocationProblem } {
  const at = (share: number): AllocationProblem => share === 1 ? problem : { ...problem, freeUsd: problem.freeUsd * share, ...(problem.freeMmUsd !== undefined ? { freeMmUsd: problem.freeMmUsd * share } : {}) };
  const whole = allocateCollateral(highs, problem);
  if (whole.transfers.length === 0 || keeps(marginAfter(whole.transfers))) return { result: whole, problem };
  let low = 0, high = 1, best: AllocationResult | null = null;
  for (let k = 0; k < SHARE_STEPS; k++) {
    const mid = (low + high) / 2, result = allocateCollateral(highs, at(mid));
    if (result.transfers.length === 0 || keeps(marginAfter(result.transfers))) {
      low = mid;
      best = result;
    } else high = mid;
  }
  return best === null ? { result: allocateCollateral(highs, at(0)), problem: at(0) } : { result: best, problem: at(low) };
}

/**
 * At IM and MM, with nothing below allowed: a live session refuses a transfer that leaves the master an amount below
 * IM however small (2.7e-5 USD below on 14,554 had been allowed as rounding, and the second transfer was refused).
 */
function keeps(f: MasterAfter): boolean {
  return f.equityIm >= f.im && f.equityMm >= f.mm;
}
