/**
 * Exactly-once writes on resend (docs/live-cluster.md "Idempotency-Key"): each partition remembers its last
 * {@link OP_WINDOW} operations by op id (the `Idempotency-Key` a client sent, recorded in the log entry), with the
 * entry's seq, a digest of what it asked for, and its problems when it was rejected on apply. A write whose op id is
 * among them is not written again: it is answered as the first one was (replayed), or refused (422) when it asks for
 * something else under the same key.
 *
 * The window is part of the partition's state: every entry applied (live, or replayed from the log at recovery) is
 * recorded, and a checkpoint carries the window, so a partition recovered on another shard knows the same operations.
 * Oldest first out; an op id seen twice in a log (written by a build before this one) keeps its first entry, the one
 * that was applied first.
 */
import { createHash } from 'node:crypto';
import type { InputProblem } from '../errors.js';
import type { LogEntry } from './partitions.js';

/** Operations each partition remembers by op id (about 1.5 MB of memory and 0.8 MB of each checkpoint when full). */
export const OP_WINDOW = 10_000;

/** An operation the window knows: its log entry's seq, its digest, and its problems when it was rejected on apply. */
export interface KnownOp {
  seq: number;
  digest: string;
  problems?: readonly InputProblem[];
}

/** A window as plain data (a checkpoint's JSON part): [op id, seq, digest, problems?], oldest first. */
export type OpList = [id: string, seq: number, digest: string, problems?: readonly InputProblem[]][];

/**
 * What an entry asks for, as 16 hex digits (64 bits of SHA-256) of its kind and items: the same request resent
 * digests the same (the items as parsed JSON, which the log keeps as they are), another under the same key does not.
 */
export function opDigest(entry: LogEntry): string {
  const { id: _id, ...rest } = entry;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

export class OpWindow {
  private readonly ops = new Map<string, KnownOp>();

  constructor(readonly capacity = OP_WINDOW) {}

  get size(): number {
    return this.ops.size;
  }

  /** The operation recorded under `id`, if the window still holds it. */
  find(id: string): KnownOp | undefined {
    return this.ops.get(id);
  }

  /**
   * Records entry `seq` (applied, or rejected with `problems`); an id already known keeps its first entry. `digest`:
   * the entry's, when its writer made it already.
   */
  record(entry: LogEntry, seq: number, problems?: readonly InputProblem[], digest = opDigest(entry)): void {
    if (this.ops.has(entry.id)) return;
    this.ops.set(entry.id, problems ? { seq, digest, problems } : { seq, digest });
    if (this.ops.size > this.capacity) this.ops.delete(this.ops.keys().next().value as string);
  }

  /** The window as plain data, oldest first. */
  list(): OpList {
    const out: OpList = [];
    for (const [id, op] of this.ops) out.push(op.problems ? [id, op.seq, op.digest, op.problems] : [id, op.seq, op.digest]);
    return out;
  }

  /** Puts back a window {@link list} gave (a checkpoint's), oldest first. */
  restore(list: OpList): void {
    for (const [id, seq, digest, problems] of list) {
      if (this.ops.has(id)) continue;
      this.ops.set(id, problems ? { seq, digest, problems } : { seq, digest });
      if (this.ops.size > this.capacity) this.ops.delete(this.ops.keys().next().value as string);
    }
  }
}
