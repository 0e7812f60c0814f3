/**
 * When a shard runs its next heartbeat round (src/durable/shard.ts nextRoundInMs): a killed shard's partitions are taken
 * the moment its heartbeat goes stale and their leases end, not up to a third of a lease later (the interval's round).
 * Hand-computed from the rule: the first of (lease − age of each other live shard's heartbeat, a refused lease's
 * remaining ms + 1).
 */
import { describe, expect, it } from 'vitest';
import { nextRoundInMs } from '../../src/durable/shard-rounds.js';

describe('nextRoundInMs', () => {
  it('is due when the first other shard goes stale', () => {
    // lease 1,000 ms; heartbeats 100 and 400 ms old: the second goes stale in 600 ms
    expect(nextRoundInMs([100, 400], 1_000, [])).toBe(600);
    // a killed shard last beat 800 ms ago: stale (its partitions ours to take) in 200 ms
    expect(nextRoundInMs([800, 50], 1_000, [])).toBe(200);
  });

  it('is due 1 ms after a refused lease ends, when that comes first', () => {
    // the dead shard renewed its leases 3 ms after its last heartbeat: the first try finds 3 ms left
    expect(nextRoundInMs([], 1_000, [3, 250])).toBe(4);
    expect(nextRoundInMs([990], 1_000, [30])).toBe(10);
  });

  it('never: no other live shard and no refused lease', () => {
    expect(nextRoundInMs([], 3_000, [])).toBe(Infinity);
    // a heartbeat at or past the lease is not a live shard's
    expect(nextRoundInMs([1_000, 5_000], 1_000, [])).toBe(Infinity);
  });
});
