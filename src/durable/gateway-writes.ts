/**
 * POST /fills and /transfers on the gateway: a batch split by partition, its parts grouped by the shard that owns
 * them, ONE request per shard carrying all its parts (the shard checks them all, then appends them all in one Redis
 * round trip: shard-batch.ts, group-commit.ts).
 *
 * A batch is applied only if every part is valid: when its parts are on several shards, each shard first checks its
 * parts (`?dry=1`) and keeps them under a prepare id, and nothing is written unless all accept; then each is asked to
 * write the parts it keeps (`?prepared=<id>`: the parts are sent and checked once). On one shard, that shard's own
 * check before writing is enough (one request). On a partial failure the answer says which partitions applied their part (`partitions:
 * [{ partition, status, seq?, inLog }]`, `x-in-log: partial`). Nothing is sent twice: a part is sent again (to the
 * partition's new owner) only when its shard said nothing was written (`x-in-log: false`) or the connection was
 * refused before the request left.
 *
 * Every part carries the batch's `Idempotency-Key` (a random one when the client sent none): a batch resent with the
 * same key writes only the parts its first try did not, and answers the others as they were (`replayed`), so a
 * client may resend any answer but a 400 or 422 (shard-batch.ts, op-window.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError, type InputProblem } from '../errors.js';
import { isRecord, notObjectMessage, notStringMessage } from '../model/checks.js';
import { itemsOf } from '../service/body.js';
import { HttpError } from '../service/routes.js';
import { redisUnreachable } from '../scale/redis/connect.js';
import { type Forwarded, NotSent } from './forward.js';
import type { GatewayContext } from './gateway-context.js';
import { opDigest } from './op-window.js';
import { writeEntry } from './partitions.js';
import type { PartOutcome } from './shard-batch.js';
import { idempotencyKeyOf } from '../service/idempotent-writes.js';

type Kind = 'fills' | 'transfers';

const RETRY = { 'retry-after': '1' };
/** Rounds of sending the parts not yet settled (the owners read again between them). */
const TRIES = 4;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A part of the batch: its partition and the batch's indexes of its items. */
interface Part {
  p: number;
  indexes: number[];
}

export async function writeBatch(ctx: GatewayContext, kind: Kind, request: FastifyRequest, reply: FastifyReply) {
  try {
    return await splitBatch(ctx, kind, request, reply);
  } catch (error) {
    // Redis away before any part was sent: the subaccount table unread (once parts are sent, settle says it by part)
    const why = redisUnreachable(ctx.redis, error);
    if (why === null) throw error;
    throw new HttpError(503, `${why}; nothing was written, try again shortly`, undefined, { ...RETRY, 'x-in-log': 'false' });
  }
}

/** The batch's items checked for an account each, routed by partition, sent and answered. */
async function splitBatch(ctx: GatewayContext, kind: Kind, request: FastifyRequest, reply: FastifyReply) {
  const list = itemsOf(request.body, kind);
  const problems: InputProblem[] = [];
  list.forEach((item, i) => {
    if (!isRecord(item)) problems.push({ path: `${kind}[${i}]`, message: notObjectMessage(item) });
    else if (typeof item.account !== 'string' || item.account === '') problems.push({ path: `${kind}[${i}].account`, message: notStringMessage(item.account, 'an account id') });
  });
  if (problems.length > 0) throw new InputError(problems);
  const key = idempotencyKeyOf(request);
  // a client's key goes with the digest of what the whole request asks for: a part's partition that knows the key
  // tells a resend from another request, even when the resend is split otherwise or reaches a partition the first try
  // did not (op-window.ts). A request with none is written under a random id (one for all its parts: an audit finds
  // them together) that no partition remembers: nothing can send it again
  const headers: Record<string, string> = key === undefined
    ? { 'idempotency-key': randomUUID(), 'x-op-generated': '1' }
    : { 'idempotency-key': key, 'x-op-digest': opDigest(writeEntry(kind, key, list)) };
  const ids = list.map((item) => (item as { account: string }).account);
  const routed = await ctx.masters.partitionsOf(ids);
  try {
    return await routeBatch(ctx, kind, list, routed, headers, reply);
  } catch (error) {
    // refused with nothing written: a subaccount written since the table was read belongs to its master's partition
    if (!(error instanceof InputError)) throw error;
    await ctx.masters.reread();
    const again = await ctx.masters.partitionsOf(ids);
    if (again.every((p, i) => p === routed[i])) throw error;
    return routeBatch(ctx, kind, list, again, headers, reply);
  }
}

