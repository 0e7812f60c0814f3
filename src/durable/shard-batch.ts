/**
 * POST /batch/fills and /batch/transfers on a shard: the parts of one client batch that fall in this shard's
 * partitions, in ONE request from the gateway, `{ parts: [{ partition, fills: [...] }] }`.
 *
 * Every part is checked before any is written (a partition not served here, or an invalid item, and nothing is
 * written: 503 / 400 with `x-in-log: false`); `?dry=1` stops there (204). Then every part is submitted to its
 * partition in the same turn of the event loop, so the shard's group commit (group-commit.ts) appends them all in one
 * Redis round trip. The answer gives each part's outcome, `partitions: [{ partition, status, seq?, remargined?,
 * events?, error?, problems?, inLog }]`: 200 when every part applied, else 503 (or the one part's status).
 *
 * Prepare and commit (a batch over several shards, gateway-writes.ts): a check (`?dry=1`) with an `x-prepare-id`
 * header keeps the checked parts here for {@link PREPARED_TTL_MS} under that id; `?prepared=<id>` with
 * `{ partitions: [...] }` then writes them, so the parts cross the wire and are parsed and checked once, not twice.
 * A commit whose parts are no longer held (expired, or this shard restarted) is refused with nothing written (503,
 * `x-in-log: false`): the gateway checks the batch again.
 *
 * Idempotency: every part is written under the request's `Idempotency-Key` (its op id) with the gateway's digest of
 * the whole client request (`x-op-digest`; else the part's items are digested). A part whose partition knows that op
 * id for the same digest (op-window.ts) is answered as it was the first time, `replayed: true`, and is neither
 * checked again nor written; one that knows it for another request refuses the request (422, nothing written).
 */
import type { FastifyInstance } from 'fastify';
import { InputError, type InputProblem } from '../errors.js';
import { isRecord } from '../model/checks.js';
import { HttpError } from '../service/routes.js';
import { FencedError } from './log.js';
import { type Accepted, KeyReused, NotApplied, type OwnedPartition } from './owned-partition.js';
import type { LogEntry } from './partitions.js';
import { checked, entryOf, liveOf, RETRY, servedAt, type ShardView, writeOpOf } from './shard-served.js';

type Kind = 'fills' | 'transfers';

/** One part's outcome; inLog: whether its entry is in the log ('unknown': the append's reply was lost). */
export interface PartOutcome {
  partition: number;
  status: number;
  inLog: 'true' | 'false' | 'unknown';
  seq?: number | undefined;
  remargined?: number | undefined;
  events?: unknown[] | undefined;
  error?: string | undefined;
  problems?: readonly InputProblem[] | undefined;
  /** The partition knew the op id: the first request's outcome, nothing written again (op-window.ts). */
  replayed?: true | undefined;
  /** A 503 asking again cannot help: the partition is refused (its log lost entries), nothing written. */
  refused?: true | undefined;
}

interface Part {
  o: OwnedPartition;
  items: unknown[];
  /** A committed part: its check's op id, and whether the check skipped it as recognised (not checked then). */
  prepared?: { op: string; recognised: boolean } | undefined;
}

/** How long a shard keeps the parts of a check made with an `x-prepare-id` for their commit, ms. */
export const PREPARED_TTL_MS = 10_000;
/** Longest prepare id kept (a longer one is cut). */
const MAX_PREPARE_ID = 200;
/** Prepared batches kept at most (the oldest goes first): a gateway commits each a round trip after its check. */
const PREPARED_MAX = 1_024;

/** A part as its check kept it. */
interface HeldPart {
  partition: number;
  items: unknown[];
  prepared: NonNullable<Part['prepared']>;
}

/** Checked parts waiting for their commit, by prepare id, oldest first. */
class PreparedBatches {
  private readonly held = new Map<string, { kind: Kind; parts: HeldPart[]; untilMs: number }>();

  /** Keeps `parts` checked under op id `op`; `recognised[k]`: part k was not checked, its partition recognising the op. */
  keep(id: string, kind: Kind, parts: readonly Part[], op: string, recognised: readonly boolean[]): void {
    const now = Date.now();
    for (const [key, held] of this.held) {
      if (held.untilMs > now && this.held.size < PREPARED_MAX) break;
      this.held.delete(key);
    }
    this.held.set(id, { kind, parts: parts.map(({ o, items }, k) => ({ partition: o.partition, items, prepared: { op, recognised: recognised[k] } })), untilMs: now + PREPARED_TTL_MS });
  }

