/**
 * The location adjustment inside a margin run: called by the session right after each rule-based kernel call
 * (every method calls that kernel first in run and remargin), on the accounts that call margined, then the status
 * of the adjusted accounts is derived again from the adjusted equities (a method that writes its own IM and MM
 * derives it once more after).
 */
import type { MarginColumnName } from '../kernels/abi.js';
import { marginViews } from '../margin/outputs.js';
import type { Column } from '../memory/columns.js';
import type { LocationAdjuster } from './adjust.js';

export function adjustLocations(
  adjuster: LocationAdjuster,
  columns: Record<MarginColumnName, Column>,
  vol: Float64Array,
  accounts: { first: number; last: number } | { list: Int32Array } | undefined,
  restatusList: (list: Int32Array) => void,
): void {
  const c = marginViews(columns);
  const changed: number[] = [];
  const visit = (a: number) => {
    if (adjuster.adjust(a, c, c, vol)) changed.push(a);
  };
  if (accounts && 'list' in accounts) for (const a of accounts.list) visit(a);
  else {
    const first = accounts ? accounts.first : 0, last = accounts ? accounts.last : Infinity;
    for (const a of adjuster.accounts) if (a >= first && a < last) visit(a);
  }
  if (changed.length > 0) restatusList(Int32Array.from(changed));
}
