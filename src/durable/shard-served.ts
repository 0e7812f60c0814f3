/**
 * What a shard's routes share (shard-routes.ts, shard-batch.ts): which partition a request may be answered from, and
 * serve's checks of a body.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describeValue, InputError } from '../errors.js';
import type { LiveSession } from '../live/live-session.js';
import { bodyValidators, type PostRoute, schemaProblems, validateAsLibrary } from '../service/body.js';
import { SERVICE_DEFAULTS } from '../service/options.js';
import { HttpError, refuseTooManyItems } from '../service/routes.js';
import { idempotencyKeyOf } from '../service/idempotent-writes.js';
import { OP_DIGEST, opDigest } from './op-window.js';
import type { OwnedPartition } from './owned-partition.js';
import { type LogEntry, PARTITION_COUNT, writeEntry } from './partitions.js';

/** What the routes read of their shard (shard.ts). */
export interface ShardView {
  readonly id: string;
  readonly url: string;
  readonly startedAtMs: number;
  readonly owned: ReadonlyMap<number, OwnedPartition>;
}

export const RETRY = { 'retry-after': '1' };

/** Most items (trades, fills, transfers) per request: serve's default. */
const MAX_ITEMS = SERVICE_DEFAULTS.maxItems;

/** Why a partition this shard holds is not served, as a 503 says it. */
const SERVED_STATUS: Record<ReturnType<OwnedPartition['servedStatus']>, string> = {
  recovering: 'is recovering',
  ready: 'is ready',
  leaving: 'is leaving',
  dropped: 'was dropped',
  refused: 'is refused',
  lapsed: 'has a lease not renewed in time',
};

/** The partition of /p/:p/… if this shard serves it now; else 404 (no such partition) or 503 with Retry-After. */
export function servedPartition(shard: ShardView, request: FastifyRequest): OwnedPartition {
  return servedAt(shard, (request.params as { p: string }).p);
}

/** Partition `raw` (its number as text) if this shard serves it now; else 404 or 503 with Retry-After. */
export function servedAt(shard: ShardView, raw: string): OwnedPartition {
  const p = Number(raw);
  if (!/^\d{1,2}$/.test(raw) || p >= PARTITION_COUNT) throw new HttpError(404, `no partition ${JSON.stringify(raw)} (0 to ${PARTITION_COUNT - 1})`);
  const o = shard.owned.get(p);
  // refused: asking again does not help until an operator restores Redis's data (no Retry-After)
  if (o?.status === 'refused') throw new HttpError(503, `partition ${p} is refused on this shard: ${o.refusedWhy}`);
  if (!o || !o.servable()) throw new HttpError(503, `partition ${p} ${o ? SERVED_STATUS[o.servedStatus()] : 'is not served'} on this shard; ask the gateway again shortly`, undefined, RETRY);
  return o;
}

/** The partition's live session; 404 when it holds no account. */
export function liveOf(o: OwnedPartition, account?: string): LiveSession {
  const live = o.state!.live;
  if (live === null) throw new HttpError(404, `no account ${describeValue(account ?? '')} in partition ${o.partition}`);
  return live;
}

/** serve's checks of a body: its size (serve's 413), its schema, the library's validation (InputError with paths). */
export function checked(route: PostRoute, body: unknown, live: LiveSession): void {
  refuseTooManyItems(route, body, MAX_ITEMS);
  const validate = bodyValidators()[route];
  if (!validate(body)) throw new InputError(schemaProblems(route, body, live, validate.errors ?? []));
  validateAsLibrary(route, body, live);
}

/**
 * What a write's log entries are written under: its op id, the client's `Idempotency-Key` (checked as serve checks it:
 * 400 at `headers.idempotency-key`) or a random one; `keyed` when the client gave it (not when the gateway made it for
 * a request that had none: `x-op-generated: 1`), with the gateway's digest of the whole request (`x-op-digest`).
 */
export interface WriteOp {
  id: string;
  keyed: boolean;
  digest?: string | undefined;
}

export function writeOpOf(request: FastifyRequest): WriteOp {
  const key = idempotencyKeyOf(request);
  const given = request.headers['x-op-digest'];
  const keyed = key !== undefined && request.headers['x-op-generated'] !== '1';
  return { id: key ?? randomUUID(), keyed, ...(keyed && typeof given === 'string' && OP_DIGEST.test(given) ? { digest: given } : {}) };
}

/**
 * The log entry of `items` under `op`: a keyed one carries its digest (the gateway's, else its items'), by which the
 * partition recognises it when it is sent again (op-window.ts).
 */
export function entryOf(kind: 'fills' | 'transfers', op: WriteOp, items: unknown[]): LogEntry {
  const entry = writeEntry(kind, op.id, items);
  if (op.keyed) entry.digest = op.digest ?? opDigest(entry);
  return entry;
}
