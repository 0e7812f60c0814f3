/** A shard's options and their defaults (shard.ts; the gateway reads the lease's default: gateway-ready.ts). */
import type { ValidatedBook } from '../model/types.js';
import type { ConnectOptions } from '../scale/redis/connect.js';
import type { ServiceOptions } from '../service/options.js';
import type { LiveOptions } from '../live/open-live.js';
import type { Engine } from '../engine.js';
import type { Durability } from './log.js';

export const SHARD_DEFAULTS = {
  /** Lease of a partition's owner key, ms; renewed every third of it. */
  leaseMs: 3_000,
  /** A checkpoint of a partition that changed, at least this often, ms. */
  checkpointEveryMs: 10_000,
  /** … or after this many fills applied since the last one. */
  checkpointEveryFills: 100_000,
} as const;

export interface ShardOptions {
  redisUrl: string;
  cluster: string;
  /**
   * The book file, validated: a partition with no checkpoint starts from its accounts at seq 0. A function reads it
   * the first time a partition has no usable checkpoint (never, on a restart whose partitions all have one); the
   * subaccount → master map is written when it is read, and by each partition as it recovers.
   */
  book: ValidatedBook | (() => Promise<ValidatedBook>);
  /** The market file's JSON (validated against the book as each partition opens). */
  market: unknown;
  /** Checkpoint files go in `<checkpointDir>/<cluster>/`; every shard of the cluster must see it (a moved partition recovers from it). */
  checkpointDir: string;
  engine: Engine;
  liveOptions: LiveOptions;
  /** HTTP: port (0 = any), host, token, bounds (the live service's options). */
  http: ServiceOptions;
  /** Default: host name, pid and a random suffix. */
  shardId?: string | undefined;
  durability?: Durability | undefined;
  leaseMs?: number | undefined;
  checkpointEveryMs?: number | undefined;
  checkpointEveryFills?: number | undefined;
  /**
   * The CLI bundle (dist/cli.js) to run as the shard's checkpoint worker, which makes checkpoint bytes off the event
   * loop (checkpoint-worker.ts); undefined makes them on the event loop (the sources under tests).
   */
  checkpointWorkerFile?: string | undefined;
  /** Trim each partition's log up to its older kept checkpoint (default true); false keeps the whole log (audit). */
  trim?: boolean | undefined;
  connect?: ConnectOptions | undefined;
  /** One JSON object per event (acquired, recovered, dropped, checkpoint …); default none. */
  log?: ((event: Record<string, unknown>) => void) | undefined;
}
