import { statusOf } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarginOutputs } from './outputs.js';
import { STATUS_HEALTHY } from './status.js';

/**
 * Re-derives the status of accounts [first, last) after a method other than the rule-based ones has written its
 * own IM and MM into `out.im` / `out.mm`: equity and haircuts are shared by every method (the rule-based cross
 * kernel computes them), only the requirements differ. Same rule as the kernels'.
 */
export function restatus(layout: BookLayout, out: MarginOutputs, first = 0, last = layout.accountCount): void {
  const live = layout.live.array;
  const equity = out.equity.array, equityIm = out.equityIm.array, equityMm = out.equityMm.array;
  const im = out.im.array, mm = out.mm.array, status = out.status.array;
  for (let a = first; a < last; a++) {
    status[a] = live[a] !== 0 ? statusOf(equity[a], equityIm[a], equityMm[a], im[a], mm[a]) : STATUS_HEALTHY;
  }
}

/** {@link restatus} of the accounts in `list` (any order). */
export function restatusList(layout: BookLayout, out: MarginOutputs, list: ArrayLike<number>): void {
  const live = layout.live.array;
  const equity = out.equity.array, equityIm = out.equityIm.array, equityMm = out.equityMm.array;
  const im = out.im.array, mm = out.mm.array, status = out.status.array;
  for (let k = 0; k < list.length; k++) {
    const a = list[k];
    status[a] = live[a] !== 0 ? statusOf(equity[a], equityIm[a], equityMm[a], im[a], mm[a]) : STATUS_HEALTHY;
  }
}
