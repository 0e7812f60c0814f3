/**
 * The gateway's routes: serve's (src/service/routes.ts), answered by the partitions' owners.
 *
 *   GET  /accounts/:id, POST /what-if, POST /check   → the account's partition's owner, its answer passed on
 *   POST /fills, POST /transfers   → split by partition, one request per owning shard with all its parts
 *        (gateway-writes.ts): nothing applied unless every part is valid; on a partial failure the answer says which
 *        partitions applied their part (`partitions: [{ partition, status, seq? }]`)
 *   POST /tick     → checked by a shard, appended to the ticks stream → { tickId }
 *   GET  /report   → { tickId, totals }: every partition's exact sums at one tick id, merged
 *   GET  /health, /ready (gateway-ready.ts), /metrics
 *
 * A partition with no ready owner answers 503 with Retry-After (after a short retry while it moves), never an answer
 * from elsewhere; so does one whose owner does not answer a read within READ_TIMEOUT_MS (forward.ts), unless the owners
 * read again name another. A write whose outcome is unknown (the owner died after the request went out) is 503 with
 * `x-in-log: unknown`: it is never sent twice by the gateway. Redis away: 503 with Retry-After naming it (gateway.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError, type InputProblem } from '../errors.js';
import { mergeTotalSums, newTotalSums, totalsOfSums } from '../margin/exact-totals.js';
import { isRecord, notObjectMessage, notStringMessage } from '../model/checks.js';
import { notTickMessage } from '../live/tick.js';
import { refuseQuery } from '../service/accounts-page.js';
import type { PostRoute } from '../service/body.js';
import { HttpError, refuseTooManyItems } from '../service/routes.js';
import { redisUnreachable } from '../scale/redis/connect.js';
import { type Forwarded, NotSent } from './forward.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { readiness } from './gateway-ready.js';
import { writeBatch } from './gateway-writes.js';
import { compareStreamIds, isStreamId } from './log.js';
import { PARTITION_COUNT } from './partitions.js';

export type { GatewayContext } from './gateway-context.js';

const RETRY = { 'retry-after': '1' };
/** Tries of a request whose partition has no ready owner (the table is read again between them). */
const TRIES = 4;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The routes; `maxItems`: the most trades, fills or transfers per request (serve's bound, 413 beyond). */
export function registerGatewayRoutes(app: FastifyInstance, ctx: GatewayContext, metrics: GatewayMetrics, maxItems: number): void {
  app.addHook('onResponse', async (request, reply) => metrics.request(request.method, request.routeOptions.url ?? '(no route)', reply.statusCode, reply.elapsedTime / 1000));

  app.get('/health', async () => ({ ok: true, cluster: ctx.keys.cluster, role: 'gateway' }));
  app.get('/ready', async (_request, reply) => {
    // (once the app is closing every request is answered 503 before any route: src/service/guarded-app.ts)
    const now = await readiness(ctx).catch((error: unknown) => {
      const why = redisUnreachable(ctx.redis, error);
      if (why === null) throw error;
      return { ready: false, reason: why };
    });
    if (now.ready) return now;
    // a refused partition (its log lost entries) is not served again by waiting: no Retry-After then
    const refused = 'partitions' in now && (now.partitions?.refused?.length ?? 0) > 0;
    return (refused ? reply.code(503) : reply.code(503).header('retry-after', '1')).send(now);
  });
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.scrape()));

  app.get('/accounts/:id', async (request, reply) => {
    refuseQuery(request.query);
    const id = (request.params as { id: string }).id;
    return pass(reply, await sendForAccount(ctx, id, 'GET', `/accounts/${encodeURIComponent(id)}`));
  });
  registerPostRoutes(app, ctx, maxItems);

  app.get('/report', async (request) => {
    const { tick: asked, ...rest } = (request.query ?? {}) as { tick?: string | undefined };
    refuseQuery(rest, 'tick');
    if (asked !== undefined && !isStreamId(asked)) throw new InputError([{ path: 'query.tick', message: `expected a tick id "ms-seq" (two integers, as POST /tick answers), got ${JSON.stringify(asked)}` }]);
    if (asked !== undefined) {
      const newest = await ctx.ticks.lastId();
      if (compareStreamIds(asked, newest) > 0) throw new InputError([{ path: 'query.tick', message: `no such tick: ${asked} is after the newest tick, ${newest}` }]);
    }
    return report(ctx, asked);
  });
}