  /** The parts kept under `id` for exactly `partitions` (taken: a commit is used once), or null. */
  take(id: string, kind: Kind, partitions: readonly number[]): HeldPart[] | null {
    const held = this.held.get(id);
    this.held.delete(id);
    if (!held || held.kind !== kind || held.untilMs < Date.now()) return null;
    const same = held.parts.length === partitions.length && held.parts.every((x, k) => x.partition === partitions[k]);
    return same ? held.parts : null;
  }
}

export function registerBatchWrites(app: FastifyInstance, shard: ShardView): void {
  const prepared = new PreparedBatches();
  for (const kind of ['fills', 'transfers'] as const) {
    app.post(`/batch/${kind}`, async (request, reply) => {
      const query = request.query as { dry?: string | undefined; prepared?: string | undefined };
      const parts = query.prepared !== undefined ? preparedParts(shard, kind, prepared, query.prepared, request.body) : servedParts(shard, kind, request.body);
      const op = writeOpOf(request);
      const entries = parts.map((part) => entryOf(kind, op, part.items));
      // the parts their partition knows by op id (applied, or in flight there): answered as the first was, never
      // checked or written again; a known op id of another request refuses the batch, nothing written
      const recognised = recognisedParts(parts, entries);
      const refused = query.prepared !== undefined ? [] : parts.flatMap(({ o, items }, k) => {
        if (recognised[k]) return [];
        const problems = partProblems(kind, o, items);
        return problems.length === 0 ? [] : [{ partition: o.partition, status: 400, inLog: 'false' as const, error: 'invalid input', problems }];
      });
      if (refused.length > 0) return reply.code(400).header('x-in-log', 'false').send({ error: 'invalid input: nothing written', partitions: refused });
      if (query.dry === '1') {
        const prepareId = request.headers['x-prepare-id'];
        if (typeof prepareId === 'string' && prepareId !== '') prepared.keep(prepareId.slice(0, MAX_PREPARE_ID), kind, parts, op.id, recognised);
        return reply.code(204).send();
      }
      // a commit writes only what its check checked: a part the check skipped as recognised must be recognised now,
      // under the same op id (else, its op having left the window since, it would be written unchecked)
      const unchecked = parts.filter((part, k) => part.prepared?.recognised === true && (part.prepared.op !== op.id || !recognised[k]));
      if (unchecked.length > 0) throw new HttpError(503, `the parts of partitions ${unchecked.map((x) => x.o.partition).join(', ')} are not as their check found them (another op id, or an operation no longer known); nothing written, check the batch again`, undefined, { ...RETRY, 'x-in-log': 'false' });
      // submitted in one turn: the group commit sends them in one round trip (a known part is answered, not sent)
      const outcomes = await Promise.all(parts.map((part, k) => outcomeOf(part.o, part.o.submit(entries[k]))));
      if (outcomes.every((x) => x.status === 200)) return { partitions: outcomes };
      const bad = outcomes.find((x) => x.status !== 200)!;
      const inLog = outcomes.length === 1 ? bad.inLog : outcomes.some((x) => x.inLog !== 'false') ? 'partial' : 'false';
      // parts refused for their input only (400): not worth a retry (resending would apply the others twice)
      const refusedOnly = outcomes.every((x) => x.status === 200 || x.status === 400 || x.status === 422);
      return reply.code(outcomes.length === 1 || refusedOnly ? bad.status : 503).headers({ ...(refusedOnly ? {} : RETRY), 'x-in-log': inLog }).send({ error: `not every part applied (${bad.error})`, partitions: outcomes });
    });
  }
}

/** The body's parts, every one of a partition this shard serves now (else 400 / 404 / 503 with x-in-log false). */
function servedParts(shard: ShardView, kind: Kind, body: unknown): Part[] {
  const raw = isRecord(body) ? body.parts : undefined;
  if (!Array.isArray(raw) || raw.length === 0) throw new HttpError(400, `expected { parts: [{ partition, ${kind}: [...] }] }`);
  const seen = new Set<number>();
  const notServed: string[] = [];
  const refusals: string[] = [];
  const parts: Part[] = [];
  raw.forEach((part, k) => {
    const items = isRecord(part) ? part[kind] : undefined;
    if (!isRecord(part) || !Number.isInteger(part.partition) || !Array.isArray(items)) throw new HttpError(400, `parts[${k}]: expected { partition, ${kind}: [...] }`);
    const p = part.partition as number;
    if (seen.has(p)) throw new HttpError(400, `parts[${k}]: partition ${p} twice`);
    seen.add(p);
    try {
      parts.push({ o: servedAt(shard, String(p)), items });
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 503) throw error;
      notServed.push(String(p));
      refusals.push(refusal(error));
    }
  });
  if (notServed.length > 0) throw notServedError(notServed, refusals);
  return parts;
}

