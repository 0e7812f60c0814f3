/**
 * The gateway's routing tables, read from Redis and cached:
 * - owners: partition → the owner's url, from the owner keys (one pipelined read of all 64), kept `ttlMs` and read
 *   again at once after a shard answered 503 or could not be reached (the partition moved);
 * - masters: subaccount → master (the bootstrap's `masters` hash), read whole at start and read again when it grew
 *   (a shard may write it after the gateway started): an id not in it (every master, every plain account) costs at
 *   most one HLEN per `recheckMs` for the whole gateway, not a Redis round trip per request; and one more when a shard
 *   answers that it holds no such account (`reread`), so that a subaccount written since is routed again, not refused.
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
        // a reply Redis gave as an error is no owner; one the connection did not carry (Redis away) leaves them unknown
        const cut = replies.find(([error]) => error && error.name !== 'ReplyError');
        if (cut) throw cut[0];
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

/**
 * Subaccount → master (idempotent HSET) into the table the gateway reads ({@link MasterTable}), so it routes a
 * subaccount to its master's partition: `masters[a]` is the master of `ids[a]`. By the columns: a columnar book's object
 * view is never built (2.2 GB at 1M × 20).
 */
export async function writeMasters(redis: RedisClient, keys: LogKeys, ids: readonly (string | null)[], masters: readonly (string | undefined)[] | undefined): Promise<void> {
  if (!masters) return;
  const pairs: string[] = [];
  ids.forEach((id, a) => id !== null && masters[a] !== undefined && pairs.push(id, masters[a]!));
  for (let i = 0; i < pairs.length; i += 2_000) await redis.hset(keys.masters, ...pairs.slice(i, i + 2_000));
}

export class MasterTable {
  private masters = new Map<string, string>();
  /** The hash's field count when it was last read whole. */
  private size = 0;
  private checkedAtMs = -Infinity;
  private checking: Promise<void> | null = null;

  constructor(private readonly redis: RedisClient, private readonly keys: LogKeys, private readonly recheckMs = 1_000) {}

  /** Reads the whole hash. */
  async load(): Promise<void> {
    const all = await this.redis.hgetall(this.keys.masters);
    this.masters = new Map(Object.entries(all));
    this.size = this.masters.size;
    this.checkedAtMs = Date.now();
  }

  /**
   * Reads the hash again now if it grew since it was last read (one HLEN): what the gateway does before it answers
   * that an account is unknown, since its subaccount may have been written after the table was read.
   */
  async reread(): Promise<void> {
    if ((await this.redis.hlen(this.keys.masters)) !== this.size) await this.load();
    else this.checkedAtMs = Date.now();
  }

  /**
   * For an id not in the table: {@link reread}, at most once per recheckMs (shared by concurrent callers). A
   * subaccount written after that is routed by its own id for up to recheckMs: to a partition that does not hold it,
   * which answers that it knows no such account (never another account's answer), and the gateway rereads.
   */
  private fresh(): Promise<void> {
    if (Date.now() - this.checkedAtMs < this.recheckMs) return Promise.resolve();
    return (this.checking ??= this.reread().finally(() => (this.checking = null)));
  }

  /** The partition of account `id` (its master's when it is a subaccount). */
  async partitionOf(id: string): Promise<number> {
    if (!this.masters.has(id)) await this.fresh();
    return partitionOfAccount(id, (a) => this.masters.get(a));
  }

  /** Partitions of many accounts (at most one HLEN for them all). */
  async partitionsOf(ids: readonly string[]): Promise<number[]> {
    if (ids.some((id) => !this.masters.has(id))) await this.fresh();
    return ids.map((id) => partitionOfAccount(id, (a) => this.masters.get(a)));
  }
}
