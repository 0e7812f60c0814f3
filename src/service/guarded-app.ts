/**
 * A Fastify app behind the live service's guard, what every HTTP front of margin-core is (`serve`: server.ts; a live
 * shard and the gateway: src/durable/): the guard (guard.ts: Host allow-list → 421, browser Origin → 403, bearer token
 * → 401 on every route but /health), JSON bodies only (415 otherwise; parsed without prototype keys: body.ts), the
 * error answers (`{ error, problems? }`: 400 with every problem's path for invalid input, 413, 4xx, 500 naming the
 * request), the bounds of options.ts (timeouts, body size, connection cap) and a close() that stops accepting (new
 * requests 503), lets requests in flight finish and cuts what is left after `shutdownGraceMs`. A request no route takes
 * is 405 with Allow when a route takes its path with another method, else 404 (route-methods.ts). Only the routes and
 * the request log differ between fronts.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../errors.js';
import { parseJson } from './body.js';
import { checkUtf8 } from '../io/utf8-check.js';
import { allowedHosts, type RequestGuard, requestGuard } from './guard.js';
import { resolveOptions, type ResolvedOptions, type ServiceOptions } from './options.js';
import { RouteMethods } from './route-methods.js';
import { HttpError, sendError } from './routes.js';

export interface GuardedApp {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  /** True once close() was called. */
  closing(): boolean;
  /** Stops accepting (new requests 503), finishes requests in flight (cut after the grace period); resolves when closed. */
  close(): Promise<void>;
}

/** What a front adds to the guarded app. */
export interface GuardedAppSpec {
  /** `every`: one info line per answered request (method, route pattern, status, ms; no ids, no bodies); `failed`: only failures. */
  readonly requestLog: 'every' | 'failed';
  /** Longest path parameter, characters (Fastify answers 414 beyond). */
  readonly maxParamLength: number;
  /** Adds the routes and hooks, before the app listens. */
  register(app: FastifyInstance, context: { options: ResolvedOptions; guard: RequestGuard }): void;
  /** Runs first when close() is called (e.g. ending event streams, which would hold the close). */
  onClose?(): void;
  /**
   * The answer to an error a route threw that is neither the client's nor a bug: a dependency away (the gateway's
   * Redis), answered 503 rather than 500. Undefined: the usual answer.
   */
  unavailable?(error: Error): HttpError | undefined;
  /** Hears of each request Node's parser refused before any route saw it (its status: 400, 408, 431; seconds since it began), for metrics. */
  onClientError?(status: number, seconds: number): void;
}

