/**
 * A shard's rows answered in parts: the worker margins the shard once, on the first part it is asked for, and sends
 * its rows part by part, so the coordinator merges the first parts while the worker still builds the next ones (and
 * the shard's per-instrument work, valuation and risk arrays, is done once, not once per part).
 */

/** Part `index` (0-based) of `count`. */
export interface RowPart {
  index: number;
  count: number;
}

/** Rows [from, to) of part `part` of `rows` rows (all of them without a part): ⌊rows·index / count⌋ onwards. */
export function partRange(rows: number, part: RowPart | undefined): [number, number] {
  if (!part) return [0, rows];
  return [Math.floor((rows * part.index) / part.count), Math.floor((rows * (part.index + 1)) / part.count)];
}
