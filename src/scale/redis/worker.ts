/**
 * A worker of a Redis cluster (`margin-core worker --redis URL --group NAME`): a consumer of the task streams of the
 * shards it owns (ownership.ts: decided from the live workers' heartbeats), which it keeps laid out. It answers each
 * task by writing the shard's outcome under (book, tick, shard) — the rows of that shard's accounts for that tick —
 * and acknowledging it, in one MULTI; a task delivered twice writes the same bytes twice: harmless. Before reading
 * new tasks it claims (XAUTOCLAIM) those of its shards left pending longer than `claimIdleMs` by another consumer:
 * when a worker dies, its heartbeat stops, its shards pass to the others, and they do its pending work.
 */
import { hostname } from 'node:os';
import { ShardStore, type ShardEngine, type ShardOutcome, type ShardTask } from '../tasks.js';
import { type BuildIdentity, buildIdentity } from '../identity.js';
import type { ShardBook } from '../shard-book.js';
import type { RedisClient } from './connect.js';
import { ClusterKeys } from './keys.js';
import { ownedShards } from './ownership.js';
import { autoclaimReply, isBusyGroup, readReply, type StreamEntry } from './streams.js';
import { decode, encode } from './wire.js';

export interface RedisWorkerOptions {
  group: string;
  /** Consumer name (default `host:pid`). */
  consumer?: string | undefined;
  /**
   * A worker silent this long (ms) is dead: its shards pass to the others, which claim its tasks pending this long
   * (default 30,000). Heartbeats go out every third of it.
   */
  claimIdleMs?: number | undefined;
  /** Longest wait for a new task per read (ms, default 1,000): how often an idle worker beats and looks for claims. */
  blockMs?: number | undefined;
  /** Test hook: wait this long (ms) after reading a task, before running it (the window a test kills the process in). */
  stallMs?: number | undefined;
}

export interface RedisWorkerStats extends BuildIdentity {
  consumer: string;
  backend: string;
  shardsHeld: number;
  /** Tasks answered, and how many of them were claimed from another consumer. */
  processed: number;
  claimed: number;
  startedAt: string;
}

export class RedisWorker {
  private readonly keys: ClusterKeys;
  private readonly store: ShardStore;
  private running = false;
  private loop: Promise<void> | undefined;
  /** True when stop() found Redis unreachable and closed the connections without waiting. */
  abandoned = false;
  private endWait: () => void = () => {};
  readonly stats: RedisWorkerStats;

  /** `reader` blocks on the stream; `commands` serves everything else (a blocked connection cannot). */
  constructor(private readonly reader: RedisClient, private readonly commands: RedisClient, private readonly engine: ShardEngine, private readonly options: RedisWorkerOptions) {
    this.keys = new ClusterKeys(options.group);
    const consumer = options.consumer ?? `${hostname()}:${process.pid}`;
    this.store = new ShardStore(engine, consumer);
    // the heartbeat announces the worker's identity: the coordinator's health output shows it, and its answers carry it
    this.stats = { consumer, backend: engine.backend, ...buildIdentity(), shardsHeld: 0, processed: 0, claimed: 0, startedAt: new Date().toISOString() };
  }

  /** Joins the group (creating it and the stream if needed) and starts consuming. */
  async start(): Promise<void> {
    this.running = true;
    const consumed = this.consume().catch((error: unknown) => {
      if (this.abandoned) return; // stop() closed the connections itself: their "Connection is closed" is the stop
      throw error;
    });
    // a command queued while reconnecting is not always settled when its connection is closed: stop() ends the wait
    this.loop = Promise.race([consumed, new Promise<void>((resolve) => (this.endWait = resolve))]);
  }

  /**
   * Stops after the task in hand (nothing is left half-answered: an unacknowledged task is claimed by another worker).
   * While Redis is unreachable there is nothing to finish, and the command in hand would wait out the whole retry
   * budget: the connections are closed at once instead, and `abandoned` is true (the worker could not leave the group;
   * its heartbeat lapses and its shards pass to the others).
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.reader.status !== 'ready' || this.commands.status !== 'ready') {
      this.abandoned = true;
      this.reader.disconnect();
      this.commands.disconnect();
      this.endWait();
    }
    await this.loop;
  }

  /** Resolves when the loop ends (stop, or a Redis connection given up: then it rejects). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private get claimIdleMs(): number {
    return this.options.claimIdleMs ?? 30_000;
  }

  /** How often the worker beats, looks at who is alive and claims (ms): a third of the silence limit, at most `blockMs`. */
  private get refreshMs(): number {
    return Math.max(1, Math.floor(Math.min(this.options.blockMs ?? 1000, this.claimIdleMs / 3)));
  }

