/**
 * The live cluster's one endpoint (docs/live-cluster.md): a Fastify server with the live service's guard and errors
 * (http.ts) that routes each account's request to the shard owning the account's partition (owner keys, cached:
 * owners.ts) over kept-alive connections (forward.ts), appends ticks to the `ticks` stream, and sums the report's
 * totals across partitions at one tick id (gateway-routes.ts). The routes are serve's, so a client of `margin-core
 * serve` can switch to it.
 *
 * Redis away once started: the connection is retried for as long as it takes, and meanwhile every route that needs
 * Redis answers 503 with Retry-After naming it (/health stays 200: the process is alive). The cluster's token found to
 * be another's now (credential.ts) resolves `fatal`: the gateway must close, its owner exit 1.
 */
import { closeRedis, connectRedis, type ConnectOptions, redisUnreachable, type RedisClient } from '../scale/redis/connect.js';
import type { ServiceOptions } from '../service/options.js';
import { HttpError } from '../service/routes.js';
import { ClusterCredential, CredentialError } from './credential.js';
import { ShardClient } from './forward.js';
import { type ClusterSnapshot, gatewayMetrics, type PartitionFigures } from './gateway-metrics.js';
import { type GatewayContext, registerGatewayRoutes } from './gateway-routes.js';
import { startApp, type RunningApp } from './http.js';
import { PartitionLog, TickLog } from './log.js';
import { MasterTable, OwnerTable } from './owners.js';
import { LogKeys, PARTITION_COUNT } from './partitions.js';

export interface GatewayOptions {
  redisUrl: string;
  cluster: string;
  /** HTTP: port, host, token (also sent to the shards), bounds (the live service's options). */
  http: ServiceOptions;
  connect?: ConnectOptions | undefined;
  /** How long GET /report waits for every partition to stand at one tick id before answering 503, ms. Default 2,000. */
  reportWaitMs?: number | undefined;
  /**
   * How many shards GET /ready waits for at start (live-local: the shards it starts), default 1. Once they have all
   * joined, one that stops later does not make the gateway unready: the others take its partitions.
   */
  expectShards?: number | undefined;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Resolves with the error that ends the gateway while it runs: the cluster now runs with another token. */
  readonly fatal: Promise<Error>;
  close(): Promise<void>;
}

/**
 * How often the gateway refreshes the token's fingerprint, ms: as often as a shard's heartbeat round at the default
 * lease, so that a gateway whose token is no longer the cluster's stops as soon as its shards do.
 */
const CREDENTIAL_REFRESH_MS = 1_000;

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const keys = new LogKeys(options.cluster);
  // once started, Redis away for any length of time is waited out (503 meanwhile), never given up on
  const redis = await connectRedis(options.redisUrl, { ...options.connect, keepReconnecting: true });
  const masters = new MasterTable(redis, keys);
  const credential = new ClusterCredential(redis, keys, options.http.token);
  try {
    await credential.check(); // before serving: with another token than the shards', every forward would be refused
    await masters.load();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  // the token's fingerprint lives as long as a process of the cluster does
  const { refreshing, fatal } = keepCredential(credential, redis, options);
  const shards = new ShardClient(options.http.token);
  const ctx: GatewayContext = {
    keys, redis, masters, shards,
    owners: new OwnerTable(redis, keys),
    ticks: new TickLog(redis, keys),
    reportWaitMs: options.reportWaitMs ?? 2_000,
    awaitShards: options.expectShards ?? 1,
    async shardUrls() {
      const all = await redis.hgetall(keys.shards);
      return Object.values(all).map((json) => (JSON.parse(json) as { url: string }).url).filter((u) => u !== '');
    },
  };
  const log = new PartitionLog(redis, keys);
  const metrics = await gatewayMetrics(() => snapshot(ctx, log));
  let app: RunningApp;
  try {
    app = await startApp(options.http, (fastify, resolved) => registerGatewayRoutes(fastify, ctx, metrics, resolved.maxItems), (error) => {
      const why = redisUnreachable(redis, error);
      return why === null ? undefined : new HttpError(503, `${why}; try again shortly`, undefined, { 'retry-after': '1' });
    });
  } catch (error) {
    clearInterval(refreshing);
    redis.disconnect();
    throw error;
  }
  return {
    url: app.url,
    port: app.port,
    fatal,
    async close() {
      clearInterval(refreshing);
      await app.close();
      shards.close();
      await closeRedis(redis);
    },
  };
}

/** Refreshes the fingerprint every CREDENTIAL_REFRESH_MS while Redis is there; `fatal` once the token is refused. */
function keepCredential(credential: ClusterCredential, redis: RedisClient, options: GatewayOptions): { refreshing: NodeJS.Timeout; fatal: Promise<Error> } {
  let refused: (error: Error) => void = () => {};
  const fatal = new Promise<Error>((resolve) => (refused = resolve));
  const refreshing = setInterval(() => {
    if (redisUnreachable(redis) !== null) return; // nothing to refresh while Redis is away (its retries are said)
    credential.refresh().catch((error: Error) => {
      if (error instanceof CredentialError) {
        clearInterval(refreshing);
        refused(error);
      } else if (redisUnreachable(redis, error) === null) options.http.logger?.error({ event: 'credential', error: error.message }, 'credential');
    });
  }, CREDENTIAL_REFRESH_MS);
  refreshing.unref();
  return { refreshing, fatal };
}

/** The cluster's figures for one scrape: every shard's /status (a hung one's left out), each partition's log top, the newest tick. */
async function snapshot(ctx: GatewayContext, log: PartitionLog): Promise<ClusterSnapshot> {
  const statuses = await Promise.all((await ctx.shardUrls()).map((url) => ctx.shards.read(url, 'GET', '/status').then((r) => (r.status === 200 ? (JSON.parse(r.body) as { partitions: PartitionFigures[] }).partitions : []), () => [])));
  const logTop = await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => log.lastSeq(p)));
  return { partitions: statuses.flat(), logTop, newestTickId: await ctx.ticks.lastId() };
}
