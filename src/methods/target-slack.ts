/**
 * The distance (USD) of an account, a position bucket or the rest of an isolated account from the level a
 * liquidation restores: the one formula behind every method's `liquidationSlack` and the liquidation trials.
 *
 * - `im`: equity for IM − IM.
 * - `mm-buffer`: equity − (1 + buffer)·R, where R = MM + (equity − equity for MM) is the maintenance requirement with
 *   the MM haircuts counted in it (what the MM weights take off collateral and add to borrowings). Written as
 *   equity for MM − MM·(1 + buffer) − buffer·haircuts, which is the same number and, with no haircut, the same bits
 *   as MM·(1 + buffer) alone.
 *
 * Why the haircuts: Drift adds its 2% buffer on every liability's value, spot borrowings included
 * (`MarginCalculation::add_margin_requirement(margin_requirement, liability_value)`), so an account that owes a
 * borrowing leaves liquidation with a cushion. A buffer on MM alone gives an account that only borrows (MM 0) no
 * cushion at all: it is sold back to exactly zero slack, and the price impact of its own sale puts it below again,
 * round after round of a cascade.
 */
import type { LiquidationTargetSpec } from './method.js';

export function targetSlack(target: LiquidationTargetSpec, equity: number, equityIm: number, equityMm: number, im: number, mm: number): number {
  if (target.kind === 'im') return equityIm - im;
  const haircuts = equity - equityMm;
  return equityMm - mm * (1 + target.buffer) - (haircuts > 0 ? target.buffer * haircuts : 0);
}
