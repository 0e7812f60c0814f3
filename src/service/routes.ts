/**
 * The service's routes (docs/service.md):
 *
 *   POST /what-if    { account, trades: [...] }            → the account before and after, marginal IM, binding
 *   POST /check      { account, order: { instrument, quantity, price? } } → accept / reject, reason, max size
 *   POST /fills      { fills: [{ account, instrument, quantity, price }] } → re-margined count, status changes
 *   POST /transfers  { transfers: [{ account, asset, amount } | { account, cashUsd }] } → the same
 *                    (both: a write resent under its Idempotency-Key is answered `replayed`, not applied again)
 *   POST /tick       { assets: { BTC: { price, vol } }, marks, impliedVols } → the same
 *   GET  /accounts/:id                                     → the account's report row
 *   GET  /accounts?status=…&sort=health&limit=…&cursor=…   → a page of rows (accounts-page.ts)
 *   GET  /report                                           → every account and the totals, streamed (report-stream.ts)
 *   GET  /events                                           → Server-Sent Events: `event: status`, one per change
 *   GET  /health                                           → { ok, method, accounts, backend } (no token needed)
 *   GET  /ready                                            → { ready: true }, 503 once shutting down
 *   GET  /metrics                                          → Prometheus text (metrics.ts)
 *
 * Fills, transfers and ticks wait while a report is being copied (book-lock.ts), then run to the end on the event
 * loop, so no request sees another's half-applied change.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import serviceSchema from '../../schemas/service.schema.json' with { type: 'json' };
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { LiveSession, UpdateResult } from '../live/live-session.js';
import type { Fill, OrderRequest, Trade, Transfer } from '../live/requests.js';
import type { Tick } from '../live/tick.js';
import { accountsPage, readPageQuery, refuseQuery } from './accounts-page.js';
import { accountAnd, bodyValidators, itemCount, listOf, type PostRoute, schemaProblems } from './body.js';
import type { BookLock } from './book-lock.js';
import type { EventStreams } from './events.js';
import { idempotencyKeyOf, IdempotentWrites, KeyUsedElsewhere } from './idempotent-writes.js';
import type { ServiceMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { reportChunks } from './report-stream.js';

/** An answer other than 200, with a JSON body `{ error, problems? }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: readonly InputProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RouteContext {
  live: LiveSession;
  options: ResolvedOptions;
  lock: BookLock;
  events: EventStreams;
  metrics: ServiceMetrics;
  /** CORS headers for the request's origin (none unless it was allowed). */
  cors: (request: FastifyRequest) => Record<string, string>;
}

const LIST_FIELD: Partial<Record<PostRoute, string>> = { 'what-if': 'trades', fills: 'fills', transfers: 'transfers' };

/**
 * The bound on a body's list (trades, fills, transfers): 413 naming the list and its path beyond `maxItems`
 * (`1001 fills in one request; at most 1000`). Serve's, the gateway's and a shard's check, before any other.
 */
export function refuseTooManyItems(route: PostRoute, body: unknown, maxItems: number): void {
  const count = itemCount(route, body);
  if (count <= maxItems) return;
  const field = LIST_FIELD[route]!;
  const message = `${count} ${field} in one request; at most ${maxItems}`;
  throw new HttpError(413, message, [{ path: field, message }]);
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerGetRoutes(app, ctx);
  registerPostRoutes(app, ctx);
}

