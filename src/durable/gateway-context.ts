/** What the gateway's routes use (gateway.ts makes it; gateway-routes.ts and gateway-writes.ts read it). */
import type { RedisClient } from '../scale/redis/connect.js';
import type { ShardClient } from './forward.js';
import type { TickLog } from './log.js';
import type { MasterTable, OwnerTable } from './owners.js';
import type { LogKeys } from './partitions.js';

export interface GatewayContext {
  keys: LogKeys;
  redis: RedisClient;
  owners: OwnerTable;
  masters: MasterTable;
  shards: ShardClient;
  ticks: TickLog;
  reportWaitMs: number;
  /** Shards GET /ready waits for at start (live-local's N); 0 once that many have joined. */
  awaitShards: number;
  /** Every fresh shard's url (the `shards` hash). */
  shardUrls(): Promise<string[]>;
}

