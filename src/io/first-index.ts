/**
 * Each account id's first account, for a book read in chunks (src/io/book-stream.ts): what a Map<string, number> of the
 * ids answers, in an open-addressing table of FNV-1a hashes over the ids' code units. A Map keyed by a million fresh id
 * strings costs most of a second; this table, a tenth of that.
 */
export class FirstIndexById {
  /**
   * Slot s is [2s] the entry's index (−1 empty) and [2s + 1] its id's hash, side by side: a probe reads one cache line
   * (a million ids' table is 16 MB, each first probe a miss), and growing places the ids again without hashing them.
   */
  private slots = new Int32Array(2 << 12).fill(-1);
  /** Entry k: an id and its first account. */
  private readonly ids: string[] = [];
  private readonly firsts: number[] = [];

  /** The first account with `id`, or undefined (ReadonlyMap's `get`: src/model/validate-masters.ts reads it so). */
  get(id: string): number | undefined {
    const slots = this.slots, hash = hashString(id), mask = (slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const k = slots[2 * slot];
      if (k < 0) return undefined;
      if (slots[2 * slot + 1] === hash && this.ids[k] === id) return this.firsts[k];
    }
  }

  /** The first account with `id`, or −1 after recording account `a` as its first. */
  firstOrAdd(id: string, a: number): number {
    if (4 * (this.ids.length + 1) > this.slots.length) this.grow();
    const slots = this.slots, hash = hashString(id), mask = (slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const k = slots[2 * slot];
      if (k < 0) {
        slots[2 * slot] = this.ids.push(id) - 1;
        slots[2 * slot + 1] = hash;
        this.firsts.push(a);
        return -1;
      }
      if (slots[2 * slot + 1] === hash && this.ids[k] === id) return this.firsts[k];
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = (this.slots = new Int32Array(2 * old.length).fill(-1));
    const mask = (slots.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] < 0) continue;
      let slot = old[s + 1] & mask;
      while (slots[2 * slot] >= 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s];
      slots[2 * slot + 1] = old[s + 1];
    }
  }
}

/** FNV-1a over a string's UTF-16 code units, as an int32 (what the hashes column holds). */
function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
