/**
 * One account's add-on keys (src/methods/engines/scenario-grid/add-on-keys.ts AccountKeys): distinct ranks read back in
 * ascending order from a bit per rank (across words, bit 31 included), option nets summed in position order, linear
 * positions listed in position order; every bit cleared for the next account. Expected values worked by hand.
 */
import { describe, expect, it } from 'vitest';
import { AccountKeys, NO_KEY } from '../../src/methods/engines/scenario-grid/add-on-keys.js';

// instrument rows 0..6 and their ranks: ranks < 40 are option keys, 40 and up linear keys
const FIRST_LINEAR = 40;
const RANK_OF = Int32Array.from([31, 0, 32, NO_KEY, 40, 31, 63]);
const MULTIPLIER = Float64Array.from([1, 10, 0.5, 1, 2, 1, 3]);

function collect(keys: AccountKeys, instrument: number[], quantity: number[]) {
  const n = keys.collect(RANK_OF, FIRST_LINEAR, Int32Array.from(instrument), Float64Array.from(quantity), MULTIPLIER, 0, instrument.length);
  const ranks = Array.from(keys.keys.subarray(0, n));
  return {
    ranks,
    net: ranks.filter((r) => r < FIRST_LINEAR).map((r) => keys.net[r]),
    count: ranks.filter((r) => r >= FIRST_LINEAR).map((r) => keys.count[r]),
    linear: Array.from(keys.linearPositions.subarray(0, keys.linear)),
  };
}

describe('AccountKeys', () => {
  it('gives the distinct ranks ascending, option nets in position order, linear positions in order', () => {
    const keys = new AccountKeys(64);
    // positions: row 6 (rank 63, linear), row 0 (31), row 3 (no key), row 2 (32), row 5 (31 again), row 1 (0), row 6 again
    const got = collect(keys, [6, 0, 3, 2, 5, 1, 6], [1, -2, 5, 4, 0.5, -0.25, -1]);
    expect(got.ranks).toEqual([0, 31, 32, 63]);
    // rank 0: −0.25 × 10; rank 31: −2 × 1 + 0.5 × 1; rank 32: 4 × 0.5
    expect(got.net).toEqual([-2.5, -1.5, 2]);
    // rank 63: positions 0 and 6
    expect(got.count).toEqual([2]);
    expect(got.linear).toEqual([0, 6]);
  });

  it('starts the next account from clear bits and zero nets; −0 alone nets to +0', () => {
    const keys = new AccountKeys(64);
    collect(keys, [0, 2, 4], [3, 1, 1]);
    const got = collect(keys, [2, 1], [-0, 7]);
    expect(got.ranks).toEqual([0, 32]);
    expect(got.net[0]).toBe(70);
    expect(Object.is(got.net[1], 0)).toBe(true); // 0 + −0 is +0, as a sum from +0 gives
    expect(got.linear).toEqual([]);
  });

  it('has no keys for an account of no keyed positions', () => {
    const keys = new AccountKeys(0);
    expect(keys.collect(Int32Array.from([NO_KEY]), 0, Int32Array.from([0, 0]), Float64Array.from([1, 2]), Float64Array.from([1]), 0, 2)).toBe(0);
  });
});
