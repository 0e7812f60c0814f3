import { Column, type ColumnType } from '../memory/columns.js';

/**
 * A column of `length` elements holding the first `keep` elements of `column`, which is released.
 * Allocate-then-copy: the new reservation may grow linear memory, and `array` re-derives both views.
 */
export function resizeColumn<K extends ColumnType>(column: Column<K>, length: number, keep: number): Column<K> {
  const next = Column.allocate(column.allocator, column.type, length);
  const count = Math.min(keep, length, column.length);
  (next.array as Float64Array).set((column.array as Float64Array).subarray(0, count));
  column.release();
  return next;
}

/** Next capacity when `needed` elements no longer fit in `capacity`: at least double, for amortised O(1) appends. */
export function grownCapacity(capacity: number, needed: number): number {
  return Math.max(needed, capacity * 2, 16);
}
