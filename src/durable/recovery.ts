/**
 * Bringing a partition up on a shard that just acquired it: the newest usable checkpoint (falling back past corrupt
 * or foreign ones), else the book file's accounts of the partition at seq 0; then every log entry after the
 * checkpoint's fill seq and every tick after its tick id. A log trimmed past the checkpoint found is a LogGapError,
 * whether an entry after the gap is left or the log was trimmed to nothing (the highest seq ever appended tells): the
 * partition is not served (never a state with fills missing). A log whose highest seq is below one known to have been
 * appended (the checkpoint's, or one this shard applied) lost acknowledged entries: LogLostError, not served either.
 */
import { basename } from 'node:path';
import type { Engine } from '../engine.js';
import type { ValidatedBook } from '../model/types.js';
import type { LiveOptions } from '../live/open-live.js';
import type { CheckpointStore, RefusedCheckpoint } from './checkpoint.js';
import { compareStreamIds, type PartitionLog, type TickLog } from './log.js';
import { LogGapError, LogLostError, partitionBook, PartitionState, TickLostError } from './partition-state.js';

/** Entries (or ticks) read per call while replaying. */
const REPLAY_BATCH = 1_000;

export interface RecoverySource {
  engine: Engine;
  store: CheckpointStore;
  fingerprint: string;
  liveOptions: LiveOptions;
  /**
   * The book file, validated, and its assets (every partition lays them out in the same order as a single session):
   * asked for only when a partition has no usable checkpoint, so a restart whose partitions all have one need not read it.
   */
  bookFile: () => Promise<{ book: ValidatedBook; assets: readonly string[] }>;
  /** The market file's JSON (validated against the book as each partition opens). */
  market: unknown;
  log: PartitionLog;
  ticks: TickLog;
  /** The highest fill seq this process applied on partition p before (0: none): its log must reach it (shard.ts). */
  appliedBefore?: ((p: number) => number) | undefined;
  /** The newest tick id this process's tail delivered ('0-0': none): the ticks stream must reach it (shard.ts). */
  tickSeen?: (() => string) | undefined;
}

export interface Recovered {
  state: PartitionState;
  from: 'checkpoint' | 'book';
  /** The position recovered from, before the replay. */
  at: { fillSeq: number; tickId: string };
  refused: RefusedCheckpoint[];
  entriesReplayed: number;
  /** Of them, the entries rejected on apply (the first few named), or null when none was. */
  rejected: Pick<Replayed, 'rejected' | 'firstRejected'> | null;
  ticksReplayed: number;
}

