/**
 * The service's tests start `margin-core serve` as a user does (the built CLI in a child process, a free loopback
 * port) or `startService` in this process on a live session, and talk to it over real sockets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../support/cli.js';
import { book, market } from '../support/margin-books.js';

/** Three accounts (margin-books.ts instruments): a BTC perp, a short call, an ETH perp. */
export const SMALL_BOOK = book(
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'short-call', positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
  { id: 'eth', positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDT', amount: 5_000 }] },
);

export const TOKEN = 'service-test-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface Served {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: string | null }>;
  dir: string;
}

/** Writes the small book and market to a temporary folder. */
export async function writeInputs(): Promise<{ dir: string; book: string; market: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'margin-core-service-'));
  await writeFile(join(dir, 'book.json'), JSON.stringify(SMALL_BOOK));
  await writeFile(join(dir, 'market.json'), JSON.stringify(market()));
  return { dir, book: join(dir, 'book.json'), market: join(dir, 'market.json') };
}

/**
 * `margin-core serve --book … --market … --port 0 ARGS` with MARGIN_CORE_TOKEN = TOKEN unless `env` says otherwise;
 * resolves once it prints its listening line (rejects if it exits first).
 */
export async function serve(args: string[] = [], env: Record<string, string | undefined> = { MARGIN_CORE_TOKEN: TOKEN }): Promise<Served> {
  const inputs = await writeInputs();
  const child = spawn(process.execPath, [CLI, 'serve', '--book', inputs.book, '--market', inputs.market, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...withoutToken(process.env), ...env },
  });
  let out = '', err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => reject(new Error(`serve exited early (${code}): ${err}`)));
  });
  return {
    url, child, exited, dir: inputs.dir,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const result = await exited;
      await rm(inputs.dir, { recursive: true, force: true });
      return result;
    },
  };
}

function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MARGIN_CORE_TOKEN: _, ...rest } = env;
  return rest;
}

/** A request as bytes on a fresh socket; resolves with everything the server sent until it closed (or `waitMs`). */
export function rawRequest(url: string, text: string, waitMs = 2_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, waitMs);
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (data) resolve(data);
      else reject(error);
    });
  });
}

/** Status line's code of a raw HTTP answer. */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? NaN);
}

/** `fetch` with the token and JSON. */
export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

/** `name{labels} value` lines of a Prometheus text answer. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}
