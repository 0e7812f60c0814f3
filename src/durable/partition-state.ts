/**
 * One partition's live state: a live session (src/live/live-session.ts) on the partition's accounts, fed from its log
 * exactly once. An entry is applied iff its seq is the next after the last applied (at or below: a duplicate, skipped
 * and counted; above the next: entries are missing, LogGapError), a tick iff its stream id is above the last applied.
 * A rejected entry or tick (InputError) is consumed all the same: the rules that reject it read only the entry, the
 * partition's holdings and the market, so a replay rejects it again and the log may hold it. A tick refused for this
 * partition's holdings alone (the domain's bounds) is one it cannot follow: {@link unfollowed}, not served.
 *
 * Order between the two streams does not matter to the state: holdings are a function of the fills and transfers
 * (average cost and realized P&L come from fill prices, not marks), the market of the ticks, and every update leaves an
 * account with the bits a fresh session on the current holdings and market gives it. So a partition rebuilt from a
 * checkpoint replays its fills and then its ticks and arrives at the state (state hash) of the one that lived
 * through the interleaved sequence.
 *
 * A partition that holds no account has no live session: it keeps its tick id and opening market, and refuses every
 * entry (no account of it can be named).
 */
import type { Engine } from '../engine.js';
import { describeValue, InputError } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import { BeyondDomainError } from '../live/live-domain.js';
import type { LiveSession, UpdateResult } from '../live/live-session.js';
import type { Fill, Transfer } from '../live/requests.js';
import type { Tick } from '../live/tick.js';
import { newTotalSums, type TotalSums } from '../margin/exact-totals.js';
import { isValidatedBook } from '../model/brand.js';
import { accountMethodsOf, bookColumnsOf } from '../model/book-columns.js';
import type { Book, Market, ValidatedBook } from '../model/types.js';
import { validateBook, validateMarket } from '../model/validate.js';
import { type LiveOptions, openLive } from '../live/open-live.js';
import { type CheckpointBody, CheckpointError, type DecodedCheckpoint, type ExactEntry } from './checkpoint-format.js';
import { type CheckpointSnapshot, encodeSnapshot, snapshotBody } from './checkpoint-snapshot.js';
import type { CheckpointStore, FoundCheckpoint, RefusedCheckpoint } from './checkpoint-store.js';
import { copyLayout } from './layout-copy.js';
import { compareStreamIds } from './log.js';
import type { LogEntry } from './partitions.js';
import { emptyStateHash, stateHash } from './state-hash.js';
import { type OpList, OpWindow } from './op-window.js';

/** A log position: the last fills entry and the last tick applied. */
export interface LogPosition {
  fillSeq: number;
  /** "ms-seq" ("0-0" before any tick). */
  tickId: string;
}

/** What a partition is opened with besides its book and market (what a checkpoint restores). */
export interface OpenExtras {
  /** Asset symbols to lay out: the whole book's (src/scale/shard-book.ts bookAssets), so per-asset loops match a single session's. */
  assets?: readonly string[] | undefined;
  /** Inverse positions' entries as the layout held them (a checkpoint's): written over the laid-out ones. */
  exactEntries?: readonly ExactEntry[] | undefined;
  /** The operations the partition remembered by op id (a checkpoint's: op-window.ts). */
  ops?: OpList | undefined;
}

/** What applying one log entry did. `applied` false: a duplicate (seq at or below the last applied), skipped. */
export interface EntryOutcome {
  applied: boolean;
  result?: UpdateResult | undefined;
  /** The entry was rejected (nothing changed); it still counts as applied, as it will be on every replay. */
  error?: InputError | undefined;
}

/** Counters since the partition was opened. */
export interface PartitionCounts {
  entriesApplied: number;
  entriesRejected: number;
  duplicatesSkipped: number;
  ticksApplied: number;
  ticksRejected: number;
  ticksSkipped: number;
}

