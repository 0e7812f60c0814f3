/**
 * The one interface every way of running shards implements: in this process (local-transport.ts), on worker threads
 * (worker-transport.ts: piscina threads in Node, Web Workers in browsers) and across machines (redis/transport.ts, Redis Streams). The coordinator
 * (sharded-book.ts) knows nothing else of them, so another engine (NATS JetStream, say) is one more implementation.
 *
 * Contract: `run` resolves with one outcome per task, in task order, or rejects; it never resolves with a shard
 * missing. Re-running a shard whose worker died, and reloading its book there first, is the transport's job.
 */
import type { ShardBook } from './shard-book.js';
import type { WholeBook } from './whole-book.js';
import type { MonteCarloPath } from '../stress/report.js';
import type { ShardOutcome, ShardTask, StressPathsJob, StressProbeJob } from './tasks.js';
import type { BadDebtAt } from '../stress/reverse.js';

export interface WorkerHealth {
  /** Thread id, or `host:pid` of a Redis worker. */
  id: string;
  /** Shards it holds laid out now. */
  shardsHeld: number;
  /** Backend of its engine (`wasm-simd`, `wasm-scalar`, `js`). */
  backend: string;
  /** Milliseconds since it was last heard from (0 for in-process and thread workers answering now). */
  idleMs: number;
  /** Its package version and build and params fingerprints (src/scale/identity.ts); absent from a worker too old to say. */
  version?: string | undefined;
  build?: string | undefined;
  params?: string | undefined;
}

export interface TransportHealth {
  transport: string;
  /** How many shards a book is cut into. */
  shards: number;
  workers: WorkerHealth[];
  /** Workers replaced (threads) or shard tasks re-claimed (Redis) since the transport started. */
  recoveries: number;
  /** Tasks waiting for a worker (Redis: pending in the consumer group). */
  pending: number;
}

/**
 * The test hook of a worker transport, behind a registered symbol so it is no name of the API:
 * `transport[CRASH_DURING_NEXT_RUN](shard)` kills the worker of `shard` (−1: the next job on the whole book, Monte Carlo
 * paths or reverse-search probes) during its next task (test/scale/*: a crashed worker is replaced and its task run
 * again). A browser page reaches it as `Symbol.for('margin-core.test.crashDuringNextRun')`.
 */
export const CRASH_DURING_NEXT_RUN: unique symbol = Symbol.for('margin-core.test.crashDuringNextRun');

export interface ShardTransport {
  readonly name: string;
  /** How many shards a book is cut into for this transport. */
  readonly shards: number;
  /**
   * In how many parts a shard answers a one-method task (parts.ts), when more than one: the thread pool's workers
   * send their rows part by part, so the coordinator merges while they build the rest.
   */
  readonly parts?: number | undefined;
  /**
   * True when its workers compute slices of a run's instrument table and share them (the thread pool: phase one of a
   * split run, sharded-book.ts); other transports run each shard's per-instrument work whole.
   */
  readonly exchangesTables?: boolean | undefined;
  /** Places every shard of book `bookId` where its worker can hold it (replacing a book of that id). */
  load(bookId: string, shards: readonly ShardBook[]): Promise<void>;
  /**
   * Runs one task per shard; resolves with every shard's outcome (`ok` or `input-error`), in task order. A transport
   * may also hand each outcome to `onOutcome` as it arrives (the thread pool does), so the coordinator can merge the
   * first shards while the others still run; the resolved array stays the reference.
   */
  run(tasks: readonly ShardTask[], onOutcome?: (outcome: ShardOutcome) => void): Promise<ShardOutcome[]>;
  /** Drops book `bookId` from every worker. */
  unload(bookId: string): Promise<void>;
  /**
   * Optional (the thread pool has it): work split by path on workers that hold the whole book — Monte Carlo stress,
   * whose every path is a cross-account cascade. Resolves with each job's paths, in job order, or rejects; `onJob`
   * is told of each job (its index) as it completes.
   */
  runStressPaths?(whole: WholeBook, jobs: readonly StressPathsJob[], onJob?: (job: number) => void): Promise<MonteCarloPath[][]>;
  /** Optional, with {@link runStressPaths}: reverse-search probes on those workers, each job on the next free one; each job's results in its order. */
  runStressProbes?(whole: WholeBook, jobs: readonly StressProbeJob[]): Promise<BadDebtAt[][]>;
  health(): Promise<TransportHealth>;
  /** Stops the workers (threads) or the connections (Redis). */
  close(): Promise<void>;
}
