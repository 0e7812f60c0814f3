/**
 * The book's instrument ids as the accounts scanner looks them up (scan.ts and its WASM twin): an open-addressing
 * table over their UTF-8 bytes, FNV-1a hashed (src/io/arrow/id-index.ts `hashOf`), so a position's instrument row is
 * found where its bytes are read, without a string.
 */
import { hashOf } from '../arrow/id-index.js';

export interface ScanKeys {
  /** Slot → key index, −1 empty; `mask` = slots − 1. */
  table: Int32Array;
  mask: number;
  /** Key k's bytes are keyBytes[keyStart[k], keyStart[k + 1]). */
  keyStart: Int32Array;
  keyBytes: Uint8Array;
  /** Key k's instrument row. */
  rows: Int32Array;
}

const encoder = new TextEncoder();

export function scanKeys(indexById: ReadonlyMap<string, number>): ScanKeys {
  const ids = [...indexById.keys()];
  const encoded = ids.map((id) => encoder.encode(id));
  const keyStart = new Int32Array(ids.length + 1);
  encoded.forEach((bytes, k) => (keyStart[k + 1] = keyStart[k] + bytes.length));
  const keyBytes = new Uint8Array(Math.max(1, keyStart[ids.length]));
  encoded.forEach((bytes, k) => keyBytes.set(bytes, keyStart[k]));
  let size = 16;
  while (size < 2 * ids.length) size *= 2;
  const table = new Int32Array(size).fill(-1);
  encoded.forEach((bytes, k) => {
    let slot = hashOf(bytes, 0, bytes.length) & (size - 1);
    while (table[slot] >= 0) slot = (slot + 1) & (size - 1);
    table[slot] = k;
  });
  return { table, mask: size - 1, keyStart, keyBytes, rows: Int32Array.from(ids, (id) => indexById.get(id) as number) };
}

/** The row of the key whose bytes are text[start, end), or −1 (the scanners' lookup, in JS). */
export function keyRow(keys: ScanKeys, text: Uint8Array, start: number, end: number): number {
  const { table, mask, keyStart, keyBytes } = keys;
  for (let slot = hashOf(text, start, end) & mask; ; slot = (slot + 1) & mask) {
    const k = table[slot];
    if (k < 0) return -1;
    const ks = keyStart[k], n = keyStart[k + 1] - ks;
    if (n !== end - start) continue;
    let same = true;
    for (let c = 0; c < n && same; c++) same = keyBytes[ks + c] === text[start + c];
    if (same) return keys.rows[k];
  }
}
