/**
 * The live engine's log on Redis Streams: one fills stream per partition, written only by the partition's owner and
 * fenced inside Redis by its epoch (log-scripts.ts), and one ticks stream every shard reads.
 *
 * A fill is accepted when its XADD has replied. With `appendonly yes` + `appendfsync always` that reply comes after
 * the fsync, so an accepted fill survives a crash of Redis or of the machine (checkDurability). Entry ids are explicit,
 * `<seq>-0` with seq 1, 2, 3 … per partition, so a retried append (ours, or ioredis resending a command after a
 * reconnection) cannot be stored twice: it is found at or below the stream's top and read back.
 */
import { type RedisClient, redisUnreachable } from '../scale/redis/connect.js';
import { type AppendPart, GroupCommit } from './group-commit.js';
import { defineLogScripts, type LogScripts, type ScriptReply } from './log-scripts.js';
import type { CheckpointPointer, LogEntry, LogKeys } from './partitions.js';

export type { AppendPart } from './group-commit.js';

export type Durability = 'strict' | 'relaxed';

/** Redis is not set up for the durability asked (or would not say how it is set up). */
export class DurabilityError extends Error {
  override name = 'DurabilityError';
}

/** A write by a shard that no longer owns the partition at its epoch: nothing was written. */
export class FencedError extends Error {
  override name = 'FencedError';
  constructor(readonly partition: number, readonly shard: string, readonly epoch: number, readonly currentEpoch: number, readonly currentOwner: string) {
    super(`partition ${partition}: shard ${shard} at epoch ${epoch} is fenced (epoch now ${currentEpoch}, owner ${currentOwner || 'none'}); nothing written`);
  }
}

/** An append whose ids are already taken by other entries, or that would leave a gap: nothing was written. */
export class LogConflictError extends Error {
  override name = 'LogConflictError';

  /**
   * Whether the refused entries may be in the log after all: false when the append certainly wrote nothing and no
   * earlier try of it landed (a gap, or its seqs hold other entries); 'unknown' when some of its seqs are gone from the
   * stream (trimmed), so an earlier try cannot be ruled out (and for a conflict found reading the log, where no append is asked about).
   */
  constructor(message: string, readonly written: false | 'unknown' = 'unknown') {
    super(message);
  }
}

/**
 * Strict: refuses unless Redis answers CONFIG GET with appendonly yes and appendfsync always (the only setting where
 * an XADD's reply means the entry is on disk). Relaxed: no check at all; what survives is whatever Redis is set for.
 */
export async function checkDurability(redis: RedisClient, mode: Durability): Promise<void> {
  if (mode === 'relaxed') return;
  if (mode !== 'strict') throw new TypeError(`durability must be strict or relaxed, got ${JSON.stringify(mode)}`);
  let config: Map<string, string>;
  try {
    const pairs = (await redis.call('CONFIG', 'GET', 'append*')) as string[];
    config = new Map();
    for (let i = 0; i + 1 < pairs.length; i += 2) config.set(pairs[i], pairs[i + 1]);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new DurabilityError(`cannot tell whether Redis fsyncs each write: CONFIG GET refused (${why}); a strict log needs appendonly yes and appendfsync always, or run with --durability relaxed`);
  }
  const appendonly = config.get('appendonly') ?? '(not reported)', appendfsync = config.get('appendfsync') ?? '(not reported)';
  if (appendonly !== 'yes' || appendfsync !== 'always') {
    throw new DurabilityError(
      `Redis has appendonly ${appendonly} and appendfsync ${appendfsync}; a strict log needs appendonly yes and appendfsync always ` +
        `(CONFIG SET appendonly yes; CONFIG SET appendfsync always; and the same in redis.conf), or run with --durability relaxed ` +
        `(everysec may lose up to a second of fills on power loss)`,
    );
  }
}

/**
 * Strict durability checked again while running (every heartbeat round of a shard): a Redis that comes back, or is
 * reconfigured, without appendonly yes and appendfsync always would acknowledge fills it may lose. Said once when it
 * changes (`durability-lost`, `durability-restored`).
 */
export class DurabilityWatch {
  private lost: string | null = null;

  constructor(private readonly redis: RedisClient, private readonly mode: Durability, private readonly emit: (event: Record<string, unknown>) => void) {}

