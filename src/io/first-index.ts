/**
 * Each account id's first account, for a book read in chunks (src/io/book-stream.ts): what a Map<string, number> of the
 * ids answers, in an open-addressing table of FNV-1a hashes over the ids' code units. A Map keyed by a million fresh id
 * strings costs most of a second; this table, a tenth of that.
 */
export class FirstIndexById {
  private table = new Int32Array(1 << 12).fill(-1);
  /** The hash of each used slot's id (growing places the ids again without hashing them). */
  private hashes = new Int32Array(1 << 12);
  /** Entry k: an id and its first account. */
  private readonly ids: string[] = [];
  private readonly firsts: number[] = [];

  /** The first account with `id`, or undefined (ReadonlyMap's `get`: src/model/validate-masters.ts reads it so). */
  get(id: string): number | undefined {
    const mask = this.table.length - 1;
    for (let slot = hashString(id) & mask; ; slot = (slot + 1) & mask) {
      const k = this.table[slot];
      if (k < 0) return undefined;
      if (this.ids[k] === id) return this.firsts[k];
    }
  }

  /** The first account with `id`, or −1 after recording account `a` as its first. */
  firstOrAdd(id: string, a: number): number {
    if (2 * (this.ids.length + 1) > this.table.length) this.grow();
    const hash = hashString(id), mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const k = this.table[slot];
      if (k < 0) {
        this.table[slot] = this.ids.push(id) - 1;
        this.hashes[slot] = hash;
        this.firsts.push(a);
        return -1;
      }
      if (this.hashes[slot] === hash && this.ids[k] === id) return this.firsts[k];
    }
  }

  private grow(): void {
    const old = this.table, oldHashes = this.hashes;
    this.table = new Int32Array(2 * old.length).fill(-1);
    this.hashes = new Int32Array(2 * old.length);
    const mask = this.table.length - 1;
    for (let s = 0; s < old.length; s++) {
      if (old[s] < 0) continue;
      let slot = oldHashes[s] & mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & mask;
      this.table[slot] = old[s];
      this.hashes[slot] = oldHashes[s];
    }
  }
}

/** FNV-1a over a string's UTF-16 code units, as an int32 (what the hashes column holds). */
function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
