/**
 * A partition a shard holds: its lease (epoch, valid until), its state once recovered, and its group commit.
 *
 * Group commit: fills requests of one partition that arrive while an append is in flight wait in a queue and go out
 * together as the next append (one fenced Lua call). So one append is in flight per partition at a time, and seqs are
 * handed out in order with no gap. The appends of all the shard's partitions go through the log's shard-wide group
 * commit (group-commit.ts): those asked for in the same turn share one Redis round trip and one fsync. A request is answered after its
 * entry's XADD replied AND the entry was applied to the state (the answer carries the re-margined accounts).
 *
 * When an append's outcome is unknown (Redis went away mid-call) the entries may or may not be in the log: the
 * partition stops serving and re-reads its log after the last entry it applied (resync), which applies them if they
 * landed. The requests are answered 503 "outcome unknown" either way.
 *
 * An operation whose op id the partition knows (op-window.ts: applied, or queued or in flight here) is not written
 * again: it is answered as the first one was, marked `replayed`, or refused with {@link KeyReused} when it asks for
 * something else under the same id.
 */
import { InputError } from '../errors.js';
import type { UpdateResult } from '../live/live-session.js';
import { FencedError, LogConflictError, type PartitionLog } from './log.js';
import type { LogEntry } from './partitions.js';
import type { PartitionState } from './partition-state.js';
import { opDigest } from './op-window.js';

/**
 * `refused`: held (its lease renewed, so that no other shard serves it) but never served: its recovery found the log
 * lost acknowledged entries (recovery.ts LogLostError), said in {@link OwnedPartition.refusedWhy}.
 */
export type PartitionStatus = 'recovering' | 'ready' | 'leaving' | 'dropped' | 'refused';

/** Most entries in one append (bounds the Lua call's size). */
const MAX_ENTRIES_PER_APPEND = 512;

/** What an accepted entry did: its seq, and the update (or the validation error it was rejected with on apply). */
export interface Accepted {
  seq: number;
  result?: UpdateResult | undefined;
  error?: InputError | undefined;
  /** The op id was the partition's already: nothing was written, the first operation's seq (and problems) answered. */
  replayed?: true | undefined;
}

/** An op id the partition knows from another operation (a different body under the same Idempotency-Key): nothing written. */
export class KeyReused extends Error {
  override name = 'KeyReused';
  constructor(readonly partition: number, readonly id: string, readonly seq: number | null) {
    super(`Idempotency-Key ${JSON.stringify(id)} was used for another request (${seq === null ? 'in flight' : `entry ${seq}`} of partition ${partition}); nothing written`);
  }
}

/** A request that is not (or not known to be) applied: `inLog` true = written to the log, applied by a later owner. */
export class NotApplied extends Error {
  override name = 'NotApplied';
  constructor(message: string, readonly inLog: boolean | 'unknown') {
    super(message);
  }
}

interface Waiting {
  entry: LogEntry;
  resolve: (accepted: Accepted) => void;
  reject: (error: Error) => void;
}

export interface PartitionCounters {
  fillsApplied: number;
  appends: number;
  /** Writes answered from the partition's window (resent under a key it knew, or while the first was in flight). */
  writesReplayed: number;
}

export class OwnedPartition {
  status: PartitionStatus = 'recovering';
  state: PartitionState | null = null;
  /** Local clock time until which the lease is surely ours (counted from when the last renewal was sent). */
  leaseUntilMs: number;
  replayMs = 0;
  recoveredFrom: 'checkpoint' | 'book' | null = null;
  lastCheckpointAtMs: number;
  /** Fill items applied since the last checkpoint. */
  fillsSinceCheckpoint = 0;
  checkpointing: Promise<void> | null = null;
  /** The position of the last checkpoint written (or recovered from): nothing new since means no new checkpoint. */
  checkpointed = { fillSeq: -1, tickId: '' };
  readonly counters: PartitionCounters = { fillsApplied: 0, appends: 0, writesReplayed: 0 };
  private nextSeq = 0;
  private readonly queue: Waiting[] = [];
  /** Operations queued or in flight here, by op id (not yet in the state's window): a resend waits for the first. */
  private readonly inFlight = new Map<string, { digest: string; accepted: Promise<Accepted> }>();
  private appending: Promise<void> | null = null;

