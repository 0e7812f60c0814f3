/**
 * The gateway's routing tables, read from Redis and cached:
 * - owners: partition → the owner's url, from the owner keys (one pipelined read of all 64), kept `ttlMs` and read
 *   again at once after a shard answered 503 or could not be reached (the partition moved);
 * - masters: subaccount → master (the bootstrap's `masters` hash), read whole at start, a miss asked of Redis and
 *   kept a short while (a book is fixed, but a shard may write the map after the gateway started).
 */
import type { RedisClient } from '../scale/redis/connect.js';
import { type LogKeys, PARTITION_COUNT, partitionOfAccount } from './partitions.js';

export interface Owner {
  shard: string;
  epoch: number;
  url: string;
}

export class OwnerTable {
  private owners: (Owner | null)[] = new Array(PARTITION_COUNT).fill(null);
  private readAtMs = 0;
  private reading: Promise<void> | null = null;

  constructor(private readonly redis: RedisClient, private readonly keys: LogKeys, private readonly ttlMs = 1_000) {}

  /** Partition p's owner now (null: none holds its lease). */
  async ownerOf(p: number): Promise<Owner | null> {
    if (Date.now() - this.readAtMs > this.ttlMs || this.owners[p] === null) await this.refresh();
    return this.owners[p];
  }

  /** Every partition's owner (after one read if the table is old). */
  async all(): Promise<(Owner | null)[]> {
    if (Date.now() - this.readAtMs > this.ttlMs) await this.refresh();
    return this.owners;
  }

  /** Reads the 64 owner keys again (concurrent callers share one read). */
  refresh(): Promise<void> {
    return (this.reading ??= (async () => {
      try {
        const pipeline = this.redis.pipeline();
        for (let p = 0; p < PARTITION_COUNT; p++) pipeline.get(this.keys.owner(p));
        const replies = (await pipeline.exec()) ?? [];
        this.owners = replies.map(([error, raw]) => (error || typeof raw !== 'string' ? null : parseOwner(raw)));
        this.readAtMs = Date.now();
      } finally {
        this.reading = null;
      }
    })());
  }
}

function parseOwner(raw: string): Owner | null {
  try {
    const o = JSON.parse(raw) as Owner;
    return typeof o.url === 'string' && typeof o.shard === 'string' ? o : null;
  } catch {
    return null;
  }
}

export class MasterTable {
  private readonly masters = new Map<string, string>();
  /** Ids asked of Redis and found without a master, with when (asked again after missTtlMs). */
  private readonly none = new Map<string, number>();

  constructor(private readonly redis: RedisClient, private readonly keys: LogKeys, private readonly missTtlMs = 5_000) {}

  /** An id without a master, kept a while (at most 100,000 of them: ids a client made up must not fill memory). */
  private remember(id: string): void {
    if (this.none.size >= 100_000) this.none.clear();
    this.none.set(id, Date.now());
  }

  async load(): Promise<void> {
    for (const [id, master] of Object.entries(await this.redis.hgetall(this.keys.masters))) this.masters.set(id, master);
  }

  /** The partition of account `id` (its master's when it is a subaccount). */
  async partitionOf(id: string): Promise<number> {
    if (!this.masters.has(id) && !(Date.now() - (this.none.get(id) ?? -Infinity) < this.missTtlMs)) {
      const master = await this.redis.hget(this.keys.masters, id);
      if (master === null) this.remember(id);
      else this.masters.set(id, master);
    }
    return partitionOfAccount(id, (a) => this.masters.get(a));
  }

  /** Partitions of many accounts: one HMGET for the ids not known yet. */
  async partitionsOf(ids: readonly string[]): Promise<number[]> {
    const now = Date.now();
    const ask = [...new Set(ids.filter((id) => !this.masters.has(id) && !(now - (this.none.get(id) ?? -Infinity) < this.missTtlMs)))];
    if (ask.length > 0) {
      const found = await this.redis.hmget(this.keys.masters, ...ask);
      ask.forEach((id, i) => (found[i] === null ? this.remember(id) : this.masters.set(id, found[i]!)));
    }
    return ids.map((id) => partitionOfAccount(id, (a) => this.masters.get(a)));
  }
}
