/**
 * The gateway's GET /ready (docs/live-cluster.md): 200 only when every partition has an owner (a live lease) that the
 * gateway reaches and that serves it, and that owner is the shard rendezvous hashing over the live shards gives it
 * (the shards' own rule, shard.ts): a shard that has joined and not yet taken its partitions is waited for, rather
 * than /ready answering 200 and the handover then answering 503. At start it also waits for `awaitShards` shards to
 * join (live-local's N), so that the first shard up taking every partition does not make it ready.
 *
 * Otherwise 503, the partitions not served named by cause, each from what Redis and the shards say now: `none` (no
 * owner key), `recovering` / `leaving` / `lapsed` (as its owner reports it: `lapsed`, its lease ran out by the
 * owner's clock before a renewal was answered), `refused` (its owner holds it unserved: its log lost acknowledged
 * entries, the reason named), `unreachable` (its owner does not answer /status), `moving` (its owner is not the shard
 * hashing gives it: a handover is due).
 */
import type { GatewayContext } from './gateway-context.js';
import { PARTITION_COUNT } from './partitions.js';
import { ownerOf } from '../scale/redis/ownership.js';
import { SHARD_DEFAULTS } from './shard.js';

export type NotServed = 'none' | 'recovering' | 'leaving' | 'lapsed' | 'refused' | 'unreachable' | 'moving';

export interface Readiness {
  ready: boolean;
  /** Why not, one line. */
  reason?: string | undefined;
  /** The partitions not served, by cause (causes with none left out). */
  partitions?: Partial<Record<NotServed, number[]>> | undefined;
}

/** A shard's heartbeat in the `shards` hash. */
interface Beat {
  url: string;
  at: number;
  leaseMs?: number | undefined;
}

export async function readiness(ctx: GatewayContext): Promise<Readiness> {
  await ctx.owners.refresh();
  const [owners, beats] = await Promise.all([ctx.owners.all(), ctx.redis.hgetall(ctx.keys.shards)]);
  const now = Date.now();
  // live as the shards judge each other: a heartbeat younger than the shard's lease
  const live = Object.entries(beats).flatMap(([id, json]) => {
    const beat = JSON.parse(json) as Beat;
    return now - beat.at < (beat.leaseMs ?? SHARD_DEFAULTS.leaseMs) ? [{ id, url: beat.url }] : [];
  });
  const urls = new Set([...owners.flatMap((o) => (o ? [o.url] : [])), ...live.map((s) => s.url).filter((u) => u !== '')]);
  const states = new Map<string, Map<number, string>>();
  /** A refused partition's reason, as its owner gives it (one named in the reason line: they share a cause). */
  let refusedWhy = '';
  await Promise.all([...urls].map(async (url) => {
    const res = await ctx.shards.read(url, 'GET', '/status').catch(() => null); // a hung shard: unreachable after the read timeout
    if (res?.status !== 200) return;
    const partitions = (JSON.parse(res.body) as { partitions: { partition: number; state: string; reason?: string }[] }).partitions;
    states.set(url, new Map(partitions.map((p) => [p.partition, p.state])));
    refusedWhy ||= partitions.find((p) => p.state === 'refused')?.reason ?? '';
  }));
  const ids = live.map((s) => s.id);
  const notServed: Partial<Record<NotServed, number[]>> = {};
  for (let p = 0; p < PARTITION_COUNT; p++) {
    const cause = causeOf(p, owners[p], states, ids);
    if (cause !== null) (notServed[cause] ??= []).push(p);
  }
  if (ids.length >= ctx.awaitShards) ctx.awaitShards = 0; // the start's wait is over
  // (a gateway started on its own waits for one shard: it knows no count to name)
  const waiting = ctx.awaitShards > 1 ? `${ids.length} of ${ctx.awaitShards} shards have joined` : ctx.awaitShards === 1 ? 'no shard has joined yet' : '';
  const named = Object.entries(notServed).map(([cause, ps]) => `${ps.join(', ')} (${CAUSE[cause as NotServed]}${cause === 'refused' && refusedWhy ? `, the first: ${refusedWhy}` : ''})`);
  if (!waiting && named.length === 0) return { ready: true };
  return { ready: false, reason: [waiting, named.length > 0 ? `partitions not served yet: ${named.join('; ')}` : ''].filter((s) => s !== '').join('; '), partitions: notServed };
}

const CAUSE: Record<NotServed, string> = {
  none: 'no owner',
  recovering: 'recovering',
  leaving: 'leaving its owner',
  lapsed: 'its owner\'s lease not renewed in time',
  refused: 'refused by its owner',
  unreachable: 'owner not answering',
  moving: 'moving to another shard',
};

/** Why partition p is not served, or null when it is. */
function causeOf(p: number, owner: { shard: string; url: string } | null, states: Map<string, Map<number, string>>, live: string[]): NotServed | null {
  if (!owner) return 'none';
  const held = states.get(owner.url);
  if (!held) return 'unreachable';
  const state = held.get(p);
  if (state === 'recovering' || state === 'leaving' || state === 'lapsed' || state === 'refused') return state;
  // a partition its owner no longer lists was let go since the owners were read
  if (state !== 'ready') return 'moving';
  return live.length > 0 && ownerOf(p, live) !== owner.shard ? 'moving' : null;
}
