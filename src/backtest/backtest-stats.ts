/**
 * Backtest statistics of a margin model: did its breaches (days when the next period's loss exceeded the margin)
 * come as often as its confidence level says, and independently of each other?
 *
 * - Kupiec (1995) proportion of failures: LR_pof = −2·ln[(1 − p)^(n − x)·p^x] + 2·ln[(1 − x/n)^(n − x)·(x/n)^x],
 *   χ²(1) under the null (n days, x breaches, p the expected breach rate, e.g. 1 − 0.99);
 * - Christoffersen (1998) independence, from the day-to-day transitions n_ij (state i then j; 1 = breach):
 *   π01 = n01/(n00 + n01), π11 = n11/(n10 + n11), π = (n01 + n11)/(n00 + n01 + n10 + n11),
 *   LR_ind = −2·ln[(1 − π)^(n00 + n10)·π^(n01 + n11)] + 2·ln[(1 − π01)^n00·π01^n01·(1 − π11)^n10·π11^n11], χ²(1);
 * - conditional coverage: LR_cc = LR_pof + LR_ind, χ²(2).
 * Convention: 0·ln 0 = 0 (a count of zero contributes nothing), so no breach, all breaches and empty transition rows
 * give finite statistics. p-values: χ²(1) survival 2·N(−√x) (the library's accurate normal tail), χ²(2) e^(−x/2).
 */
import { normCdf } from '../kernels/js/normal.js';
import { exp, ln } from '../dynamic/math.js';

export interface Transitions {
  n00: number;
  n01: number;
  n10: number;
  n11: number;
}

export interface CoverageTest {
  days: number;
  breaches: number;
  /** Expected breach rate p (e.g. 0.01 for a 99% margin). */
  expectedRate: number;
  kupiec: { lr: number; pValue: number };
  christoffersen: { lr: number; pValue: number; transitions: Transitions };
  conditionalCoverage: { lr: number; pValue: number };
}

/** n·ln(q), with 0·ln 0 = 0. */
function nLog(n: number, q: number): number {
  return n === 0 ? 0 : n * ln(q);
}

/** P(X > x) for X ~ χ²(1). */
export function chiSquare1Survival(x: number): number {
  return x <= 0 ? 1 : 2 * normCdf(-Math.sqrt(x));
}

/** P(X > x) for X ~ χ²(2). */
export function chiSquare2Survival(x: number): number {
  return x <= 0 ? 1 : exp(-x / 2);
}

/** Kupiec's LR_pof for x breaches in n days at expected rate p (0 < p < 1). */
export function kupiecLr(n: number, x: number, p: number): number {
  const observed = x / n;
  const lr = -2 * (nLog(n - x, 1 - p) + nLog(x, p)) + 2 * (nLog(n - x, 1 - observed) + nLog(x, observed));
  return Math.max(0, lr); // ≥ 0 by construction; rounding can leave −1e-15
}

/** Day-to-day transitions of a breach sequence (true = breach). */
export function transitionsOf(breaches: ArrayLike<boolean>): Transitions {
  const t: Transitions = { n00: 0, n01: 0, n10: 0, n11: 0 };
  for (let k = 1; k < breaches.length; k++) {
    if (breaches[k - 1]) breaches[k] ? t.n11++ : t.n10++;
    else breaches[k] ? t.n01++ : t.n00++;
  }
  return t;
}

/** Christoffersen's LR_ind from the transitions. */
export function christoffersenLr(t: Transitions): number {
  const { n00, n01, n10, n11 } = t;
  const total = n00 + n01 + n10 + n11;
  if (total === 0) return 0;
  const pi = (n01 + n11) / total;
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const restricted = nLog(n00 + n10, 1 - pi) + nLog(n01 + n11, pi);
  const unrestricted = nLog(n00, 1 - pi01) + nLog(n01, pi01) + nLog(n10, 1 - pi11) + nLog(n11, pi11);
  return Math.max(0, -2 * restricted + 2 * unrestricted);
}

/** The three tests on a breach sequence at expected breach rate p (RangeError for p outside (0, 1) or no days). */
export function coverageTest(breaches: ArrayLike<boolean>, expectedRate: number): CoverageTest {
  let x = 0;
  for (let k = 0; k < breaches.length; k++) if (breaches[k]) x++;
  return coverageFromCounts(breaches.length, x, transitionsOf(breaches), expectedRate);
}

/**
 * The three tests from counts: n observations, x breaches and the day-to-day transitions. Several independent
 * sequences (the accounts of a book) pool by adding their counts and transitions: the pooled likelihoods are the
 * products of theirs under one breach rate.
 */
export function coverageFromCounts(days: number, x: number, transitions: Transitions, expectedRate: number): CoverageTest {
  if (!(expectedRate > 0 && expectedRate < 1)) throw new RangeError(`the expected breach rate must be in (0, 1), got ${expectedRate}`);
  if (days === 0) throw new RangeError('no days to test');
  const pof = kupiecLr(days, x, expectedRate);
  const ind = christoffersenLr(transitions);
  return {
    days, breaches: x, expectedRate,
    kupiec: { lr: pof, pValue: chiSquare1Survival(pof) },
    christoffersen: { lr: ind, pValue: chiSquare1Survival(ind), transitions },
    conditionalCoverage: { lr: pof + ind, pValue: chiSquare2Survival(pof + ind) },
  };
}
