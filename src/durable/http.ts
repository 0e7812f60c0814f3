/**
 * The HTTP front of a shard and of the gateway: Fastify with the live service's guard (token, Host, Origin:
 * src/service/guard.ts), its body parser, its error answers (`{ error, problems? }`, 400 with paths for invalid input)
 * and its bounds (src/service/options.ts). Only the routes differ (shard-routes.ts, gateway-routes.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { allowedHosts, requestGuard } from '../service/guard.js';
import { resolveOptions, type ResolvedOptions, type ServiceOptions } from '../service/options.js';
import { sendError } from '../service/routes.js';
import { answerError, parseBody, screenRequest } from '../service/server.js';

export interface RunningApp {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  /** True once close() was called. */
  closing(): boolean;
  /** Stops accepting (new requests 503), finishes requests in flight (cut after the grace period). */
  close(): Promise<void>;
}

/** Starts Fastify with the guard; `register` adds the routes before it listens. */
export async function startApp(serviceOptions: ServiceOptions, register: (app: FastifyInstance, options: ResolvedOptions, closing: () => boolean) => void): Promise<RunningApp> {
  const options = resolveOptions(serviceOptions);
  const { default: Fastify, LogController } = await import('fastify');
  /** Only failed requests are logged (the shards' and gateway's event lines say the rest). */
  class QuietLog extends LogController {
    override incomingRequest(): void {}
    override requestCompleted(error: Error | null, _request: unknown, reply: FastifyReply): void {
      if (error) reply.log.error({ status: reply.statusCode, err: error }, 'request failed');
    }
  }
  let closing = false;
  const hosts = new Set<string>();
  const guard = requestGuard(options, hosts);
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    logController: new QuietLog(),
    genReqId: () => randomUUID(),
    bodyLimit: options.maxBodyBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionTimeout: options.idleTimeoutMs,
    http: { headersTimeout: options.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs) },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 1_000 },
    frameworkErrors: (error, _request, reply) => sendError(reply, 400, `malformed request target: ${error.message}`),
  });
  app.server.headersTimeout = options.headersTimeoutMs;
  app.server.maxConnections = options.maxConnections;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.maxBodyBytes }, (_request, text, done) => parseBody(text as string, done));
  app.addHook('onRequest', async (request, reply) => screenRequest(request, reply, guard, closing));
  app.setNotFoundHandler((request, reply: FastifyReply) => sendError(reply, 404, `no route ${request.method} ${(request.raw.url ?? '/').split('?')[0]}`));
  app.setErrorHandler((error, request, reply) => answerError(error as Error, request, reply, options.maxBodyBytes));
  register(app, options, () => closing);
  await app.listen({ port: options.port, host: options.host });
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
