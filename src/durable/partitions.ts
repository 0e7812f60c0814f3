/**
 * The live engine's fixed logical partitions and their Redis keys. An account's partition never changes (64, by the
 * FNV-1a hash the batch cluster already uses), so a fill's stream is known to every process without asking anyone.
 *
 * Families stay together: a subaccount lives in its master's partition, so a transfer between them and the master's
 * roll-up never span two partitions.
 *
 * Keys: every key of partition p carries the hash tag `{live:<cluster>:<p>}`, so on a Redis Cluster the partition's
 * stream, epoch, owner and checkpoint pointer share one slot (what the fenced Lua scripts over them need); the keys
 * every shard shares (ticks, shards, masters, credential) carry `{live:<cluster>}`.
 *
 *   fills(p)       stream, entry id `<seq>-0` (seq 1, 2, 3 … per partition), field `e` = JSON of a LogEntry (its
 *                  `id` the operation's Idempotency-Key, its `digest` what the whole request asked for: op-window.ts)
 *   epoch(p)       string integer, INCR'd on every change of owner
 *   owner(p)       string JSON `{"shard":id,"epoch":n,"url":"http://127.0.0.1:port"}`, expires after the lease (PX)
 *   checkpoint(p)  string JSON of the newest checkpoint written (CheckpointPointer)
 *   ticks          stream, auto ids, field `t` = the tick JSON (the body POST /tick takes)
 *   shards         hash shardId → JSON `{"url":…, "at": ms}` (heartbeat)
 *   masters        hash subaccount id → master id, written by the bootstrap (idempotent HSET)
 *   credential     string JSON `{"salt":…,"hash":…}`: the fingerprint of the cluster's token (credential.ts), expires
 *                  unless a live process refreshes it (PX)
 */
import { fnv1a32 } from '../scale/hash.js';

/** Logical partitions of a live cluster: fixed, so a partition's log and checkpoints outlive any shard layout. */
export const PARTITION_COUNT = 64;

/** The partition (0 … 63) of account `accountId`: FNV-1a 32 of its id, modulo PARTITION_COUNT. */
export function partitionOf(accountId: string): number {
  return fnv1a32(accountId) % PARTITION_COUNT;
}

/** The partition of account `id` with its family: a subaccount goes where its master is (`masterOf` undefined = none). */
export function partitionOfAccount(id: string, masterOf: (id: string) => string | undefined): number {
  return partitionOf(masterOf(id) ?? id);
}

/** One entry of a partition's fills stream (field `e`). Items are kept as the service's POST bodies take them. */
export type LogEntry =
  | { kind: 'fills'; id: string; fills: unknown[]; digest?: string | undefined }
  | { kind: 'transfers'; id: string; transfers: unknown[]; digest?: string | undefined }
  /** A derived action (e.g. a liquidation) written by the owner and applied verbatim on replay, never recomputed. */
  | { kind: 'decision'; id: string; [field: string]: unknown };

/** The log entry of a write: `items` fills or transfers under op id `id`. */
export function writeEntry(kind: 'fills' | 'transfers', id: string, items: unknown[]): LogEntry {
  return kind === 'fills' ? { kind, id, fills: items } : { kind, id, transfers: items };
}

/** What checkpoint(p) holds: the newest checkpoint's last applied fill seq and tick id, and its file's name. */
export interface CheckpointPointer {
  fillSeq: number;
  /** A ticks stream id, "ms-seq" ("0-0" before any tick). */
  tickId: string;
  file: string;
}

function checkPartition(p: number): void {
  if (!Number.isInteger(p) || p < 0 || p >= PARTITION_COUNT) throw new RangeError(`partition must be an integer from 0 to ${PARTITION_COUNT - 1}, got ${p}`);
}

/** The Redis keys of one live cluster (see the module comment). */
export class LogKeys {
  readonly ticks: string;
  readonly shards: string;
  readonly masters: string;
  readonly credential: string;

  constructor(readonly cluster: string) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(cluster)) throw new TypeError(`cluster must be 1 to 64 letters, digits or _ . : -, got ${JSON.stringify(cluster)}`);
    this.ticks = `mc:{live:${cluster}}:ticks`;
    this.shards = `mc:{live:${cluster}}:shards`;
    this.masters = `mc:{live:${cluster}}:masters`;
    this.credential = `mc:{live:${cluster}}:credential`;
  }

  private tag(p: number): string {
    checkPartition(p);
    return `mc:{live:${this.cluster}:${p}}`;
  }

  fills(p: number): string {
    return `${this.tag(p)}:fills`;
  }

  epoch(p: number): string {
    return `${this.tag(p)}:epoch`;
  }

  owner(p: number): string {
    return `${this.tag(p)}:owner`;
  }

  checkpoint(p: number): string {
    return `${this.tag(p)}:ckpt`;
  }
}