  constructor(
    readonly partition: number,
    readonly epoch: number,
    private readonly log: PartitionLog,
    private readonly shard: string,
    leaseMs: number,
    sentAtMs: number,
    /** Told when an append was fenced (the partition is another shard's now) or its outcome is unknown. */
    private readonly onTrouble: (partition: OwnedPartition, error: unknown) => void,
  ) {
    this.leaseUntilMs = sentAtMs + leaseMs;
    this.lastCheckpointAtMs = Date.now();
  }

  /** Recovered: serve it; the next append goes after the last entry applied. */
  ready(state: PartitionState): void {
    this.state = state;
    this.nextSeq = state.lastFillSeq + 1;
    this.status = 'ready';
    this.flush();
  }

  /** Ready and within its lease by the local clock: safe to answer from (never a stale answer past the lease). */
  servable(now = Date.now()): boolean {
    return this.status === 'ready' && this.state !== null && now < this.leaseUntilMs;
  }

  /**
   * Its status as a reader sees it: `lapsed` for a ready partition whose lease ran out by the local clock and whose
   * renewal has not been answered yet (it is not served meanwhile: renewed, it is ready again; else it is dropped).
   */
  servedStatus(now = Date.now()): PartitionStatus | 'lapsed' {
    return this.status === 'ready' && !this.servable(now) ? 'lapsed' : this.status;
  }

