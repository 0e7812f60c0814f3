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
import { PACKAGE_VERSION } from '../version.js';
import type { LiveSession, StatusChange } from '../live/live-session.js';
import { BookLock } from './book-lock.js';
import { EventStreams } from './events.js';
import { startGuardedApp } from './guarded-app.js';
import { serviceMetrics } from './metrics.js';
import type { ServiceOptions } from './options.js';
import { registerRoutes } from './routes.js';

export type { ServiceOptions } from './options.js';
export { SERVICE_DEFAULTS } from './options.js';

export interface RunningService {
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends event streams, finishes requests in flight (cut after the grace period); resolves when closed. */
  close(): Promise<void>;
}

/**
 * Longest account id in GET /accounts/:id, characters: as long as a request line can be (Node's 16 KiB of headers
 * bound it), since a book's ids have no length limit and every id a report lists must be one this route can fetch.
 */
const MAX_ID_LENGTH = 16_384;

export async function startService(live: LiveSession, serviceOptions: ServiceOptions): Promise<RunningService> {
  // a book with masters: its roll-up's groups and pools made before the first request, not inside the first /report
  // (a second or two at 1,000,000 accounts in groups)
  live.subaccounts();
  const metrics = await serviceMetrics(live, PACKAGE_VERSION);
  let events: EventStreams | null = null;
  const running = await startGuardedApp(serviceOptions, {
    requestLog: 'every',
    maxParamLength: MAX_ID_LENGTH,
    register(app, { options, guard }) {
      const streams = (events = new EventStreams(live, options.maxStreams, options.heartbeatSeconds, (open) => metrics.streams(open)));
      app.addHook('onResponse', async (request, reply) => {
        metrics.request(request.method, request.routeOptions.url ?? '(no route)', reply.statusCode, reply.elapsedTime / 1000);
      });
      registerRoutes(app, { live, options, lock: new BookLock(), events: streams, metrics, cors: (request) => guard.corsHeaders(request) });
    },
    onClose: () => events?.close(),
    onClientError: (status, seconds) => metrics.request('(unknown)', '(not parsed)', status, seconds),
  });
  return { url: running.url, port: running.port, close: () => running.close() };
}

export type { StatusChange };
