/**
 * The live service as it was before it moved to Fastify (src/service/server.ts at 0.1.0, copied unchanged but for
 * its import paths and this paragraph), kept so that bench/service.ts can measure the old path and the new one in the
 * same run. Not part of the package: nothing in src/ imports it.
 *
 * The reference live-margin service: a LiveSession (src/live/live-session.ts) behind node:http.
 *
 *   POST /what-if    { account, trades: [...] }            → the account before and after, marginal IM, binding
 *   POST /check      { account, order: { instrument, quantity, price? } } → accept / reject, reason, max size
 *   POST /fills      { fills: [{ account, instrument, quantity, price }] } → re-margined count, status changes
 *   POST /transfers  { transfers: [{ account, asset, amount } | { account, cashUsd }] } → the same
 *   POST /tick       { assets: { BTC: { price, vol } }, marks, impliedVols } → the same
 *   GET  /accounts/:id                                     → the account's report row
 *   GET  /report                                           → every account and the totals
 *   GET  /events                                           → Server-Sent Events: `event: status`, one per change
 *   GET  /health                                           → { ok, method, accounts, backend }
 *
 * Bodies are JSON, at most `maxBodyBytes` (413 beyond); malformed JSON is a 400 naming `body`; invalid input a
 * 400 with every problem and its path (`{ error, problems: [{ path, message }] }`), and changes nothing;
 * unknown routes 404, a known route with the wrong method 405. Requests run one at a time on the event loop, so
 * no request sees another's half-applied change. Responses are JSON (non-finite numbers, e.g. health at
 * MM = 0, are null, as in the report's JSON). close() stops accepting, lets requests in flight finish, ends the
 * event streams and resolves when every connection is gone.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError, type InputProblem } from '../src/errors.js';
import type { LiveSession, StatusChange } from '../src/live/live-session.js';
import type { Fill, OrderRequest, Trade, Transfer } from '../src/live/requests.js';
import type { Tick } from '../src/live/tick.js';
import { isRecord, notObjectMessage } from '../src/model/checks.js';

export interface ServiceOptions {
  /** Port (0: any free port). Default 8787. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Largest request body accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Seconds between SSE keep-alive comments. Default 15. */
  heartbeatSeconds?: number;
}

export interface RunningService {
  /** e.g. http://127.0.0.1:8787 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, finishes requests in flight, ends event streams; resolves when closed. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: readonly InputProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function startServiceBefore(live: LiveSession, options: ServiceOptions = {}): Promise<RunningService> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const streams = new Set<ServerResponse>();
  let closing = false;
  const unsubscribe = live.onStatusChange((events) => {
    const frames = events.map((e) => `event: status\ndata: ${JSON.stringify(e)}\n\n`).join('');
    for (const res of streams) res.write(frames);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, (options.heartbeatSeconds ?? 15) * 1000);
  heartbeat.unref();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, error));
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (closing) res.setHeader('Connection', 'close');
    const url = new URL(req.url ?? '/', 'http://service');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const route = (allowed: string) => {
      if (method !== allowed) throw new HttpError(405, `${path} accepts ${allowed}`, undefined, { Allow: allowed });
    };
    if (path === '/events') {
      route('GET');
      return openStream(req, res);
    }
    if (path === '/report') {
      route('GET');
      return send(res, 200, live.report());
    }
    if (path === '/health') {
      route('GET');
      return send(res, 200, { ok: true, method: live.method, backend: live.backend, accounts: live.layout.accountCount });
    }
    if (path.startsWith('/accounts/')) {
      route('GET');
      let id: string;
      try {
        id = decodeURIComponent(path.slice('/accounts/'.length));
      } catch {
        throw new HttpError(404, `no account ${JSON.stringify(path.slice('/accounts/'.length))} (not a valid URI component)`);
      }
      try {
        return send(res, 200, live.account(id));
      } catch (error) {
        if (error instanceof InputError) throw new HttpError(404, `no account ${JSON.stringify(id)}`, error.problems);
        throw error;
      }
    }
    const post = POST_ROUTES[path];
    if (post === undefined) throw new HttpError(404, `no route ${method} ${path}`);
    route('POST');
    const body = await readBody(req, maxBody);
    return send(res, 200, post(live, body));
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': status changes of the live session\n\n');
    streams.add(res);
    const drop = () => streams.delete(res);
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop); // a client gone mid-write: forget it, never crash
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      let closed: Promise<void> | null = null;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        close: () =>
          (closed ??= new Promise<void>((done) => {
            closing = true;
            clearInterval(heartbeat);
            unsubscribe();
            server.close(() => done());
            for (const res of streams) res.end();
            streams.clear();
            server.closeIdleConnections();
            // connections still busy after a grace period are cut
            setTimeout(() => server.closeAllConnections(), 5_000).unref();
          })),
      });
    });
  });
}

/** The POST routes: validated by the live session (InputError with paths), answered as JSON. */
const POST_ROUTES: Record<string, (live: LiveSession, body: unknown) => unknown> = {
  '/what-if': (live, body) => {
    const { account, items } = accountAnd(body, 'trades');
    return live.whatIf(account, items as Trade[]);
  },
  '/check': (live, body) => {
    const { account, items } = accountAnd(body, 'order');
    return live.check(account, items as OrderRequest);
  },
  '/fills': (live, body) => live.applyFills(listOf(body, 'fills') as Fill[]),
  '/transfers': (live, body) => live.applyTransfers(listOf(body, 'transfers') as Transfer[]),
  '/tick': (live, body) => live.applyTick(body as Tick),
};

/** `{ account, <field> }`, the account checked for a string (the session names unknown ones). */
function accountAnd(body: unknown, field: string): { account: string; items: unknown } {
  const problems: InputProblem[] = [];
  if (!isRecord(body)) throw new InputError([{ path: 'body', message: notObjectMessage(body, `an object with account and ${field}`) }]);
  for (const key of Object.keys(body)) if (key !== 'account' && key !== field) problems.push({ path: `body.${key}`, message: `unknown field (expected account, ${field})` });
  if (typeof body.account !== 'string' || body.account === '') problems.push({ path: 'account', message: 'missing (expected an account id)' });
  if (body[field] === undefined) problems.push({ path: field, message: `missing (expected ${field === 'order' ? 'an order' : 'a list'})` });
  if (problems.length > 0) throw new InputError(problems);
  return { account: body.account as string, items: body[field] };
}

/** `{ <field>: [...] }` or the bare list. */
function listOf(body: unknown, field: string): unknown {
  if (Array.isArray(body)) return body;
  if (isRecord(body) && Object.keys(body).length === 1 && field in body) return body[field];
  throw new InputError([{ path: 'body', message: notObjectMessage(body, `{ "${field}": [...] } or a list`) }]);
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new HttpError(413, `body over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(new InputError([{ path: 'body', message: 'empty (expected JSON)' }]));
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(new InputError([{ path: 'body', message: `not valid JSON: ${(error as Error).message}` }]));
      }
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    // a 413 stops reading the body: the connection is not reused
    const headers = error.status === 413 ? { ...error.headers, Connection: 'close' } : error.headers;
    send(res, error.status, { error: error.message, ...(error.problems ? { problems: error.problems } : {}) }, headers);
    return;
  }
  if (error instanceof InputError) {
    send(res, 400, { error: 'invalid input', problems: error.problems });
    return;
  }
  send(res, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
}

export type { StatusChange };
