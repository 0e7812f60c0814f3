/**
 * An open-addressing index of the rows of a small table keyed by (integer, number) — the add-ons' (underlying,
 * strike) nets — so that finding a key's row costs O(1) instead of a scan of the rows found so far: a master's pool
 * holds dozens of option lines, and the scan was quadratic in them. Keys compare with `===` (+0 and −0 one key,
 * NaN never found), exactly as the scan it replaces, so the rows, and the order sums go into them, are the scan's.
 */
export class KeyIndex {
  private slots = new Int32Array(64);
  private stamps = new Int32Array(64);
  private mask = 63;
  /** Slots stamped with the current epoch are in use; {@link reset} starts a new epoch instead of clearing. */
  private epoch = 0;
  private free = 0;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  /** Empties the index for up to `n` rows. */
  reset(n: number): void {
    if (2 * n > this.slots.length) {
      let size = this.slots.length;
      while (size < 2 * n) size *= 2;
      this.slots = new Int32Array(size);
      this.stamps = new Int32Array(size);
      this.mask = size - 1;
      this.epoch = 0;
    }
    if (++this.epoch === 0x7fffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  /** The row j < n with us[j] === u and ks[j] === k, or n when there is none (then {@link add} may file row n). */
  find(u: number, k: number, us: Int32Array, ks: Float64Array, n: number): number {
    const slots = this.slots, stamps = this.stamps, epoch = this.epoch, mask = this.mask;
    let s = this.hash(u, k) & mask;
    while (stamps[s] === epoch) {
      const j = slots[s];
      if (us[j] === u && ks[j] === k) return j;
      s = (s + 1) & mask;
    }
    this.free = s;
    return n;
  }

  /** Files row j under the key the last {@link find} did not find. */
  add(j: number): void {
    this.stamps[this.free] = this.epoch;
    this.slots[this.free] = j;
  }

  private hash(u: number, k: number): number {
    this.f64[0] = k + 0; // −0 + 0 = +0: the two zeros are one key, as with ===
    let h = Math.imul(u, 0x9e3779b1) ^ this.u32[0] ^ Math.imul(this.u32[1], 0x85ebca6b);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
  }
}
