/**
 * A Utf8 column's data from strings, written straight into one buffer (src/io/byte-text.ts: ASCII byte by byte, other
 * text by TextEncoder), each row's offset where its bytes end (apache-arrow's builder encodes each string on its own,
 * several times slower on a million rows).
 */
import type { Data, Utf8 } from 'apache-arrow';
import type { Arrow } from './load.js';
import { ByteText } from '../byte-text.js';

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

const encoder = new TextEncoder();

/**
 * The bytes of `values` when none is null and all are ASCII (ids usually are): their join encoded
 * in one call, each row's end offset its running length (one byte a character). Undefined otherwise.
 */
function asciiData(values: readonly (string | null | undefined)[], offsets: Int32Array): Uint8Array | undefined {
  // a column whose first row is not ASCII (status reasons with "≥") is not worth joining only to find it out
  const first = values[0];
  if (typeof first !== 'string' || !isAscii(first)) return undefined;
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') return undefined;
    offsets[i + 1] = end += v.length;
  }
  const joined = values.join('');
  const bytes = new Uint8Array(joined.length);
  const { read, written } = encoder.encodeInto(joined, bytes);
  // one byte per UTF-16 unit, every unit read: all ASCII (any other character takes two or more bytes)
  return read === joined.length && written === joined.length ? bytes : undefined;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
