/**
 * Who may talk to the service, checked on every request before routing to a handler, in this order:
 *
 * 1. Host (against DNS rebinding: a page whose name was rebound to 127.0.0.1 sends its own name): exactly one Host
 *    header on HTTP/1.1 (RFC 9112 §3.2), else 400; it, and the authority of an absolute-form target, must be a
 *    loopback name (localhost, 127.0.0.1, [::1]), the bound address (every interface's address when bound to all), or
 *    one given with --allow-host; else 421, naming the option of the command that started it (misdirectedHint).
 * 2. Origin (against cross-site requests from a browser: a page's `fetch` or form POST carries its Origin, and
 *    `Sec-Fetch-Site` says cross-site or same-site even where Origin is left out): refused with 403 unless the origin
 *    was allowed (--allow-origin), which also answers that origin's CORS preflights. CORS is off by default.
 * 3. The bearer token (RFC 6750), on every route but /health: 401 without one or with a wrong one, compared in
 *    constant time (SHA-256 of both, then `timingSafeEqual`, so neither length nor content leaks through timing).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface GuardOptions {
  token: string | null;
  allowHosts: readonly string[];
  allowOrigins: readonly string[];
  /** What a 421 says to do (options.ts). */
  misdirectedHint: string;
}

/** What a refused request is answered: status, JSON body, headers. */
export interface Refusal {
  status: number;
  error: string;
  headers?: Record<string, string> | undefined;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** The Host values (lower case, with and without the port) answered for a service bound to `host`:`port`. */
export function allowedHosts(host: string, port: number, extra: readonly string[]): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const bracket = (address: string) => (address.includes(':') ? `[${address}]` : address);
  if (WILDCARDS.has(host)) {
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) names.add(bracket(a.address.toLowerCase()));
  } else names.add(bracket(host.replace(/^\[|\]$/g, '').toLowerCase()));
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(name);
    allowed.add(`${name}:${port}`);
  }
  for (const entry of extra) {
    const e = entry.toLowerCase();
    allowed.add(e);
    if (!/:\d+$/.test(e)) allowed.add(`${e}:${port}`);
  }
  return allowed;
}

/** A checker of requests; `check` answers null (go on) or the refusal. */
/** The guard of one app: {@link requestGuard}'s checks. */
export type RequestGuard = ReturnType<typeof requestGuard>;

export function requestGuard(options: GuardOptions, hosts: Set<string>) {
  const origins = new Set(options.allowOrigins);
  const expected = options.token === null ? null : digest(options.token);
  return {
    /** CORS headers for an allowed origin's requests (none when the request has no Origin). */
    corsHeaders(request: FastifyRequest): Record<string, string> {
      const origin = request.headers.origin;
      return origin !== undefined && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
    },

    check(request: FastifyRequest, route: string | undefined): Refusal | null {
      const count = headerCount(request.raw.rawHeaders, 'host');
      if (count > 1) return badHost(`${count} Host headers; a request has exactly one (RFC 9112 §3.2)`);
      if (count === 0 && request.raw.httpVersionMinor >= 1) return badHost('no Host header; an HTTP/1.1 request must have one (RFC 9112 §3.2)');
      const target = request.raw.url ?? '/', absolute = !target.startsWith('/');
      const host = request.headers.host, hostless = count === 0 || host === '';
      // an HTTP/1.0 request may leave Host out (or empty), but then only an absolute-form target names a host to check
      if (hostless && !absolute) return badHost(`${count === 0 ? 'no Host header' : 'an empty Host header'}; the service answers only a request that names a host it serves (send Host, as HTTP/1.1 requires)`);
      if (absolute) {
        // absolute form (RFC 9112 §3.2.2): its authority is the host asked for
        let authority: string;
        try {
          authority = new URL(target).host;
        } catch {
          return { status: 400, error: 'malformed request target' };
        }
        if (!hosts.has(authority.toLowerCase())) return misdirected(authority, options.misdirectedHint);
      }
      // a hostless request here names its host in the target alone: its authority, checked above
      if (!hostless && (host === undefined || !hosts.has(host.toLowerCase()))) return misdirected(host, options.misdirectedHint);
      const origin = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      if (origin !== undefined && !origins.has(origin)) {
        return { status: 403, error: `origin ${JSON.stringify(origin)} is not allowed (a browser page may call the service only from an origin given with --allow-origin)` };
      }
      if (origin === undefined && site !== undefined && site !== 'same-origin' && site !== 'none') {
        return { status: 403, error: `a ${site} browser request is not allowed (a browser page may call the service only from an origin given with --allow-origin)` };
      }
      // an allowed origin's preflight carries no credentials
      if (request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method'] !== undefined) return null;
      if (expected === null || route === '/health') return null;
      // Node keeps the first of several, a proxy may have judged another: one credential a request
      const credentials = headerCount(request.raw.rawHeaders, 'authorization');
      if (credentials > 1) return { status: 400, error: `${credentials} Authorization headers; send the service token in one` };
      const header = request.headers.authorization;
      const m = header === undefined ? null : /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
      if (m === null) {
        return { status: 401, error: 'unauthorized: send the service token as Authorization: Bearer <token>', headers: { 'www-authenticate': 'Bearer realm="margin-core"' } };
      }
      if (!timingSafeEqual(digest(m[1]), expected)) {
        return { status: 401, error: 'unauthorized: wrong token', headers: { 'www-authenticate': 'Bearer realm="margin-core", error="invalid_token"' } };
      }
      return null;
    },

    /** Answers an allowed origin's CORS preflight (204) when `request` is one; false otherwise. */
    preflight(request: FastifyRequest, reply: FastifyReply): boolean {
      const origin = request.headers.origin;
      if (request.method !== 'OPTIONS' || origin === undefined || !origins.has(origin) || request.headers['access-control-request-method'] === undefined) return false;
      reply.code(204).headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, idempotency-key',
        'access-control-max-age': '600',
        vary: 'Origin',
      }).send();
      return true;
    },
  };
}

/**
 * How many headers named `name` (lower case) a request has. Node keeps the first Host or Authorization of several and
 * drops the rest unseen, so a proxy that read the last one and this guard would judge different ones: the count is
 * taken from the raw headers.
 */
/** How many times header `name` (lower case) is in a request's raw headers. */
export function headerCount(raw: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) count++;
  return count;
}

/** 400 for a request whose Host is not one header, the connection closed (what follows on it cannot be trusted). */
function badHost(error: string): Refusal {
  return { status: 400, error, headers: { connection: 'close' } };
}

function misdirected(host: string | undefined, hint: string): Refusal {
  return { status: 421, error: `host ${JSON.stringify(host ?? '')} is not served here (${hint})` };
}

function digest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}
