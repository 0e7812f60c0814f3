/**
 * The gateway answers as serve does (docs/live-cluster.md "Routes"; serve's answers: docs/service.md): the same status,
 * `Allow` and JSON body for a known route asked with another method (405), a list over the limit (413 naming it), a
 * list that is no array and a tick that is no object (400 with the library's message). A 421 names the option of the
 * command that started the front, and live-local names a shard killed by a signal as a shell does (`137 (SIGKILL)`).
 *
 * One redis-server, one `live-shard` and one `live-gateway` from the built CLI, and `serve`, all on one small book.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogKeys, partitionOf } from '../../src/durable/partitions.js';
import { call, clusterFixture, type LiveProcess, startGateway, startLocal, startShard, TOKEN, until } from '../support/live-cluster.js';
import { market } from '../support/margin-books.js';
import { scratchDir } from '../support/scratch-dir.js';
import { rawRequest, type Served, serve, SMALL_BOOK, statusOf, TOKEN as SERVE_TOKEN } from '../service/helpers.js';

const dir = scratchDir('mc-live-parity-');
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const SHARD_ARGS = ['--durability', 'relaxed', '--checkpoint-every', '3600'];
const fx = clusterFixture(files, SMALL_BOOK, market());

let served: Served;
let shard: LiveProcess;
let gateway: LiveProcess;

beforeAll(async () => {
  served = await serve(); // the same book and market, written by its helper
  shard = await startShard(fx.server.url, 'parity', files, [...SHARD_ARGS, '--shard-id', 'p0']);
  fx.running.push(shard);
  gateway = await startGateway(fx.server.url, 'parity');
  fx.running.push(gateway);
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 'every partition served');
}, 40_000);
afterAll(async () => {
  await served?.stop();
});

interface Answer {
  status: number;
  allow: string | null;
  json: unknown;
}

/** One request with `token`: a JSON body as text (POST needs one to pass the media type check). */
async function ask(base: string, token: string, method: string, path: string, text?: string): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(text === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await fetch(new URL(path, base), { method, headers, body: text });
  const body = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), json: body === '' ? null : JSON.parse(body) };
}

/** The same request to serve and to the gateway: [serve's answer, the gateway's]. */
async function both(method: string, path: string, text?: string): Promise<[Answer, Answer]> {
  return Promise.all([ask(served.url, SERVE_TOKEN, method, path, text), ask(gateway.url, TOKEN, method, path, text)]);
}

const fill = { account: 'long', instrument: 'BTC-PERP', quantity: 0.001, price: 100_000 };
const transfer = { account: 'long', asset: 'USDC', amount: 1 };
const trade = { instrument: 'BTC-PERP', quantity: 0.001 };
const many = <T>(item: T) => Array.from({ length: 1_001 }, () => item);

