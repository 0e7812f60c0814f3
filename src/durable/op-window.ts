/**
 * Exactly-once writes on resend (docs/live-cluster.md "Idempotency-Key"): each partition remembers its last
 * {@link OP_WINDOW} operations by op id (the `Idempotency-Key` a client sent, recorded in the log entry), with the
 * entry's seq, a digest of what it asked for, and its problems when it was rejected on apply. A write whose op id is
 * among them is not written again: it is answered as the first one was (replayed), or refused (422) when it asks for
 * something else under the same key.
 *
 * The window is part of the partition's state: every entry applied under a client's key (one that carries its digest,
 * live or replayed from the log at recovery) is recorded, and a checkpoint carries the window, so a partition recovered on another shard knows the same operations.
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
  problems?: readonly InputProblem[] | undefined;
}

/** A window as plain data (a checkpoint's JSON part): [op id, seq, digest, problems?], oldest first. */
export type OpList = [id: string, seq: number, digest: string, problems?: readonly InputProblem[]][];

/**
 * What an entry asks for, as 16 hex digits (64 bits of SHA-256): the digest its writer gave it (`digest`: the
 * gateway's, of the client's whole request; a shard's or serve's, of the request it took), else of its kind and items. The same request resent digests the same, its
 * objects' fields in any order (canonical JSON: keys sorted; numbers as JSON writes them, so 0.10 and 0.1 are one);
 * another request under the same key does not.
 */
export function opDigest(entry: LogEntry): string {
  if (typeof entry.digest === 'string') return entry.digest;
  const { id: _id, digest: _digest, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16);
}

/** A digest as {@link opDigest} makes them (the gateway's header): 16 hex digits. */
export const OP_DIGEST = /^[0-9a-f]{16}$/;

/** JSON with every object's keys in sorted order (arrays keep theirs). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export class OpWindow {
  private readonly ops = new Map<string, KnownOp>();
  /** The op ids in the order they came, a ring of {@link capacity} (oldest at `oldest` once full): eviction in O(1). */
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(readonly capacity = OP_WINDOW) {}

  get size(): number {
    return this.ops.size;
  }

  /** The operation recorded under `id`, if the window still holds it. */
  find(id: string): KnownOp | undefined {
    return this.ops.get(id);
  }

  /**
   * Records entry `seq` (applied, or rejected with `problems`) when it carries a digest (a write under a client's
   * key: one without, under an id the gateway made, can never be resent); an id already known keeps its first entry.
   */
  record(entry: LogEntry, seq: number, problems?: readonly InputProblem[]): void {
    if (typeof entry.digest !== 'string') return;
    this.put(entry.id, problems ? { seq, digest: entry.digest, problems } : { seq, digest: entry.digest });
  }

  /** The window as plain data, oldest first. */
  list(): OpList {
    const out: OpList = [];
    for (let k = 0; k < this.order.length; k++) {
      const id = this.order[(this.oldest + k) % this.order.length], op = this.ops.get(id)!;
      out.push(op.problems ? [id, op.seq, op.digest, op.problems] : [id, op.seq, op.digest]);
    }
    return out;
  }

  /** Puts back a window {@link list} gave (a checkpoint's), oldest first. */
  restore(list: OpList): void {
    for (const [id, seq, digest, problems] of list) this.put(id, problems ? { seq, digest, problems } : { seq, digest });
  }

  private put(id: string, op: KnownOp): void {
    if (this.ops.has(id)) return;
    if (this.order.length < this.capacity) this.order.push(id);
    else {
      this.ops.delete(this.order[this.oldest]);
      this.order[this.oldest] = id;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    this.ops.set(id, op);
  }
}

/** True when `list` is a window as {@link OpWindow.list} writes it (a checkpoint's JSON, checked before it is trusted). */
export function isOpList(list: unknown): list is OpList {
  return Array.isArray(list) && list.every((x) => Array.isArray(x) && (x.length === 3 || x.length === 4) && typeof x[0] === 'string' && Number.isSafeInteger(x[1]) && typeof x[2] === 'string' && OP_DIGEST.test(x[2]) && (x.length === 3 || Array.isArray(x[3])));
}
