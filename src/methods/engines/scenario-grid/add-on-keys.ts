/**
 * The add-on plan's keys as small integers: every instrument row a plan's positions hold gets the dense rank of its
 * add-on key in scanAddOns' entry order (options by (underlying, strike), then futures and perpetuals by underlying),
 * so an account's distinct ranks in ascending order are its entries in entry order (src/kernels/js/portfolio/book-slots.ts
 * addOnEntriesJs reads them back from a bit per rank).
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
