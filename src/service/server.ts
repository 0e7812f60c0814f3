/**
 * The reference live-margin service: a LiveSession (src/live/live-session.ts) behind Fastify (routes.ts lists the
 * routes; docs/service.md is the user's page).
 *
 * Every request passes the guard first (guard.ts: Host allow-list → 421, browser Origin → 403, bearer token → 401 on
 * every route but /health), then, on POST, the media type (application/json only → 415; no other body parser is
 * installed), the size (413 beyond `maxBodyBytes`, and beyond `maxItems` trades, fills or transfers), the JSON Schema
 * (body.ts) and the library's validation (400 with every problem and its path: `{ error, problems: [{ path, message }] }`;
 * nothing changes). Unknown routes 404, a known route with the wrong method 405 with Allow, a malformed target 400,
 * failures of the service itself 500 with the request id (the log line has the error). Responses are JSON
 * (non-finite numbers, e.g. health at MM = 0, are null, as in the report's JSON) and carry `x-request-id`.
 *
 * Bounds (options.ts): request, header, keep-alive and idle timeouts, a connection cap, at most `maxStreams` event
 * streams and `maxReports` reports at once. close() stops accepting (new requests 503), ends the event streams, lets
 * requests in flight finish, and cuts what is left after `shutdownGraceMs`.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_VERSION } from '../version.js';
import { InputError } from '../errors.js';
import type { LiveSession, StatusChange } from '../live/live-session.js';
import { parseJson } from './body.js';
import { BookLock } from './book-lock.js';
import { EventStreams } from './events.js';
import { allowedHosts, requestGuard } from './guard.js';
import { serviceMetrics } from './metrics.js';
import { resolveOptions, type ServiceOptions } from './options.js';
import { GET_PATHS, HttpError, POST_PATHS, registerRoutes, sendError } from './routes.js';

export type { ServiceOptions } from './options.js';
export { SERVICE_DEFAULTS } from './options.js';

export interface RunningService {
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends event streams, finishes requests in flight (cut after the grace period); resolves when closed. */
  close(): Promise<void>;
}

/** Longest account id in GET /accounts/:id, characters (Fastify answers 414 beyond). */
const MAX_ID_LENGTH = 1_000;

export async function startService(live: LiveSession, serviceOptions: ServiceOptions): Promise<RunningService> {
  const options = resolveOptions(serviceOptions);
  const [{ default: Fastify, LogController }, metrics] = await Promise.all([import('fastify'), serviceMetrics(live, PACKAGE_VERSION)]);
  let closing = false;
  const hosts = new Set<string>(); // filled once the port is known
  const guard = requestGuard(options, hosts);
  const events = new EventStreams(live, options.maxStreams, options.heartbeatSeconds, (open) => metrics.streams(open));

  /** One log line per request, when it is answered: id, method, route (the pattern: no ids), status, ms. No bodies. */
  class RequestLog extends LogController {
    override incomingRequest(): void {}
    override routeNotFound(): void {}
    override defaultErrorLog(): void {}
    override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
      const line = { method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(3)) };
      if (error) reply.log.error({ ...line, err: error }, 'request failed');
      else reply.log.info(line, 'request');
    }
  }

  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    logController: new RequestLog(),
    genReqId: () => randomUUID(),
    bodyLimit: options.maxBodyBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionTimeout: options.idleTimeoutMs,
    // Node checks the request and header timeouts this often (its default, 30 s, let a slow client hold a socket that long)
    http: { headersTimeout: options.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs) },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: MAX_ID_LENGTH },
    frameworkErrors: (error, _request, reply) => sendError(reply, 400, `malformed request target: ${error.message}`),
  });
  app.server.headersTimeout = options.headersTimeoutMs;
  app.server.maxConnections = options.maxConnections;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.maxBodyBytes }, (_request, text, done) => parseBody(text as string, done));

  app.addHook('onRequest', async (request, reply) => screenRequest(request, reply, guard, closing));
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.method, request.routeOptions.url ?? '(no route)', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setNotFoundHandler(notFound);

  app.setErrorHandler((error: FastifyError | Error, request, reply) => answerError(error, request, reply, options.maxBodyBytes));

  const lock = new BookLock();
  registerRoutes(app, { live, options, lock, events, metrics, closing: () => closing, cors: (request) => guard.corsHeaders(request) });

  await app.listen({ port: options.port, host: options.host, listenTextResolver: (address) => `listening on ${address}` });
  const address = app.server.address() as AddressInfo;
  for (const allowed of allowedHosts(options.host, address.port, options.allowHosts)) hosts.add(allowed);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        events.close();
        // requests still running after the grace period are cut
        const cut = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs);
        cut.unref();
        try {
          await app.close();
        } finally {
          clearTimeout(cut);
        }
      })()),
  };
}

/** A JSON body parsed (parseJson: no prototype keys), or the error it raised, to Fastify's callback. */
export function parseBody(text: string, done: (error: Error | null, body: unknown) => void): void {
  try {
    done(null, parseJson(text));
  } catch (error) {
    done(error as Error, undefined);
  }
}

/**
 * Every request first: its id echoed, `connection: close` while closing, the guard's refusal (Host, Origin, auth,
 * limits) or preflight answer, CORS headers, and 415 for a POST that is not JSON. Undefined: go on to the route.
 */
export function screenRequest(request: FastifyRequest, reply: FastifyReply, guard: ReturnType<typeof requestGuard>, closing: boolean) {
  reply.header('x-request-id', request.id);
  if (closing) reply.header('connection', 'close');
  const refusal = guard.check(request, request.routeOptions.url);
  if (refusal) return sendError(reply, refusal.status, refusal.error, undefined, refusal.headers);
  if (guard.preflight(request, reply)) return reply;
  reply.headers(guard.corsHeaders(request));
  if (request.method === 'POST' && mediaType(request.headers['content-type']) !== 'application/json') {
    const given = request.headers['content-type'];
    return sendError(reply, 415, `POST bodies must be JSON: Content-Type: application/json${given === undefined ? ' (none given)' : ` (got ${given})`}`);
  }
  return undefined;
}

/** 405 with Allow for a known path asked with another method, else 404. */
function notFound(request: FastifyRequest, reply: FastifyReply) {
  const path = (request.raw.url ?? '/').replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0];
  const get = GET_PATHS.includes(path) || (path.startsWith('/accounts/') && path.length > '/accounts/'.length);
  const allow = get ? 'GET, HEAD' : POST_PATHS.includes(path) ? 'POST' : null;
  if (allow !== null) return sendError(reply, 405, `${path} accepts ${allow}`, undefined, { allow });
  return sendError(reply, 404, `no route ${request.method} ${path}`);
}

/** The answer to an error a route threw or Fastify raised: 400 / 4xx with its message, else 500 (logged) naming the request. */
export function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, maxBodyBytes: number) {
  if (error instanceof InputError) return sendError(reply, 400, 'invalid input', error.problems);
  if (error instanceof HttpError) return sendError(reply, error.status, error.message, error.problems, error.headers);
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, `body over ${maxBodyBytes} bytes`, undefined, { connection: 'close' });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'POST bodies must be JSON: Content-Type: application/json');
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return sendError(reply, status, error.message);
  request.log.error({ err: error }, 'internal error');
  return sendError(reply, 500, `internal error (request ${request.id}; the service log has it)`);
}

/** `application/json` of `application/json; charset=utf-8` (lower case); undefined without a header. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0].trim().toLowerCase();
}

export type { StatusChange };
