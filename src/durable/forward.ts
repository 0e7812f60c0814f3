/**
 * The gateway's requests to shards: node:http over one keep-alive Agent (connections to each shard are kept and
 * reused; no dependency beyond Node). A connection that was refused is told apart from one that failed after the
 * request went out: only the first is safe to send again elsewhere for a write.
 *
 * Two timeouts: a request that changes nothing (a read, a check, a status probe) is given up after
 * {@link READ_TIMEOUT_MS}, under a lease, so that a hung shard (stopped, its sockets open) holds it up no longer than it
 * takes its partitions to move; a write is waited for {@link WRITE_TIMEOUT_MS}, since one given up on has an unknown
 * outcome (it may still be applied): the longer wait lets a slow shard answer what became of it.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

export interface Forwarded {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The request never reached a shard (refused, no route): nothing was done, it may be sent again. */
export class NotSent extends Error {
  override name = 'NotSent';
}

/** The request went out and no answer came: it may or may not have been done. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
}

/** Errors of a connection that was never made: the request did not leave. */
const REFUSED = /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/;

/** How long a request that changes nothing waits for a shard's answer, ms: under the default 3 s lease. */
export const READ_TIMEOUT_MS = 2_000;
/** How long a write waits for a shard's answer, ms (past it the write's outcome is unknown). */
export const WRITE_TIMEOUT_MS = 10_000;

/** Stands in for ±Infinity while a body is written (a nonce: no client's string can equal it). */
const INFINITY_MARK = `\u0000margin-core:infinity:${randomUUID()}`;
/** The marks as JSON.stringify writes them (a string, its control character escaped), for ±Infinity. */
const WRITTEN_MARK = { '+': JSON.stringify(`${INFINITY_MARK}+`), '-': JSON.stringify(`${INFINITY_MARK}-`) };

/**
 * A body as JSON, its ±Infinity written `±1e999`: a client's literal beyond the doubles (1e309) parses to Infinity,
 * which JSON.stringify would send on as null; the shard then refuses it as serve does, `not a finite number (got
 * Infinity)`, not `(got null)`. JSON.parse gives no NaN, so no other number is lost.
 */
export function jsonKeepingInfinity(body: unknown): string {
  let marked = false;
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (typeof value !== 'number' || Number.isFinite(value) || Number.isNaN(value)) return value;
    marked = true;
    return `${INFINITY_MARK}${value > 0 ? '+' : '-'}`;
  });
  if (!marked) return text;
  return text.replaceAll(WRITTEN_MARK['+'], '1e999').replaceAll(WRITTEN_MARK['-'], '-1e999');
}

export class ShardClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1_000 });

  constructor(private readonly token: string | null, private readonly timeouts = { readMs: READ_TIMEOUT_MS, writeMs: WRITE_TIMEOUT_MS }) {}

  /** A write (or anything that may change the shard's state): waited for WRITE_TIMEOUT_MS. */
  send(base: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Forwarded> {
    return this.request(base, method, path, body, headers, this.timeouts.writeMs);
  }

  /** A request that changes nothing (a read, a check, a status probe): given up after READ_TIMEOUT_MS. */
  read(base: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Forwarded> {
    return this.request(base, method, path, body, headers, this.timeouts.readMs);
  }

  private request(base: string, method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<Forwarded> {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : jsonKeepingInfinity(body);
    const h: Record<string, string> = { ...headers };
    if (this.token !== null) h.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      let sent = false;
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(new NoAnswer(`${base}: ${e.message}`)));
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) sent = true;
        else socket.once('connect', () => (sent = true));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => reject(!sent && REFUSED.test(e.code ?? '') ? new NotSent(`${base}: ${e.message}`) : new NoAnswer(`${base}: ${e.message}`)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
