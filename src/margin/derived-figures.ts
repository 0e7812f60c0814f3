/**
 * The summary figures a row derives from its others (health, excess over MM, efficiency), in one place: the report
 * builder computes them with these functions and a compact block of rows (summary-rows.ts: what a shard sends its
 * coordinator, without them) recomputes them with the same functions on the same doubles, so they have the same bits.
 */

/** equityMm / mm; with no maintenance margin, +∞ while equityMm ≥ 0 and −∞ below (a borrowing-only account underwater). */
export function healthOf(equityMm: number, mm: number): number {
  if (mm > 0) return equityMm / mm;
  return equityMm >= 0 ? Infinity : -Infinity;
}

/** USD of maintenance-margin equity above the maintenance margin (negative below it). */
export function excessOverMmOf(equityMm: number, mm: number): number {
  return equityMm - mm;
}

/** Gross notional per USD of initial margin; +∞ with no initial margin. */
export function efficiencyOf(grossNotional: number, im: number): number {
  return im > 0 ? grossNotional / im : Infinity;
}