/** POST /what-if, /check, /fills, /transfers and /tick, each list bounded first as serve bounds it (413 naming it). */
function registerPostRoutes(app: FastifyInstance, ctx: GatewayContext, maxItems: number): void {
  // no POST route takes a query parameter (`/fills?dryRun=true` is refused, never applied as if it were not there)
  const bounded = (route: PostRoute) => ({
    preValidation: async (request: FastifyRequest) => {
      refuseQuery(request.query);
      refuseTooManyItems(route, request.body, maxItems);
    },
  });
  for (const route of ['what-if', 'check'] as const) {
    app.post(`/${route}`, bounded(route), async (request, reply) => {
      const body = request.body;
      if (isRecord(body) && typeof body.account === 'string' && body.account !== '') return pass(reply, await sendForAccount(ctx, body.account, 'POST', `/${route}`, body));
      // no account to route by: a shard lists every problem of the body, as serve does; none ready, the first is said
      const checked = await validateOnAnyShard(ctx, route, body);
      if (checked?.status === 400) throw new InputError((JSON.parse(checked.body) as { problems: InputProblem[] }).problems);
      if (!isRecord(body)) throw new InputError([{ path: 'body', message: notObjectMessage(body, `{ account, ${route === 'what-if' ? 'trades' : 'order'} }`) }]);
      throw new InputError([{ path: 'account', message: notStringMessage(body.account, 'an account id') }]);
    });
  }
  for (const kind of ['fills', 'transfers'] as const) {
    app.post(`/${kind}`, bounded(kind), async (request, reply) => writeBatch(ctx, kind, request, reply)); // its list checked first (itemsOf), as serve does
  }

  app.post('/tick', { preValidation: async (request: FastifyRequest) => refuseQuery(request.query) }, async (request) => {
    if (!isRecord(request.body)) throw new InputError([{ path: 'tick', message: notTickMessage(request.body) }]);
    // every shard checks it against each partition it serves (the domain's bounds read each one's holdings), so a
    // tick one partition would refuse is refused here, not logged for the others to apply and that one to skip
    const { answers, refused: held } = await validateOnEveryShard(ctx, request.body);
    // none ready because their partitions are held refused: said with why, without Retry-After (asking again does not help)
    if (answers.length === 0 && held) throw new HttpError(503, `no shard can check the tick: ${errorOf(held)}; asking again does not help`);
    if (answers.length === 0) throw new HttpError(503, 'no shard is ready to check the tick; try again shortly', undefined, RETRY);
    // every shard's problems (each names its partitions' accounts), the tick's own fields once
    const problems: InputProblem[] = [];
    for (const a of answers) if (a.status === 400) for (const p of (JSON.parse(a.body) as { problems: InputProblem[] }).problems) if (!problems.some((q) => q.path === p.path)) problems.push(p);
    if (problems.length > 0) throw new InputError(problems.sort(byPartition));
    const refused = answers.find((a) => a.status !== 204);
    if (refused) throw new HttpError(refused.status, errorOf(refused));
    return { tickId: await ctx.ticks.append(request.body) };
  });
}

/**
 * A tick checked by every shard owning a partition (those with none ready, or not answering, left out), and the first
 * answer of a shard whose partitions are all held refused (503 without Retry-After), if any.
 */
async function validateOnEveryShard(ctx: GatewayContext, body: unknown): Promise<{ answers: Forwarded[]; refused: Forwarded | undefined }> {
  const owners = (await ctx.owners.all()).filter((o) => o !== null);
  const all = await Promise.all([...new Set(owners.map((o) => o!.url))].map((url) => ctx.shards.read(url, 'POST', '/validate/tick', body).catch(() => null)));
  const answers = all.filter((a): a is Forwarded => a !== null && a.status !== 503);
  return { answers, refused: all.find((a): a is Forwarded => a !== null && a.status === 503 && a.headers['retry-after'] === undefined) };
}

/**
 * A body of `route` checked by the first shard with a partition ready (POST /validate/:route, nothing applied): its
 * answer (204, or 400 with the body's problems), or null when no shard could check it now.
 */
async function validateOnAnyShard(ctx: GatewayContext, route: 'tick' | 'what-if' | 'check', body: unknown): Promise<Forwarded | null> {
  const owners = (await ctx.owners.all()).filter((o) => o !== null);
  for (const url of new Set(owners.map((o) => o!.url))) {
    const checked = await ctx.shards.read(url, 'POST', `/validate/${route}`, body).catch(() => null);
    if (checked && checked.status !== 503) return checked;
  }
  return null;
}

/**
 * A read-only request about account `id`, sent to its partition's owner. An answer that the account is unknown there
 * (404, 400) is asked again of its master's partition when the master table, read again, now places it elsewhere.
 */
