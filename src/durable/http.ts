/**
 * The HTTP front of a shard and of the gateway: the live service's guarded app (src/service/guarded-app.ts: token,
 * Host and Origin, JSON bodies, error answers, bounds), logging failed requests only (the shards' and gateway's event
 * lines say the rest). Only the routes differ (shard-routes.ts, gateway-routes.ts).
 */
import type { FastifyInstance } from 'fastify';
import { type GuardedApp, type GuardedAppSpec, startGuardedApp } from '../service/guarded-app.js';
import type { ResolvedOptions, ServiceOptions } from '../service/options.js';

export type RunningApp = GuardedApp;

/**
 * Longest path parameter (an account id), characters: as long as a request line can be (Node's 16 KiB of headers bound
 * it), since a book's ids have no length limit and every id a report lists must be one GET /accounts/:id can fetch.
 */
const MAX_PARAM_LENGTH = 16_384;

/** Starts the guarded app; `register` adds the routes before it listens; `unavailable` answers 503 for a dependency away. */
export function startApp(serviceOptions: ServiceOptions, register: (app: FastifyInstance, options: ResolvedOptions) => void, unavailable?: GuardedAppSpec['unavailable']): Promise<RunningApp> {
  return startGuardedApp(serviceOptions, {
    requestLog: 'failed',
    maxParamLength: MAX_PARAM_LENGTH,
    register: (app, { options }) => register(app, options),
    unavailable,
  });
}