/** GET /health, /ready, /metrics, /accounts/:id, /accounts, /report and /events. */
function registerGetRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { live, options, lock, metrics } = ctx;
  app.get('/health', async () => ({ ok: true, method: live.method, backend: live.backend, accounts: live.layout.accountCount }));

  // once the app is closing every request is answered 503 before any route (src/service/guarded-app.ts)
  app.get('/ready', async () => ({ ready: true }));

  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  app.get('/accounts/:id', async (request) => {
    refuseQuery(request.query);
    const id = (request.params as { id: string }).id;
    try {
      return live.account(id);
    } catch (error) {
      if (error instanceof InputError) throw new HttpError(404, `no account ${describeValue(id)}`, error.problems);
      throw error;
    }
  });

  app.get('/accounts', async (request) => accountsPage(live, readPageQuery(request.query, options.maxPageSize, Math.min(100, options.maxPageSize))));

  let reports = 0;
  app.get('/report', async (request, reply) => {
    refuseQuery(request.query);
    if (reports >= options.maxReports) throw new HttpError(503, `${reports} report${reports === 1 ? ' is' : 's are'} being written; try again shortly (or page through GET /accounts)`, undefined, { 'retry-after': '1' });
    reports++;
    const stream = Readable.from(reportChunks(live, lock, options.reportSliceRows), { objectMode: false });
    stream.once('close', () => reports--);
    return reply.type('application/json; charset=utf-8').send(stream);
  });

  app.get('/events', (request, reply) => {
    refuseQuery(request.query);
    if (ctx.events.full) throw new HttpError(503, 'too many event streams open; try again later', undefined, { 'retry-after': '5' });
    reply.hijack();
    ctx.events.add(reply.raw, ctx.cors(request));
  });
}

/** The POST routes, each body validated by its schema (schemas/service.schema.json) and its list bounded. */
function registerPostRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { live, options, lock, metrics } = ctx;
  const validators = bodyValidators();
  const schemaOf = new Map<object, ValidateFunction>();
  const defs = (serviceSchema as unknown as { $defs: Record<string, object> }).$defs;
  const post = (route: PostRoute, def: string, answer: (body: unknown, request: FastifyRequest) => unknown) => {
    const schema = defs[def];
    schemaOf.set(schema, validators[route]);
    app.post(`/${route}`, {
      schema: { body: schema },
      attachValidation: true,
      // no POST route takes a query parameter: `/fills?dryRun=true` is refused, never applied as if it were not there
      preValidation: async (request) => {
        refuseQuery(request.query);
        refuseTooManyItems(route, request.body, options.maxItems);
      },
    }, async (request) => {
      if (request.validationError) throw new InputError(schemaProblems(route, request.body, live, request.validationError.validation));
      return answer(request.body, request);
    });
  };
  app.setValidatorCompiler(({ schema }) => {
    const validate = schemaOf.get(schema);
    if (!validate) throw new Error('margin-core: a route schema not from schemas/service.schema.json');
    return validate;
  });
  const changed = (kind: 'fills' | 'transfers' | 'tick', items: number) => (result: UpdateResult) => {
    metrics.changed(kind, items, result.events);
    return result;
  };

  post('what-if', 'whatIf', (body) => {
    const { account, items } = accountAnd(body, 'trades');
    const started = performance.now();
    const result = live.whatIf(account, items as Trade[]);
    metrics.whatIf((performance.now() - started) / 1000);
    return result;
  });
  post('check', 'check', (body) => {
    const { account, items } = accountAnd(body, 'order');
    return live.check(account, items as OrderRequest);
  });
  // a write resent under its Idempotency-Key is answered, not applied again (idempotent-writes.ts)
  const writes = new IdempotentWrites();
  const write = (kind: 'fills' | 'transfers', apply: (list: unknown) => UpdateResult) => (body: unknown, request: FastifyRequest) => {
    const list = listOf(body, kind) as unknown[];
    return writes.run(kind, idempotencyKeyOf(request), list, () => lock.change(() => apply(list)).then(changed(kind, list.length))).catch((error: unknown) => {
      throw error instanceof KeyUsedElsewhere ? new HttpError(422, error.message) : error;
    });
  };
  post('fills', 'fills', write('fills', (list) => live.applyFills(list as Fill[])));
  post('transfers', 'transfers', write('transfers', (list) => live.applyTransfers(list as Transfer[])));
  post('tick', 'tick', (body) => lock.change(() => live.applyTick(body as Tick)).then(changed('tick', 1)));
}

/** Answers a refused or failed request as JSON (`{ error, problems? }`). */
export function sendError(reply: FastifyReply, status: number, error: string, problems?: readonly InputProblem[], headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json; charset=utf-8').send({ error, ...(problems ? { problems } : {}) });
}
