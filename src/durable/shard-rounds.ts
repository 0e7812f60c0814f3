/**
 * When a shard's next heartbeat round is due, ms from the round that read `otherAges` (the heartbeat ages of the other
 * live shards) and was refused leases with `refusedLeftMs` left: the moment the first of those shards goes stale (its
 * partitions become the others' to take: a killed shard's heartbeat goes stale as its leases end), or 1 ms after the
 * first refused lease ends. Infinity when neither comes.
 */
export function nextRoundInMs(otherAges: readonly number[], leaseMs: number, refusedLeftMs: readonly number[]): number {
  let next = Infinity;
  for (const age of otherAges) if (age < leaseMs) next = Math.min(next, leaseMs - age);
  for (const left of refusedLeftMs) next = Math.min(next, left + 1);
  return next;
}