  /**
   * Appends `entry` (with others queued meanwhile) and applies it; rejects with NotApplied or FencedError. An entry
   * under a client's key (one with a digest) the partition knows ({@link known}) is answered without writing; one
   * queued or in flight here, once that one is.
   */
  submit(entry: LogEntry): Promise<Accepted> {
    if (this.status !== 'ready') return Promise.reject(new NotApplied(`partition ${this.partition} is ${this.status} on this shard`, false));
    try {
      const known = this.known(entry);
      if (known !== null) {
        this.counters.writesReplayed++;
        return Promise.resolve(known);
      }
      const flying = this.flying(entry);
      if (flying !== undefined) {
        this.counters.writesReplayed++;
        return flying.then((first) => ({ seq: first.seq, ...(first.error ? { error: first.error } : {}), replayed: true }));
      }
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const accepted = new Promise<Accepted>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.flush();
    });
    if (typeof entry.digest !== 'string') return accepted;
    this.inFlight.set(entry.id, { digest: entry.digest, accepted });
    const done = () => void (this.inFlight.get(entry.id)?.accepted === accepted && this.inFlight.delete(entry.id));
    accepted.then(done, done);
    return accepted;
  }

  /**
   * The answer to `entry` when the partition's window holds its op id: the first operation's seq (and its problems if
   * it was rejected on apply), replayed; null when the op id is new or the entry carries no client key. KeyReused when
   * the window holds it for another request.
   */
  known(entry: LogEntry): Accepted | null {
    if (typeof entry.digest !== 'string') return null;
    const op = this.state?.ops.find(entry.id);
    if (op === undefined) return null;
    if (op.digest !== entry.digest) throw new KeyReused(this.partition, entry.id, op.seq);
    return { seq: op.seq, ...(op.problems ? { error: new InputError(op.problems) } : {}), replayed: true };
  }

  /**
   * True when {@link submit} would answer `entry` from an operation it knows or holds in flight (not checked again:
   * checked against a state the first has not reached yet, it could be refused while the first applies). KeyReused as
   * {@link known}.
   */
  recognises(entry: LogEntry): boolean {
    return this.known(entry) !== null || this.flying(entry) !== undefined;
  }

  /** The first operation under `entry`'s key queued or in flight here, if any; KeyReused when it asks for another thing. */
  private flying(entry: LogEntry): Promise<Accepted> | undefined {
    if (typeof entry.digest !== 'string') return undefined;
    const first = this.inFlight.get(entry.id);
    if (first === undefined) return undefined;
    if (first.digest !== entry.digest) throw new KeyReused(this.partition, entry.id, null);
    return first.accepted;
  }

  /** Resolves once nothing is queued or in flight (SIGTERM's drain, a handoff). */
  async drained(): Promise<void> {
    while (this.appending !== null || (this.queue.length > 0 && this.status === 'ready')) await (this.appending ?? new Promise((r) => setTimeout(r, 5)));
  }

  /** Why the partition is `refused` (empty otherwise). */
  refusedWhy = '';

  /** Stops serving: queued requests are refused (nothing of theirs was written). */
  drop(status: 'dropped' | 'recovering' | 'leaving' | 'refused', why: string): void {
    this.status = status;
    if (status === 'refused') this.refusedWhy = why;
    for (const w of this.queue.splice(0)) w.reject(new NotApplied(`partition ${this.partition}: ${why}`, false));
  }

  private flush(): void {
    if (this.appending !== null || this.queue.length === 0 || this.status !== 'ready') return;
    const batch = this.queue.splice(0, MAX_ENTRIES_PER_APPEND);
    this.appending = this.append(batch).finally(() => {
      this.appending = null;
      this.flush();
    });
  }

  private async append(batch: Waiting[]): Promise<void> {
    const firstSeq = this.nextSeq;
    try {
      // 'duplicate': a resent call whose first try landed; the same entries are at the same seqs either way
      // with the other partitions' appends of this turn: one Redis round trip (and fsync) for the shard, not one each
      await this.log.appendSoon({ p: this.partition, shard: this.shard, epoch: this.epoch, firstSeq, entries: batch.map((w) => w.entry) });
      this.counters.appends++;
    } catch (error) {
      const fenced = error instanceof FencedError;
      // fenced: nothing written by this try; an earlier one (a client that resends a call cut by a lost connection; the
      // shard's does not: maxRetriesPerRequest 0, src/scale/redis/connect.ts) may have landed before the partition
      // changed hands: the log says which. A conflict (other entries at these seqs, or a gap) means no try of this call
      // landed, since the script writes a call's entries at firstSeq or nowhere; seqs trimmed away leave it unknown
      const inLog = fenced ? await this.landed(firstSeq, batch.map((w) => w.entry)) : error instanceof LogConflictError ? error.written : 'unknown';
      const why = fenced ? `lost to another shard (${error.message})` : error instanceof LogConflictError ? `refused by the log (${error.message})` : `append outcome unknown (${this.log.failure(error)})`;
      const told = inLog === true ? `${why}; it was written before (its next owner applies it)` : why;
      for (const w of batch) w.reject(new NotApplied(`partition ${this.partition}: ${told}`, inLog));
      this.onTrouble(this, error);
      return;
    }
    this.nextSeq = firstSeq + batch.length;
    this.applyBatch(firstSeq, batch);
  }

  /** Whether `entries` are the log's entries from firstSeq on (true), another's (false), or it cannot tell ('unknown'). */
  private async landed(firstSeq: number, entries: LogEntry[]): Promise<boolean | 'unknown'> {
    try {
      if ((await this.log.lastSeq(this.partition)) < firstSeq) return false; // nothing was ever written at those seqs
      const found = await this.log.read(this.partition, firstSeq - 1, entries.length);
      if (found.length === 0 || found[0].seq !== firstSeq) return 'unknown'; // trimmed already
      return found.length === entries.length && found.every((f, i) => f.seq === firstSeq + i && JSON.stringify(f.entry) === JSON.stringify(entries[i]));
    } catch {
      return 'unknown';
    }
  }

  private applyBatch(firstSeq: number, batch: Waiting[]): void {
    const state = this.state;
    if (this.status === 'dropped' || state === null) {
      for (const w of batch) w.reject(new NotApplied(`partition ${this.partition}: written to the log but the partition left this shard; its next owner applies it`, true));
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i];
      try {
        const outcome = state.applyEntry(firstSeq + i, w.entry);
        if (outcome.result) {
          const items = w.entry.kind === 'fills' ? w.entry.fills.length : 0;
          this.counters.fillsApplied += items;
          this.fillsSinceCheckpoint += items;
        }
        w.resolve({ seq: firstSeq + i, result: outcome.result, error: outcome.error });
      } catch (error) {
        // not the entry's fault (it would be an InputError): it and the rest are in the log but not applied here.
        // The partition stops serving and re-reads its log (the shard's resync; dropped if it fails again), so a
        // resend under their keys waits for that instead of being written a second time.
        const why = `written to the log but not applied here (${(error as Error).message}); the partition re-reads its log`;
        for (const rest of batch.slice(i)) rest.reject(new NotApplied(`partition ${this.partition}: ${why}`, true));
        this.onTrouble(this, error);
        return;
      }
    }
  }
}
