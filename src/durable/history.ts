/**
 * A history checker for the live cluster (the total-queue checker of Jepsen, on fills): every operation a client sent
 * is recorded with what the client learned — acknowledged (200), failed (refused with nothing written) or unknown (no
 * answer, or an answer that could not say) — and at the end the partitions' logs are read whole and compared:
 *
 * - lost: acknowledged, absent from every log;
 * - duplicated: an op id in one partition's log more than once;
 * - unexpected: in a log but never sent, or sent and failed (a refusal promised nothing was written);
 * - recovered: unknown and present (allowed: an unknown op may be applied or not, never twice).
 *
 * Conservation: over the entries present, the quantities of every instrument sum to 0 when each op's fills are the two
 * sides of trades (buyer and seller in one op).
 */
import type { LogEntry } from './partitions.js';

export type Outcome = 'ok' | 'fail' | 'unknown';

export interface LoggedEntry {
  partition: number;
  seq: number;
  entry: LogEntry;
}

export interface HistoryVerdict {
  sent: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  lost: string[];
  duplicated: string[];
  unexpected: string[];
  recovered: string[];
  /** Instrument → the sum of the quantities of its fills in the logs (0 for each when trades were logged whole). */
  netQuantity: Map<string, number>;
}

export class History {
  private readonly outcomes = new Map<string, Outcome>();

  /** Records op `id` (sent once) and what its client learned. */
  record(id: string, outcome: Outcome): void {
    if (this.outcomes.has(id)) throw new Error(`op ${id} recorded twice: an op id is sent once`);
    this.outcomes.set(id, outcome);
  }

  get size(): number {
    return this.outcomes.size;
  }

  /** The verdict on `entries`: every entry of every partition's log (read whole, from seq 1). */
  check(entries: Iterable<LoggedEntry>): HistoryVerdict {
    const seen = new Map<string, number>();
    const netQuantity = new Map<string, number>();
    const duplicated: string[] = [], unexpected: string[] = [];
    for (const { partition, entry } of entries) {
      const key = `${partition}\u0000${entry.id}`;
      const times = (seen.get(key) ?? 0) + 1;
      seen.set(key, times);
      if (times === 2) duplicated.push(entry.id);
      const outcome = this.outcomes.get(entry.id);
      if ((outcome === undefined || outcome === 'fail') && times === 1) unexpected.push(entry.id);
      if (entry.kind === 'fills') {
        for (const fill of entry.fills as { instrument: string; quantity: number }[]) netQuantity.set(fill.instrument, (netQuantity.get(fill.instrument) ?? 0) + fill.quantity);
      }
    }
    const present = new Set([...seen.keys()].map((k) => k.split('\u0000')[1]));
    const lost: string[] = [], recovered: string[] = [];
    let acknowledged = 0, failed = 0, unknown = 0;
    for (const [id, outcome] of this.outcomes) {
      if (outcome === 'ok') {
        acknowledged++;
        if (!present.has(id)) lost.push(id);
      } else if (outcome === 'fail') failed++;
      else {
        unknown++;
        if (present.has(id)) recovered.push(id);
      }
    }
    return { sent: this.outcomes.size, acknowledged, failed, unknown, lost, duplicated, unexpected, recovered, netQuantity };
  }
}

/**
 * What a client learned from the gateway's answer to a fills request (status, the x-in-log header), or from no answer
 * (status null; inLog 'false' when the connection was refused, so nothing was sent). x-in-log 'partial' (a batch over
 * several partitions applied in part) is unknown: only single-partition ops are judged whole.
 */
export function outcomeOf(status: number | null, inLog: string | null): Outcome {
  if (inLog === 'true') return status === 200 ? 'ok' : 'unknown'; // written: applied, or rejected the same way on every replay
  if (status === 200) return 'ok';
  if (status === null) return inLog === 'false' ? 'fail' : 'unknown'; // no answer: the request may have gone through, unless the connection was refused
  if (status === 400 || status === 413 || status === 401) return 'fail';
  if (status === 503 && (inLog === null || inLog === 'false')) return 'fail'; // refused before anything was written
  return 'unknown';
}
