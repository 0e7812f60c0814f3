/**
 * Procyclicality of a margin series, the measures of Murphy, Vasios & Vause (2014), "An investigation into the
 * procyclicality of risk-based initial margin models", Bank of England Financial Stability Paper 29:
 * - peak-to-trough ratio: max(margin) / min(margin) over the period (+∞ when the minimum is 0 and the maximum is not;
 *   1 for an empty or all-zero series);
 * - the largest n-day increase: max over t of margin[t] / margin[t − n] − 1 (n = 1: the largest daily increase; the
 *   paper also reports n = 30), with the day it ends on; days from a zero margin are skipped (no ratio). With no
 *   n-day window to measure (a series of n days or fewer, or every window starting at zero) there is no such
 *   increase: ratio and amount null, not a made-up 0.
 * Days are the series' steps; money in any unit.
 */

export interface LargestIncrease {
  /** margin[day] / margin[day − n] − 1 (a fraction: 0.5 = +50%); 0 when the margin never rose; null: no n-day window. */
  ratio: number | null;
  /** margin[day] − margin[day − n], in the series' unit (0 when it never rose; null: no n-day window). */
  amount: number | null;
  /** The day the increase ends on (index); null when the margin never rose, or there is no n-day window. */
  day: number | null;
}

export interface Procyclicality {
  peakToTrough: number;
  largest1Day: LargestIncrease;
  largestNDay: LargestIncrease;
  /** The n of largestNDay. */
  n: number;
}

export function peakToTrough(margin: ArrayLike<number>): number {
  let lo = Infinity, hi = -Infinity;
  for (let t = 0; t < margin.length; t++) {
    lo = Math.min(lo, margin[t]);
    hi = Math.max(hi, margin[t]);
  }
  if (margin.length === 0 || hi === 0) return 1;
  return lo === 0 ? Infinity : hi / lo;
}

export function largestIncrease(margin: ArrayLike<number>, n: number): LargestIncrease {
  let best: LargestIncrease = { ratio: 0, amount: 0, day: null }, windows = 0;
  for (let t = n; t < margin.length; t++) {
    const from = margin[t - n];
    if (!(from > 0)) continue;
    windows++;
    const ratio = margin[t] / from - 1;
    if (ratio > (best.ratio as number)) best = { ratio, amount: margin[t] - from, day: t };
  }
  return windows > 0 ? best : { ratio: null, amount: null, day: null };
}

/** The three measures of one margin series (n = 30 by default for the n-day increase). */
export function procyclicality(margin: ArrayLike<number>, n = 30): Procyclicality {
  return { peakToTrough: peakToTrough(margin), largest1Day: largestIncrease(margin, 1), largestNDay: largestIncrease(margin, n), n };
}
