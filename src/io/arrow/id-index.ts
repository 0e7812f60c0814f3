/**
 * Account ids seen so far, to find a repeated one: a hash table over the ids' UTF-8 bytes (a Map keyed by a million id
 * strings costs more than the rest of reading the book), or, for ids not stored as plain Utf8, a Map of the strings.
 * Each batch's id bytes are copied out of the Arrow buffers (a few bytes per account), so a chunk's record batches can
 * be dropped once read; the table grows with the ids, so it needs no count up front.
 */

/** The ids of a book's accounts as they are read (a repeat is a problem): id-index.ts exact, id-hashes.ts compact. */
export interface AccountIds {
  /** The ids of the batch whose first account is `first`: UTF-8 `bytes`, row i at offsets [i, i + 1). */
  batch(first: number, bytes: Uint8Array, offsets: Int32Array): void;
  /** Records account `a` (row `row` of the last batch): −1 when its id is new, else the earlier account's index (or SUSPECT, id-hashes.ts). */
  add(a: number, row: number): number;
  /** {@link add} for an id given as a string (ids not stored as plain Utf8). */
  addString(a: number, id: string): number;
  /** {@link add} of rows 0 … n − 1 of the last batch (accounts first … first + n − 1), each one's answer at its row (valid until the next call). */
  addRows(first: number, n: number): Int32Array;
}

export class IdIndex implements AccountIds {
  private table: Int32Array;
  /** The hash of the id in each used slot (placing the ids again when the table grows needs no pass over their bytes). */
  private hashes: Int32Array;
  private mask: number;
  private size = 0;
  private readonly firsts: number[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly offsets: Int32Array[] = [];
  private readonly byString = new Map<string, number>();

  /** `accounts`: how many ids are expected (the table grows past it). */
  constructor(accounts: number) {
    let size = 16;
    while (size < 2 * accounts) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The ids of the batch whose first account is `first`: UTF-8 `bytes`, row i at offsets [i, i + 1). */
  batch(first: number, bytes: Uint8Array, offsets: Int32Array): void {
    const from = offsets[0], to = offsets[offsets.length - 1];
    this.firsts.push(first);
    this.bytes.push(bytes.slice(from, to));
    const own = new Int32Array(offsets.length);
    for (let i = 0; i < offsets.length; i++) own[i] = offsets[i] - from;
    this.offsets.push(own);
  }

  /** Records account `a` (row `row` of the last batch); returns the index of an earlier account with its id, or −1. */
  add(a: number, row: number): number {
    if (2 * (this.size + 1) > this.table.length) this.grow();
    const b = this.bytes.length - 1;
    const bytes = this.bytes[b], offsets = this.offsets[b];
    const start = offsets[row], end = offsets[row + 1];
    const hash = hashOf(bytes, start, end);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const other = this.table[slot];
      if (other < 0) {
        this.table[slot] = a;
        this.hashes[slot] = hash;
        this.size++;
        return -1;
      }
      if (this.hashes[slot] === hash && this.equal(other, bytes, start, end)) return other;
    }
  }

  addRows(first: number, n: number): Int32Array {
    const out = new Int32Array(n);
    for (let row = 0; row < n; row++) out[row] = this.add(first + row, row);
    return out;
  }

  /** {@link add} for an id given as a string (ids not stored as plain Utf8). */
  addString(a: number, id: string): number {
    const earlier = this.byString.get(id);
    if (earlier !== undefined) return earlier;
    this.byString.set(id, a);
    return -1;
  }

  /** Twice the slots, every id placed again. */
  private grow(): void {
    const old = this.table, oldHashes = this.hashes;
    this.table = new Int32Array(2 * old.length).fill(-1);
    this.hashes = new Int32Array(2 * old.length);
    this.mask = this.table.length - 1;
    for (let k = 0; k < old.length; k++) {
      if (old[k] < 0) continue;
      let slot = oldHashes[k] & this.mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & this.mask;
      this.table[slot] = old[k];
      this.hashes[slot] = oldHashes[k];
    }
  }

  /** The batch that holds account a: the last whose first account is at most a (binary search: a book may come in thousands of small batches). */
  private batchOf(a: number): number {
    let lo = 0, hi = this.firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firsts[mid] <= a) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private equal(other: number, bytes: Uint8Array, start: number, end: number): boolean {
    const b = this.batchOf(other), offsets = this.offsets[b], row = other - this.firsts[b];
    const ob = this.bytes[b], os = offsets[row], oe = offsets[row + 1];
    if (oe - os !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (ob[os + i] !== bytes[start + i]) return false;
    return true;
  }
}

/** FNV-1a's 32-bit offset basis and prime. */
export const FNV_OFFSET = 0x811c9dc5, FNV_PRIME = 16777619;

/** FNV-1a over the bytes [start, end). */
export function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h;
}
