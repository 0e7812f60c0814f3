/** Order statistics of the benchmarks' samples (ms or µs per call), one place for every bench file. */

/** The lower median: of an even count, the smaller of the two middle values. */
export function middle(values: readonly number[]): number {
  return sortedCopy(values)[Math.floor((values.length - 1) / 2)];
}

/** The value at fraction `q` (0 … 1) of the sorted samples (index ⌊q·n⌋, the last for q = 1). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = sortedCopy(values);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