  private async consume(): Promise<void> {
    const { group } = this.keys;
    const consumer = this.stats.consumer;
    let owned: number[] = [];
    let checked = 0;
    while (this.running) {
      if (Date.now() - checked >= this.refreshMs) {
        checked = Date.now();
        await this.heartbeat();
        owned = await this.ownShards();
        // a dead (or former) owner's tasks of these shards, pending longer than a worker may stay silent
        for (const shard of owned) {
          const claimed = autoclaimReply(await this.commands.callBuffer('XAUTOCLAIM', this.keys.tasks(shard), group, consumer, this.claimIdleMs, '0-0', 'COUNT', 64));
          for (const entry of claimed.entries) await this.answer(shard, entry, true);
          if (claimed.entries.length > 0) await this.heartbeat(); // the health output counts recoveries now
        }
      }
      if (!this.running) break;
      if (owned.length === 0) {
        await new Promise((r) => setTimeout(r, this.refreshMs));
        continue;
      }
      const block = this.refreshMs;
      const streams = owned.map((s) => this.keys.tasks(s));
      const read = readReply(await this.reader.callBuffer('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 16, 'BLOCK', block, 'STREAMS', ...streams, ...owned.map(() => '>')));
      for (const { stream, entries } of read) {
        const shard = owned[streams.indexOf(stream)];
        for (const entry of entries) await this.answer(shard, entry, false);
      }
    }
    await this.commands.hdel(this.keys.workers, consumer);
    await this.leaveStreams();
  }

  /**
   * A clean stop takes this worker's name off the task streams it holds nothing pending on (a consumer stays in a
   * stream's group until deleted, and a worker named by host and pid is a new one at every start). A stream where it
   * still holds tasks keeps it: deleting it there would drop those tasks from the pending list, and nobody would claim them.
   */
  private async leaveStreams(): Promise<void> {
    const shards = Number(await this.commands.get(this.keys.shards));
    if (!Number.isInteger(shards) || shards < 1) return;
    const { group } = this.keys, consumer = this.stats.consumer;
    for (let shard = 0; shard < shards; shard++) {
      const tasks = this.keys.tasks(shard);
      const held = (await this.commands.call('XPENDING', tasks, group, '-', '+', 1, consumer).catch(() => null)) as unknown[] | null;
      if (held !== null && held.length === 0) await this.commands.call('XGROUP', 'DELCONSUMER', tasks, group, consumer).catch(() => {});
    }
  }

  /** The shards this worker owns among the live workers, with their streams' group in place. */
  private async ownShards(): Promise<number[]> {
    const shards = Number(await this.commands.get(this.keys.shards));
    if (!Number.isInteger(shards) || shards < 1) return []; // no coordinator has set the cluster up yet
    const live = liveWorkers(await this.commands.hgetall(this.keys.workers), this.claimIdleMs);
    if (!live.includes(this.stats.consumer)) live.push(this.stats.consumer);
    const owned = ownedShards(this.stats.consumer, live, shards);
    for (const shard of owned) await ensureGroup(this.commands, this.keys, shard);
    return owned;
  }

  private async answer(shard: number, entry: StreamEntry, claimed: boolean): Promise<void> {
    const tasks = this.keys.tasks(shard), group = this.keys.group;
    const bytes = entry.fields.get('task');
    if (!bytes) {
      await this.commands.xack(tasks, group, entry.id); // deleted while pending: nothing to answer
      return;
    }
    if (this.options.stallMs) await new Promise((r) => setTimeout(r, this.options.stallMs));
    const task = decode<ShardTask>(bytes);
    const outcome = await this.outcomeOf(task);
    if (!outcome) {
      // the book was unloaded: its coordinator no longer waits, and the stream keeps only work not yet done
      await this.commands.multi().xack(tasks, group, entry.id).xdel(tasks, entry.id).exec();
      return;
    }
    await this.commands.multi()
      .hset(this.keys.result(task.bookId, task.tick), String(task.shard), encode(outcome))
      .expire(this.keys.result(task.bookId, task.tick), 3600)
      .xadd(this.keys.done(task.bookId), 'MAXLEN', '~', 100_000, '*', 'shard', String(task.shard), 'tick', String(task.tick))
      // as the result: an answer after its tick failed (the book unloaded) must not leave a stream that never expires
      .expire(this.keys.done(task.bookId), 3600)
      .xack(tasks, group, entry.id)
      .xdel(tasks, entry.id) // answered: the stream keeps only work not yet done
      .exec();
    this.stats.processed++;
    if (claimed) this.stats.claimed++;
  }

  /** The task's outcome; undefined when its book is gone from Redis. */
  private async outcomeOf(task: ShardTask): Promise<ShardOutcome | undefined> {
    if (!this.store.has(task.bookId, task.shard)) {
      const shard = await this.commands.getBuffer(this.keys.book(task.bookId, task.shard));
      if (!shard) return undefined;
      await this.dropUnloadedBooks();
      this.store.load(task.bookId, decode<ShardBook>(shard));
      this.stats.shardsHeld = this.store.size;
    }
    try {
      return this.store.run(task);
    } catch (error) {
      return { kind: 'failed', shard: task.shard, tick: task.tick, message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Releases the shards of books their coordinator unloaded (their keys are gone): a long-lived worker does not grow. */
  private async dropUnloadedBooks(): Promise<void> {
    for (const { bookId, shard } of this.store.held()) {
      if ((await this.commands.exists(this.keys.book(bookId, shard))) === 0) this.store.unload(bookId, shard);
    }
    this.stats.shardsHeld = this.store.size;
  }

  private async heartbeat(): Promise<void> {
    this.stats.shardsHeld = this.store.size;
    await this.commands.hset(this.keys.workers, this.stats.consumer, JSON.stringify({ ...this.stats, at: Date.now(), silentAfterMs: this.claimIdleMs }));
  }
}

/** Creates the group on shard `shard`'s task stream (and the stream) unless it exists. */
export async function ensureGroup(redis: RedisClient, keys: ClusterKeys, shard: number): Promise<void> {
  try {
    // from the stream's start: tasks added before the group existed are work too (answered ones are deleted)
    await redis.call('XGROUP', 'CREATE', keys.tasks(shard), keys.group, '0', 'MKSTREAM');
  } catch (error) {
    if (!isBusyGroup(error)) throw error;
  }
}

/** The workers of a `workers` hash whose heartbeat is younger than `silentMs`, sorted. */
export function liveWorkers(records: Record<string, string>, silentMs: number, now = Date.now()): string[] {
  const live: string[] = [];
  for (const [consumer, json] of Object.entries(records)) {
    const at = (JSON.parse(json) as { at?: number | undefined }).at ?? 0;
    if (now - at < silentMs) live.push(consumer);
  }
  return live.sort();
}