/** The batch sent by partition (`partitions[i]`: item i's) and answered. */
async function routeBatch(ctx: GatewayContext, kind: Kind, list: unknown[], partitions: number[], headers: Record<string, string>, reply: FastifyReply) {
  const byP = new Map<number, number[]>();
  partitions.forEach((p, i) => {
    const at = byP.get(p);
    if (at) at.push(i);
    else byP.set(p, [i]);
  });
  const parts: Part[] = [...byP].map(([p, indexes]) => ({ p, indexes }));
  const bodyOf = (ps: Part[]) => ({ parts: ps.map((x) => ({ partition: x.p, [kind]: x.indexes.map((i) => list[i]) })) });
  const outcomes = await settle(ctx, kind, parts, bodyOf, headers);
  return answer(reply, kind, parts, outcomes);
}

/** Every part's outcome (those never sent: 503, not in the log); throws InputError when nothing was written. */
async function settle(ctx: GatewayContext, kind: Kind, parts: Part[], bodyOf: (ps: Part[]) => unknown, headers: Record<string, string>): Promise<Map<number, PartOutcome>> {
  const s = new Settling(parts);
  for (let attempt = 0; attempt < TRIES && s.pending.size > 0; attempt++) {
    const owned = await ownersOf(ctx, s, attempt);
    if (owned === null) break;
    const { groups, unowned } = owned;
    // nothing is sent until every part has an owner: a part that cannot be checked blocks the batch
    if (unowned.length > 0) {
      const these = `partition${unowned.length > 1 ? 's' : ''} ${unowned.join(', ')}`, has = unowned.length > 1 ? 'have' : 'has';
      s.waiting(s.pending.values(), `the batch waits for ${these}, which ${has} no owner`);
      for (const p of unowned) s.why.set(p, 'it has no owner');
      continue;
    }
    // the prepare id each shard keeps its checked parts under, when there is a check round
    let prepareIds: Map<string, string> | null = null;
    if (groups.size > 1) {
      prepareIds = new Map([...groups.keys()].map((url) => [url, randomUUID()]));
      const checked = await check(ctx, kind, groups, bodyOf, !s.written(), prepareIds, headers);
      if (checked.retry) {
        s.waiting(s.pending.values(), checked.retry);
        continue;
      }
      if (checked.problems.length > 0) {
        if (!s.written()) throw new InputError(checked.problems);
        for (const part of [...s.pending.values()]) s.settled(part, { partition: part.p, status: 400, inLog: 'false', error: 'invalid input', problems: checked.problems });
        break;
      }
    }
    await Promise.all([...groups].map(([url, ps]) => sendGroup(ctx, kind, url, ps, prepareIds?.get(url), bodyOf, headers, s)));
  }
  return s.outcomes();
}

/**
 * The pending parts by owner's url, and those with no owner, the owners read again after the first attempt. Null when
 * Redis is away: the pending parts are then never sent (503, not in the log), those settled before keep their outcome.
 */
async function ownersOf(ctx: GatewayContext, s: Settling, attempt: number): Promise<{ groups: Map<string, Part[]>; unowned: number[] } | null> {
  const groups = new Map<string, Part[]>();
  const unowned: number[] = [];
  try {
    if (attempt > 0) {
      await pause(50 * attempt);
      await ctx.owners.refresh();
    }
    for (const part of s.pending.values()) {
      const owner = await ctx.owners.ownerOf(part.p);
      if (!owner) unowned.push(part.p);
      else groups.set(owner.url, [...(groups.get(owner.url) ?? []), part]);
    }
  } catch (error) {
    const why = redisUnreachable(ctx.redis, error);
    if (why === null) throw error;
    s.waiting(s.pending.values(), why);
    return null;
  }
  return { groups, unowned };
}

/** The parts of a batch as they settle: the outcomes so far, those still pending, and why each is still pending. */
class Settling {
  readonly pending: Map<number, Part>;
  /** Why each pending part was not served, its own reason (the batch's last one when it has none). */
  readonly why = new Map<number, string>();
  private last = '';
  private readonly done = new Map<number, PartOutcome>();

  constructor(parts: Part[]) {
    this.pending = new Map(parts.map((x) => [x.p, x]));
  }

  settled(x: Part, o: PartOutcome): void {
    this.done.set(x.p, o);
    this.pending.delete(x.p);
  }

  /** Parts `ps` stay pending, for `reason`. */
  waiting(ps: Iterable<Part>, reason: string): void {
    this.last = reason;
    for (const x of ps) this.why.set(x.p, reason);
  }

  /** True when some part was (or may have been) written. */
  written(): boolean {
    return [...this.done.values()].some((o) => o.inLog !== 'false');
  }

