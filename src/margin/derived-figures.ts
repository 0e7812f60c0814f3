/**
 * The summary figures a row derives from its others (health, excess over MM, efficiency), in one place: the report
 * builder computes them with these functions and a compact block of rows (summary-rows.ts: what a shard sends its
 * coordinator, without them) recomputes them with the same functions on the same doubles, so they have the same bits.
 */

/**
 * The smallest requirement health and efficiency divide by (USD): a requirement below a trillionth of a dollar counts
 * as that much. Such a requirement comes from an option worth almost nothing (a short call a hundred standard
 * deviations out of the money is valued at 6e-313 USD), and dividing by it overflows to ±∞; the floor keeps the ratio
 * finite (at most 1e15 × 1e12 within the domain) and leaves every status as it is.
 */
export const RATIO_FLOOR_USD = 1e-12;

/**
 * equityMm / mm, mm at least {@link RATIO_FLOOR_USD}; with no maintenance margin, +∞ while equityMm ≥ 0 and −∞ below
 * (a borrowing-only account underwater); NaN (no figure) for an account in error, whose figures are NaN.
 */
export function healthOf(equityMm: number, mm: number): number {
  if (mm > 0) return equityMm / (mm > RATIO_FLOOR_USD ? mm : RATIO_FLOOR_USD);
  if (mm !== 0 || equityMm !== equityMm) return NaN;
  return equityMm >= 0 ? Infinity : -Infinity;
}

/** USD of maintenance-margin equity above the maintenance margin (negative below it). */
export function excessOverMmOf(equityMm: number, mm: number): number {
  return equityMm - mm;
}

/** Gross notional per USD of initial margin (im at least {@link RATIO_FLOOR_USD}); +∞ with no initial margin; NaN in error. */
export function efficiencyOf(grossNotional: number, im: number): number {
  if (im > 0) return grossNotional / (im > RATIO_FLOOR_USD ? im : RATIO_FLOOR_USD);
  return im === 0 && grossNotional === grossNotional ? Infinity : NaN;
}