/**
 * The parts a commit names (`{ partitions: [...] }`), as its check kept them, each of a partition this shard serves
 * now; else 503 with x-in-log false (nothing written: the gateway checks the batch again).
 */
function preparedParts(shard: ShardView, kind: Kind, prepared: PreparedBatches, id: string, body: unknown): Part[] {
  const partitions = isRecord(body) ? body.partitions : undefined;
  if (!Array.isArray(partitions) || partitions.length === 0 || !partitions.every((p) => Number.isInteger(p))) throw new HttpError(400, 'expected { partitions: [...] } naming the prepared parts');
  const held = prepared.take(id, kind, partitions as number[]);
  if (held === null) throw new HttpError(503, `no checked parts held here under prepare id ${JSON.stringify(id)} (expired, or the shard restarted); nothing written`, undefined, { ...RETRY, 'x-in-log': 'false' });
  const parts: Part[] = [];
  const notServed: number[] = [];
  const refusals: string[] = [];
  for (const { partition, items, prepared: checkedAs } of held) {
    try {
      parts.push({ o: servedAt(shard, String(partition)), items, prepared: checkedAs });
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 503) throw error;
      notServed.push(partition);
      refusals.push(refusal(error));
    }
  }
  if (notServed.length > 0) throw notServedError(notServed, refusals);
  return parts;
}

/** serve's checks of one part (paths `fills[k]…` of the part); a partition holding no account refuses every item. */
function partProblems(kind: Kind, o: OwnedPartition, items: unknown[]): readonly InputProblem[] {
  try {
    checked(kind, { [kind]: items }, liveOf(o));
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    if (error instanceof HttpError && error.status === 404) return items.map((_, i) => ({ path: `${kind}[${i}].account`, message: `no such account (partition ${o.partition} holds none)` }));
    if (error instanceof HttpError) return [{ path: kind, message: error.message }];
    throw error;
  }
}

/** Per part, whether its partition recognises its op id (op-window.ts); 422 when it knows it for another request. */
function recognisedParts(parts: readonly Part[], entries: readonly LogEntry[]): boolean[] {
  try {
    return parts.map((part, k) => part.o.recognises(entries[k]));
  } catch (error) {
    if (error instanceof KeyReused) throw new HttpError(422, error.message, undefined, { 'x-in-log': 'false' });
    throw error;
  }
}



/** An accepted part's outcome (a known one's: replayed), as POST /p/:p/fills answers it. */
function replayOutcome(o: OwnedPartition, accepted: Accepted): PartOutcome {
  const replayed = accepted.replayed ? { replayed: true as const } : {};
  if (accepted.error) return { partition: o.partition, status: 400, inLog: 'true', seq: accepted.seq, error: `invalid input (entry ${accepted.seq} of the log, rejected on apply)`, problems: accepted.error.problems, ...replayed };
  return { partition: o.partition, status: 200, inLog: 'true', seq: accepted.seq, ...(accepted.result ?? { remargined: 0, events: [] }), ...replayed };
}

/** A submitted part's outcome, as POST /p/:p/fills answers it. */
async function outcomeOf(o: OwnedPartition, submitted: ReturnType<OwnedPartition['submit']>): Promise<PartOutcome> {
  try {
    return replayOutcome(o, await submitted);
  } catch (error) {
    if (error instanceof KeyReused) return { partition: o.partition, status: 422, inLog: 'false', error: error.message };
    if (error instanceof NotApplied || error instanceof FencedError) {
      const inLog = error instanceof NotApplied ? String(error.inLog) as PartOutcome['inLog'] : 'false';
      return { partition: o.partition, status: 503, inLog, error: `${error.message}${inLog === 'unknown' ? ' (it may or may not have been written: resend it with the same Idempotency-Key, or check before resending)' : ''}` };
    }
    // applying an entry already in the log failed
    return { partition: o.partition, status: 500, inLog: 'true', error: (error as Error).message };
  }
}

/** What a partition's 503 adds to the batch's: its reason when it is refused (no Retry-After: asking again does not help). */
function refusal(error: HttpError): string {
  return error.headers['retry-after'] === undefined ? ` (${error.message})` : '';
}

/**
 * The 503 of a batch with parts of partitions not served here, nothing written: with Retry-After, unless one of them is
 * refused (its log lost entries: the batch cannot be applied by asking again, the reason named).
 */
function notServedError(notServed: readonly (string | number)[], refusals: readonly string[]): HttpError {
  const refused = refusals.some((r) => r !== '');
  return new HttpError(503, `partitions ${notServed.join(', ')} are not served on this shard now${refusals.join('')}; nothing written`, undefined, { ...(refused ? {} : RETRY), 'x-in-log': 'false' });
}
