/**
 * Which shard holds an account: a stable hash of its id, the same in every process, on every machine and in every
 * release (a coordinator and its workers must agree without talking). FNV-1a, 32 bits, over the id's UTF-16 code
 * units (see: Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/): cheap, well spread on short ids.
 */

import { describeValue, InputError } from '../errors.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit hash of `id`'s UTF-16 code units, as an unsigned integer. */
export function fnv1a32(id: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** The shard (0 … shards − 1) of account `id`; InputError for an id that is not a string or a count that is not whole and ≥ 1 (NaN or 0 came back). */
export function shardOf(id: string, shards: number): number {
  if (typeof id !== 'string' || !(Number.isInteger(shards) && shards >= 1)) {
    throw new InputError([typeof id !== 'string' ? { path: 'id', message: `expected an account id (a string), got ${describeValue(id)}` } : { path: 'shards', message: `expected a whole number of shards ≥ 1, got ${describeValue(shards)}` }]);
  }
  return fnv1a32(id) % shards;
}
