import { count } from '../../report/format.js';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../errors.js';
import { backendOption, bookOption, chosenMethod, inputPaths, integerText, marketOption, methodOption, profileOption, sampleOption } from '../options.js';
import { createEngine } from '../../engine.js';
import type { LiveSession } from '../../live/live-session.js';
import type { RunningService } from '../../service/server.js';
import { isLoopbackHost, SERVICE_DEFAULTS } from '../../service/options.js';
import { CommandFailed, readJson, readValidInputs } from '../io.js';
import { checkHostResolves, listenFailure } from '../listen.js';
import { Progress } from '../progress.js';

interface ServeOptions {
  book?: string | undefined;
  market?: string | undefined;
  sample?: boolean | undefined;
  params?: string | undefined;
  limits?: string | undefined;
  method: string;
  profile?: string | undefined;
  port: number;
  host: string;
  backend: 'auto' | 'wasm' | 'js';
  tokenFile?: string | undefined;
  auth: boolean;
  allowHost: string[];
  allowOrigin: string[];
  maxBody: number;
  maxItems: number;
  maxPage: number;
  maxConnections: number;
  maxStreams: number;
  maxReports: number;
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  idleTimeout: number;
  shutdownGrace: number;
  logLevel: string;
}

const D = SERVICE_DEFAULTS;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
/** Tokens shorter than this are refused: a guessable token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

export const positive = (value: string): number => {
  const n = integerText(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return n;
};
export const port = (value: string): number => {
  const n = integerText(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a whole number from 0 to 65535.');
  return n;
};
/** An interface to bind: an IPv4 or IPv6 address or a host name (no spaces, ports or schemes). */
export const host = (value: string): string => {
  // a name whose last label is all digits (999.1.1.1, 10.1) is a mistyped IPv4 address, not a host name (RFC 1123 §2.1)
  if (isIP(value) === 0 && /(?:^|\.)\d+$/.test(value)) throw new InvalidArgumentError('not an IP address (an IPv4 address is four numbers from 0 to 255, e.g. 127.0.0.1).');
  if (!(isIP(value) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value))) {
    throw new InvalidArgumentError('expected an IP address or a host name, e.g. 127.0.0.1, ::1 or risk.internal.');
  }
  return value;
};
/** `--allow-host host[:port]`: a Host header value, as a client sends it. */
export const allowedHost = (value: string, previous: string[]): string[] => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535)) throw new InvalidArgumentError('expected host or host:port, as a client\'s Host header says it (e.g. risk.internal:8787).');
  return [...previous, value];
};
/** `--allow-origin`: a browser origin, scheme://host[:port] and nothing after it. */
export const allowedOrigin = (value: string, previous: string[]): string[] => {
  let origin: string | undefined;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = undefined;
  }
  if (origin === undefined || origin === 'null' || origin !== value) throw new InvalidArgumentError('expected an origin: scheme://host[:port], no path, e.g. https://ops.example.');
  return [...previous, value];
};

/**
 * `margin-core serve`: the live-margin service (src/service/, docs/service.md) on a book and market, until SIGINT or
 * SIGTERM: then it stops accepting, ends event streams, finishes requests in flight and exits 0.
 */
