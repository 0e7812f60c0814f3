/**
 * One checkpoint of a partition a shard serves: the state is captured synchronously (PartitionState.checkpointSnapshot
 * copies the columns before the first await, so no fill or tick lands halfway), its bytes made by `encode` (on the
 * shard's checkpoint worker: checkpoint-worker.ts), written durably (CheckpointStore), recorded in
 * the fenced pointer, and the log trimmed up to the OLDER kept checkpoint's fill seq only, so that falling back to it
 * (the newer one corrupt) still finds every entry after it.
 */
import type { CheckpointStore } from './checkpoint.js';
import type { CheckpointSnapshot } from './checkpoint-snapshot.js';
import type { PartitionLog } from './log.js';
import type { OwnedPartition } from './owned-partition.js';

export interface Written {
  file: string;
  fillSeq: number;
  tickId: string;
  /** Entries below this seq were trimmed from the log (0: nothing trimmed). */
  trimmedBelow: number;
}

/** Makes checkpoint bytes of a snapshot (CheckpointEncoder.encode, or encodeSnapshot in this thread). */
export type EncodeCheckpoint = (snapshot: CheckpointSnapshot) => Promise<Uint8Array>;

/** Writes o's checkpoint unless nothing changed since the last one (null then). */
export async function checkpointPartition(o: OwnedPartition, store: CheckpointStore, log: PartitionLog, shard: string, fingerprint: string, encode: EncodeCheckpoint, trim = true): Promise<Written | null> {
  const state = o.state;
  if (state === null) return null;
  const at = { fillSeq: state.lastFillSeq, tickId: state.lastTickId };
  if (at.fillSeq === o.checkpointed.fillSeq && at.tickId === o.checkpointed.tickId) {
    o.lastCheckpointAtMs = Date.now();
    return null;
  }
  const fillsBefore = o.fillsSinceCheckpoint;
  const bytes = await encode(state.checkpointSnapshot(fingerprint));
  const file = await store.write(o.partition, bytes);
  await log.setCheckpoint(o.partition, shard, o.epoch, { ...at, file });
  o.checkpointed = at;
  o.lastCheckpointAtMs = Date.now();
  o.fillsSinceCheckpoint = Math.max(0, o.fillsSinceCheckpoint - fillsBefore);
  // the older kept checkpoint covers entries up to its fill seq; they may go, none after (and nothing while one is kept)
  const oldest = trim && (await store.files(o.partition)).length >= 2 ? await store.oldestKept(o.partition) : null;
  let trimmedBelow = 0;
  if (oldest !== null && oldest.fillSeq > 0 && oldest.fillSeq <= at.fillSeq) {
    trimmedBelow = oldest.fillSeq + 1;
    await log.trim(o.partition, shard, o.epoch, trimmedBelow);
  }
  return { file, ...at, trimmedBelow };
}

/**
 * The partitions whose latest checkpoint failed: a shard stopping with any exits 1. A checkpoint failed while Redis was
 * away and written since (a later round's, or the stop's) is no failure left: the partition's state is checkpointed.
 */
export class FailedCheckpoints {
  private readonly partitions = new Set<number>();

  failed(partition: number): void {
    this.partitions.add(partition);
  }

  /** A checkpoint of `partition` was written, or had nothing new to write. */
  written(partition: number): void {
    this.partitions.delete(partition);
  }

  get count(): number {
    return this.partitions.size;
  }
}