/** Starts a guarded app on `serviceOptions`' host and port (loopback and an ephemeral port unless given). */
export async function startGuardedApp(serviceOptions: ServiceOptions, spec: GuardedAppSpec): Promise<GuardedApp> {
  const options = resolveOptions(serviceOptions);
  const { default: Fastify, LogController } = await import('fastify');
  const every = spec.requestLog === 'every';
  class RequestLog extends LogController {
    override incomingRequest(): void {}
    override routeNotFound(): void {}
    override defaultErrorLog(): void {}
    override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
      if (!error && !every) return;
      const line = { method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(3)) };
      if (error) reply.log.error({ ...line, err: error }, 'request failed');
      else reply.log.info(line, 'request');
    }
  }
  const requestLog = new RequestLog();
  let closing = false;
  const hosts = new Set<string>(); // filled once the port is known
  const guard = requestGuard(options, hosts);
  const refused = clientErrors(spec, every);
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    logController: requestLog,
    genReqId: () => randomUUID(),
    bodyLimit: options.maxBodyBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionTimeout: options.idleTimeoutMs,
    // Node checks the request and header timeouts this often (its default, 30 s, let a slow client hold a socket that long)
    // a missing Host is refused by the guard in the service's JSON shape, not by Node's bare 400 (requireHostHeader)
    http: { headersTimeout: options.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs), requireHostHeader: false },
    // new requests once closing: answered by screenRequest, in the service's shape with its id and log line
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: spec.maxParamLength },
    // before any hook runs (the URL cannot be routed) and past the log controller: its id echoed and its line logged here
    frameworkErrors: (error, request, reply) => {
      sendError(reply.header('x-request-id', request.id), 400, `malformed request target: ${error.message}`);
      requestLog.requestCompleted(null, request, reply);
    },
    clientErrorHandler: (error, socket) => refused.handle(error, socket),
  });
  refused.watch(app);
  app.server.headersTimeout = options.headersTimeoutMs;
  app.server.maxConnections = options.maxConnections;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: options.maxBodyBytes }, (request, bytes, done) => parseBody(bytes as Buffer, request.routeOptions.url ?? '', done));
  app.addHook('onRequest', async (request, reply) => screenRequest(request, reply, guard, closing));
  const methods = new RouteMethods();
  methods.watch(app); // before the routes: their methods answer 405
  app.setNotFoundHandler((request, reply: FastifyReply) => methods.answer(request, reply));
  app.setErrorHandler((error: FastifyError | Error, request, reply) => answerError(error, request, reply, options.maxBodyBytes, spec.unavailable));
  spec.register(app, { options, guard });
  await app.listen({ port: options.port, host: options.host, listenTextResolver: (address) => `listening on ${address}` });
  const address = app.server.address() as AddressInfo;
  for (const allowed of allowedHosts(options.host, address.port, options.allowHosts)) hosts.add(allowed);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | null = null;
  return {
    app,
    url: `http://${host}:${address.port}`,
    port: address.port,
    closing: () => closing,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        spec.onClose?.();
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

/** A JSON body parsed for the route at `url` (parseJson: no prototype keys), or the error it raised, to Fastify's callback. */
function parseBody(bytes: Buffer, url: string, done: (error: Error | null, body: unknown) => void): void {
  try {
    // decoding would put U+FFFD where a byte is not UTF-8: a fill for an account id that is not the one sent
    try {
      checkUtf8(bytes);
    } catch (error) {
      throw new InputError([{ path: 'body', message: `${(error as Error).message}: JSON text must be UTF-8` }]);
    }
    done(null, parseJson(bytes.toString('utf8'), url));
  } catch (error) {
    done(error as Error, undefined);
  }
}

/**
 * Every request first: its id echoed, `connection: close` while closing, the guard's refusal (Host, Origin, auth,
 * limits) or preflight answer, CORS headers, and 415 for a POST that is not JSON. Undefined: go on to the route.
 */
function screenRequest(request: FastifyRequest, reply: FastifyReply, guard: RequestGuard, closing: boolean) {
  reply.header('x-request-id', request.id);
  if (closing) return sendError(reply.header('connection', 'close'), 503, 'the service is shutting down: send the request again once it is back, or to another instance');
  const refusal = guard.check(request, request.routeOptions.url);
  // an allowed origin's page reads a refusal too (a 401 it must answer by asking for a token)
  if (refusal) return sendError(reply, refusal.status, refusal.error, undefined, { ...guard.corsHeaders(request), ...refusal.headers });
  if (guard.preflight(request, reply)) return reply;
  reply.headers(guard.corsHeaders(request));
  if (request.method === 'POST' && mediaType(request.headers['content-type']) !== 'application/json') {
    const given = request.headers['content-type'];
    return sendError(reply, 415, `POST bodies must be JSON: Content-Type: application/json${given === undefined ? ' (none given)' : ` (got ${given})`}`);
  }
  // a body is read as it is sent, UTF-8 JSON: a compressed one (read as bytes that are not UTF-8) or another charset
  // (read as UTF-8 all the same) is refused for what it is
  if (request.method === 'POST') {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') return sendError(reply, 415, `POST bodies are read as sent: Content-Encoding ${encoding} is not taken (send the JSON uncompressed)`);
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return sendError(reply, 415, `POST bodies are UTF-8 JSON: charset=${charset} is not taken`);
  }
  return undefined;
}

/**
 * The answer to an error a route threw or Fastify raised: 400 / 4xx with its message, the front's answer when a
 * dependency is away (`unavailable`), else 500 (logged) naming the request.
 */
function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply, maxBodyBytes: number, unavailable?: GuardedAppSpec['unavailable']) {
  if (error instanceof InputError) return sendError(reply, 400, 'invalid input', error.problems);
  if (error instanceof HttpError) return sendError(reply, error.status, error.message, error.problems, error.headers);
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, `body over ${maxBodyBytes} bytes`, undefined, { connection: 'close' });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'POST bodies must be JSON: Content-Type: application/json');
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return sendError(reply, status, error.message);
  const away = unavailable?.(error);
  if (away) return sendError(reply, away.status, away.message, undefined, away.headers);
  request.log.error({ err: error }, 'internal error');
  return sendError(reply, 500, `internal error (request ${request.id}; the service log has it)`);
}

/**
 * Node's parser's refusals answered ({@link answerClientError}), timed, logged and counted as other requests are.
 * Nothing was parsed: no method, no route, and the time since the connection's current request began (its opening,
 * then the end of each answer on it: a client too slow to send its headers is timed from there, as Node's timeouts are).
 */
function clientErrors(spec: GuardedAppSpec, every: boolean) {
  const began = new WeakMap<object, number>();
  let app: FastifyInstance | null = null;
  return {
    handle(error: NodeJS.ErrnoException, socket: Socket): void {
      const answered = answerClientError(error, socket);
      if (answered === null) return;
      const ms = Number((performance.now() - (began.get(socket) ?? performance.now())).toFixed(3));
      spec.onClientError?.(answered.status, ms / 1000);
      if (every) app?.log.info({ reqId: answered.id, method: '(unknown)', route: '(not parsed)', status: answered.status, ms }, 'request');
    },
    watch(on: FastifyInstance): void {
      app = on;
      on.server.on('connection', (socket: Socket) => began.set(socket, performance.now()));
      on.addHook('onResponse', async (request) => void began.set(request.raw.socket, performance.now()));
    },
  };
}

/**
 * What Node's parser refused before any route saw the request (a client too slow, headers too large, bytes that are not
 * HTTP): answered in the service's error shape, `{ "error": … }`, and the connection closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): { status: number; id: string } | null {
  if (error.code === 'ECONNRESET' || socket.destroyed) return null;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request was not received in time']
    : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'the request headers are too large']
    : [400, 'malformed HTTP request'];
  const body = JSON.stringify({ error: message }), id = randomUUID();
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
  return { status, id };
}

/** `application/json` of `application/json; charset=utf-8` (lower case); undefined without a header. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0].trim().toLowerCase();
}

/** The `charset` parameter of a Content-Type, lower case and unquoted (undefined: none given). */
function charsetOf(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header);
  return m === null ? undefined : m[1].toLowerCase();
}
