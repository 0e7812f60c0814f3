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

/** Above this many distinct keys an account's are ordered by the typed array sort instead of by insertion. */
const INSERTION_UP_TO = 32;

/**
 * One account's add-on keys, distinct and in rank order, each with what its entry sums: an option key's net units
 * (Σ quantity × multiplier in position order from +0, the order scanAddOns sums them in), a linear key's positions
 * (in position order). Only the few distinct keys are sorted, not the positions. The scratch is sized by the ranks and
 * grown to the largest account, and reused (perf: no-alloc-per-step, docs/performance.md).
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
  /** Per rank: the {@link collect} call that last saw it (a key seen first in this call starts from zero). */
  private readonly seen: Int32Array;
  private call = 0;

  /** `ranks`: how many ranks {@link keyRanks} gave (its rank array's largest + 1). */
  constructor(ranks: number) {
    this.net = new Float64Array(ranks);
    this.count = new Int32Array(ranks);
    this.seen = new Int32Array(ranks);
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
    if (++this.call === 0x7fffffff) {
      this.seen.fill(0);
      this.call = 1;
    }
    const call = this.call, seen = this.seen, net = this.net, count = this.count, keys = this.keys, linearPositions = this.linearPositions;
    let n = 0, linear = 0;
    for (let p = p0; p < p1; p++) {
      const i = instrument[p], r = rankOf[i];
      if (r === NO_KEY) continue;
      if (seen[r] !== call) {
        seen[r] = call;
        net[r] = 0;
        count[r] = 0;
        keys[n++] = r;
      }
      if (r < firstLinear) net[r] += quantity[p] * multiplier[i];
      else {
        count[r]++;
        linearPositions[linear++] = p;
      }
    }
    this.linear = linear;
    sortKeys(keys, n);
    return n;
  }
}

/** Distinct keys [0, n) ascending: an account's few by insertion, a pool's many by the typed array sort. */
function sortKeys(keys: Int32Array, n: number): void {
  if (n > INSERTION_UP_TO) {
    keys.subarray(0, n).sort();
    return;
  }
  for (let k = 1; k < n; k++) {
    const v = keys[k];
    let j = k - 1;
    while (j >= 0 && keys[j] > v) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = v;
  }
}
