/**
 * The coordinator's side of a Redis cluster (ShardTransport): shards stored under their keys, one task per
 * (shard, tick) added to the group's stream, and each tick answered when every shard's outcome is in its result hash
 * (keys.ts). Ticks may overlap (a caller need not wait for one before sending the next); each resolves with its own
 * outcomes. A tick with a shard unanswered after `timeoutMs` rejects: never a report with accounts missing.
 */
import type { ShardBook } from '../shard-book.js';
import type { ShardOutcome, ShardTask } from '../tasks.js';
import type { ShardTransport, TransportHealth, WorkerHealth } from '../transport.js';
import { type ConnectOptions, connectRedis, type RedisClient, redisFailure, safeUrl } from './connect.js';
import { ClusterKeys } from './keys.js';
import { readReply } from './streams.js';
import { ensureGroup } from './worker.js';
import { decode, encode } from './wire.js';

export interface RedisTransportOptions extends ConnectOptions {
  url: string;
  group: string;
  /** Shards a book is cut into (default 8): more than workers, so a claimed shard is a small part of a tick. */
  shards?: number | undefined;
  /** A tick whose shards have not all answered within this many ms rejects (default 60,000). */
  timeoutMs?: number | undefined;
}

interface Waiter {
  bookId: string;
  tick: number;
  missing: Set<number>;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RedisTransport implements ShardTransport {
  readonly name = 'redis';
  readonly shards: number;
  private readonly keys: ClusterKeys;
  private readonly waiters = new Map<string, Waiter>();
  /** Last id read of each book's done stream. */
  private readonly doneFrom = new Map<string, string>();
  private reading: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly commands: RedisClient, private readonly reader: RedisClient, private readonly options: RedisTransportOptions) {
    this.keys = new ClusterKeys(options.group);
    this.shards = options.shards ?? 8;
    if (!Number.isInteger(this.shards) || this.shards < 1 || this.shards > 4096) throw new TypeError(`shards must be an integer from 1 to 4096, got ${options.shards}`);
  }

  /** Connects (two connections: one blocks on the done streams) and creates the group if it does not exist. */
  static async connect(options: RedisTransportOptions): Promise<RedisTransport> {
    const commands = await connectRedis(options.url, options);
    let reader: RedisClient;
    try {
      reader = await connectRedis(options.url, options);
    } catch (error) {
      commands.disconnect();
      throw error;
    }
    const transport = new RedisTransport(commands, reader, options);
    try {
      await transport.setUp();
    } catch (error) {
      commands.disconnect();
      reader.disconnect();
      throw error;
    }
    return transport;
  }

  /** Records the cluster's shard count (every book of a group is cut alike) and creates the group on each task stream. */
  private async setUp(): Promise<void> {
    await this.commands.set(this.keys.shards, String(this.shards), 'NX');
    const agreed = Number(await this.commands.get(this.keys.shards));
    if (agreed !== this.shards) throw new Error(`margin-core: group ${this.keys.group} cuts books into ${agreed} shards; run the coordinator with --shards ${agreed}, or use another group`);
    for (let s = 0; s < this.shards; s++) await ensureGroup(this.commands, this.keys, s);
  }

  async load(bookId: string, shards: readonly ShardBook[]): Promise<void> {
    const batch = this.commands.multi();
    for (const shard of shards) batch.set(this.keys.book(bookId, shard.shard), encode(shard));
    batch.del(this.keys.done(bookId));
    await this.timed(batch.exec(), `loading book ${bookId}`);
    this.doneFrom.set(bookId, '0-0');
  }

  /**
   * The tasks of a tick that failed, taken off their streams (no one waits for them: a worker arriving later would
   * margin them for nothing, and with none they would stay for ever). Best effort, not waited on: Redis may be gone.
   */
  private dropTasks(tasks: readonly ShardTask[], ids: readonly (string | null)[]): void {
    const added = tasks.flatMap((task, k) => (ids[k] ? [{ stream: this.keys.tasks(task.shard), id: ids[k] as string }] : []));
    if (added.length === 0) return;
    const batch = this.commands.multi();
    for (const { stream, id } of added) batch.xdel(stream, id);
    batch.exec().catch(() => {});
  }

  /** `step`, or a rejection once Redis has not answered it within the timeout (a Redis stopped with its socket open). */
  private async timed<T>(step: Promise<T>, what: string): Promise<T> {
    const deadline = this.deadline(what);
    try {
      return await Promise.race([step, deadline.late]);
    } finally {
      deadline.clear();
    }
  }

