/**
 * Seeded pseudo-random numbers for the sample generator: xoshiro128** (Blackman & Vigna, 2018),
 * seeded through splitmix32. 32-bit integer arithmetic only (Math.imul, >>>), so a seed gives the
 * same stream on every JS engine; the floats derived from it use only +, ×, log, sqrt and cos.
 */

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Any finite number works as a seed; equal seeds give equal streams. */
  constructor(seed: number) {
    // splitmix32 spreads the seed (low and high 32 bits) over the 128-bit state and never yields all zeros.
    let state = (Math.trunc(seed) ^ Math.trunc(seed / 4294967296)) | 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Index drawn with probability proportional to `weights[i]`. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let u = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal (Box-Muller; one draw per call keeps the stream easy to reason about). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]: log stays finite
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
