/**
 * A shard's group commit across its partitions: appends asked for while a Redis round trip is in flight (or within
 * the same turn of the event loop) go out together as the next one, a pipeline of one fenced append script per
 * partition (PartitionLog.appendMany). So a batch spanning many of a shard's partitions costs one round trip and, on
 * an `appendfsync always` Redis, one fsync, instead of one of each per partition.
 *
 * One round trip is in flight at a time. Each partition keeps its own rule (one append of its own in flight, seqs
 * handed out in order: owned-partition.ts), so a partition is never twice in one pipeline, and two pipelines never
 * carry the same partition's seqs out of order.
 */
import type { LogEntry } from './partitions.js';

type Outcome = 'appended' | 'duplicate';

/** One partition's part of PartitionLog.appendMany: append's arguments. */
export interface AppendPart {
  p: number;
  shard: string;
  epoch: number;
  firstSeq: number;
  entries: LogEntry[];
}


/** What the group needs of the log: one round trip for several partitions' appends, each settled on its own. */
export interface ManyAppender {
  appendMany(parts: readonly AppendPart[]): Promise<PromiseSettledResult<Outcome>[]>;
}

interface Asked {
  part: AppendPart;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private asked: Asked[] = [];
  private inFlight = false;
  private scheduled = false;
  /** Round trips made (for tests and metrics). */
  roundTrips = 0;

  constructor(private readonly log: ManyAppender) {}

  /** Appends `part` with whatever else is asked for meanwhile; settles as PartitionLog.append would. */
  append(part: AppendPart): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.asked.push({ part, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.inFlight || this.scheduled || this.asked.length === 0) return;
    this.scheduled = true;
    // the rest of this turn's requests (a batch's parts, requests read in the same poll) join this round trip
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private send(): void {
    if (this.inFlight || this.asked.length === 0) return;
    const batch = this.asked.splice(0);
    this.inFlight = true;
    this.roundTrips++;
    let sent: Promise<PromiseSettledResult<Outcome>[]>;
    try {
      sent = this.log.appendMany(batch.map((a) => a.part));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent
      .then(
        (settled) => settled.forEach((s, i) => (s.status === 'fulfilled' ? batch[i].resolve(s.value) : batch[i].reject(s.reason))),
        (error) => batch.forEach((a) => a.reject(error)),
      )
      .finally(() => {
        this.inFlight = false;
        this.kick();
      });
  }
}
