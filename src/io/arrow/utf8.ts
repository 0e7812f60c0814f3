/**
 * A Utf8 column's data from strings, written straight into one buffer (a byte per character when every row is ASCII,
 * else by src/io/byte-text.ts), each row's offset where its bytes end (apache-arrow's builder encodes each string on
 * its own, several times slower on a million rows).
 */
import type { Data, Utf8 } from 'apache-arrow';
import type { Arrow } from './load.js';
import { ByteText } from '../byte-text.js';
import type { IdText } from '../../model/book-columns.js';

/** The column of `values` (null: a null row). */
export function utf8Data(A: Arrow, values: readonly (string | null | undefined)[]): Data<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const ascii = asciiData(values, offsets);
  if (ascii) return A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: ascii });
  const out = new ByteText(Math.max(64, 16 * n));
  let nulls = 0;
  let bitmap: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      if (!bitmap) bitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
      bitmap[i >> 3] &= ~(1 << (i & 7));
      nulls++;
    } else out.utf8(v);
    offsets[i + 1] = out.length;
  }
  return A.makeData({ type: new A.Utf8(), length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data: out.take() });
}

/**
 * Rows [from, to) of text already in bytes (src/model/book-columns.ts IdText: a layout's ids as read, its own copy,
 * never written) as a Utf8 column: its offsets from 0, its bytes a view.
 */
export function textData(A: Arrow, text: IdText, from: number, to: number): Data<Utf8> {
  const n = to - from, start = text.offsets[from], offsets = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) offsets[i] = text.offsets[from + i] - start;
  return A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: text.bytes.subarray(start, text.offsets[to]) });
}

/**
 * The bytes of `values` when none is null and all are ASCII (ids usually are), a byte per character, each row's end
 * offset its running length; undefined (at the first other character) otherwise. A loop over the characters copies
 * them faster than joining the strings and encoding the join.
 */
function asciiData(values: readonly (string | null | undefined)[], offsets: Int32Array): Uint8Array | undefined {
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') return undefined;
    offsets[i + 1] = end += v.length;
  }
  const bytes = new Uint8Array(end);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    for (let j = 0; j < v.length; j++) {
      const c = v.charCodeAt(j);
      if (c >= 0x80) return undefined;
      bytes[at++] = c;
    }
  }
  return bytes;
}
