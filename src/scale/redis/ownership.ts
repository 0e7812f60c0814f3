/**
 * Which live worker owns which shard, decided by every worker alone and the same way: rendezvous (highest random
 * weight) hashing of (shard, worker) over the workers whose heartbeat is fresh. A shard stays with its worker while
 * that worker lives, so the worker keeps its shard laid out; when it dies its shards spread over the others, which
 * claim its pending tasks. While views differ (a heartbeat just expired) two workers may run the same task: results
 * are keyed by (book, tick, shard), so the second write is the same bytes.
 * (Thaler & Ravishankar, "Using name-based mappings to increase hit rates", IEEE/ACM ToN 1998.)
 */
import { fnv1a32 } from '../hash.js';

/** The owner of `shard` among `workers` (non-empty): the highest hash of (shard, worker), ties to the smaller name. */
export function ownerOf(shard: number, workers: readonly string[]): string {
  let best = workers[0], bestWeight = -1;
  for (const w of workers) {
    const weight = fnv1a32(`${shard}\u0000${w}`);
    if (weight > bestWeight || (weight === bestWeight && w < best)) {
      best = w;
      bestWeight = weight;
    }
  }
  return best;
}

/** The shards of 0 … shards − 1 that `me` owns among `workers` (which include `me`). */
export function ownedShards(me: string, workers: readonly string[], shards: number): number[] {
  const owned: number[] = [];
  for (let s = 0; s < shards; s++) if (ownerOf(s, workers) === me) owned.push(s);
  return owned;
}