/** An entry whose seq is past the next one: the entries between are missing (a trimmed log, a wrong checkpoint). */
export class LogGapError extends Error {
  override readonly name = 'LogGapError';
  constructor(readonly partition: number, readonly lastFillSeq: number, readonly seq: number, message?: string) {
    super(message ?? `partition ${partition}: entry ${seq} follows ${lastFillSeq}; entries ${lastFillSeq + 1}…${seq - 1} are missing (trimmed past the checkpoint?): nothing applied`);
  }

  /** The log's newest entries after `last`, up to `top` (its highest seq ever appended), were deleted. */
  static newestDeleted(partition: number, last: number, top: number): LogGapError {
    return new LogGapError(partition, last, top + 1, `partition ${partition}: the log's entries ${last + 1}…${top} are missing (deleted from the stream; its last entry is ${last}): nothing applied`);
  }

  /** The log was trimmed to nothing past `lastFillSeq`, its highest seq ever appended being `top`: entries lastFillSeq + 1…top are gone. */
  static trimmedAway(partition: number, lastFillSeq: number, top: number): LogGapError {
    return new LogGapError(partition, lastFillSeq, top + 1, `partition ${partition}: the log's entries ${lastFillSeq + 1}…${top} are missing (trimmed past the checkpoint?; it holds none after ${lastFillSeq}): nothing applied`);
  }
}

/**
 * The log holds fewer entries than were appended to it: Redis lost acknowledged entries (it restarted without its
 * append-only file, from an older copy of its data, or was flushed). A partition ahead of its log is never served:
 * whatever state it came back to would lack fills that were acknowledged, and new entries would take their seqs.
 */
export class LogLostError extends Error {
  override readonly name = 'LogLostError';
  /** `known`: the highest seq known to have been appended; `how`: what says so (a checkpoint, this shard's state). */
  constructor(readonly partition: number, readonly top: number, readonly known: number, how: string) {
    super(
      `partition ${partition}: the log's highest seq is ${top}, but entries up to ${known} were appended (${how}): Redis lost ` +
        `acknowledged entries (restarted without its append-only file, restored from an older copy, or flushed); the partition is ` +
        `not served until Redis's data is restored (docs/live-cluster.md#the-log)`,
    );
  }
}

/**
 * The ticks stream lacks its newest tick (`newest`, which Redis remembers as the last id it generated): its entry was
 * deleted. Every tick is absolute prices, so the partition would be served at the older market `at` while the gateway
 * reports at the newest: refused, never served at a market that is not the cluster's.
 */
export class TickLostError extends Error {
  override readonly name = 'TickLostError';
  constructor(readonly partition: number, readonly at: string, readonly newest: string, message?: string) {
    super(message ?? `partition ${partition}: the ticks stream's newest tick ${newest} is missing (its last entry is ${at}): the partition is not served until Redis's data is restored and its shards restarted (docs/live-cluster.md#the-log)`);
  }

  /**
   * The ticks stream ends before tick `applied`, known to have been logged (`how`: a checkpoint holds it, or this shard
   * applied it): Redis lost acknowledged ticks, and the partition would be served at a market the log cannot give again.
   */
  static ahead(partition: number, applied: string, newest: string, how: string): TickLostError {
    return new TickLostError(
      partition, applied, newest,
      `partition ${partition}: tick ${applied} was logged (${how}), but the ticks stream's newest tick is ${newest}: Redis lost ` +
        `acknowledged ticks (restarted without its append-only file, restored from an older copy, or flushed); the partition is ` +
        `not served until Redis's data is restored (docs/live-cluster.md#the-log)`,
    );
  }
}

/**
 * A tick the log holds that this partition cannot follow: it would take one of its accounts beyond the domain's
 * bounds (the gateway checks every tick against every partition before logging it; one that met a fill still in
 * flight, or a partition recovering then, can get through). The other partitions applied it: this one's market would
 * not be the cluster's, so it is not served (exact or refused, docs/live-cluster.md).
 */