  /** Null when Redis passes the check (or the mode is relaxed); else why it does not. */
  async check(): Promise<string | null> {
    try {
      await checkDurability(this.redis, this.mode);
    } catch (error) {
      if (!(error instanceof DurabilityError)) throw error;
      if (this.lost === null) this.emit({ event: 'durability-lost', error: error.message });
      return (this.lost = error.message);
    }
    if (this.lost !== null) this.emit({ event: 'durability-restored' });
    return (this.lost = null);
  }
}

/** "ms-seq" stream ids in numeric order (negative, 0, positive); a malformed id is a TypeError. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = streamIdParts(a), [bm, bs] = streamIdParts(b);
  return am !== bm ? (am < bm ? -1 : 1) : as !== bs ? (as < bs ? -1 : 1) : 0;
}

/** A stream id "ms-seq": two integers of at most 20 digits. */
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

/** True for a stream id "ms-seq". */
export function isStreamId(id: unknown): id is string {
  return typeof id === 'string' && STREAM_ID.test(id);
}

function streamIdParts(id: string): [bigint, bigint] {
  const match = STREAM_ID.exec(id);
  if (!match) throw new TypeError(`a stream id is "ms-seq" (two integers), got ${JSON.stringify(id)}`);
  return [BigInt(match[1]), BigInt(match[2])];
}

