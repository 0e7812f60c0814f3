/**
 * The gateway's requests to shards: node:http over one keep-alive Agent (connections to each shard are kept and
 * reused; no dependency beyond Node). A connection that was refused is told apart from one that failed after the
 * request went out: only the first is safe to send again elsewhere for a write.
 */
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

export class ShardClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1_000 });

  constructor(private readonly token: string | null, private readonly timeoutMs = 10_000) {}

  send(base: string, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Forwarded> {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h: Record<string, string> = { ...headers };
    if (this.token !== null) h.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      let sent = false;
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(new NoAnswer(`${base}: ${e.message}`)));
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) sent = true;
        else socket.once('connect', () => (sent = true));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => reject(!sent && REFUSED.test(e.code ?? '') ? new NotSent(`${base}: ${e.message}`) : new NoAnswer(`${base}: ${e.message}`)));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