  /** Every part's outcome: those still pending were never sent (503, not in the log). */
  outcomes(): Map<number, PartOutcome> {
    for (const x of this.pending.values()) this.done.set(x.p, { partition: x.p, status: 503, inLog: 'false', error: `partition ${x.p} is not served right now (${this.why.get(x.p) ?? this.last}); try again shortly` });
    return this.done;
  }
}

/** Sends the parts `ps` to their owner at `url` and settles each by its answer, or leaves it pending for the next round. */
async function sendGroup(ctx: GatewayContext, kind: Kind, url: string, ps: Part[], prepareId: string | undefined, bodyOf: (ps: Part[]) => unknown, headers: Record<string, string>, s: Settling): Promise<void> {
  let res: Forwarded;
  try {
    res = await writeParts(ctx, kind, url, ps, prepareId, bodyOf, headers);
  } catch (error) {
    const message = (error as Error).message;
    s.waiting(ps, message);
    if (error instanceof NotSent) return; // never left: the parts may go to the next owner
    for (const x of ps) s.settled(x, { partition: x.p, status: 503, inLog: 'unknown', error: `${message}; the outcome is unknown (resend it with the same Idempotency-Key, or check before resending)` });
    return;
  }
  const answered = partsOf(res);
  if (res.status === 400 && res.headers['x-in-log'] === 'false') {
    // the shard refused its parts before writing any: none of them goes anywhere else
    for (const x of ps) s.settled(x, { partition: x.p, status: 400, inLog: 'false', error: 'invalid input', problems: remap(answered?.get(x.p)?.problems ?? [], kind, x.indexes) });
    return;
  }
  if (answered) {
    for (const x of ps) {
      const o = answered.get(x.p);
      // a part refused before anything was written (not served there now) may go to the next owner
      if (o && !(o.status === 503 && o.inLog === 'false')) s.settled(x, { ...o, problems: o.problems && remap(o.problems, kind, x.indexes) });
      else s.waiting([x], o?.error ?? `no outcome for partition ${x.p}`);
    }
    return;
  }
  const inLog = String(res.headers['x-in-log'] ?? 'false') as PartOutcome['inLog'];
  const error = errorOf(res);
  s.waiting(ps, error);
  // refused for good (a log that lost entries: no Retry-After): asking its owner again cannot help
  if (res.status === 503 && inLog === 'false' && res.headers['retry-after'] === undefined) {
    for (const x of ps) s.settled(x, { partition: x.p, status: 503, inLog, error, refused: true });
    return;
  }
  if (res.status === 503 && inLog === 'false') return; // nothing written (a partition moved): try its owner again
  for (const x of ps) s.settled(x, { partition: x.p, status: res.status, inLog, error });
}

/** A shard's write of its parts: those it kept under `prepareId` (named by partition), else the parts themselves. */
function writeParts(ctx: GatewayContext, kind: Kind, url: string, ps: Part[], prepareId: string | undefined, bodyOf: (ps: Part[]) => unknown, headers: Record<string, string>): Promise<Forwarded> {
  if (prepareId === undefined) return ctx.shards.send(url, 'POST', `/batch/${kind}`, bodyOf(ps), headers);
  return ctx.shards.send(url, 'POST', `/batch/${kind}?prepared=${prepareId}`, { partitions: ps.map((x) => x.p) }, headers);
}

/**
 * The dry run: every shard checks its parts and keeps them under its prepare id. Problems at the batch's own indexes,
 * or why to try again.
 */
async function check(ctx: GatewayContext, kind: Kind, groups: Map<string, Part[]>, bodyOf: (ps: Part[]) => unknown, mayThrow: boolean, prepareIds: Map<string, string>, headers: Record<string, string>): Promise<{ problems: InputProblem[]; retry: string | null }> {
  const problems: InputProblem[] = [];
  let retry: string | null = null;
  await Promise.all([...groups].map(async ([url, ps]) => {
    // with the op id: a part its partition knows is not checked again (it is answered as it was)
    const res = await ctx.shards.send(url, 'POST', `/batch/${kind}?dry=1`, bodyOf(ps), { ...headers, 'x-prepare-id': prepareIds.get(url)! }).catch((error: Error) => error);
    if (res instanceof Error) return void (retry = res.message); // a check has no effect: asking again is safe
    if (res.status === 204) return;
    const answered = partsOf(res);
    if (res.status === 400 && answered) {
      for (const x of ps) problems.push(...remap(answered.get(x.p)?.problems ?? [], kind, x.indexes));
      return;
    }
    // a part refused for good (its partition's log lost entries: 503 without Retry-After) fails the batch, nothing written
    if (res.status === 503 && res.headers['retry-after'] === undefined && mayThrow) throw new HttpError(503, errorOf(res), undefined, { 'x-in-log': 'false' });
    // another refusal (too many items, …) is the client's answer, unless a part is written already: then it is that part's
    if (res.status === 503 || !mayThrow) return void (retry = errorOf(res));
    throw new HttpError(res.status, errorOf(res), undefined, { 'x-in-log': 'false' });
  }));
  return { problems, retry: problems.length > 0 ? null : retry };
}