export class TickUnfollowedError extends Error {
  override readonly name = 'TickUnfollowedError';
  constructor(readonly partition: number, readonly tickId: string, readonly problem: InputError) {
    super(`partition ${partition}: tick ${tickId} of the log would take an account of it beyond the domain's bounds (${problem.problems[0]?.path}: ${problem.problems[0]?.message}); the other partitions applied it, so this one is not served`);
  }
}

export { partitionBook } from './partition-book.js';

export class PartitionState {
  lastFillSeq: number;
  lastTickId: string;
  /** The last tick rejected (InputError), if any. */
  lastTickError: InputError | undefined;
  /** The first tick this partition could not follow (TickUnfollowedError): it is not served from then on. */
  unfollowed: TickUnfollowedError | undefined;
  readonly counts: PartitionCounts = { entriesApplied: 0, entriesRejected: 0, duplicatesSkipped: 0, ticksApplied: 0, ticksRejected: 0, ticksSkipped: 0 };
  /** The last operations applied, by op id (op-window.ts): a resend of one is answered, not written again. */
  readonly ops = new OpWindow();

  private constructor(
    readonly partition: number,
    /** null: the partition holds no account. */
    readonly live: LiveSession | null,
    /** The market of a partition with no live session (a live one keeps its own). */
    private readonly market: Market,
    /** Each account's own method by id (the layout keeps none; a checkpoint must). */
    private readonly methods: ReadonlyMap<string, string>,
    at: LogPosition,
  ) {
    this.lastFillSeq = at.fillSeq;
    this.lastTickId = at.tickId;
  }

  /**
   * Opens partition `partition` on `book` (its accounts: partitionBook) and `market` at log position `at` (the log
   * position they stand for: 0 and "0-0" for a book file, a checkpoint's header). Validation problems: InputError.
   */
  static open(engine: Engine, partition: number, book: ValidatedBook | Book | unknown, market: Market | unknown, options: LiveOptions, at: LogPosition, extras: OpenExtras = {}): PartitionState {
    if (!Number.isSafeInteger(at.fillSeq) || at.fillSeq < 0) throw new RangeError(`fillSeq must be an integer ≥ 0, got ${at.fillSeq}`);
    compareStreamIds(at.tickId, '0-0'); // a malformed tick id: TypeError
    const validation = { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true };
    const accounts = isValidatedBook(book) ? (bookColumnsOf(book)?.accountIds ?? book.accounts).length : (book as Book | null)?.accounts?.length;
    if (accounts === 0) {
      return withOps(new PartitionState(partition, null, JSON.parse(JSON.stringify(market)) as Market, new Map(), at), extras.ops);
    }
    const valid = isValidatedBook(book) ? book : validateBook(book, validation);
    const validMarket = validateMarket(market, valid, validation);
    const session = engine.openBook(valid, extras.assets ? { assets: extras.assets } : {});
    try {
      if (extras.exactEntries) writeExactEntries(session.layout, extras.exactEntries);
      const live = openLive<string>(session, validMarket, options);
      live.onReleased(() => session.release());
      return withOps(new PartitionState(partition, live, live.marketJson, methodsById(valid, session.layout), at), extras.ops);
    } catch (error) {
      session.release();
      throw error;
    }
  }

  /**
   * Opens the partition a decoded checkpoint holds, at its log position: CheckpointError('state') if it does not hash
   * to the header's state hash, ('content') if it does not open under `options`.
   */
  static restore(engine: Engine, checkpoint: DecodedCheckpoint, options: LiveOptions): PartitionState {
    const { header } = checkpoint;
    let state: PartitionState;
    try {
      state = PartitionState.open(engine, header.partition, checkpoint.book, checkpoint.market, options, { fillSeq: header.fillSeq, tickId: header.tickId }, { assets: checkpoint.assets, exactEntries: checkpoint.exactEntries, ops: checkpoint.ops });
    } catch (error) {
      // a body that reads back but does not open (its market, or its book under these options): refused like any other
      if (error instanceof InputError) throw new CheckpointError('content', `partition ${header.partition} does not open from it (${error.message})`);
      throw error;
    }
    const hash = state.stateHash();
    if (hash !== header.stateHash) {
      state.release();
      throw new CheckpointError('state', `partition ${header.partition} opens to state ${hash}, the header says ${header.stateHash}`);
    }
    return state;
  }