export function registerServeCommand(program: Command): Command {
  return program
    .command('serve')
    .description('live margin over HTTP: what-if, pre-trade check, fills, ticks, accounts, report, status events (SSE), metrics')
    .addOption(bookOption())
    .addOption(marketOption())
    .addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .option('--limits <file>', 'pre-trade limits JSON: { maxPosition, maxNotional, quantityStep }')
    .addOption(methodOption())
    .addOption(profileOption())
    .option('--port <port>', 'port (0: any free one)', port, D.port)
    .option('--host <host>', 'interface to bind', host, D.host)
    .addOption(backendOption())
    .option('--token-file <file>', `bearer token clients send (Authorization: Bearer …), read from this file (at least ${MIN_TOKEN_LENGTH} printable characters); default: MARGIN_CORE_TOKEN, else a random one printed once on stderr`)
    .option('--no-auth', 'no token (refused unless --host is a loopback address)')
    .option('--allow-host <host[:port]>', 'a Host header to answer besides the loopback names and the bound address (repeatable)', allowedHost, [])
    .option('--allow-origin <origin>', 'a browser origin allowed to call the service, CORS opened to it, e.g. https://ops.example (repeatable)', allowedOrigin, [])
    .option('--max-body <bytes>', 'largest request body (413 beyond)', positive, D.maxBodyBytes)
    .option('--max-items <n>', 'most trades per what-if, fills or transfers per request (413 beyond)', positive, D.maxItems)
    .option('--max-page <n>', 'most accounts per page of GET /accounts', positive, D.maxPageSize)
    .option('--max-connections <n>', 'open connections at most (more are closed at once)', positive, D.maxConnections)
    .option('--max-streams <n>', 'open event streams (GET /events) at most (503 beyond)', positive, D.maxStreams)
    .option('--max-reports <n>', 'reports (GET /report) written at once at most (503 beyond)', positive, D.maxReports)
    .option('--request-timeout <ms>', 'a request (headers and body) must arrive within this (408 beyond)', positive, D.requestTimeoutMs)
    .option('--headers-timeout <ms>', 'request headers must arrive within this', positive, D.headersTimeoutMs)
    .option('--keep-alive-timeout <ms>', 'an idle keep-alive connection is closed after this', positive, D.keepAliveTimeoutMs)
    .option('--idle-timeout <ms>', 'a connection with no traffic either way is closed after this', positive, D.idleTimeoutMs)
    .option('--shutdown-grace <ms>', 'on SIGTERM, requests still running after this are cut', positive, D.shutdownGraceMs)
    .addOption(new Option('--log-level <level>', 'request log on stderr (JSON lines)').choices(LOG_LEVELS).default('info'))
    .addHelpText('after', [
      '',
      'Every route but GET /health needs the token: Authorization: Bearer <token>. Requests for another Host than',
      'the loopback names, the bound address and --allow-host are answered 421; browser requests from another origin',
      'than --allow-origin 403. Bodies: application/json only (415 otherwise). docs/service.md has the rest.',
      '',
      'Example:',
      '  MARGIN_CORE_TOKEN=$(cat token) margin-core serve --book book.json --market market.json --port 8787',
      '  curl -s -H "Authorization: Bearer $(cat token)" localhost:8787/accounts/alice',
    ].join('\n'))
    .action(runServe);
}

