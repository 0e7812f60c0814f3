/**
 * The gateway's GET /metrics (prom-client, the names of src/service/metrics.ts's conventions): Node's process metrics,
 * the gateway's requests, and the cluster's figures gathered from every fresh shard's GET /status at scrape time:
 *
 *   margincore_log_lag_entries{partition}          entries in the partition's log its owner has not applied yet
 *   margincore_tick_lag_seconds{partition}         newest tick's time − the partition's last applied tick's time
 *   margincore_checkpoint_age_seconds{partition}   since the partition's last checkpoint (or since it was taken)
 *   margincore_replay_seconds{partition}           the partition's last recovery (checkpoint read + replay)
 *   margincore_partitions{state}                   partitions by state (ready, recovering, leaving, lapsed, refused, none = no owner)
 *   margincore_fills_applied_total                 fills applied by the shards now running (since each started)
 *   margincore_fills_duplicate_total               log entries skipped as already applied
 *   margincore_idempotency_keys{partition}         client keys the partition remembers (its window: op-window.ts)
 *   margincore_writes_replayed_total               writes answered from a window (resent under a known key)
 */
import type { Registry } from 'prom-client';
import { PARTITION_COUNT } from './partitions.js';

export interface PartitionFigures {
  partition: number;
  state: string;
  lastFillSeq: number | null;
  lastTickId: string | null;
  replaySeconds: number;
  checkpointAgeSeconds: number;
  fillsApplied: number;
  duplicatesSkipped: number;
  /** Absent from a shard of an earlier version. */
  keysRemembered?: number | undefined;
  writesReplayed?: number | undefined;
}

/** What one scrape reads: every shard's partitions, each partition's log top, the newest tick id. */
export interface ClusterSnapshot {
  partitions: PartitionFigures[];
  logTop: number[];
  newestTickId: string;
}

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface GatewayMetrics {
  registry: Registry;
  request(method: string, route: string, status: number, seconds: number): void;
  /** Reads the cluster (`snapshot`) and answers the exposition text. */
  scrape(): Promise<string>;
}

export async function gatewayMetrics(snapshot: () => Promise<ClusterSnapshot>): Promise<GatewayMetrics> {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'margincore_http_request_duration_seconds', help: 'Gateway HTTP requests by route, method and status: received to answered (the shard\'s time included)',
    labelNames: ['route', 'method', 'status_code'], buckets: BUCKETS, registers: [registry],
  });
  const byPartition = (name: string, help: string) => new Gauge({ name, help, labelNames: ['partition'], registers: [registry] });
  const lag = byPartition('margincore_log_lag_entries', 'Entries of the partition\'s log its owner has not applied yet');
  const tickLag = byPartition('margincore_tick_lag_seconds', 'Newest tick\'s time minus the time of the last tick the partition applied, seconds');
  const age = byPartition('margincore_checkpoint_age_seconds', 'Seconds since the partition\'s last checkpoint (or since its owner took it)');
  const replay = byPartition('margincore_replay_seconds', 'The partition\'s last recovery: checkpoint read, log and ticks replayed, seconds');
  const keys = byPartition('margincore_idempotency_keys', 'Client Idempotency-Keys the partition remembers (at most 10,000: a resend of an older one is applied again)');
  const states = new Gauge({ name: 'margincore_partitions', help: 'Partitions by state (none: no shard holds it)', labelNames: ['state'], registers: [registry] });
  const fills = new Counter({ name: 'margincore_fills_applied_total', help: 'Fills applied by the running shards since each started', registers: [registry] });
  const duplicates = new Counter({ name: 'margincore_fills_duplicate_total', help: 'Log entries the running shards skipped as already applied', registers: [registry] });
  const replayed = new Counter({ name: 'margincore_writes_replayed_total', help: 'Writes the running shards answered as replayed (resent under a key their partition knew), not written again', registers: [registry] });
  const ms = (id: string | null) => (id === null ? 0 : Number(id.split('-')[0]));
  return {
    registry,
    request: (method, route, status, seconds) => requests.observe({ route, method, status_code: String(status) }, seconds),
    async scrape() {
      const s = await snapshot();
      for (const g of [lag, tickLag, age, replay, keys, states]) g.reset();
      for (const c of [fills, duplicates, replayed]) c.reset();
      const counts: Record<string, number> = { ready: 0, recovering: 0, leaving: 0, lapsed: 0, refused: 0, none: PARTITION_COUNT };
      for (const p of s.partitions) {
        const label = { partition: String(p.partition) };
        counts[p.state] = (counts[p.state] ?? 0) + 1;
        counts.none--;
        if (p.lastFillSeq !== null) lag.set(label, Math.max(0, s.logTop[p.partition] - p.lastFillSeq));
        if (p.lastTickId !== null) tickLag.set(label, Math.max(0, ms(s.newestTickId) - ms(p.lastTickId)) / 1000);
        age.set(label, p.checkpointAgeSeconds);
        replay.set(label, p.replaySeconds);
        keys.set(label, p.keysRemembered ?? 0);
        fills.inc(p.fillsApplied);
        duplicates.inc(p.duplicatesSkipped);
        replayed.inc(p.writesReplayed ?? 0);
      }
      for (const [state, n] of Object.entries(counts)) states.set({ state }, Math.max(0, n));
      return registry.metrics();
    },
  };
}
