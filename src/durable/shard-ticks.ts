/**
 * A shard's tail of the ticks stream: it applies each tick to every ready partition, keeps the latest few for a
 * partition that just recovered to catch up from, and remembers the newest tick it delivered, which the stream never
 * ends before unless Redis lost acknowledged ticks (recovery.ts and {@link ShardTicks.checkKept} refuse then).
 */
import { redisUnreachable, type RedisClient } from '../scale/redis/connect.js';
import { compareStreamIds, type TickLog } from './log.js';
import type { OwnedPartition } from './owned-partition.js';
import { TickLostError, type TickUnfollowedError } from './partition-state.js';

/** Ticks kept for a recovering partition's catch-up. */
const RECENT_TICKS = 4_096;

export interface ShardTickHost {
  readonly owned: ReadonlyMap<number, OwnedPartition>;
  stopping(): boolean;
  /** Holds o refused (the shard's refuseLost). */
  refuse(o: OwnedPartition, error: TickUnfollowedError | TickLostError): void;
  emit(event: Record<string, unknown>): void;
}

export class ShardTicks {
  /** Ticks the tail received lately (a partition that just recovered catches up from them). */
  private readonly recent: { id: string; tick: unknown }[] = [];
  /** The newest tick id the tail delivered ('0-0': none yet). */
  newestSeen = '0-0';

  constructor(private readonly host: ShardTickHost) {}

  /** Reads the ticks stream from `cursor` (XREAD BLOCK on `blocking`) until the shard stops. */
  async tail(ticks: TickLog, blocking: RedisClient, cursor: string): Promise<void> {
    const host = this.host;
    while (!host.stopping()) {
      let batch: { id: string; tick: unknown }[];
      try {
        batch = await ticks.read(cursor, 100, 1_000);
      } catch (error) {
        if (host.stopping()) return;
        // Redis away: said by the connection's retries, not here every 200 ms
        if (redisUnreachable(blocking, error) === null) host.emit({ event: 'tick-read-failed', error: (error as Error).message });
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const t of batch) {
        cursor = this.newestSeen = t.id;
        this.recent.push(t);
        for (const o of host.owned.values()) if (o.status === 'ready' && o.state && o.state.applyTick(t.id, t.tick) && o.state.unfollowed) host.refuse(o, o.state.unfollowed);
      }
      if (this.recent.length > RECENT_TICKS) this.recent.splice(0, this.recent.length - RECENT_TICKS);
    }
  }

  /** Ticks the tail delivered while the partition was replaying (its last read may have missed them). */
  catchUp(state: NonNullable<OwnedPartition['state']>): void {
    for (const t of this.recent) state.applyTick(t.id, t.tick);
    if (!state.unfollowed) return;
    state.release(); // not served: let go here, as recovery lets go of a state it refuses
    throw state.unfollowed;
  }

  /**
   * Refuses the partitions served at a tick the stream no longer reaches (Redis back from an older copy), as renewals
   * find lost fills: within a round of Redis coming back. The newest tick delivered is read before the stream's end,
   * so a tick logged between the two is never taken for a loss.
   */
  async checkKept(ticks: TickLog): Promise<void> {
    const seen = this.newestSeen;
    if (seen === '0-0') return;
    const { generated, lastEntry } = await ticks.ends();
    // the stream ends before what the tail delivered (lost), or its newest ticks were deleted (its last entry before them)
    const lost = compareStreamIds(seen, generated) > 0;
    const end = lost ? generated : lastEntry !== null && compareStreamIds(lastEntry, generated) < 0 ? lastEntry : null;
    if (end === null) return;
    for (const o of this.host.owned.values()) {
      const at = o.state?.lastTickId;
      if (o.status === 'refused' || at === undefined || compareStreamIds(at, end) <= 0) continue;
      this.host.refuse(o, lost ? TickLostError.ahead(o.partition, at, generated, 'this shard applied it') : new TickLostError(o.partition, end, generated));
    }
  }
}
