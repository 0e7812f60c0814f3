/**
 * A shard process of the live engine (docs/live-cluster.md): once its token is found to be the cluster's
 * (credential.ts), it registers in the cluster's `shards` hash with a heartbeat, owns the partitions that rendezvous
 * hashing (src/scale/redis/ownership.ts) gives it among the shards whose heartbeat is fresh, and for each: acquires
 * the lease (epoch), recovers (recovery.ts), then serves it over HTTP (shard-routes.ts) and applies every tick of the
 * `ticks` stream to it.
 *
 * Leases are renewed every leaseMs / 3; a failed renewal drops the partition at once (503 for it), as does a lease that
 * ran out by the local clock with no renewal answered (Redis away: the connection is retried for as long as it takes,
 * and the partitions are taken again once it is back). A partition that
 * hashing now gives to another shard (one joined) is handed over: drained, checkpointed, released. Checkpoints every
 * `checkpointEveryMs` or `checkpointEveryFills` fills (shard-checkpoints.ts: one partition at a time, the bytes made on
 * a worker thread, checkpoint-worker.ts) and at stop(); stop() drains, checkpoints,
 * releases every partition and closes. A round that finds the cluster now runs with another token (credential.ts)
 * drops every partition and resolves `fatal`: stop() then writes nothing more (its owner should exit 1).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ValidatedBook } from '../model/types.js';
import { accountIdsOf, accountMastersOf } from '../model/book-columns.js';
import { bookAssets } from '../scale/shard-book.js';
import { closeRedis, connectRedis, type RedisClient, redisUnreachable } from '../scale/redis/connect.js';
import { ownedShards } from '../scale/redis/ownership.js';
import { buildFingerprint, CheckpointStore } from './checkpoint.js';
import { ClusterCredential, CredentialError } from './credential.js';
import { startApp, type RunningApp } from './http.js';
import { checkDurability, DurabilityWatch, FencedError, LogConflictError, PartitionLog, TickLog } from './log.js';
import { OwnedPartition } from './owned-partition.js';
import { writeMasters } from './owners.js';
import { LogKeys, PARTITION_COUNT } from './partitions.js';
import { recoverPartition, rejectedOf, replayEntries, type RecoverySource } from './recovery.js';
import { LogGapError, LogLostError, TickLostError, TickUnfollowedError } from './partition-state.js';
import { CheckpointEncoder } from './checkpoint-worker.js';
import { checkpointPartition, FailedCheckpoints } from './shard-checkpoints.js';
import { registerShardRoutes } from './shard-routes.js';
import { SHARD_DEFAULTS, type ShardOptions } from './shard-options.js';
import { nextRoundInMs } from './shard-rounds.js';
import { ShardTicks } from './shard-ticks.js';

export { SHARD_DEFAULTS, type ShardOptions } from './shard-options.js';

export class Shard {
  readonly id: string;
  readonly owned = new Map<number, OwnedPartition>();
  readonly keys: LogKeys;
  readonly leaseMs: number;
  readonly fingerprint = buildFingerprint();
  readonly store: CheckpointStore;
  /** Makes checkpoint bytes (on a worker thread when options.checkpointWorkerFile is given). */
  private readonly encoder: CheckpointEncoder;
  readonly startedAtMs = Date.now();
  /** The tail of the ticks stream. */
  private readonly tickTail = new ShardTicks({ owned: this.owned, stopping: () => this.stopping, refuse: (o, e) => this.refuseLost(o, e), emit: (e) => this.emit(e) });
  private stopping = false;
  /**
   * Partitions whose latest checkpoint failed (said in the log): the command's SIGTERM exits 1 while any is left. A
   * later checkpoint of the partition that is written (its stop's, say, once Redis is back) takes it off.
   */
  private readonly failedCheckpoints = new FailedCheckpoints();
  private timers: NodeJS.Timeout[] = [];
  private app: RunningApp | null = null;
  private redis!: RedisClient;
  private blocking!: RedisClient;
  private log!: PartitionLog;
  private ticks!: TickLog;
  private credential!: ClusterCredential;
  /** In the shards hash (stop() takes it out again): never, when the token was refused. */
  private joined = false;
  private recovering = Promise.resolve();
  /** The heartbeat round running now (stop() waits for it: it may be acquiring a partition). */
  private inRound: Promise<void> = Promise.resolve();
  private roundRunning = false;
  /** A round due before the next interval's: when a silent shard goes stale, or a lease we were refused ends. */
  private earlyRound: NodeJS.Timeout | undefined;
  private tail: Promise<void> | null = null;
  private readonly emit: (event: Record<string, unknown>) => void;
  /** Why the shard must stop while running (the cluster's token is another's now); stop() then writes nothing. */
  private refused: CredentialError | null = null;
  /**
   * Per partition, the highest fill seq it held here when it last left this shard (dropped, handed over): its log must
   * still reach it when the shard takes it again, else Redis lost acknowledged entries (recovery.ts LogLostError).
   */
  private readonly appliedSeq = new Float64Array(PARTITION_COUNT);
  private durability!: DurabilityWatch;
  private onFatal!: (error: Error) => void;
  /** Resolves with the error that ends the shard while it runs: the cluster now runs with another token. */
  readonly fatal = new Promise<Error>((resolve) => (this.onFatal = resolve));

  constructor(readonly options: ShardOptions) {
    this.id = options.shardId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.keys = new LogKeys(options.cluster);
    this.leaseMs = options.leaseMs ?? SHARD_DEFAULTS.leaseMs;
    // one directory per cluster: a partition's files are named by its number only
    this.store = new CheckpointStore(join(options.checkpointDir, options.cluster));
    this.emit = (event) => options.log?.({ shard: this.id, ...event });
    this.encoder = new CheckpointEncoder(options.checkpointWorkerFile, (error) => this.emit({ event: 'checkpoint-in-thread', error: error.message }));
  }

  get url(): string {
    return this.app?.url ?? '';
  }

  /** Connects, checks the token and durability, writes the masters map, listens, registers and starts owning partitions. */
  async start(): Promise<void> {
    // once started, Redis away for any length of time is waited out (commands fail meanwhile), never given up on
    const connect = { ...this.options.connect, keepReconnecting: true };
    this.redis = await connectRedis(this.options.redisUrl, connect);
    this.blocking = await connectRedis(this.options.redisUrl, connect);
    // before anything is written: a shard with another token would take partitions the gateway cannot reach
    this.credential = new ClusterCredential(this.redis, this.keys, this.options.http.token);
    await this.credential.check();
    await checkDurability(this.redis, this.options.durability ?? 'strict');
    this.durability = new DurabilityWatch(this.redis, this.options.durability ?? 'strict', this.emit);
    this.log = new PartitionLog(this.redis, this.keys);
    this.ticks = new TickLog(this.redis, this.keys);
    if (typeof this.options.book !== 'function') await this.bookFile(); // the masters map before any partition is served
    this.app = await startApp(this.options.http, (app) => registerShardRoutes(app, this));
    const startCursor = await this.ticks.lastId();
    this.tail = this.tickTail.tail(new TickLog(this.blocking, this.keys), this.blocking, startCursor);
    await this.round();
    const every = (ms: number, run: () => Promise<void>) => {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.stopping) return;
        busy = true;
        run().catch((error) => this.failed(error)).finally(() => (busy = false));
      }, ms);
      this.timers.push(timer);
    };
    this.timers.push(setInterval(() => this.runRound(), this.roundMs));
    every(250, () => this.checkpointDue());
  }

  /** Renews every held lease now (stop() keeps doing this while it drains and checkpoints, which may outlast a lease). */
  private async renewAll(): Promise<void> {
    await Promise.all([...this.owned.values()].map((o) => this.renew(o)));
  }

  /** The recovery inputs. */
  private source(): RecoverySource {
    const o = this.options;
    return { engine: o.engine, store: this.store, fingerprint: this.fingerprint, liveOptions: o.liveOptions, bookFile: () => this.bookFile(), market: o.market, log: this.log, ticks: this.ticks, appliedBefore: (p) => this.appliedSeq[p], tickSeen: () => this.tickTail.newestSeen };
  }

  private bookRead: Promise<{ book: ValidatedBook; assets: readonly string[] }> | null = null;

  /** The book file (read once, when first needed), its assets, and its masters map written. A failed read is tried again next time. */
  private bookFile(): Promise<{ book: ValidatedBook; assets: readonly string[] }> {
    return (this.bookRead ??= (async () => {
      const given = this.options.book;
      const book = typeof given === 'function' ? await given() : given;
      if (typeof given === 'function') this.emit({ event: 'book-read', accounts: accountIdsOf(book).length });
      const ids = accountIdsOf(book), masters = accountMastersOf(book);
      await writeMasters(this.redis, this.keys, ids, masters);
      return { book, assets: bookAssets(book) };
    })().catch((error) => {
      this.bookRead = null;
      throw error;
    }));
  }

  /** Heartbeat rounds run every third of the lease. */
  private get roundMs(): number {
    return Math.max(1, Math.floor(this.leaseMs / 3));
  }

  /**
   * Starts a round unless one is running (the interval's and an early one never overlap), Redis is away (the
   * connection's retries say so), or the shard is stopping. Leases that ran out unrenewed meanwhile are dropped first.
   */
  private runRound(): void {
    if (this.stopping || this.refused) return;
    this.dropLapsed();
    if (this.roundRunning || redisUnreachable(this.redis) !== null) return;
    this.roundRunning = true;
    this.inRound = this.round()
      .catch((error) => this.failed(error))
      .finally(() => (this.roundRunning = false));
  }

  /** A round's or a timer's error: the token refused ends the shard; Redis away is said by the connection's retries. */
  private failed(error: unknown): void {
    if (error instanceof CredentialError) return this.refuse(error);
    if (redisUnreachable(this.redis, error) === null) this.emit({ event: 'error', error: (error as Error).message });
  }

  /** The cluster runs with another token: every partition dropped at once (its leases are not ours anyway). */
  private refuse(error: CredentialError): void {
    if (this.refused) return;
    this.refused = error;
    for (const o of [...this.owned.values()]) this.dropPartition(o, 'the cluster runs with another token');
    this.onFatal(error);
  }

  /** Drops the partitions whose lease ran out by the local clock with no renewal answered (Redis away, a round stuck). */
  private dropLapsed(now = Date.now()): void {
    // a leaving partition's handover ends by itself (its checkpoint and release fail without the lease)
    for (const o of [...this.owned.values()]) if (o.status !== 'leaving' && now >= o.leaseUntilMs) this.dropPartition(o, 'lease lost: not renewed in time');
  }

  /**
   * One more round in `delayMs` when that is before the interval's next one: a dead shard's partitions are taken the
   * moment its heartbeat goes stale and their leases end, not up to a third of a lease later.
   */
  private roundAt(delayMs: number): void {
    if (!(delayMs < this.roundMs) || this.stopping) return;
    clearTimeout(this.earlyRound);
    this.earlyRound = setTimeout(() => this.runRound(), Math.max(1, Math.ceil(delayMs)));
  }

  /** One heartbeat: register, renew leases (drop on failure), take the partitions hashing gives us, hand over the rest. */
  private async round(): Promise<void> {
    const now = Date.now();
    await this.credential.refresh(); // throws (no beat, no renewal) should the cluster now run with another token
    if (!(await this.durable())) return;
    await this.redis.hset(this.keys.shards, this.id, JSON.stringify({ url: this.url, at: now, leaseMs: this.leaseMs }));
    this.joined = true;
    // the other shards' heartbeat ages, ms
    const others = Object.entries(await this.redis.hgetall(this.keys.shards))
      .filter(([id]) => id !== this.id)
      .map(([id, json]) => ({ id, age: now - (JSON.parse(json) as { at: number }).at }));
    const live = others.filter((o) => o.age < this.leaseMs);
    const fresh = [this.id, ...live.map((o) => o.id)];
    // a shard silent for 100 leases is gone (killed): its heartbeat entry goes too
    const gone = others.filter((o) => o.age > 100 * this.leaseMs).map((o) => o.id);
    if (gone.length > 0) await this.redis.hdel(this.keys.shards, ...gone);
    await this.renewAll();
    await this.tickTail.checkKept(this.ticks);
    if (this.stopping) return;
    const wanted = new Set(ownedShards(this.id, fresh, PARTITION_COUNT));
    const refusedLeftMs: number[] = [];
    for (const p of wanted) if (!this.owned.has(p) && !(await this.acquire(p))) refusedLeftMs.push(await this.log.leaseLeftMs(p));
    for (const [p, o] of this.owned) if (!wanted.has(p) && o.status === 'ready') void this.handOver(o);
    this.roundAt(nextRoundInMs(live.map((o) => o.age), this.leaseMs, refusedLeftMs) - (Date.now() - now));
  }

  /**
   * Strict durability, checked again every round ({@link DurabilityWatch}): failing it, the shard serves nothing (every
   * partition dropped and released, none taken, no heartbeat) until it passes again.
   */
  private async durable(): Promise<boolean> {
    const lost = await this.durability.check();
    if (lost === null) return true;
    for (const o of [...this.owned.values()]) {
      this.dropPartition(o, lost);
      await this.log.release(o.partition, this.id, o.epoch).catch(() => {});
    }
    return false;
  }

  private async renew(o: OwnedPartition): Promise<void> {
    // a leaving partition is still ours until released: its checkpoint's pointer is a fenced write
    if (o.status === 'dropped') return;
    const sent = Date.now();
    let top: number | null;
    try {
      top = await this.log.renewAt(o.partition, this.id, o.epoch, this.leaseMs);
    } catch (error) {
      top = null;
      this.emit({ event: 'renew-failed', partition: o.partition, error: (error as Error).message });
    }
    if (top === null) return this.dropPartition(o, 'lease lost');
    o.leaseUntilMs = sent + this.leaseMs;
    // the log behind what the partition applied: Redis came back from an older copy with the lease still ours
    const applied = o.state?.lastFillSeq ?? 0;
    if (top < applied && o.status !== 'refused') this.refuseLost(o, new LogLostError(o.partition, top, applied, 'this shard applied them'));
  }

  /** Holds o refused for a log that lost entries, or a tick it cannot follow (its lease kept: no other shard serves it either), its state let go. */
  private refuseLost(o: OwnedPartition, error: LogLostError | LogGapError | TickUnfollowedError | TickLostError | LogConflictError): void {
    this.noteApplied(o);
    o.drop('refused', error.message);
    const state = o.state;
    o.state = null;
    setImmediate(() => state?.release()); // a request being applied still holds it until its turn ends
    this.emit({ event: 'refused', partition: o.partition, epoch: o.epoch, error: error.message });
    if (error instanceof LogLostError) this.store.markLost(o.partition, error.known).catch((e: Error) => this.emit({ event: 'mark-failed', partition: o.partition, error: e.message }));
  }

  private dropPartition(o: OwnedPartition, why: string): void {
    if (this.owned.get(o.partition) !== o) return;
    this.noteApplied(o);
    this.owned.delete(o.partition);
    o.drop('dropped', why);
    // a request being applied still holds the state until its turn ends
    setImmediate(() => o.state?.release());
    this.emit({ event: 'dropped', partition: o.partition, epoch: o.epoch, why });
  }

  /** Takes partition p and starts its recovery; false when another shard's lease on it is live (tried again next round). */
  private async acquire(p: number): Promise<boolean> {
    const sent = Date.now();
    if (this.stopping) return true;
    const epoch = await this.log.acquire(p, this.id, this.url, this.leaseMs);
    if (epoch === null) return false;
    if (this.stopping) {
      await this.log.release(p, this.id, epoch).catch(() => {});
      return true;
    }
    const o = new OwnedPartition(p, epoch, this.log, this.id, this.leaseMs, sent, (part, error) => this.trouble(part, error));
    this.owned.set(p, o);
    this.emit({ event: 'acquired', partition: p, epoch });
    // one recovery at a time: memory and the event loop are shared with the partitions already served
    this.recovering = this.recovering.then(() => this.recover(o));
    return true;
  }

  private async recover(o: OwnedPartition): Promise<void> {
    // a recovery under way when stop() begins is finished, so that the partition is checkpointed before it goes
    const wanted = () => this.owned.get(o.partition) === o;
    if (!wanted()) return;
    const started = performance.now();
    try {
      const r = await recoverPartition(this.source(), o.partition, wanted);
      if (!wanted()) return r.state.release();
      // a partition restored from a checkpoint names its families again (the book file may not have been read)
      if (r.from === 'checkpoint' && r.state.live) await writeMasters(this.redis, this.keys, r.state.live.layout.accountIds, r.state.live.reportParts.accountMasters);
      if (!wanted()) return r.state.release();
      this.tickTail.catchUp(r.state);
      o.replayMs = performance.now() - started;
      o.recoveredFrom = r.from;
      o.checkpointed = { ...r.at };
      o.ready(r.state);
      this.emit({ event: 'ready', partition: o.partition, epoch: o.epoch, from: r.from, at: r.at, entries: r.entriesReplayed, ...(r.rejected ?? {}), ticks: r.ticksReplayed, replayMs: Math.round(o.replayMs), refused: r.refused });
    } catch (error) {
      // held, never served: another shard could only serve it without the lost fills (or the tick it cannot follow, the
      // newest tick deleted, an entry it cannot read) too; the reason is the refusal's, named in /ready
      const held = error instanceof LogLostError || error instanceof LogGapError || error instanceof TickUnfollowedError || error instanceof TickLostError || error instanceof LogConflictError;
      if (held && wanted()) return this.refuseLost(o, error);
      this.emit({ event: 'recovery-failed', partition: o.partition, error: (error as Error).message });
      this.dropPartition(o, `recovery failed: ${(error as Error).message}`);
      await this.log.release(o.partition, this.id, o.epoch).catch(() => {});
    }
  }

  /** Remembers the fill seq partition o holds as it leaves this shard (see {@link appliedSeq}). */
  private noteApplied(o: OwnedPartition): void {
    const seq = o.state?.lastFillSeq ?? 0;
    if (seq > this.appliedSeq[o.partition]) this.appliedSeq[o.partition] = seq;
  }

  /** An append fenced (drop) or of unknown outcome (re-read the log, then serve again). */
  private trouble(o: OwnedPartition, error: unknown): void {
    if (error instanceof FencedError) return this.dropPartition(o, 'fenced: another shard owns it');
    if (o.status !== 'ready') return;
    o.drop('recovering', 'resyncing after an append of unknown outcome');
    this.emit({ event: 'resync', partition: o.partition, error: (error as Error).message });
    const state = o.state!;
    replayEntries(this.log, state, () => this.owned.get(o.partition) === o)
      .then((replayed) => {
        if (this.owned.get(o.partition) !== o) return;
        o.ready(state);
        // what the re-read found: entries another writer added show here, refused ones named
        this.emit({ event: 'resynced', partition: o.partition, entries: replayed.applied, ...(rejectedOf(replayed) ?? {}) });
      })
      .catch((e) => this.dropPartition(o, `resync failed: ${(e as Error).message}`));
  }

  private async checkpointDue(): Promise<void> {
    const now = Date.now();
    if (redisUnreachable(this.redis) !== null) return; // a checkpoint's pointer is written to Redis: none while it is away
    const every = this.options.checkpointEveryMs ?? SHARD_DEFAULTS.checkpointEveryMs, fills = this.options.checkpointEveryFills ?? SHARD_DEFAULTS.checkpointEveryFills;
    // one partition at a time, the event loop free between two (requests queued meanwhile are answered first)
    for (const o of [...this.owned.values()]) {
      if (o.status !== 'ready' || o.checkpointing || this.stopping) continue;
      if (!(o.fillsSinceCheckpoint >= fills || now - o.lastCheckpointAtMs >= every)) continue;
      await this.checkpoint(o);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** How many partitions' latest checkpoint failed (they recover from the log and the checkpoint before it). */
  get checkpointFailures(): number {
    return this.failedCheckpoints.count;
  }

  /** A checkpoint of o now (skipped when nothing changed since the last); errors are told, not thrown. */
  checkpoint(o: OwnedPartition): Promise<void> {
    return (o.checkpointing ??= checkpointPartition(o, this.store, this.log, this.id, this.fingerprint, (snapshot) => this.encoder.encode(snapshot), this.options.trim !== false)
      .then((written) => {
        this.failedCheckpoints.written(o.partition);
        if (written) this.emit({ event: 'checkpoint', partition: o.partition, ...written });
      })
      .catch((error) => {
        this.failedCheckpoints.failed(o.partition);
        this.emit({ event: 'checkpoint-failed', partition: o.partition, error: (error as Error).message });
      })
      .finally(() => {
        o.checkpointing = null;
      }));
  }

  /** Gives o up gracefully: no new requests, in-flight ones finished, a checkpoint, the lease released. */
  private handOver(o: OwnedPartition): Promise<void> {
    const done = this.handOverNow(o).finally(() => this.handovers.delete(done));
    this.handovers.add(done);
    return done;
  }

  /** Handovers under way (one a round started may still be checkpointing when stop() begins). */
  private readonly handovers = new Set<Promise<void>>();

  private async handingOver(): Promise<void> {
    while (this.handovers.size > 0) await Promise.allSettled([...this.handovers]);
  }

  private async handOverNow(o: OwnedPartition): Promise<void> {
    o.drop('leaving', 'handed over to another shard');
    await o.drained();
    await this.checkpoint(o);
    this.noteApplied(o);
    this.owned.delete(o.partition);
    o.status = 'dropped';
    await this.log.release(o.partition, this.id, o.epoch).catch(() => {});
    o.state?.release();
    this.emit({ event: 'released', partition: o.partition, epoch: o.epoch });
  }

  /**
   * SIGTERM: stop accepting, drain, checkpoint and release every partition, leave the shards hash, close. After the
   * token was refused ({@link fatal}), only stop accepting and close: the cluster is another token's, nothing is written.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.earlyRound);
    if (this.refused) await this.abandon();
    else await this.leave();
    if (this.joined && !this.refused) await this.redis.hdel(this.keys.shards, this.id).catch(() => {});
    this.blocking.disconnect();
    await this.tail?.catch(() => {});
    await closeRedis(this.redis);
    await this.encoder.close();
  }

  /** Every partition handed over (drained, checkpointed, released), its leases renewed meanwhile. */
  private async leave(): Promise<void> {
    // leases stay renewed until released: finishing recoveries and writing 64 checkpoints may take longer than one
    const renewing = setInterval(() => void this.renewAll().catch(() => {}), this.roundMs);
    try {
      await this.inRound.catch(() => {}); // a round under way may still be acquiring a partition
      await this.app?.close();
      await this.recovering.catch(() => {}); // every partition acquired is recovered (or failed), then checkpointed below
      // one partition at a time: encoding a checkpoint is CPU work that would keep the renewals above from running
      for (const o of [...this.owned.values()]) {
        if (o.status === 'ready') await this.handOver(o);
        else if (o.status !== 'leaving') { // a handover under way finishes by itself
          this.dropPartition(o, 'stopping');
          await this.log.release(o.partition, this.id, o.epoch).catch(() => {}); // the next shard need not wait out the lease
        }
      }
      await this.handingOver();
    } finally {
      clearInterval(renewing);
    }
  }

  /** The token refused: requests in flight answered, then every partition let go without a write (no lease is ours). */
  private async abandon(): Promise<void> {
    await this.inRound.catch(() => {});
    await this.app?.close();
    for (const o of [...this.owned.values()]) this.dropPartition(o, 'stopping');
    await this.recovering.catch(() => {}); // a recovery under way sees its partition gone and stops
    await this.handingOver();
  }
}