/** The service on the files until SIGINT or SIGTERM; every option checked before the book is read. */
async function runServe(opts: ServeOptions, command: Command): Promise<void> {
  opts.method = chosenMethod(opts, command);
  if (opts.headersTimeout > opts.requestTimeout) command.error(`error: --headers-timeout (${opts.headersTimeout}) must not exceed --request-timeout (${opts.requestTimeout})`, { exitCode: 2 });
  const files = inputPaths(opts, command);
  const token = await chooseToken(opts, command);
  await checkHostResolves(opts.host, command);
  // start-up on a big book takes a while (read, validate, lay out, margin every account): shown on a terminal
  const bar = new Progress('serve', 4);
  let live: LiveSession;
  try {
    bar.note('reading');
    live = await openLive(opts, files, bar);
    bar.advance(1, 'listening');
  } finally {
    bar.finish();
  }
  const service = await listen(live, opts, token.value);
  if (token.generated) process.stderr.write(`margin-core serve: no --token-file or MARGIN_CORE_TOKEN; this run's token (send Authorization: Bearer <token>): ${token.value}\n`);
  process.stdout.write(`margin-core serve: ${live.method} margin on ${live.backend}, ${count(live.layout.accountCount, 'account')}, ${token.value === null ? 'no authentication, ' : ''}listening on ${service.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`margin-core serve: ${signal}, shutting down\n`);
      service.close().then(() => {
        live.release();
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** The service listening on --host and --port; a port in use (or the like) is one line naming the option (listen.ts). */
async function listen(live: LiveSession, opts: ServeOptions, token: string | null): Promise<RunningService> {
  const [{ startService }, { pino }] = await Promise.all([import('../../service/server.js'), import('pino')]);
  const logger = pino({ level: opts.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
  try {
    return await startService(live, {
      port: opts.port, host: opts.host, token, allowHosts: opts.allowHost, allowOrigins: opts.allowOrigin, logger,
      maxBodyBytes: opts.maxBody, maxItems: opts.maxItems, maxPageSize: opts.maxPage, maxConnections: opts.maxConnections, maxStreams: opts.maxStreams,
      maxReports: opts.maxReports, requestTimeoutMs: opts.requestTimeout, headersTimeoutMs: opts.headersTimeout, keepAliveTimeoutMs: opts.keepAliveTimeout,
      idleTimeoutMs: opts.idleTimeout, shutdownGraceMs: opts.shutdownGrace,
    });
  } catch (error) {
    const why = listenFailure(error, opts.host, opts.port);
    if (why === null) throw error;
    live.release();
    throw new CommandFailed(why);
  }
}

/** The token: --token-file, MARGIN_CORE_TOKEN, none (--no-auth, loopback only) or a random one (`generated`). */
export async function chooseToken(opts: Pick<ServeOptions, 'auth' | 'tokenFile' | 'host'>, command: Command): Promise<{ value: string | null; generated: boolean }> {
  const check = (token: string, where: string): string | undefined => {
    if (!/^[\x21-\x7e]+$/.test(token) || token.length < MIN_TOKEN_LENGTH) {
      return `the token in ${where} must be at least ${MIN_TOKEN_LENGTH} printable ASCII characters, without spaces (got ${token.length} characters)`;
    }
    return undefined;
  };
  if (!opts.auth) {
    if (opts.tokenFile !== undefined) command.error('error: --no-auth and --token-file contradict each other', { exitCode: 2 });
    if (!isLoopbackHost(opts.host)) command.error(`error: --no-auth is refused on ${opts.host}: without a token the service may listen on a loopback address only`, { exitCode: 2 });
    return { value: null, generated: false };
  }
  if (opts.tokenFile !== undefined) {
    // the token file is input, as --book is: a file that cannot be read, or holds no usable token, is rejected (exit 1)
    let text: string;
    try {
      text = (await readFile(opts.tokenFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new InputError([{ path: '--token-file', message: `cannot read ${opts.tokenFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}` }]);
    }
    const wrong = check(text, opts.tokenFile);
    if (wrong) throw new InputError([{ path: '--token-file', message: wrong }]);
    return { value: text, generated: false };
  }
  // set but empty is a token that is none (a variable filled from a command that failed): refused, never a random one
  const env = process.env.MARGIN_CORE_TOKEN;
  if (env !== undefined) {
    // input as the token file is (exit 1, at its name): the same token refused alike wherever it is given
    const wrong = check(env, 'MARGIN_CORE_TOKEN');
    if (wrong) throw new InputError([{ path: 'MARGIN_CORE_TOKEN', message: wrong }]);
    return { value: env, generated: false };
  }
  return { value: randomBytes(24).toString('base64url'), generated: true };
}

/**
 * The live session on the files: in a function of its own, so the parsed JSON is garbage once the book is laid out.
 * perf: die-young (docs/performance.md)
 */
async function openLive(opts: ServeOptions, files: { book: string; market: string }, bar: Progress): Promise<LiveSession> {
  const params = opts.params ? await readJson(opts.params, '--params') : undefined;
  const limits = opts.limits ? await readJson(opts.limits, '--limits') : undefined;
  const { book, market } = await readValidInputs(files.book, files.market, {}, () => bar.advance(1, 'validating'), (done, total) => bar.bytes(0, done, total));
  bar.advance(1, `${opts.method} margin of every account`);
  const engine = await createEngine({ backend: opts.backend });
  return engine.live(book, market, { method: opts.method, profile: opts.profile, params, limits });
}