/** The client's answer: the merged result, or the problems, or which partitions applied their part. */
function answer(reply: FastifyReply, kind: Kind, parts: Part[], outcomes: Map<number, PartOutcome>) {
  const all = parts.map((x) => outcomes.get(x.p)!);
  const replayed = (o: PartOutcome) => (o.replayed ? { replayed: true } : {});
  if (all.every((o) => o.status === 200)) {
    const partitions = all.map((o) => ({ partition: o.partition, seq: o.seq, ...replayed(o) }));
    // every part known by its op id: the batch was applied before, nothing now
    return { remargined: all.reduce((n, o) => n + (o.remargined ?? 0), 0), events: all.flatMap((o) => o.events ?? []), partitions, ...(all.length > 0 && all.every((o) => o.replayed) ? { replayed: true } : {}) }; // an empty batch was not sent before
  }
  const written = all.some((o) => o.inLog !== 'false');
  // the key is another request's (422): nothing of this one was written, whatever that request's parts show (replayed)
  const reused = all.find((o) => o.status === 422);
  if (reused && !all.some((o) => o.inLog !== 'false' && !o.replayed)) throw new HttpError(422, reused.error ?? 'Idempotency-Key used for another request', undefined, { 'x-in-log': 'false' });
  const refused = all.flatMap((o) => (o.status === 400 ? o.problems ?? [{ path: kind, message: o.error ?? 'invalid input' }] : []));
  if (!written && refused.length > 0) throw new InputError(refused);
  if (all.length === 1) {
    const o = all[0];
    return reply.code(o.status).headers({ ...(o.status === 503 && !o.refused ? RETRY : {}), 'x-in-log': o.inLog }).send({ error: o.error, ...(o.problems ? { problems: o.problems } : {}), ...replayed(o) });
  }
  const partitions = all.map((o) => (o.status === 200 ? { partition: o.partition, status: 200, seq: o.seq, inLog: 'true', ...replayed(o) } : { partition: o.partition, status: o.status, error: o.error, inLog: o.inLog, ...(o.problems ? { problems: o.problems } : {}), ...replayed(o) }));
  // Every part not applied was refused for its input (400, or 422: its op id used for another request): sending it
  // again cannot help, so no 503 and no Retry-After.
  const refusedOnly = all.every((o) => o.status === 200 || o.status === 400 || o.status === 422);
  // a part refused for good (its partition's log lost entries) fails the batch however often it is sent
  const again = !refusedOnly && !all.some((o) => o.refused);
  return reply.code(refusedOnly ? (all.some((o) => o.status === 400) ? 400 : 422) : 503).headers({ ...(again ? RETRY : {}), 'x-in-log': batchInLog(all) }).send({ error: `the batch spans ${all.length} partitions and not all applied their part`, partitions });
}

/**
 * What became of a batch over several partitions not all of which applied their part: `partial` when some part is
 * written (applied, or in the log for the next owner), else `unknown` when some part may be, else `false`. Only
 * `false` may be resent whole; the body says which part is which.
 */
export function batchInLog(all: readonly Pick<PartOutcome, 'status' | 'inLog'>[]): 'partial' | 'unknown' | 'false' {
  if (all.some((o) => o.status === 200 || o.inLog === 'true')) return 'partial';
  return all.some((o) => o.inLog === 'unknown') ? 'unknown' : 'false';
}

/** A shard's per-part outcomes, when its answer carries them. */
function partsOf(res: Forwarded): Map<number, PartOutcome> | null {
  try {
    const body = JSON.parse(res.body) as { partitions?: PartOutcome[] | undefined };
    return Array.isArray(body.partitions) ? new Map(body.partitions.map((o) => [o.partition, o])) : null;
  } catch {
    return null;
  }
}

function errorOf(res: Forwarded): string {
  try {
    return (JSON.parse(res.body) as { error: string }).error;
  } catch {
    return `status ${res.status}`;
  }
}

/** A part's problems (`fills[k]…`) at the batch's own indexes (`fills[indexes[k]]…`). */
function remap(problems: readonly InputProblem[], kind: string, indexes: readonly number[]): InputProblem[] {
  const at = new RegExp(`^${kind}\\[(\\d+)\\]`);
  return problems.map((q) => ({ ...q, path: q.path.replace(at, (_m, k: string) => `${kind}[${indexes[Number(k)] ?? k}]`) }));
}
