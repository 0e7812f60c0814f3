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
  /** keyBytes read a word at a time. */
  keyView: DataView;
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
  const keyView = new DataView(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength);
  return { table, mask: size - 1, keyStart, keyBytes, keyView, rows: Int32Array.from(ids, (id) => indexById.get(id) as number) };
}

/**
 * The row of the key whose bytes are text[start, end) and whose FNV-1a hash is `hash` (hashOf: the JS scanner computes
 * it as it reads the string), or −1: the scanners' lookup in JS. Bytes are compared four at a time (`view`: a DataView
 * of `text`'s memory).
 */
export function keyRow(keys: ScanKeys, text: Uint8Array, view: DataView, start: number, end: number, hash: number): number {
  const { table, mask, keyStart, keyBytes, keyView, rows } = keys;
  const n = end - start;
  for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
    const key = table[slot];
    if (key < 0) return -1;
    const ks = keyStart[key];
    if (keyStart[key + 1] - ks !== n) continue;
    let c = 0;
    while (c + 4 <= n && keyView.getInt32(ks + c, true) === view.getInt32(start + c, true)) c += 4;
    if (c + 4 <= n) continue;
    while (c < n && keyBytes[ks + c] === text[start + c]) c++;
    if (c === n) return rows[key];
  }
}