  /**
   * The partition restored from its newest usable checkpoint in `store` (falling back past refused ones, each told to
   * `onRefused`), or null when there is none (recover from the book file at seq 0 then).
   */
  static async recover(engine: Engine, store: CheckpointStore, partition: number, fingerprint: string, options: LiveOptions, onRefused?: (refused: RefusedCheckpoint) => void): Promise<{ state: PartitionState; found: FoundCheckpoint } | null> {
    let state: PartitionState | undefined;
    const found = await store.latestValid(partition, fingerprint, onRefused, (candidate) => {
      state = PartitionState.restore(engine, candidate, options);
    });
    return found === null ? null : { state: state!, found };
  }

  /** Applies entry `seq` of the partition's fills stream once (see the module comment). */
  applyEntry(seq: number, entry: LogEntry): EntryOutcome {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`seq must be an integer ≥ 1, got ${seq}`);
    if (seq <= this.lastFillSeq) {
      this.counts.duplicatesSkipped++;
      return { applied: false };
    }
    if (seq !== this.lastFillSeq + 1) throw new LogGapError(this.partition, this.lastFillSeq, seq);
    try {
      const result = this.applyToLive(entry);
      this.lastFillSeq = seq;
      this.counts.entriesApplied++;
      this.ops.record(entry, seq);
      return { applied: true, result };
    } catch (error) {
      if (!(error instanceof InputError)) throw error; // not the entry's fault: fail closed, nothing consumed
      this.lastFillSeq = seq;
      this.counts.entriesRejected++;
      this.ops.record(entry, seq, error.problems);
      return { applied: true, error };
    }
  }

  /** Applies tick `id` of the ticks stream once: false when it was already applied (id at or below the last). */
  applyTick(id: string, tick: unknown): boolean {
    if (compareStreamIds(id, this.lastTickId) <= 0) {
      this.counts.ticksSkipped++;
      return false;
    }
    try {
      this.live?.applyTick(tick as Tick);
      this.counts.ticksApplied++;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.lastTickError = error;
      this.counts.ticksRejected++;
      if (error instanceof BeyondDomainError) this.unfollowed ??= new TickUnfollowedError(this.partition, id, error);
    }
    this.lastTickId = id;
    return true;
  }

  /** Hex SHA-256 of the partition's holdings and market (src/durable/state-hash.ts). */
  stateHash(): string {
    return this.live === null ? emptyStateHash(this.market) : stateHash(this.live);
  }

  /** The exact sums behind the partition's report totals (src/margin/exact-totals.ts), for merging across partitions. */
  sums(): TotalSums {
    return this.live === null ? newTotalSums() : this.live.reportParts.totalSums();
  }

  /**
   * The partition's checkpoint at its current log position, by build `fingerprint` (buildFingerprint()), made in this
   * thread. The state is captured before this returns (synchronously): entries and ticks applied while the bytes are
   * made are not in them.
   */
  checkpoint(fingerprint: string, createdAtMs = Date.now()): Promise<Uint8Array> {
    return encodeSnapshot(this.checkpointSnapshot(fingerprint, createdAtMs));
  }

  /**
   * What the partition's checkpoint is made from, taken now (checkpoint-snapshot.ts): the layout's columns copied, the
   * market the live one itself, so the snapshot must be handed on in this same turn, to CheckpointEncoder.encode (its
   * postMessage clones the market at once) or to encodeSnapshot (which reads the market before its first await). The
   * bytes may then be made on another thread while entries and ticks go on being applied here.
   */
  checkpointSnapshot(fingerprint: string, createdAtMs = Date.now()): CheckpointSnapshot {
    const header = { partition: this.partition, fillSeq: this.lastFillSeq, tickId: this.lastTickId, fingerprint, createdAtMs };
    const ops = this.ops.list();
    if (this.live === null) return { header, market: this.market, layout: null, methods: [], ops };
    return { header, market: this.live.marketJson, layout: copyLayout(this.live.layout, this.live.reportParts.accountMasters), methods: [...this.methods], ops };
  }

  /** What a checkpoint holds, copied now: the accounts as the layout holds them (with masters and methods), the market. */
  checkpointBody(): CheckpointBody {
    const { body } = snapshotBody(this.checkpointSnapshot(''));
    return { ...body, market: structuredClone(body.market) };
  }

  release(): void {
    this.live?.release();
  }

  private applyToLive(entry: LogEntry): UpdateResult {
    const live = this.live;
    if (live === null) throw new InputError([{ path: 'entry', message: `partition ${this.partition} holds no account` }]);
    switch (entry.kind) {
      case 'fills': return live.applyFills(entry.fills as Fill[]);
      case 'transfers': return live.applyTransfers(entry.transfers as Transfer[]);
      case 'decision': return this.applyDecision(live, entry);
      default: throw new InputError([{ path: 'entry.kind', message: `unknown log entry kind ${describeValue((entry as { kind: unknown }).kind)}` }]);
    }
  }

  /**
   * A derived action written by the owner (a liquidation's fills, its fees as transfers), applied verbatim: its fills,
   * then its transfers. The owner writes one only once it applied, so a replay applies it too; were its transfers
   * refused, its fills would stay applied (on every replay alike).
   */
  private applyDecision(live: LiveSession, entry: LogEntry & { kind: 'decision' }): UpdateResult {
    const { fills, transfers } = entry as { fills?: unknown; transfers?: unknown };
    if (fills === undefined && transfers === undefined) throw new InputError([{ path: 'entry', message: 'a decision carries fills or transfers to apply' }]);
    const out: UpdateResult = { remargined: 0, events: [] };
    for (const result of [fills === undefined ? null : live.applyFills(fills as Fill[]), transfers === undefined ? null : live.applyTransfers(transfers as Transfer[])]) {
      if (result === null) continue;
      out.remargined += result.remargined;
      out.events.push(...result.events);
    }
    return out;
  }
}

