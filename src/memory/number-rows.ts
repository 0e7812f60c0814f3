/**
 * Rows of a fixed number of figures kept in one growing Float64Array (a liquidation plan's rows, a table's kept lines):
 * no object per row in the JS heap.
 */
import { ArrayLease } from './array-lease.js';

/** Rows of `stride` numbers in one Float64Array, grown as rows are added. */
export class NumberRows {
  count = 0;
  values: Float64Array;

  /**
   * `expected`: rows the run expects (the first buffer holds that many, at least a few; none before the first row when
   * 0: a new buffer costs about a microsecond, and a plan made to be replaced never adds one). `lease`: where the buffers are
   * lent from, for rows that are not read after the lease is released (src/memory/array-lease.ts); cleared as new ones are.
   */
  constructor(readonly stride: number, expected: number, private readonly lease = new ArrayLease(), first?: Float64Array) {
    this.values = first ?? lease.f64(firstLength(stride, expected), true);
  }

  /**
   * Rows of each stride, `expected[k]` rows expected of the k-th, whose first buffers share one array (a new buffer
   * costs about a microsecond: a plan on one account makes three row sets); each grows into its own.
   */
  static sharing(strides: readonly number[], expected: readonly number[]): NumberRows[] {
    const lengths = strides.map((stride, k) => firstLength(stride, expected[k]));
    const all = new Float64Array(lengths.reduce((x, y) => x + y, 0));
    let at = 0;
    return strides.map((stride, k) => new NumberRows(stride, expected[k], undefined, all.subarray(at, (at += lengths[k]))));
  }

  /** Room for `rows` more rows, exactly (no doubling past them): rows whose number is known before they are added. */
  reserve(rows: number): void {
    const want = (this.count + rows) * this.stride;
    if (want <= this.values.length) return;
    const grown = this.lease.f64(want, true);
    grown.set(this.values);
    this.lease.drop(this.values);
    this.values = grown;
  }

  /** Makes room for one more row; returns the offset of its first value (in {@link values}, read after this call). */
  add(): number {
    const at = this.count * this.stride;
    if (at + this.stride > this.values.length) {
      const grown = this.lease.f64(Math.max(2 * this.values.length, 4 * this.stride), true);
      grown.set(this.values);
      this.lease.drop(this.values); // outgrown: the collector's, not held to the run's end
      this.values = grown;
    }
    this.count++;
    return at;
  }
}

/** The first buffer's length of rows of `stride`, `expected` rows expected: that many, at least a few; none for 0. */
function firstLength(stride: number, expected: number): number {
  return expected > 0 ? stride * Math.max(expected, 4) : 0;
}
