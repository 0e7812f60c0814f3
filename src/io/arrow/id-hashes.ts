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
  private bytes: Uint8Array = new Uint8Array(0);
  private offsets: Int32Array = new Int32Array(1);
  private scratch: Uint8Array = new Uint8Array(256);
  /** The last id's hash (idHash writes it here). */
  private readonly pair: [number, number] = [0, 0];
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

  /** The ids of the batch read next: UTF-8 `bytes`, row i at offsets [i, i + 1) (kept only until the next batch). */
  batch(_first: number, bytes: Uint8Array, offsets: Int32Array): void {
    this.bytes = bytes;
    this.offsets = offsets;
  }

  /** Records row `row` of the last batch: −1 when its id is new, else {@link SUSPECT}. */
  add(_a: number, row: number): number {
    return this.insert(this.bytes, this.offsets[row], this.offsets[row + 1]);
  }

  /** {@link add} for an id given as a string (ids not stored as plain Utf8): its UTF-8 bytes hashed alike. */
  addString(_a: number, id: string): number {
    if (this.scratch.length < 3 * id.length) this.scratch = new Uint8Array(3 * id.length);
    const { written } = this.encoder.encodeInto(id, this.scratch);
    return this.insert(this.scratch, 0, written);
  }

  private insert(bytes: Uint8Array, start: number, end: number): number {
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    const [h, l] = idHash(bytes, start, end, this.pair);
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
 * A 64-bit hash of the bytes [start, end) as two 32-bit halves (FNV-1a and a multiply–rotate hash, each finished by
 * murmur3's mixer), never both 0 (the empty slot), written into `pair`.
 */
export function idHash(bytes: Uint8Array, start: number, end: number, pair: [number, number]): [number, number] {
  let a = 0x811c9dc5, b = 0x9747b28c ^ (end - start);
  for (let i = start; i < end; i++) {
    a = Math.imul(a ^ bytes[i], 16777619);
    b = Math.imul(b ^ bytes[i], 0x5bd1e995);
    b = (b << 13) | (b >>> 19);
  }
  pair[0] = mix(a);
  pair[1] = mix(b ^ a);
  if (pair[0] === 0 && pair[1] === 0) pair[1] = 1;
  return pair;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
