/**
 * A fixed set of strings looked up by their UTF-8 bytes: a plain Utf8 column of instrument ids is turned into
 * instrument rows without making a string per row (a book's positions are most of its rows, and their instrument
 * ids come from a few hundred names).
 */
import { hashOf } from './id-index.js';

const encoder = new TextEncoder();

export class ByteKeys {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly keyBytes: Uint8Array;
  private readonly keyStart: Int32Array;
  /** Key k's number. */
  private readonly values: Int32Array;

  /** The keys `index` maps to their numbers (each key's number is what a lookup of its bytes returns). */
  constructor(index: ReadonlyMap<string, number>) {
    const keys = [...index.keys()];
    const encoded = keys.map((k) => encoder.encode(k));
    this.keyStart = new Int32Array(keys.length + 1);
    encoded.forEach((bytes, k) => (this.keyStart[k + 1] = this.keyStart[k] + bytes.length));
    this.keyBytes = new Uint8Array(this.keyStart[keys.length]);
    encoded.forEach((bytes, k) => this.keyBytes.set(bytes, this.keyStart[k]));
    let size = 16;
    while (size < 2 * keys.length) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    encoded.forEach((bytes, k) => {
      let slot = hashOf(bytes, 0, bytes.length) & this.mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & this.mask;
      this.table[slot] = k;
    });
    this.values = Int32Array.from(keys, (k) => index.get(k) as number);
  }

  /** Each row's number (−1: not a key) for `length` rows whose bytes are [offsets[i], offsets[i + 1]) of `bytes`, into `out`. */
  rows(bytes: Uint8Array, offsets: Int32Array, length: number, out: Int32Array = new Int32Array(length)): Int32Array {
    const table = this.table, mask = this.mask;
    for (let i = 0; i < length; i++) {
      const start = offsets[i], end = offsets[i + 1];
      let found = -1;
      for (let slot = hashOf(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
        const k = table[slot];
        if (k < 0) break;
        if (this.equal(k, bytes, start, end)) {
          found = this.values[k];
          break;
        }
      }
      out[i] = found;
    }
    return out;
  }

  private equal(k: number, bytes: Uint8Array, start: number, end: number): boolean {
    const ks = this.keyStart[k], length = this.keyStart[k + 1] - ks;
    if (length !== end - start) return false;
    const keyBytes = this.keyBytes;
    for (let i = 0; i < length; i++) if (keyBytes[ks + i] !== bytes[start + i]) return false;
    return true;
  }
}
