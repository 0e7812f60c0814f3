/**
 * Account ids seen so far, to find a repeated one: a hash table over the ids' UTF-8 bytes where they lie in the
 * Arrow buffers (a Map keyed by a million id strings costs more than the rest of reading the book), or, for ids not
 * stored as plain Utf8, a Map of the strings.
 */

export class IdIndex {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly firsts: number[] = [];
  private readonly bytes: Uint8Array[] = [];
  private readonly offsets: Int32Array[] = [];
  private readonly byString = new Map<string, number>();

  constructor(accounts: number) {
    let size = 16;
    while (size < 2 * accounts) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** The ids of the batch whose first account is `first`: UTF-8 `bytes`, row i at offsets [i, i + 1). */
  batch(first: number, bytes: Uint8Array, offsets: Int32Array): void {
    this.firsts.push(first);
    this.bytes.push(bytes);
    this.offsets.push(offsets);
  }

  /** Records account `a` (row `row` of the last batch); returns the index of an earlier account with its id, or −1. */
  add(a: number, row: number): number {
    const b = this.bytes.length - 1;
    const bytes = this.bytes[b], offsets = this.offsets[b];
    const start = offsets[row], end = offsets[row + 1];
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 16777619);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const other = this.table[slot];
      if (other < 0) {
        this.table[slot] = a;
        return -1;
      }
      if (this.equal(other, bytes, start, end)) return other;
    }
  }

  /** {@link add} for an id given as a string (ids not stored as plain Utf8). */
  addString(a: number, id: string): number {
    const earlier = this.byString.get(id);
    if (earlier !== undefined) return earlier;
    this.byString.set(id, a);
    return -1;
  }

  private equal(other: number, bytes: Uint8Array, start: number, end: number): boolean {
    let b = this.firsts.length - 1;
    while (this.firsts[b] > other) b--;
    const ob = this.bytes[b], oo = this.offsets[b], row = other - this.firsts[b];
    const os = oo[row], oe = oo[row + 1];
    if (oe - os !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (ob[os + i] !== bytes[start + i]) return false;
    return true;
  }
}