describe('the gateway answers as serve does', () => {
  it('a known route asked with another method: 405 with Allow naming the methods', async () => {
    const cases: [string, string, string][] = [
      ['POST', '/report', 'GET, HEAD'], ['GET', '/what-if', 'POST'], ['GET', '/check', 'POST'], ['GET', '/tick', 'POST'],
      ['GET', '/transfers', 'POST'], ['GET', '/fills', 'POST'], ['PUT', '/fills', 'POST'], ['DELETE', '/accounts/x', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const [s, g] = await both(method, path, method === 'POST' ? '{}' : undefined);
      expect(s, `serve ${method} ${path}`).toEqual({ status: 405, allow, json: { error: `${path} accepts ${allow}` } });
      expect(g, `gateway ${method} ${path}`).toEqual(s);
    }
    // an id is one segment (`%2F` inside it): a path of two segments under /accounts/ is no route, 404
    const [s, g] = await both('POST', '/accounts/a%2Fb', '{}');
    expect([s, g]).toEqual([{ status: 405, allow: 'GET, HEAD', json: { error: '/accounts/a%2Fb accepts GET, HEAD' } }, s]);
    for (const [method, path] of [['POST', '/accounts/long/positions'], ['GET', '/accounts/long/'], ['GET', '/nothing-here']]) {
      const [s, g] = await both(method, path, method === 'POST' ? '{}' : undefined);
      expect([s, g]).toEqual([{ status: 404, allow: null, json: { error: `no route ${method} ${path}` } }, s]);
    }
  });

  it('too many items: 413 naming the list, with its path', async () => {
    const cases: [string, unknown, string][] = [
      ['/fills', { fills: many(fill) }, 'fills'], ['/fills', many(fill), 'fills'], ['/transfers', { transfers: many(transfer) }, 'transfers'],
      ['/what-if', { account: 'long', trades: many(trade) }, 'trades'], ['/what-if', { trades: many(trade) }, 'trades'],
    ];
    for (const [path, body, field] of cases) {
      const [s, g] = await both('POST', path, JSON.stringify(body));
      const error = `1001 ${field} in one request; at most 1000`;
      expect(s, `serve ${path}`).toEqual({ status: 413, allow: null, json: { error, problems: [{ path: field, message: error }] } });
      expect(g, `gateway ${path}`).toEqual(s);
    }
  });

  it('the shard answers too many trades as serve does (its own check, behind the gateway\'s)', async () => {
    const body = JSON.stringify({ account: 'long', trades: many(trade) });
    const [s] = await both('POST', '/what-if', body);
    expect(await ask(shard.url, TOKEN, 'POST', `/p/${partitionOf('long')}/what-if`, body)).toEqual(s);
    expect(await ask(shard.url, TOKEN, 'POST', '/validate/what-if', body)).toEqual(s);
  });

  it('a list that is no array and a tick that is no object: serve\'s messages', async () => {
    const cases: [string, string, { path: string; message: string }][] = [
      ['/fills', '{"fills":{}}', { path: 'fills', message: 'expected an array, got an Object' }],
      ['/transfers', '{"transfers":{}}', { path: 'transfers', message: 'expected an array, got an Object' }],
      ['/tick', 'null', { path: 'tick', message: 'expected an object with assets, marks or impliedVols, got null' }],
      ['/tick', '[]', { path: 'tick', message: 'expected an object with assets, marks or impliedVols, got an Array' }],
    ];
    for (const [path, text, problem] of cases) {
      const [s, g] = await both('POST', path, text);
      expect(s, `serve ${path} ${text}`).toEqual({ status: 400, allow: null, json: { error: 'invalid input', problems: [problem] } });
      expect(g, `gateway ${path} ${text}`).toEqual(s);
    }
  });

  it('a number beyond the doubles (1e309 parses to Infinity): serve\'s message, not the null a forwarded body would carry', async () => {
    const cases: [string, string][] = [
      ['/fills', '{"fills":[{"account":"long","instrument":"BTC-PERP","quantity":1e309,"price":100000}]}'],
      ['/fills', '[{"account":"long","instrument":"BTC-PERP","quantity":0.001,"price":-1e309}]'],
      ['/transfers', '{"transfers":[{"account":"long","asset":"USDC","amount":1e309}]}'],
      ['/what-if', '{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":1,"price":1e309}]}'],
      ['/check', '{"account":"long","order":{"instrument":"BTC-PERP","quantity":1e309}}'],
      ['/tick', '{"marks":{"BTC-PERP":-1e309}}'],
    ];
    for (const [path, text] of cases) {
      const [s, g] = await both('POST', path, text);
      expect(s.status, `serve ${path} ${text}`).toBe(400);
      expect(JSON.stringify(s.json), `serve ${path} ${text}`).toMatch(/not a finite number \(got -?Infinity\)/);
      expect(g, `gateway ${path} ${text}`).toEqual(s);
    }
  });
});

/** The status and JSON body of GET /health asked with Host `host` (fetch sets its own Host: a raw request). */
async function withHost(url: string, host: string): Promise<{ status: number; json: unknown }> {
  const answer = await rawRequest(url, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  return { status: statusOf(answer), json: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) };
}

const misdirected = (hint: string) => ({ status: 421, json: { error: `host "evil.example" is not served here (${hint})` } });

describe('a Host not answered (421) names the option of the command that started the front', () => {
  it('serve, live-gateway and live-shard', async () => {
    expect(await withHost(served.url, 'evil.example')).toEqual(misdirected('start serve with --allow-host to answer it'));
    expect(await withHost(gateway.url, 'evil.example')).toEqual(misdirected('start live-gateway with --allow-host to answer it'));
    // a shard takes no --allow-host: it names what it answers
    expect(await withHost(shard.url, 'evil.example')).toEqual(misdirected('live-shard answers only the loopback names and its --host address; clients call live-gateway'));
  });
});

/** The parent of process `pid` (/proc: Linux), or -1 when it is gone. */
function parentOf(pid: string): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return -1;
  }
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // `pid (comm) state ppid …`
}

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d) && parentOf(d) === pid).map(Number);
}

describe('margin-core live-local', () => {
  it('takes --allow-host, --allow-origin and --max-body for its gateway, and names a shard killed by a signal as a shell does', async () => {
    const local = await startLocal(fx.server.url, 'parity-local', files, ['--shards', '1', ...SHARD_ARGS, '--port', '0', '--allow-host', 'risk.example', '--allow-origin', 'https://ops.example', '--max-body', '2048']);
    fx.running.push(local);
    expect(await withHost(local.url, 'evil.example')).toEqual(misdirected('start live-local with --allow-host to answer it'));
    expect((await withHost(local.url, 'risk.example')).status).toBe(200);
    // a browser at the allowed origin gets its preflight answered (the Idempotency-Key header among those allowed)
    const preflight = await fetch(new URL('/fills', local.url), { method: 'OPTIONS', headers: { origin: 'https://ops.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'idempotency-key' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type, idempotency-key');
    const big = await fetch(new URL('/fills', local.url), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ fills: [], pad: 'x'.repeat(4096) }) });
    expect(big.status).toBe(413);
    await until(async () => (await fx.redis.hlen(new LogKeys('parity-local').shards)) === 1, 20_000, 'the shard to register');
    const [child] = childrenOf(local.child.pid!);
    process.kill(child, 'SIGKILL');
    // its only shard gone, nothing serves the partitions: live-local stops by itself, exit 1, naming how it ended
    await until(async () => local.child.exitCode !== null || local.child.signalCode !== null, 10_000, 'live-local to stop by itself');
    expect([local.child.exitCode, local.child.signalCode]).toEqual([1, null]);
    expect(local.output()).toMatch(/shard 0 exited \(SIGKILL\); no shard is left: stopping\n/);
    expect(local.output()).toMatch(/\nmargin-core: every shard exited on its own \(shard 0 exit 137 \(SIGKILL\)\): nothing serves the partitions\n/);
  }, 40_000);
});