function checkSeq(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

function checkEpoch(epoch: number): void {
  checkSeq('epoch', epoch, 1);
}

/** The seq of a fills entry id `<seq>-0`. */
function seqOf(partition: number, id: string): number {
  const match = /^(\d{1,16})-0$/.exec(id);
  if (!match) throw new LogConflictError(`partition ${partition}: entry ${id} is not a <seq>-0 id; the stream was written by something else`);
  return Number(match[1]);
}

function parseEntry(partition: number, id: string, fields: string[]): LogEntry {
  const at = fields.indexOf('e');
  try {
    if (at < 0 || at % 2 !== 0) throw new Error('no field e');
    const entry = JSON.parse(fields[at + 1]) as LogEntry;
    if (typeof entry !== 'object' || entry === null || !['fills', 'transfers', 'decision'].includes(entry.kind)) throw new Error('not a LogEntry');
    return entry;
  } catch (error) {
    throw new LogConflictError(`partition ${partition}: entry ${id} of the fills stream is unreadable (${(error as Error).message})`);
  }
}

interface AppendCall extends AppendPart {
  payloads: string[];
  /** The script's ARGV: shard, epoch, firstSeq, then (id, payload) pairs. */
  args: string[];
}

/** An append's arguments checked and encoded (a RangeError / TypeError before anything is sent). */
function appendCall(part: AppendPart): AppendCall {
  const { shard, epoch, firstSeq, entries } = part;
  checkEpoch(epoch);
  checkSeq('firstSeq', firstSeq, 1);
  if (entries.length === 0) throw new RangeError('append needs at least one entry');
  checkSeq('the last seq', firstSeq + entries.length - 1, 1);
  const payloads = entries.map((e) => JSON.stringify(e));
  const args: string[] = [shard, String(epoch), String(firstSeq)];
  payloads.forEach((payload, i) => args.push(`${firstSeq + i}-0`, payload));
  return { ...part, payloads, args };
}

/** One partition's fills stream, epoch, owner lease and checkpoint pointer. Every write is fenced (see log-scripts.ts). */
export class PartitionLog {
  private readonly redis: RedisClient & LogScripts;
  private group: GroupCommit | null = null;

  constructor(redis: RedisClient, private readonly keys: LogKeys) {
    this.redis = defineLogScripts(redis);
  }

  /**
   * What a failed command's `error` says to a user: "Redis unreachable at URL (reason)" when the connection is down (the
   * client's own error then names its internals: "Stream isn't writeable and enableOfflineQueue options is false"), else
   * the error's message.
   */
  failure(error: unknown): string {
    return redisUnreachable(this.redis, error) ?? (error instanceof Error ? error.message : String(error));
  }

  /** Takes partition p for `shard` if no other shard holds a live lease; the epoch to fence with, or null. */
  async acquire(p: number, shard: string, url: string, leaseMs: number): Promise<number | null> {
    checkSeq('leaseMs', leaseMs, 1);
    if (shard === '') throw new TypeError('shard must not be empty');
    const epoch = await this.redis.mcLiveAcquire(this.keys.owner(p), this.keys.epoch(p), shard, url, JSON.stringify(shard), JSON.stringify(url), leaseMs);
    return epoch === null ? null : Number(epoch);
  }

  /** Milliseconds left of p's owner's lease (0: no owner now; a key without expiry, which no shard writes, reads as Infinity). */
  async leaseLeftMs(p: number): Promise<number> {
    const ms = await this.redis.pttl(this.keys.owner(p));
    return ms === -1 ? Infinity : Math.max(0, ms);
  }

  /** Extends the lease iff it is still (shard, epoch); false = the partition was lost (stop serving it at once). */
  async renew(p: number, shard: string, epoch: number, leaseMs: number): Promise<boolean> {
    return (await this.renewAt(p, shard, epoch, leaseMs)) !== null;
  }

  /** {@link renew}, with the log's top seq when renewed (null: fenced), in the same atomic step. */
  async renewAt(p: number, shard: string, epoch: number, leaseMs: number): Promise<number | null> {
    checkSeq('leaseMs', leaseMs, 1);
    checkEpoch(epoch);
    const top = Number(await this.redis.mcLiveRenew(this.keys.owner(p), this.keys.epoch(p), this.keys.fills(p), shard, String(epoch), leaseMs));
    return top >= 0 ? top : null;
  }

  /**
   * Appends `entries` as seqs firstSeq, firstSeq + 1 … iff (shard, epoch) still owns p; FencedError otherwise.
   * 'duplicate': every one of them is already there with the same bytes (a retry whose first try landed).
   * LogConflictError: their ids hold other entries, or firstSeq is beyond the top + 1 (nothing written either way).
   * Any other error (Redis given up, the connection closed for good) leaves the outcome unknown: the entries may be
   * there or not, and lastSeq or read tells which before the next seq is chosen.
   */
  async append(p: number, shard: string, epoch: number, firstSeq: number, entries: LogEntry[]): Promise<'appended' | 'duplicate'> {
    const part = appendCall({ p, shard, epoch, firstSeq, entries });
    return this.outcome(part, await this.redis.mcLiveAppend(this.keys.owner(p), this.keys.epoch(p), this.keys.fills(p), ...part.args));
  }

  /**
   * Several partitions' appends in ONE round trip: a pipeline of the fenced append script, one call per partition
   * (each partition's keys are in a slot of their own, so one script may not span them), each fenced and sequenced
   * exactly as {@link append}. On an `appendfsync always` Redis the calls that arrive together share one fsync.
   * Each part settles on its own (its outcome as append's); a pipeline cut by the connection rejects every part.
   */
  async appendMany(parts: readonly AppendPart[]): Promise<PromiseSettledResult<'appended' | 'duplicate'>[]> {
    // a part with bad arguments is refused alone, before anything is sent
    const calls = parts.map((part) => {
      try {
        return appendCall(part);
      } catch (error) {
        return error as Error;
      }
    });
    const pipeline = this.redis.pipeline();
    const scripted = pipeline as unknown as Record<'mcLiveAppend', (...args: string[]) => unknown>;
    const sent = calls.filter((c): c is AppendCall => !(c instanceof Error));
    for (const c of sent) scripted.mcLiveAppend(this.keys.owner(c.p), this.keys.epoch(c.p), this.keys.fills(c.p), ...c.args);
    const replies = sent.length === 0 ? [] : await pipeline.exec();
    if (replies === null || replies.length !== sent.length) throw new Error(`the append pipeline of ${sent.length} partitions got ${replies?.length ?? 'no'} replies`);
    let k = 0;
    return Promise.allSettled(calls.map(async (c) => {
      if (c instanceof Error) throw c;
      const [error, reply] = replies[k++];
      if (error) throw error;
      return this.outcome(c, reply as ScriptReply);
    }));
  }

  /** {@link append} with whatever other partitions' appends are asked for meanwhile, in one round trip (group-commit.ts). */
  appendSoon(part: AppendPart): Promise<'appended' | 'duplicate'> {
    return (this.group ??= new GroupCommit(this)).append(part);
  }

  /** The append script's reply as append's outcome. */
  private async outcome(c: AppendCall, reply: ScriptReply): Promise<'appended' | 'duplicate'> {
    switch (reply[0]) {
      case 'appended':
        return 'appended';
      case 'duplicate':
        return this.readBack(c.p, c.firstSeq, c.payloads, Number(reply[1]));
      case 'gap':
        throw new LogConflictError(`partition ${c.p}: append at seq ${c.firstSeq} would leave a gap after seq ${reply[1]}; nothing written`, false);
      default:
        throw this.fenced(c.p, c.shard, c.epoch, reply);
    }
  }

  /** A retried append: 'duplicate' iff all its seqs hold exactly its payloads. */
  private async readBack(p: number, firstSeq: number, payloads: string[], top: number): Promise<'duplicate'> {
    const found = await this.redis.xrange(this.keys.fills(p), `${firstSeq}-0`, `${firstSeq + payloads.length - 1}-0`);
    const same = found.length === payloads.length && found.every(([id, fields], i) => id === `${firstSeq + i}-0` && fields.length === 2 && fields[0] === 'e' && fields[1] === payloads[i]);
    if (same) return 'duplicate';
    // the append script writes all of a call's entries at once or none, at firstSeq only: seqs that hold other entries
    // mean no try of this call landed; seqs gone from the stream (trimmed) cannot say
    const gone = found.length === 0 || found[0][0] !== `${firstSeq}-0`;
    const what = found.length < payloads.length ? `only ${found.length} of its ${payloads.length} seqs are in the stream (trimmed, or beyond the top)` : 'its seqs hold other entries';
    throw new LogConflictError(`partition ${p}: append at seq ${firstSeq} is at or below the stream's top seq ${top} and ${what}; nothing written (is another writer using this partition's seqs?)`, gone ? 'unknown' : false);
  }

  /** Entries with seq > afterSeq, in order, at most `count`. */
  async read(p: number, afterSeq: number, count: number): Promise<{ seq: number; entry: LogEntry }[]> {
    checkSeq('afterSeq', afterSeq, 0);
    checkSeq('count', count, 1);
    const found = await this.redis.xrange(this.keys.fills(p), `(${afterSeq}-0`, '+', 'COUNT', count);
    return found.map(([id, fields]) => ({ seq: seqOf(p, id), entry: parseEntry(p, id, fields) }));
  }

  /** The highest seq ever appended to p (trimming does not lower it), 0 if none. */
  async lastSeq(p: number): Promise<number> {
    return Number(await this.redis.mcLiveLastSeq(this.keys.fills(p)));
  }

  /** The seq of p's last entry in the stream (what appends and renewals take for the top), null when it holds none. */
  async lastEntrySeq(p: number): Promise<number | null> {
    const [last] = await this.redis.xrevrange(this.keys.fills(p), '+', '-', 'COUNT', 1);
    return last === undefined ? null : seqOf(p, last[0]);
  }

  /** Fenced XTRIM MINID <minSeq>-0: entries below minSeq go, minSeq and above stay. Returns how many went. */
  async trim(p: number, shard: string, epoch: number, minSeq: number): Promise<number> {
    checkEpoch(epoch);
    checkSeq('minSeq', minSeq, 0);
    const reply = await this.redis.mcLiveTrim(this.keys.owner(p), this.keys.epoch(p), this.keys.fills(p), shard, String(epoch), `${minSeq}-0`);
    if (reply[0] !== 'trimmed') throw this.fenced(p, shard, epoch, reply);
    return Number(reply[1]);
  }

  /** Fenced SET of p's checkpoint pointer. */
  async setCheckpoint(p: number, shard: string, epoch: number, pointer: CheckpointPointer): Promise<void> {
    checkEpoch(epoch);
    checkSeq('pointer.fillSeq', pointer.fillSeq, 0);
    compareStreamIds(pointer.tickId, '0-0'); // a TypeError for a malformed tick id
    if (typeof pointer.file !== 'string' || pointer.file === '') throw new TypeError('pointer.file must be a file name');
    const json = JSON.stringify({ fillSeq: pointer.fillSeq, tickId: pointer.tickId, file: pointer.file });
    const reply = await this.redis.mcLiveSetCheckpoint(this.keys.owner(p), this.keys.epoch(p), this.keys.checkpoint(p), shard, String(epoch), json);
    if (reply[0] !== 'set') throw this.fenced(p, shard, epoch, reply);
  }

  async getCheckpoint(p: number): Promise<CheckpointPointer | null> {
    const raw = await this.redis.get(this.keys.checkpoint(p));
    if (raw === null) return null;
    const pointer = JSON.parse(raw) as CheckpointPointer;
    if (!Number.isSafeInteger(pointer.fillSeq) || typeof pointer.tickId !== 'string' || typeof pointer.file !== 'string') throw new LogConflictError(`partition ${p}: checkpoint pointer ${raw} is malformed`);
    return pointer;
  }

  /** Deletes the owner key iff it is still (shard, epoch): the next shard takes p without waiting out the lease. */
  async release(p: number, shard: string, epoch: number): Promise<void> {
    checkEpoch(epoch);
    await this.redis.mcLiveRelease(this.keys.owner(p), this.keys.epoch(p), shard, String(epoch));
  }

  private fenced(p: number, shard: string, epoch: number, reply: ScriptReply): Error {
    if (reply[0] !== 'fenced') return new Error(`partition ${p}: unexpected reply from the log script: ${JSON.stringify(reply)}`);
    return new FencedError(p, shard, epoch, Number(reply[1]), String(reply[2]));
  }
}

/**
 * The ticks stream (auto ids; field `t` = the tick's JSON). Not fenced: the gateway writes it, every shard reads it.
 * A blocking read holds its connection: give it one of its own.
 */
export class TickLog {
  constructor(private readonly redis: RedisClient, private readonly keys: LogKeys) {}

  /** Appends a tick; its stream id. */
  async append(tick: unknown): Promise<string> {
    const id = await this.redis.xadd(this.keys.ticks, '*', 't', JSON.stringify(tick));
    return id as string;
  }

  /** Ticks after `afterId` ("0-0" for all), at most `count`; with `blockMs`, waits that long for one if none is there. */
  async read(afterId: string, count: number, blockMs?: number): Promise<{ id: string; tick: unknown }[]> {
    compareStreamIds(afterId, '0-0');
    checkSeq('count', count, 1);
    const block = blockMs === undefined ? [] : (checkSeq('blockMs', blockMs, 0), ['BLOCK', String(blockMs)]);
    const reply = (await this.redis.call('XREAD', 'COUNT', String(count), ...block, 'STREAMS', this.keys.ticks, afterId)) as [string, [string, string[]][]][] | null;
    if (reply === null) return [];
    return reply[0][1].map(([id, fields]) => {
      const at = fields.indexOf('t');
      if (at < 0 || at % 2 !== 0) throw new LogConflictError(`ticks entry ${id} has no field t`);
      return { id, tick: JSON.parse(fields[at + 1]) as unknown };
    });
  }

  /** The newest tick's id (trimming does not lower it), "0-0" if none was ever appended. */
  async lastId(): Promise<string> {
    return (await this.ends()).generated;
  }

  /**
   * The stream's ends in one read: the newest id Redis ever generated for it ('0-0' for no stream) and its last entry's
   * id (null when it holds none). The last entry before the generated id: its newest ticks were deleted (XDEL).
   */
  async ends(): Promise<{ generated: string; lastEntry: string | null }> {
    let info: unknown[];
    try {
      info = (await this.redis.call('XINFO', 'STREAM', this.keys.ticks)) as unknown[];
    } catch (error) {
      if (error instanceof Error && /no such key/i.test(error.message)) return { generated: '0-0', lastEntry: null };
      throw error;
    }
    const field = (name: string) => {
      const at = info.indexOf(name);
      return at >= 0 && at % 2 === 0 ? info[at + 1] : undefined;
    };
    const generated = field('last-generated-id'), last = field('last-entry');
    return { generated: generated === undefined ? '0-0' : String(generated), lastEntry: Array.isArray(last) && last.length > 0 ? String(last[0]) : null };
  }

  /** Drops ticks below `minId` (XTRIM MINID, exact), e.g. the oldest tick id any kept checkpoint still needs. */
  async trim(minId: string): Promise<number> {
    compareStreamIds(minId, '0-0');
    return Number(await this.redis.xtrim(this.keys.ticks, 'MINID', minId));
  }
}
