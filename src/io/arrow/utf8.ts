/**
 * A Utf8 column's data from strings, in one encode: the strings joined and encoded once, their offsets from their
 * UTF-8 lengths (apache-arrow's builder encodes each string on its own, several times slower on a million rows).
 */
import type { Data, Utf8 } from 'apache-arrow';
import type { Arrow } from './load.js';

const encoder = new TextEncoder();

/** UTF-8 bytes of `s` as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The column of `values` (null: a null row). */
export function utf8Data(A: Arrow, values: readonly (string | null | undefined)[]): Data<Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const parts: string[] = [];
  let total = 0, nulls = 0;
  let bitmap: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      if (!bitmap) bitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
      bitmap[i >> 3] &= ~(1 << (i & 7));
      nulls++;
    } else {
      parts.push(v);
      total += utf8Length(v);
    }
    offsets[i + 1] = total;
  }
  const data = encoder.encode(parts.join(''));
  if (data.length !== total) throw new Error(`margin-core: ${total} UTF-8 bytes expected, ${data.length} encoded`);
  return A.makeData({ type: new A.Utf8(), length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data });
}
