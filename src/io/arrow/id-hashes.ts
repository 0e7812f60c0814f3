/**
 * Account ids seen so far in a book read a chunk at a time, kept as 64-bit hashes only (8 bytes a slot, at most 3/4 of
 * the slots used: 11–21 bytes an account, 134 MB for 10,000,000 accounts), so a repeated id is found across chunks
 * without keeping the ids themselves past their chunk (id-index.ts keeps their bytes: 30–50 bytes an account). Two
 * ids with the same 64-bit hash are a repeat only maybe: `add` says SUSPECT, and the reader settles it exactly by
 * reading the ids of the book again up to that account (read-book.ts), which a true collision (about one book in
 * 300,000 at 10,000,000 accounts) or a real repeat (the book is refused anyway) costs; nothing else does.
 */
import type { AccountIds } from './id-index.js';

/** `add` found an earlier id with the same 64-bit hash: the same id, or (rarely) another with its hash. */
export const SUSPECT = -2;

/** The largest share of slots in use before the table doubles. */
const MAX_LOAD = 0.75;

export class IdHashes implements AccountIds {
  /** Slot s is its hash's two halves side by side, [2s] and [2s + 1] (both 0: empty): a probe reads one cache line. */
  private slots: Int32Array;
  private mask: number;
  private size = 0;
  /** The last batch's ids' hashes, row r's halves at [2r] and [2r + 1] (one pass before the probes: see `batch`). */
  private hashes: Int32Array = new Int32Array(0);
  private scratch: Uint8Array = new Uint8Array(256);
  private answers: Int32Array = new Int32Array(0);
  private readonly one = new Int32Array(2);
  private readonly encoder = new TextEncoder();

  /** `accounts`: how many ids are expected (the table grows past it). */
  constructor(accounts: number) {
    let slots = 16;
    while (slots * MAX_LOAD < accounts) slots *= 2;
    this.slots = new Int32Array(2 * slots);
    this.mask = slots - 1;
  }

  /** Bytes the table takes now. */
  get bytesUsed(): number {
    return this.slots.byteLength;
  }

  /**
   * The ids of the batch read next: UTF-8 `bytes`, row i at offsets [i, i + 1), hashed here in one pass. The probes
   * (`add`, one per account) then read only the table: apart from the hashing, their cache misses overlap.
   * perf: loop-alone (docs/performance.md): the batch's hashes and its probes, 0.4–0.6× hashing each id as it is added.
   */
  batch(_first: number, bytes: Uint8Array, offsets: Int32Array): void {
    const n = offsets.length - 1;
    if (this.hashes.length < 2 * n) this.hashes = new Int32Array(2 * n);
    const hashes = this.hashes;
    for (let i = 0; i < n; i++) idHash(bytes, offsets[i], offsets[i + 1], hashes, 2 * i);
  }

  /** Records row `row` of the last batch: −1 when its id is new, else {@link SUSPECT}. */
  add(_a: number, row: number): number {
    return this.insert(this.hashes[2 * row], this.hashes[2 * row + 1]);
  }

  /** Rows 0 … n − 1 of the last batch added, each one's answer at its row. perf: loop-alone (docs/performance.md). */
  addRows(_first: number, n: number): Int32Array {
    if (this.answers.length < n) this.answers = new Int32Array(n);
    const answers = this.answers, hashes = this.hashes;
    for (let row = 0; row < n; row++) answers[row] = this.insert(hashes[2 * row], hashes[2 * row + 1]);
    return answers;
  }

  /** {@link add} for an id given as a string (ids not stored as plain Utf8): its UTF-8 bytes hashed alike. */
  addString(_a: number, id: string): number {
    if (this.scratch.length < 3 * id.length) this.scratch = new Uint8Array(3 * id.length);
    const { written } = this.encoder.encodeInto(id, this.scratch);
    idHash(this.scratch, 0, written, this.one, 0);
    return this.insert(this.one[0], this.one[1]);
  }

  private insert(h: number, l: number): number {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const slots = this.slots, mask = this.mask;
    for (let slot = l & mask; ; slot = (slot + 1) & mask) {
      const sh = slots[2 * slot], sl = slots[2 * slot + 1];
      if (sh === 0 && sl === 0) {
        slots[2 * slot] = h;
        slots[2 * slot + 1] = l;
        this.size++;
        return -1;
      }
      if (sh === h && sl === l) return SUSPECT;
    }
  }

  /** Twice the slots, every hash placed again. */
  private grow(): void {
    const old = this.slots;
    const slots = (this.slots = new Int32Array(2 * old.length));
    const mask = (this.mask = (slots.length >> 1) - 1);
    for (let k = 0; k < old.length; k += 2) {
      const h = old[k], l = old[k + 1];
      if (h === 0 && l === 0) continue;
      let slot = l & mask;
      while (slots[2 * slot] !== 0 || slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = h;
      slots[2 * slot + 1] = l;
    }
  }
}

/**
 * A 64-bit hash of the bytes [start, end) as two 32-bit halves, written at out[at] and out[at + 1], never both 0 (the
 * empty slot). Four bytes a round (little-endian), two lanes of multiply–rotate with their own constants and seeds
 * (the length in one), each finished by murmur3's mixer: about a third of the time of a byte a round. Only this
 * process's tables read it (a repeat found is settled exactly, read-book.ts), so it may change from version to version.
 */
export function idHash(bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number): void {
  let a = 0x811c9dc5 ^ (end - start), b = 0x9747b28c;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    a = Math.imul(a ^ word, 0x9e3779b1);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ word, 0x85ebca77);
    b = (b << 13) | (b >>> 19);
  }
  let tail = 0;
  for (let shift = 0; i < end; i++, shift += 8) tail |= bytes[i] << shift;
  a = Math.imul(a ^ tail, 0x9e3779b1);
  b = Math.imul(b ^ tail, 0x85ebca77);
  const h = mix(a), l = mix(b ^ a);
  out[at] = h;
  out[at + 1] = h === 0 && l === 0 ? 1 : l;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
