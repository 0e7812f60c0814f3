/**
 * A shard's HTTP routes (the gateway's side of the cluster; docs/live-cluster.md "Routes"):
 *
 *   POST /p/:p/fills      { fills: [...] } (serve's body; `?dry=1` validates only) → { seq, remargined, events }
 *   POST /p/:p/transfers  { transfers: [...] }                                    → the same
 *   POST /batch/fills     { parts: [{ partition, fills }] } (`?dry=1` validates only) → { partitions: [{ partition,
 *        status, seq, remargined, events }] }: several of this shard's partitions' parts in one request, checked
 *        all before any is written, appended together in one Redis round trip (shard-batch.ts); /batch/transfers too
 *   GET  /p/:p/accounts/:id                                                        → the account's row
 *   POST /p/:p/what-if    { account, trades }   POST /p/:p/check { account, order } → as serve answers
 *   POST /validate/tick, /validate/what-if, /validate/check  a body of that route    → 204 or 400 (nothing applied): checked
 *        against any partition ready here (the gateway's check of a tick, or of a body with no account to route by); a
 *        tick against every one, the domain's bounds at its holdings too
 *   GET  /sums?tick=<id>&p=0,1,…  → each partition's exact total sums at tick <id>, or that it is behind / ahead
 *   GET  /status, /health, /ready
 *
 * A partition this shard does not serve right now (not owned, recovering, leaving, or past its lease by the local
 * clock) answers 503 with Retry-After: never an answer from a state that may be stale. A fills or transfers request is
 * answered 200 only once its log append replied and it was applied; its op id is the `Idempotency-Key` header (a
 * random one when absent), recorded in the log entry. An op id the partition knows is answered as its first request
 * was (`replayed: true`, nothing written or re-margined), or 422 when the body differs (op-window.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeValue, InputError } from '../errors.js';
import { HttpError } from '../service/routes.js';
import { isRecord } from '../model/checks.js';
import { FencedError } from './log.js';
import { KeyReused, NotApplied } from './owned-partition.js';
import { registerBatchWrites } from './shard-batch.js';
import { checked, entryOf, liveOf, RETRY, servedPartition, type ShardView, writeOpOf } from './shard-served.js';
import type { OrderRequest, Trade } from '../live/requests.js';
import type { Tick } from '../live/tick.js';

export type { ShardView } from './shard-served.js';

export function registerShardRoutes(app: FastifyInstance, shard: ShardView): void {
  const partitionOf = (request: FastifyRequest) => servedPartition(shard, request);

  app.get('/health', async () => ({ ok: true, shard: shard.id, partitions: shard.owned.size }));
  app.get('/ready', async (_request, reply) => {
    const now = Date.now();
    const notServed = [...shard.owned.values()].flatMap((o) => {
      const status = o.servedStatus(now);
      return status === 'ready' ? [] : [`${o.partition} (${status})`];
    });
    // (once the app is closing every request is answered 503 before any route: src/service/guarded-app.ts)
    if (notServed.length > 0) return reply.code(503).header('retry-after', '1').send({ ready: false, reason: `partitions not served yet: ${notServed.join(', ')}` });
    return { ready: true };
  });
  app.get('/status', async () => shardStatus(shard));

  app.get('/p/:p/accounts/:id', async (request) => {
    const o = partitionOf(request);
    const id = (request.params as { id: string }).id;
    try {
      return liveOf(o, id).account(id);
    } catch (error) {
      if (error instanceof InputError) throw new HttpError(404, `no account ${describeValue(id)}`, error.problems);
      throw error;
    }
  });
  app.post('/p/:p/what-if', async (request) => {
    const o = partitionOf(request);
    const body = request.body as { account?: unknown; trades?: unknown };
    const live = liveOf(o, String(body?.account));
    checked('what-if', request.body, live);
    return live.whatIf(body.account as string, body.trades as Trade[]);
  });
  app.post('/p/:p/check', async (request) => {
    const o = partitionOf(request);
    const body = request.body as { account?: unknown; order?: unknown };
    const live = liveOf(o, String(body?.account));
    checked('check', request.body, live);
    return live.check(body.account as string, body.order as OrderRequest);
  });
  registerWrites(app, shard);
  registerBatchWrites(app, shard);
  for (const route of ['tick', 'what-if', 'check'] as const) {
    app.post(`/validate/${route}`, async (request, reply) => {
      const any = [...shard.owned.values()].find((o) => o.servable() && o.state!.live !== null);
      // every partition held refused (a log that lost entries, a tick deleted): waiting does not help, so no Retry-After
      const refused = any ? undefined : [...shard.owned.values()].find((o) => o.status === 'refused');
      if (refused) throw new HttpError(503, `no partition ready on this shard to check a ${route} body against: partition ${refused.partition} is refused (${refused.refusedWhy})`);
      if (!any) throw new HttpError(503, `no partition ready on this shard to check a ${route} body against`, undefined, RETRY);
      checked(route, request.body, any.state!.live!);
      // a tick against every partition ready here: the domain's bounds depend on each one's holdings
      if (route === 'tick') validateTickEverywhere(shard, request.body as Tick);
      return reply.code(204).send();
    });
  }
  app.get('/sums', async (request) => {
    const q = request.query as { tick?: string | undefined; p?: string | undefined };
    if (typeof q.tick !== 'string' || typeof q.p !== 'string') throw new HttpError(400, 'expected ?tick=<stream id>&p=<partitions, comma-separated>');
    return { partitions: q.p.split(',').map((raw) => partitionSums(shard, Number(raw), q.tick!)) };
  });
}

/**
 * A tick checked against every partition ready on the shard: every problem of every partition (an account's path,
 * `accounts[3]`, indexes its partition's accounts: `partitions[12].accounts[3]`; its message names the account).
 */
