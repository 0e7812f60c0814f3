/**
 * The add-on plan's keys as small integers: every instrument row a plan's positions hold gets the dense rank of its
 * add-on key in scanAddOns' entry order (options by (underlying, strike), then futures and perpetuals by underlying),
 * so an account's distinct ranks in ascending order are its entries in entry order ({@link AccountKeys}).
 */
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../../layout/codes.js';

/** Rank of an instrument row that makes no add-on entry (spot) or that no position of the plan holds. */
export const NO_KEY = -1;

/** What {@link keyRanks} reads of the instruments. */
export interface KeyColumns {
  kind: Uint8Array;
  underlying: Int32Array;
  strike: Float64Array;
}

/**
 * Each row's rank (`held[i]` > 0: positions hold row i; others get {@link NO_KEY}): option keys first, ordered by
 * (underlying, strike), then linear keys by underlying. Strikes equal by `===` share a key, as in scanAddOns (their
 * domain is finite: no NaN). `firstLinear`: the ranks from it on are linear keys; `underlying`: each rank's underlying.
 */
export function keyRanks(ins: KeyColumns, held: Int32Array): { rank: Int32Array; firstLinear: number; underlying: Int32Array } {
  const { kind, underlying, strike } = ins;
  const rank = new Int32Array(held.length).fill(NO_KEY);
  const options: number[] = [], linear: number[] = [];
  for (let i = 0; i < held.length; i++) {
    if (held[i] === 0) continue;
    if (kind[i] === KIND_OPTION) options.push(i);
    else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) linear.push(i);
  }
  options.sort((x, y) => underlying[x] - underlying[y] || (strike[x] < strike[y] ? -1 : strike[x] > strike[y] ? 1 : 0));
  linear.sort((x, y) => underlying[x] - underlying[y]);
  let next = 0;
  for (let k = 0; k < options.length; k++) {
    const i = options[k], before = options[k - 1];
    if (k > 0 && !(underlying[i] === underlying[before] && strike[i] === strike[before])) next++;
    rank[i] = next;
  }
  const firstLinear = options.length > 0 ? next + 1 : 0;
  next = firstLinear;
  for (let k = 0; k < linear.length; k++) {
    if (k > 0 && underlying[linear[k]] !== underlying[linear[k - 1]]) next++;
    rank[linear[k]] = next;
  }
  const ranks = linear.length > 0 ? next + 1 : firstLinear;
  const underlyingOf = new Int32Array(ranks);
  for (let i = 0; i < held.length; i++) if (rank[i] !== NO_KEY) underlyingOf[rank[i]] = underlying[i];
  return { rank, firstLinear, underlying: underlyingOf };
}

/**
 * One account's add-on keys, distinct and in rank order, each with what its entry sums: an option key's net units
 * (Σ quantity × multiplier in position order from +0, the order scanAddOns sums them in), a linear key's positions
 * (in position order). The keys are ordered by a bit per rank, read back lowest first: no sort, no position moved.
 * The scratch is sized by the ranks and grown to the largest account, and reused (perf: no-alloc-per-step,
 * docs/performance.md).
 */
export class AccountKeys {
  /** After {@link collect}: the distinct keys k < n, ascending. */
  keys = new Int32Array(64);
  /** Per rank, after {@link collect}: an option key's net units; a linear key's positions, counted. */
  readonly net: Float64Array;
  readonly count: Int32Array;
  /** After {@link collect}: the account's positions on linear keys, in position order (`linear` of them). */
  linearPositions = new Int32Array(64);
  linear = 0;
  /** Bit r: rank r seen in this {@link collect} call (all clear between calls). */
  private readonly bits: Int32Array;

  /** `ranks`: how many ranks {@link keyRanks} gave (its rank array's largest + 1). */
  constructor(ranks: number) {
    this.net = new Float64Array(ranks);
    this.count = new Int32Array(ranks);
    this.bits = new Int32Array((ranks + 31) >> 5);
  }

  /**
   * The keys of positions [p0, p1) of `instrument` (`rankOf`: {@link keyRanks}; ranks from `firstLinear` on are
   * linear), their nets and counts; returns how many distinct keys.
   */
  collect(rankOf: Int32Array, firstLinear: number, instrument: Int32Array, quantity: Float64Array, multiplier: Float64Array, p0: number, p1: number): number {
    if (this.keys.length < p1 - p0) {
      this.keys = new Int32Array(Math.max(p1 - p0, 2 * this.keys.length));
      this.linearPositions = new Int32Array(this.keys.length);
    }
    const bits = this.bits, net = this.net, count = this.count, linearPositions = this.linearPositions;
    let linear = 0, lo = bits.length, hi = -1;
    for (let p = p0; p < p1; p++) {
      const i = instrument[p], r = rankOf[i];
      if (r === NO_KEY) continue;
      const w = r >> 5, bit = 1 << (r & 31);
      if ((bits[w] & bit) === 0) {
        bits[w] |= bit;
        net[r] = 0;
        count[r] = 0;
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      if (r < firstLinear) net[r] += quantity[p] * multiplier[i];
      else {
        count[r]++;
        linearPositions[linear++] = p;
      }
    }
    this.linear = linear;
    return readBits(bits, lo, hi, this.keys);
  }
}

/** The ranks of the set bits of words [lo, hi] in ascending order into `keys` (the words cleared); returns how many. */
export function readBits(bits: Int32Array, lo: number, hi: number, keys: Int32Array): number {
  let n = 0;
  for (let w = lo; w <= hi; w++) {
    let x = bits[w];
    bits[w] = 0;
    while (x !== 0) {
      const low = x & -x;
      keys[n++] = (w << 5) + 31 - Math.clz32(low);
      x ^= low;
    }
  }
  return n;
}
