/**
 * The live service's options and their defaults (docs/service.md "Limits"; `margin-core serve --help` prints the
 * same numbers). Every limit is finite by default: a request, a connection and a response each have a bound.
 */
import type { Logger } from 'pino';

export interface ServiceOptions {
  /** Port (0: any free port). Default 8787. */
  port?: number | undefined;
  /** Interface to bind. Default 127.0.0.1 (loopback only). */
  host?: string | undefined;
  /**
   * The bearer token every route but /health requires (`Authorization: Bearer <token>`), or null for none (refused
   * on a host that is not loopback). Required: the CLI reads it from --token-file or MARGIN_CORE_TOKEN, or makes one.
   */
  token: string | null;
  /** Host header values answered besides the loopback names and the bound address (e.g. `risk.internal:8787`). */
  allowHosts?: readonly string[] | undefined;
  /**
   * How a 421 answer (a Host not answered) says to answer it, in its parentheses: the option of the command that
   * started the front. Default serve's, `start serve with --allow-host to answer it`.
   */
  misdirectedHint?: string | undefined;
  /** Browser origins allowed (CORS opened to them), e.g. `https://ops.example`. Default none: any Origin is refused. */
  allowOrigins?: readonly string[] | undefined;
  /** Largest request body, bytes (413 beyond). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Most trades per what-if, fills or transfers per batch (413 beyond). Default 1,000. */
  maxItems?: number | undefined;
  /** Most accounts per page of GET /accounts. Default 500 (and 100 when `limit` is not given). */
  maxPageSize?: number | undefined;
  /** Whole request (headers and body) received within this, ms, or the connection is answered 408 and closed. Default 10,000. */
  requestTimeoutMs?: number | undefined;
  /** Request headers received within this, ms. Default 5,000. */
  headersTimeoutMs?: number | undefined;
  /** An idle keep-alive connection is closed after this, ms. Default 5,000. */
  keepAliveTimeoutMs?: number | undefined;
  /** A socket with no traffic either way for this long is closed, ms (event streams send a comment every heartbeat). Default 60,000. */
  idleTimeoutMs?: number | undefined;
  /** Open connections at most; beyond, new ones are closed at once. Default 256. */
  maxConnections?: number | undefined;
  /** Open event streams (GET /events) at most; beyond, 503. Default 64. */
  maxStreams?: number | undefined;
  /** Reports (GET /report) being answered at once at most; beyond, 503 with Retry-After. Default 2. */
  maxReports?: number | undefined;
  /** Seconds between SSE keep-alive comments. Default 15. */
  heartbeatSeconds?: number | undefined;
  /** On close, requests still running after this long (ms) have their connections cut. Default 10,000. */
  shutdownGraceMs?: number | undefined;
  /** Rows of GET /report copied per turn of the event loop (report-stream.ts). Default 10,000. */
  reportSliceRows?: number | undefined;
  /** Request log (pino). Default: none. The CLI logs JSON lines to stderr. */
  logger?: Logger | undefined;
}

export const SERVICE_DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  maxBodyBytes: 1 << 20,
  maxItems: 1_000,
  maxPageSize: 500,
  pageSize: 100,
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 256,
  maxStreams: 64,
  maxReports: 2,
  heartbeatSeconds: 15,
  shutdownGraceMs: 10_000,
  reportSliceRows: 10_000,
} as const;

/** What serve's 421 says to do; the live cluster's commands name their own option (src/cli/commands/live.ts). */
const SERVE_MISDIRECTED_HINT = 'start serve with --allow-host to answer it';

export type ResolvedOptions = Required<Omit<ServiceOptions, 'logger' | 'allowHosts' | 'allowOrigins'>> & {
  allowHosts: readonly string[];
  allowOrigins: readonly string[];
  logger: Logger | undefined;
};

/** The options with every default filled in; a value outside its domain is a TypeError naming it. */
export function resolveOptions(options: ServiceOptions): ResolvedOptions {
  const d = SERVICE_DEFAULTS;
  const out: ResolvedOptions = {
    port: options.port ?? d.port,
    host: options.host ?? d.host,
    token: options.token,
    allowHosts: options.allowHosts ?? [],
    allowOrigins: options.allowOrigins ?? [],
    misdirectedHint: options.misdirectedHint ?? SERVE_MISDIRECTED_HINT,
    maxBodyBytes: options.maxBodyBytes ?? d.maxBodyBytes,
    maxItems: options.maxItems ?? d.maxItems,
    maxPageSize: options.maxPageSize ?? d.maxPageSize,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? d.headersTimeoutMs,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? d.idleTimeoutMs,
    maxConnections: options.maxConnections ?? d.maxConnections,
    maxStreams: options.maxStreams ?? d.maxStreams,
    maxReports: options.maxReports ?? d.maxReports,
    heartbeatSeconds: options.heartbeatSeconds ?? d.heartbeatSeconds,
    shutdownGraceMs: options.shutdownGraceMs ?? d.shutdownGraceMs,
    reportSliceRows: options.reportSliceRows ?? d.reportSliceRows,
    logger: options.logger,
  };
  const positive: (keyof ResolvedOptions)[] = [
    'maxBodyBytes', 'maxItems', 'maxPageSize', 'requestTimeoutMs', 'headersTimeoutMs', 'keepAliveTimeoutMs', 'idleTimeoutMs',
    'maxConnections', 'maxStreams', 'maxReports', 'heartbeatSeconds', 'shutdownGraceMs', 'reportSliceRows',
  ];
  for (const key of positive) {
    const v = out[key] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new TypeError(`margin-core serve: ${key} must be a positive number, got ${String(v)}`);
  }
  if (!(Number.isInteger(out.port) && out.port >= 0 && out.port <= 65535)) throw new TypeError(`margin-core serve: port must be an integer in [0, 65535], got ${out.port}`);
  // Node cuts a request whose headers are late only within requestTimeout: headers first
  if (out.headersTimeoutMs > out.requestTimeoutMs) throw new TypeError(`margin-core serve: headersTimeoutMs (${out.headersTimeoutMs}) must not exceed requestTimeoutMs (${out.requestTimeoutMs})`);
  if (out.token !== null && out.token.length === 0) throw new TypeError('margin-core serve: the token is empty');
  if (out.token === null && !isLoopbackHost(out.host)) throw new TypeError(`margin-core serve: no token on ${out.host}: authentication may be off only on a loopback interface`);
  return out;
}

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