async function sendForAccount(ctx: GatewayContext, id: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Forwarded> {
  const p = await ctx.masters.partitionOf(id);
  const res = await readFromOwner(ctx, p, method, path, body);
  if (res.status !== 404 && res.status !== 400) return res;
  await ctx.masters.reread();
  const again = await ctx.masters.partitionOf(id);
  return again === p ? res : readFromOwner(ctx, again, method, path, body);
}

/**
 * A read sent to p's owner (writes go through gateway-writes.ts); a refused connection or a 503 (it moved) is tried
 * again after reading the owners anew. An owner that did not answer is not asked again: only a new owner is (a hung
 * shard holds it up one read timeout).
 */
async function readFromOwner(ctx: GatewayContext, p: number, method: 'GET' | 'POST', path: string, body: unknown): Promise<Forwarded> {
  let last = `partition ${p} has no owner`;
  const silent = new Set<string>();
  for (let attempt = 0; attempt < TRIES; attempt++) {
    if (attempt > 0) {
      await pause(50 * attempt);
      await ctx.owners.refresh();
    }
    const owner = await ctx.owners.ownerOf(p);
    if (!owner || silent.has(`${owner.url} ${owner.epoch}`)) continue;
    let res: Forwarded;
    try {
      res = await ctx.shards.read(owner.url, method, `/p/${p}${path}`, body);
    } catch (error) {
      last = (error as Error).message;
      if (!(error instanceof NotSent)) silent.add(`${owner.url} ${owner.epoch}`);
      continue;
    }
    // a 503 without Retry-After is a refusal asking again cannot help (a partition whose log lost entries): its answer
    if (res.status === 503 && res.headers['retry-after'] !== undefined) {
      last = errorOf(res);
      continue;
    }
    return res;
  }
  throw new HttpError(503, `partition ${p} is not served right now (${last}); try again shortly`, undefined, RETRY);
}

/** A shard's answer passed on: status, JSON body, Retry-After and x-in-log. */
function pass(reply: FastifyReply, res: Forwarded) {
  const retry = res.headers['retry-after'];
  if (typeof retry === 'string') reply.header('retry-after', retry);
  const inLog = res.headers['x-in-log'];
  if (typeof inLog === 'string') reply.header('x-in-log', inLog);
  return reply.code(res.status).type('application/json; charset=utf-8').send(res.body);
}

/** Totals at one tick id: every partition asked for its sums at that id; behind ones waited for, newer ticks followed. */
async function report(ctx: GatewayContext, asked?: string) {
  const deadline = Date.now() + ctx.reportWaitMs;
  let tick = asked ?? (await ctx.ticks.lastId());
  let why = '';
  while (Date.now() < deadline) {
    const owners = await ctx.owners.all();
    const byUrl = new Map<string, number[]>();
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const o = owners[p];
      if (o) byUrl.set(o.url, [...(byUrl.get(o.url) ?? []), p]);
    }
    const answers = await Promise.all([...byUrl].map(([url, ps]) => ctx.shards.read(url, 'GET', `/sums?tick=${encodeURIComponent(tick)}&p=${ps.join(',')}`).then(
      (r) => (r.status === 200 ? (JSON.parse(r.body) as { partitions: SumsAnswer[] }).partitions : ps.map((p) => ({ partition: p, status: 'unavailable' as const }))),
      () => ps.map((p) => ({ partition: p, status: 'unavailable' as const })),
    )));
    const got: SumsAnswer[] = answers.flat();
    const refused = got.filter((a) => a.status === 'refused');
    if (refused.length > 0) {
      throw new HttpError(503, `no total: partition${refused.length === 1 ? '' : 's'} ${refused.map((a) => a.partition).join(', ')} refused by ${refused.length === 1 ? 'its owner' : 'their owners'} (the first: ${refused[0].reason ?? ''}); asking again does not help`);
    }
    const ok = got.filter((a) => a.status === 'ok');
    if (ok.length === PARTITION_COUNT) {
      const total = newTotalSums();
      for (const a of ok) {
        const bytes = Buffer.from(a.sums!, 'base64');
        mergeTotalSums(total, { sums: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), counts: Int32Array.from(a.counts!) });
      }
      return { tickId: tick, totals: totalsOfSums(total) };
    }
    const ahead = got.find((a) => a.status === 'other-tick' && compareStreamIds(a.tickId!, tick) > 0);
    if (ahead && asked === undefined) tick = await ctx.ticks.lastId(); // a newer tick arrived: total at it instead
    // a partition keeps its sums at its newest tick only: one past the tick asked for never answers it (no retry helps)
    else if (ahead) throw new HttpError(410, `tick ${tick} is no longer held: partition ${ahead.partition} is at tick ${ahead.tickId} (a report is given at the newest tick each partition has applied; ask without ?tick)`);
    const missing = PARTITION_COUNT - got.length + got.filter((a) => a.status === 'unavailable').length;
    why = missing > 0 ? `${missing} partitions have no ready owner` : `partitions are not at tick ${tick} yet`;
    if (missing > 0) await ctx.owners.refresh();
    await pause(20);
  }
  throw new HttpError(503, `no total at one tick within ${ctx.reportWaitMs} ms: ${why}; try again shortly`, undefined, RETRY);
}

interface SumsAnswer {
  partition: number;
  status: 'ok' | 'other-tick' | 'unavailable' | 'refused';
  tickId?: string | undefined;
  /** A refused partition's reason. */
  reason?: string | undefined;
  sums?: string | undefined;
  counts?: number[] | undefined;
}

function errorOf(res: Forwarded): string {
  try {
    return (JSON.parse(res.body) as { error: string }).error;
  } catch {
    return `status ${res.status}`;
  }
}

/** The tick's own fields first, then the accounts by partition and account (`partitions[3].accounts[12]`), whichever shard answered first. */
export function byPartition(x: InputProblem, y: InputProblem): number {
  const key = (p: InputProblem) => /^partitions\[(\d+)\]\.accounts\[(\d+)\]/.exec(p.path)?.slice(1).map(Number) ?? [-1, -1];
  const [px, ax] = key(x), [py, ay] = key(y);
  return px - py || ax - ay;
}