  /** A promise that rejects once the timeout has passed (Redis did not answer what it was asked for `what`). */
  private deadline(what: string): { late: Promise<never>; clear(): void } {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`margin-core: ${what}: Redis at ${safeUrl(this.options.url)} did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    late.catch(() => {}); // raced by its caller; after its steps, nobody waits for it
    return { late, clear: () => clearTimeout(timer) };
  }

  async run(tasks: readonly ShardTask[]): Promise<ShardOutcome[]> {
    if (tasks.length === 0) return [];
    const { bookId, tick } = tasks[0];
    const key = `${bookId}/${tick}`;
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        const missing = [...waiter.missing].join(', ');
        reject(new Error(`margin-core: tick ${tick} of book ${bookId}: shard(s) ${missing} not answered within ${this.timeoutMs} ms (are workers of group ${this.keys.group} running? see the health output)`));
      }, this.timeoutMs);
      const waiter: Waiter = { bookId, tick, missing: new Set(tasks.map((t) => t.shard)), resolve, reject, timer };
      this.waiters.set(key, waiter);
    });
    // every wait of the tick ends by its timeout, Redis answering or not (a Redis stopped with its socket open never
    // answers, and would hold the tick for ever): the shards' timeout while they are waited on, then the tick's own
    const failed = answered.then(() => new Promise<never>(() => {}));
    failed.catch(() => {});
    const deadline = this.deadline(`tick ${tick} of book ${bookId}`);
    const within = <T>(step: Promise<T>): Promise<T> => Promise.race([step, failed, deadline.late]);
    let raw: Record<string, Buffer>;
    let added: (string | null)[] = [];
    try {
      const batch = this.commands.multi();
      for (const task of tasks) batch.xadd(this.keys.tasks(task.shard), '*', 'task', encode(task));
      added = ((await within(batch.exec())) ?? []).map(([error, id]) => (error ? null : (id as string)));
      this.startReading();
      await within(answered);
      const resultKey = this.keys.result(bookId, tick);
      raw = await within(this.commands.hgetallBuffer(resultKey));
      await within(this.commands.del(resultKey));
    } catch (error) {
      const waiter = this.waiters.get(key);
      if (waiter) {
        clearTimeout(waiter.timer);
        this.waiters.delete(key);
      }
      answered.catch(() => {});
      this.dropTasks(tasks, added);
      if (error instanceof Error && error.message.startsWith('margin-core:')) throw error; // the tick's own timeout
      throw new Error(`margin-core: tick ${tick} of book ${bookId} failed: ${redisFailure(this.commands, error)}`, { cause: error });
    } finally {
      deadline.clear();
    }
    return tasks.map((task) => {
      const bytes = raw[String(task.shard)];
      if (!bytes) throw new Error(`margin-core: tick ${tick} of book ${bookId}: shard ${task.shard} announced but its result is missing`);
      return decode<ShardOutcome>(bytes);
    });
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 60_000;
  }

  /** One loop blocks on the done streams of every book with a tick in flight, and settles the ticks it completes. */
  private startReading(): void {
    if (this.reading) return;
    this.reading = (async () => {
      try {
        while (!this.closed && this.waiters.size > 0) {
          const books = [...new Set([...this.waiters.values()].map((w) => w.bookId))];
          const reply = readReply(await this.reader.callBuffer('XREAD', 'COUNT', 1000, 'BLOCK', 100, 'STREAMS', ...books.map((b) => this.keys.done(b)), ...books.map((b) => this.doneFrom.get(b) ?? '0-0')));
          for (const { stream, entries } of reply) {
            const bookId = books.find((b) => this.keys.done(b) === stream)!;
            for (const entry of entries) {
              this.doneFrom.set(bookId, entry.id);
              const tick = Number(entry.fields.get('tick')), shard = Number(entry.fields.get('shard'));
              const waiter = this.waiters.get(`${bookId}/${tick}`);
              if (!waiter) continue; // a duplicate of a tick already answered
              waiter.missing.delete(shard);
              if (waiter.missing.size === 0) {
                clearTimeout(waiter.timer);
                this.waiters.delete(`${bookId}/${tick}`);
                waiter.resolve();
              }
            }
          }
        }
      } catch (error) {
        // the connection was given up: every tick in flight fails, loudly
        const reason = error instanceof Error ? error : new Error(String(error));
        for (const [key, waiter] of this.waiters) {
          clearTimeout(waiter.timer);
          this.waiters.delete(key);
          const why = redisFailure(this.reader, reason); // "Redis unreachable at URL after N attempts (…)" once given up
          waiter.reject(new Error(`margin-core: tick ${waiter.tick} failed: ${why.startsWith('Redis') ? why : `Redis at ${safeUrl(this.options.url)}: ${why}`}`));
        }
      } finally {
        this.reading = undefined;
        if (!this.closed && this.waiters.size > 0) this.startReading();
      }
    })();
  }

  async unload(bookId: string): Promise<void> {
    const batch = this.commands.multi();
    for (let s = 0; s < this.shards; s++) batch.del(this.keys.book(bookId, s));
    batch.del(this.keys.done(bookId));
    this.doneFrom.delete(bookId);
    await this.timed(batch.exec(), `unloading book ${bookId}`).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('margin-core:')) throw error;
      throw new Error(`margin-core: unloading book ${bookId}: ${redisFailure(this.commands, error)}`, { cause: error });
    });
  }

  /** The live workers (heartbeat fresher than their own silence limit), and the tasks pending in the group. */
  async health(): Promise<TransportHealth> {
    const records = await this.commands.hgetall(this.keys.workers);
    const now = Date.now();
    const workers: WorkerHealth[] = [];
    let recoveries = 0;
    for (const json of Object.values(records)) {
      const r = JSON.parse(json) as { consumer: string; backend: string; shardsHeld: number; claimed: number; at: number; silentAfterMs?: number | undefined; version?: string | undefined; build?: string | undefined; params?: string | undefined };
      recoveries += r.claimed;
      if (now - r.at >= (r.silentAfterMs ?? 30_000)) continue;
      workers.push({ id: r.consumer, shardsHeld: r.shardsHeld, backend: r.backend, idleMs: now - r.at, version: r.version, build: r.build, params: r.params });
    }
    let pending = 0;
    for (let s = 0; s < this.shards; s++) pending += Number(((await this.commands.call('XPENDING', this.keys.tasks(s), this.keys.group)) as [number])[0]);
    return { transport: this.name, shards: this.shards, workers: workers.sort((a, b) => a.id.localeCompare(b.id)), recoveries, pending };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [key, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      this.waiters.delete(key);
      waiter.reject(new Error('margin-core: the Redis transport was closed'));
    }
    // the read loop ends within its 100 ms block; a Redis that answers nothing (stopped, its socket open) would hold it
    // for ever: then the connections are closed under it, which ends it
    const reading = this.reading;
    if (reading) await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 500).unref?.())]);
    this.commands.disconnect();
    this.reader.disconnect();
    await reading?.catch(() => {});
  }
}