function validateTickEverywhere(shard: ShardView, tick: Tick): void {
  const problems: { path: string; message: string }[] = [];
  for (const o of shard.owned.values()) {
    if (!o.servable() || o.state!.live === null) continue;
    try {
      o.state!.live.validateTick(tick);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const p of error.problems) {
        if (p.path.startsWith('accounts[')) problems.push({ ...p, path: `partitions[${o.partition}].${p.path}` });
        else if (!problems.some((q) => q.path === p.path)) problems.push(p); // the tick's own fields: the same everywhere, named once
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** POST /p/:p/fills and /transfers: checked, appended (group commit), applied, answered. */
function registerWrites(app: FastifyInstance, shard: ShardView): void {
  for (const kind of ['fills', 'transfers'] as const) {
    app.post(`/p/:p/${kind}`, async (request, reply) => {
      const o = servedPartition(shard, request);
      const op = writeOpOf(request);
      const items = isRecord(request.body) && Array.isArray(request.body[kind]) ? request.body[kind] as unknown[] : null;
      const entry = items === null ? null : entryOf(kind, op, items);
      try {
        // an operation the partition knows (or holds in flight) is answered as the first was, not checked against
        // a state that moved since, or that the first has not reached yet
        if (entry === null || !o.recognises(entry)) checked(kind, request.body, liveOf(o));
        if ((request.query as { dry?: string | undefined }).dry === '1') return reply.code(204).send();
        const accepted = await o.submit(entry!);
        const replayed = accepted.replayed ? { replayed: true } : {};
        if (accepted.error) throw new HttpError(400, `invalid input (entry ${accepted.seq} of the log, rejected on apply)`, accepted.error.problems, { 'x-in-log': 'true' });
        return { partition: o.partition, seq: accepted.seq, ...(accepted.result ?? { remargined: 0, events: [] }), ...replayed };
      } catch (error) {
        if (error instanceof KeyReused) throw new HttpError(422, error.message, undefined, { 'x-in-log': 'false' });
        if (error instanceof NotApplied || error instanceof FencedError) {
          const inLog = error instanceof NotApplied ? error.inLog : false;
          throw new HttpError(503, `${error.message}${inLog === 'unknown' ? ' (it may or may not have been written: resend it with the same Idempotency-Key, or check before resending)' : ''}`, undefined, { ...RETRY, 'x-in-log': String(inLog) });
        }
        throw error;
      }
    });
  }
}

/** Partition p's exact sums at tick `tick` (Float64 accumulators as base64, so every bit travels), or why not. */
function partitionSums(shard: ShardView, p: number, tick: string) {
  const o = shard.owned.get(p);
  // a refused partition is said as such: asking again does not serve it (the gateway answers without Retry-After)
  if (o?.status === 'refused') return { partition: p, status: 'refused' as const, reason: o.refusedWhy };
  if (!o || !o.servable()) return { partition: p, status: 'unavailable' as const };
  const state = o.state!;
  if (state.lastTickId !== tick) return { partition: p, status: 'other-tick' as const, tickId: state.lastTickId };
  const sums = state.sums();
  return {
    partition: p, status: 'ok' as const, tickId: state.lastTickId, fillSeq: state.lastFillSeq,
    sums: Buffer.from(sums.sums.buffer, sums.sums.byteOffset, sums.sums.byteLength).toString('base64'), counts: [...sums.counts],
  };
}

/** GET /status: the shard's partitions and their figures (the gateway's /metrics gathers them). */
export function shardStatus(shard: ShardView) {
  const now = Date.now();
  return {
    shard: shard.id, url: shard.url, uptimeSeconds: (now - shard.startedAtMs) / 1000,
    partitions: [...shard.owned.values()].map((o) => ({
      partition: o.partition, state: o.servedStatus(now), ...(o.status === 'refused' ? { reason: o.refusedWhy } : {}), epoch: o.epoch,
      lastFillSeq: o.state?.lastFillSeq ?? null, lastTickId: o.state?.lastTickId ?? null,
      replaySeconds: o.replayMs / 1000, recoveredFrom: o.recoveredFrom,
      checkpointAgeSeconds: (now - o.lastCheckpointAtMs) / 1000,
      fillsApplied: o.counters.fillsApplied, duplicatesSkipped: o.state?.counts.duplicatesSkipped ?? 0,
      keysRemembered: o.state?.ops.size ?? 0, writesReplayed: o.counters.writesReplayed,
    })),
  };
}
