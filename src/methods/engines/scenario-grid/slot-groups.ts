/**
 * An account's portfolio slots ordered by underlying and cut into one group per underlying: the order a re-margined
 * account and a master's pool build their groups in, and the one a whole book's run writes by a counting sort
 * (book-groups.ts), so their reductions have the same bits.
 */

/**
 * Slots [from, to), sorted by underlying, cut into one group per underlying: groups `g`, `g + 1`, … get their first
 * slot, end and underlying. Returns the next free group index.
 */
export function markGroups(from: number, to: number, underlying: Int32Array, groupStart: Int32Array, groupEnd: Int32Array, groupUnderlying: Int32Array, g: number): number {
  for (let k = from; k < to; k++) {
    if (k === from || underlying[k] !== underlying[k - 1]) {
      if (k !== from) groupEnd[g - 1] = k;
      groupStart[g] = k;
      groupUnderlying[g++] = underlying[k];
    }
  }
  if (to > from) groupEnd[g - 1] = to;
  return g;
}

/** Stable insertion sort of slots [from, to) by underlying (accounts hold a handful of slots). */
export function sortByUnderlying(from: number, to: number, u: Int32Array, row: Int32Array, scale: Float64Array, source: Int32Array): void {
  for (let k = from + 1; k < to; k++) {
    const ku = u[k], kr = row[k], ks = scale[k], kso = source[k];
    let j = k - 1;
    while (j >= from && u[j] > ku) {
      u[j + 1] = u[j];
      row[j + 1] = row[j];
      scale[j + 1] = scale[j];
      source[j + 1] = source[j];
      j--;
    }
    u[j + 1] = ku;
    row[j + 1] = kr;
    scale[j + 1] = ks;
    source[j + 1] = kso;
  }
}