export async function recoverPartition(src: RecoverySource, p: number, stillWanted: () => boolean): Promise<Recovered> {
  const refused: RefusedCheckpoint[] = [];
  const found = await PartitionState.recover(src.engine, src.store, p, src.fingerprint, src.liveOptions, (r) => refused.push(r));
  const state = found?.state ?? (await fromBookFile(src, p));
  const at = { fillSeq: state.lastFillSeq, tickId: state.lastTickId };
  try {
    const replayed = await replayEntries(src.log, state, stillWanted);
    // a log trimmed to nothing past the state holds no entry to show the gap: the highest seq ever appended does
    const top = await src.log.lastSeq(p);
    if (stillWanted()) {
      // ahead of the log: Redis lost entries it had acknowledged (the top never falls otherwise: trimming keeps it)
      if (state.lastFillSeq > top) throw new LogLostError(p, top, state.lastFillSeq, `the checkpoint at seq ${at.fillSeq} holds them`);
      const applied = src.appliedBefore?.(p) ?? 0;
      if (applied > top) throw new LogLostError(p, top, applied, 'this shard applied them');
      // a loss a shard found before, marked beside the checkpoints (it outlives that shard): refused until the log has them
      const marked = await src.store.lostMark(p);
      if (marked !== null && marked > top) throw new LogLostError(p, top, marked, 'a shard found them lost before: the mark beside the checkpoints');
      if (marked !== null) await src.store.clearLost(p);
      if (state.lastFillSeq < top) throw LogGapError.trimmedAway(p, state.lastFillSeq, top);
      // the newest entries deleted (XDEL) though the state holds them: appends would follow the last entry left, and
      // another owner recovering from an older checkpoint would miss them (renewals refuse it too: one rule, said first)
      const last = await src.log.lastEntrySeq(p);
      if (last !== null && last < top) throw LogGapError.newestDeleted(p, last, top);
    }
    // the newest tick ever logged, read first: every tick up to it is in the stream by the time the replay reads it
    const seen = src.tickSeen?.() ?? '0-0'; // before the read: a tick the tail delivered was in the stream by then
    const { generated: newestTick, lastEntry } = await src.ticks.ends();
    // its newest ticks deleted (XDEL), a checkpoint holding them or not: one rule, as for a fills stream's newest entry
    if (stillWanted() && lastEntry !== null && compareStreamIds(lastEntry, newestTick) < 0) throw new TickLostError(p, lastEntry, newestTick);
    // a checkpoint (or this shard) past the stream's end: Redis lost ticks it had acknowledged (the end never falls otherwise)
    if (stillWanted() && compareStreamIds(state.lastTickId, newestTick) > 0) throw TickLostError.ahead(p, state.lastTickId, newestTick, `the checkpoint at tick ${state.lastTickId} holds it`);
    if (stillWanted() && compareStreamIds(seen, newestTick) > 0) throw TickLostError.ahead(p, seen, newestTick, 'this shard applied it');
    let ticksReplayed = 0;
    for (;;) {
      const ticks = await src.ticks.read(state.lastTickId, REPLAY_BATCH);
      if (ticks.length === 0 || !stillWanted()) break;
      for (const t of ticks) if (state.applyTick(t.id, t.tick)) ticksReplayed++;
    }
    if (state.unfollowed) throw state.unfollowed; // held refused, as when it was met live
    // a tick deleted from the stream (its last entry gone): the partition would be served at an older market than the gateway's
    if (stillWanted() && compareStreamIds(state.lastTickId, newestTick) < 0) throw new TickLostError(p, state.lastTickId, newestTick);
    return { state, from: found ? 'checkpoint' : 'book', at, refused, entriesReplayed: replayed.applied, rejected: rejectedOf(replayed), ticksReplayed };
  } catch (error) {
    state.release();
    // a refusal for a gap that a refused checkpoint would have bridged says which files were refused and why
    if (refused.length > 0 && (error instanceof LogGapError || error instanceof LogLostError)) {
      error.message += `; checkpoints refused: ${refused.map((r) => `${basename(r.file)} (${r.kind}: ${r.message})`).join(', ')}`;
    }
    throw error;
  }
}

/** Partition p opened from the book file's accounts, at seq 0. */
async function fromBookFile(src: RecoverySource, p: number): Promise<PartitionState> {
  const { book, assets } = await src.bookFile();
  return PartitionState.open(src.engine, p, partitionBook(book, p), src.market, src.liveOptions, { fillSeq: 0, tickId: '0-0' }, { assets });
}

/** What a replay of the log did: entries consumed, and those of them rejected on apply (the first few named). */
export interface Replayed {
  /** Entries consumed (applied, or rejected on apply: a rejected entry is consumed all the same). */
  applied: number;
  /** Entries rejected on apply (InputError): the state did not change for them. */
  rejected: number;
  /** The first {@link NAMED_REJECTIONS} of them: seq, op id and first problem, for the shard's log line. */
  firstRejected: { seq: number; id: string; problem: string }[];
}

/** Rejected entries a replay names in its outcome (the rest are counted). */
export const NAMED_REJECTIONS = 5;

/** Applies every entry of p's log after the state's last one. */
export async function replayEntries(log: PartitionLog, state: PartitionState, stillWanted: () => boolean = () => true): Promise<Replayed> {
  const out: Replayed = { applied: 0, rejected: 0, firstRejected: [] };
  for (;;) {
    const entries = await log.read(state.partition, state.lastFillSeq, REPLAY_BATCH);
    if (entries.length === 0 || !stillWanted()) return out;
    for (const { seq, entry } of entries) {
      const outcome = state.applyEntry(seq, entry);
      if (!outcome.applied) continue;
      out.applied++;
      if (outcome.error === undefined) continue;
      // an entry the log holds but the rules refuse (one rejected when it was first written, or one another writer added)
      if (out.rejected++ < NAMED_REJECTIONS) {
        const first = outcome.error.problems[0];
        out.firstRejected.push({ seq, id: String(entry.id), problem: first ? `${first.path}: ${first.message}` : outcome.error.message });
      }
    }
  }
}

/** A replay's rejections for a log line: null when there were none. */
export function rejectedOf(r: Replayed): Pick<Replayed, 'rejected' | 'firstRejected'> | null {
  return r.rejected === 0 ? null : { rejected: r.rejected, firstRejected: r.firstRejected };
}
