/**
 * The add-on plan's keys as small integers: every instrument row a plan's positions hold gets the dense rank of its
 * add-on key in scanAddOns' entry order (options by (underlying, strike), then futures and perpetuals by underlying),
 * so an account's positions sorted stably by rank come out as runs, one per entry, in entry order, each run's
 * positions in position order (the order scanAddOns sums them in).
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
 * domain is finite: no NaN). `firstLinear`: the ranks from it on are linear keys.
 */
export function keyRanks(ins: KeyColumns, held: Int32Array): { rank: Int32Array; firstLinear: number } {
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
  return { rank, firstLinear };
}

/** Above this many keyed positions an account's are ordered by heapsort instead of by insertion. */
const INSERTION_UP_TO = 32;

/**
 * One account's keyed positions, ordered by (rank, position): the scratch is grown to the largest account and reused
 * (perf: no-alloc-per-step, docs/performance.md).
 */
export class KeySort {
  /** After {@link sort}: keyed positions k < n in order, with their rank. */
  rank = new Int32Array(64);
  position = new Int32Array(64);

  /**
   * Positions [p0, p1) of `instrument` with a rank (`rankOf`: {@link keyRanks}), ordered by (rank, position) (the
   * positions of one key stay in position order); returns their count n.
   */
  sort(rankOf: Int32Array, instrument: Int32Array, p0: number, p1: number): number {
    if (this.rank.length < p1 - p0) {
      this.rank = new Int32Array(Math.max(p1 - p0, 2 * this.rank.length));
      this.position = new Int32Array(this.rank.length);
    }
    const rank = this.rank, position = this.position;
    let n = 0;
    for (let p = p0; p < p1; p++) {
      const r = rankOf[instrument[p]];
      if (r === NO_KEY) continue;
      let j = n - 1;
      // an account's handful: insertion as they come (stable); a pool's many: appended, then heapsorted
      if (n < INSERTION_UP_TO) {
        while (j >= 0 && rank[j] > r) {
          rank[j + 1] = rank[j];
          position[j + 1] = position[j];
          j--;
        }
      }
      rank[j + 1] = r;
      position[j + 1] = p;
      n++;
    }
    if (n > INSERTION_UP_TO) heapsortPairs(rank, position, n);
    return n;
  }
}

/** Pairs [0, n) of (rank, position) ordered by rank, then position (pairs are distinct: any sort gives this order). */
function heapsortPairs(rank: Int32Array, position: Int32Array, n: number): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftPairs(rank, position, i, n);
  for (let end = n - 1; end > 0; end--) {
    swapPairs(rank, position, 0, end);
    siftPairs(rank, position, 0, end);
  }
}

function pairAfter(rank: Int32Array, position: Int32Array, a: number, b: number): boolean {
  return rank[a] > rank[b] || (rank[a] === rank[b] && position[a] > position[b]);
}

function swapPairs(rank: Int32Array, position: Int32Array, a: number, b: number): void {
  const r = rank[a], p = position[a];
  rank[a] = rank[b];
  position[a] = position[b];
  rank[b] = r;
  position[b] = p;
}

/** Moves pair `root` down the max-heap [0, end) to its place. */
function siftPairs(rank: Int32Array, position: Int32Array, root: number, end: number): void {
  for (;;) {
    let child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && pairAfter(rank, position, child + 1, child)) child++;
    if (!pairAfter(rank, position, child, root)) return;
    swapPairs(rank, position, root, child);
    root = child;
  }
}
