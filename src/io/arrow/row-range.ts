/**
 * Rows [from, to) of a run of record batches, as record batches whose columns keep their whole buffers and start at
 * `from` through their Data's `offset` (a list column's offsets into its items stay absolute; a validity bitmap is
 * read at offset + row). The book's readers take every index through `offset` (columns.ts), so they read the same
 * values. apache-arrow's own `slice` will not do: it cuts a column's value offsets and values to the slice *and* sets
 * the offset, which a reader taking indices through the offset would then apply twice. A batch wholly inside the range
 * is returned as it is.
 */
import type { Data, RecordBatch } from 'apache-arrow';

export function rowRange(batches: readonly RecordBatch[], from: number, to: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  let start = 0;
  for (const batch of batches) {
    const end = start + batch.numRows;
    const lo = Math.max(from, start), hi = Math.min(to, end);
    if (lo < hi) out.push(lo === start && hi === end ? batch : rowsOf(batch, lo - start, hi - start));
    start = end;
  }
  return out;
}

/** Rows [from, to) of one batch (see {@link rowRange}). */
function rowsOf(batch: RecordBatch, from: number, to: number): RecordBatch {
  const length = to - from, struct = batch.data;
  // a column with no nulls has none in its rows; else its count is left for Arrow to take from the bitmap at the offset
  const children = struct.children.map((c: Data) => c.clone(c.type, c.offset + from, length, c.nullCount === 0 ? 0 : -1));
  const RecordBatchOf = batch.constructor as new (schema: RecordBatch['schema'], data: Data) => RecordBatch;
  return new RecordBatchOf(batch.schema, struct.clone(struct.type, struct.offset, length, 0, undefined, children));
}
