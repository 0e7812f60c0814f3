/**
 * `margin-core serve` as a user runs it: a child process on a free loopback port, the bearer token in
 * MARGIN_CORE_TOKEN and sent with every request, every endpoint over HTTP,
 * status changes on the event stream, bad bodies rejected with paths (400), oversized ones (413), unknown routes
 * (404), a bounded storm of malformed requests that changes nothing and crashes nothing, and a clean exit 0 on
 * SIGTERM with the event stream ended.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { book, market } from '../support/margin-books.js';
import { mulberry32 } from '../support/random.js';

const BOOK = book(
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'short-call', positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
  { id: 'eth', positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDT', amount: 5_000 }] },
);

let dir: string;
let child: ChildProcess;
let url: string;
let exited: Promise<{ code: number | null; signal: string | null }>;
let stderr = '';
/** The service's bearer token (MARGIN_CORE_TOKEN): every route but /health needs it. */
const TOKEN = 'serve-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'margin-core-serve-'));
  await writeFile(join(dir, 'book.json'), JSON.stringify(BOOK));
  await writeFile(join(dir, 'market.json'), JSON.stringify(market()));
  await writeFile(join(dir, 'limits.json'), JSON.stringify({ maxPosition: { 'BTC-PERP': 10 }, quantityStep: 0.01 }));
  child = spawn(process.execPath, [CLI, 'serve', '--book', join(dir, 'book.json'), '--market', join(dir, 'market.json'), '--limits', join(dir, 'limits.json'), '--port', '0', '--max-body', '4096'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MARGIN_CORE_TOKEN: TOKEN } });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString())); // the request log: read, so the pipe never fills
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, { method, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)), headers: { 'content-type': 'application/json', ...AUTH } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('margin-core serve', () => {
  it('binds loopback and answers the read endpoints', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await call('GET', '/health');
    expect(health).toEqual({ status: 200, json: { ok: true, method: 'cross', backend: 'wasm-simd', accounts: 3 } });
    const long = await call('GET', '/accounts/long');
    // 2 BTC-PERP from 95,000 at 100,000: equity 30,000 + 10,000; MM on 200,000 notional 200 + 750 = 950
    expect(long.status).toBe(200);
    expect(long.json.equity).toBe(40_000);
    expect(long.json.mm).toBeCloseTo(950, 9);
    const report = await call('GET', '/report');
    expect(report.json.accounts.map((a: { id: string }) => a.id)).toEqual(['long', 'short-call', 'eth']);
    expect(await call('GET', '/accounts/nobody')).toEqual({ status: 404, json: { error: 'no account "nobody"', problems: [{ path: 'account', message: 'no account "nobody" in the book' }] } });
  });

  it('answers what-ifs and pre-trade checks without changing anything', async () => {
    const before = await call('GET', '/report');
    const whatIf = await call('POST', '/what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
    expect(whatIf.status).toBe(200);
    expect(whatIf.json.after.im).toBeCloseTo(2_900, 9); // 300,000 notional: 400 + 2,500
    expect(whatIf.json.marginalIm).toBeCloseTo(2_900 - 1_900, 9);
    expect(whatIf.json.binding).toEqual({ kind: 'position', label: 'BTC-PERP', underlying: 'BTC', amount: whatIf.json.after.im });
    const check = await call('POST', '/check', { account: 'long', order: { instrument: 'BTC-PERP', quantity: 12, price: 100_000 } });
    expect(check.json).toMatchObject({ accepted: false, rejectedBy: 'position limit', maxQuantity: 8, search: 'breakpoints', quantityStep: 0.01 });
    expect(await call('GET', '/report')).toEqual(before);
  });

  it('rejects bad bodies with every problem and its path, 413 over the limit, 404 and 405', async () => {
    expect(await call('POST', '/fills', { fills: [{ account: 'long', instrument: 'NOPE', quantity: 'x', price: 1 }] })).toEqual({
      status: 400,
      json: { error: 'invalid input', problems: [{ path: 'fills[0].instrument', message: 'unknown instrument "NOPE"' }, { path: 'fills[0].quantity', message: 'not a finite number (got "x")' }] },
    });
    expect(await call('POST', '/what-if', { trades: [] })).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'account', message: 'missing (expected an account id)' }] } });
    // an id of the wrong type says so, as /fills does (it said missing)
    expect(await call('POST', '/check', { account: 1, order: { instrument: 'BTC-PERP', quantity: 1 } })).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'account', message: 'expected an account id, got 1' }] } });
    // given but empty: said so, as the session says it of a fill's account
    expect(await call('POST', '/check', { account: '', order: { instrument: 'BTC-PERP', quantity: 1 } })).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'account', message: 'empty (expected an account id)' }] } });
    expect((await call('POST', '/tick', undefined, '{"assets": ')).json.problems[0].path).toBe('body');
    expect((await call('POST', '/tick', undefined, '')).json.problems).toEqual([{ path: 'body', message: 'empty (expected JSON)' }]);
    const big = await call('POST', '/tick', undefined, JSON.stringify({ assets: {}, pad: 'x'.repeat(5000) }));
    expect(big).toEqual({ status: 413, json: { error: 'body over 4096 bytes' } });
    expect((await call('GET', '/nothing-here')).status).toBe(404);
    const wrong = await fetch(`${url}/fills`, { headers: AUTH });
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('survives a storm of malformed requests, changing nothing', async () => {
    const before = await call('GET', '/report');
    const rnd = mulberry32(77);
    const paths = ['/fills', '/tick', '/what-if', '/check', '/transfers', '/accounts/%E0%A4%A', '/report', '/x', '/events/'];
    const bodies = [
      '{', 'null', '[]', '"text"', '{"fills":{}}', '{"assets":{"BTC":{"price":"1e9"}}}', '{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":NaN}]}',
      '{"account":"long","order":{"instrument":"BTC-PERP","quantity":0}}', '[{"account":"long","asset":"ZZZ","amount":1}]', '\u0000\u0001', 'x'.repeat(5000),
      '{"fills":[{"account":"long","instrument":"BTC-PERP","quantity":1e309,"price":1}]}', '{"__proto__":{"polluted":1}}', '{"assets":{"__proto__":{"price":1}}}',
    ];
    const statuses = new Map<number, number>();
    const total = 2_000;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const path = paths[Math.floor(rnd() * paths.length)];
        const method = rnd() < 0.8 ? 'POST' : ['GET', 'PUT', 'DELETE'][Math.floor(rnd() * 3)];
        const body = method === 'GET' ? undefined : bodies[Math.floor(rnd() * bodies.length)];
        const res = await fetch(`${url}${path}`, { method, body, headers: { 'content-type': 'application/json', ...AUTH } }).catch(() => null);
        if (res) {
          // more than maxReports (2) reports at once are answered 503 with Retry-After (docs/service.md): a storm of 16
          // clients on a loaded machine can ask for a third; any other 503 is counted as the failure it is
          const backpressure = res.status === 503 && method === 'GET' && path === '/report' && res.headers.get('retry-after') !== null;
          if (!backpressure) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          await res.arrayBuffer();
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(statuses.get(500)).toBeUndefined();
    expect([...statuses.keys()].every((s) => [200, 400, 404, 405, 413].includes(s))).toBe(true);
    expect(child.exitCode).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await call('GET', '/report')).toEqual(before);
  });

  it('applies fills, transfers and ticks, and streams the status changes', async () => {
    const stream = await fetch(`${url}/events`, { headers: AUTH });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    const fill = await call('POST', '/fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
    expect(fill).toEqual({ status: 200, json: { remargined: 1, events: [] } });
    expect((await call('GET', '/accounts/long')).json.equity).toBeCloseTo(40_000, 9);
    // withdraw to 1,000 USDC: equity 11,000 on 300,000 notional (IM 2,900, MM 1,450): still healthy; then BTC to
    // 97,000: equity 11,000 − 9,000 = 2,000, IM 400 + 2,410 = 2,810 > 2,000 ≥ MM 1,405: margin call
    await call('POST', '/transfers', { transfers: [{ account: 'long', asset: 'USDC', amount: -29_000 }] });
    const tick = await call('POST', '/tick', { assets: { BTC: { price: 97_000 } }, marks: { 'BTC-PERP': 97_000 } });
    expect(tick.json.events).toHaveLength(1);
    expect(tick.json.events[0]).toMatchObject({ account: 'long', from: 'healthy', to: 'margin_call' });
    expect(tick.json.events[0].health).toBeCloseTo(2_000 / 1_405, 9);
    let text = '';
    while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain(`data: ${JSON.stringify(tick.json.events[0])}`);
    // SIGTERM: in-flight work finishes, the stream ends, exit 0
    child.kill('SIGTERM');
    for (let r = await reader.read(); !r.done; r = await reader.read());
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