/** `state` with the operations a checkpoint remembered put back. */
function withOps(state: PartitionState, ops: OpList | undefined): PartitionState {
  if (ops) state.ops.restore(ops);
  return state;
}

/** Each account's own method by id (layout index = book index), without building a columnar book's object view. */
function methodsById(book: ValidatedBook, layout: BookLayout): Map<string, string> {
  const methods = accountMethodsOf(book), out = new Map<string, string>();
  methods?.forEach((method, a) => method !== undefined && out.set(layout.accountIds[a]!, method));
  return out;
}

/** Writes a checkpoint's exact entries over the laid-out ones (before the session's first run). */
function writeExactEntries(layout: BookLayout, entries: readonly ExactEntry[]): void {
  const positions = layout.positions;
  const instrument = positions.column<'i32'>('instrument').array, entry = positions.column<'f64'>('entryPrice').array;
  for (const [id, instrumentId, x] of entries) {
    const a = layout.accountIndex(id), row = layout.instruments.indexById.get(instrumentId);
    let slot = -1;
    if (a >= 0 && row !== undefined) for (let s = positions.start.array[a]; s < positions.end.array[a]; s++) if (instrument[s] === row) slot = s;
    if (slot < 0) throw new CheckpointError('content', `exact entry of ${JSON.stringify(id)} on ${JSON.stringify(instrumentId)}: no such position`);
    entry[slot] = x;
  }
}
