/**
 * Who may talk to `margin-core serve`, tried with real requests over loopback as an attacker on the same machine
 * would: no token or a wrong one (401, RFC 6750 challenge), another Host (DNS rebinding: 421), a browser Origin
 * (403), text/plain or no media type (415), a malformed target (400), oversize bodies and batches (413); and how the
 * token is chosen (file, environment, generated and printed once, none only on loopback). Nothing refused changes
 * the book.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marginCore, marginCoreWith } from '../support/cli.js';
import { AUTH, call, rawRequest, type Served, serve, statusOf, TOKEN, writeInputs } from './helpers.js';

describe('a service with a token (MARGIN_CORE_TOKEN)', () => {
  let s: Served;
  let port: string;
  let before: unknown;
  beforeAll(async () => {
    s = await serve(['--max-body', '4096', '--max-items', '50']);
    port = new URL(s.url).port;
    before = (await call(s.url, 'GET', '/report')).json;
  });
  afterAll(async () => {
    expect(await s.stop()).toEqual({ code: 0, signal: null });
  });

  it('answers 401 without a token and with a wrong one, on every route but /health', async () => {
    const none = await call(s.url, 'GET', '/report', undefined, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="margin-core"');
    expect(none.json.error).toMatch(/^unauthorized/);
    for (const wrong of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer x', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const res = await call(s.url, 'GET', '/report', undefined, { authorization: wrong });
      expect(res.status, wrong).toBe(401);
    }
    expect((await call(s.url, 'GET', '/report', undefined, { authorization: 'Bearer nope' })).headers.get('www-authenticate')).toBe('Bearer realm="margin-core", error="invalid_token"');
    for (const [method, path] of [['GET', '/ready'], ['GET', '/metrics'], ['GET', '/accounts/long'], ['GET', '/accounts'], ['GET', '/events'], ['POST', '/what-if'], ['POST', '/check'], ['POST', '/fills'], ['POST', '/transfers'], ['POST', '/tick'], ['GET', '/nothing']]) {
      expect((await call(s.url, method, path, method === 'POST' ? {} : undefined, {})).status, `${method} ${path}`).toBe(401);
    }
    expect(await call(s.url, 'GET', '/health', undefined, {})).toMatchObject({ status: 200, json: { ok: true } });
    // the token, in any case of the scheme
    expect((await call(s.url, 'GET', '/accounts/long', undefined, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('answers 421 to a Host it does not serve (DNS rebinding), also in an absolute-form target', async () => {
    for (const host of ['attacker.example', `attacker.example:${port}`, 'localhost.attacker.example', '127.0.0.2', `127.0.0.1:${Number(port) + 1}`]) {
      const answer = await rawRequest(s.url, `GET /report HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(answer), host).toBe(421);
      expect(answer).not.toContain('"accounts"');
    }
    expect(statusOf(await rawRequest(s.url, `GET /health HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n`))).toBe(421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, '127.0.0.1']) {
      expect(statusOf(await rawRequest(s.url, `GET /accounts/long HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`)), host).toBe(200);
    }
    const absolute = await rawRequest(s.url, `GET http://attacker.example/report HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(absolute)).toBe(421);
  });

  it('answers 400 to a malformed target, never 500', async () => {
    for (const target of ['http://[::1', '/accounts/%E0%A4%A', 'http://']) {
      const answer = await rawRequest(s.url, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(answer), target).toBe(400);
      expect(answer).toMatch(/"error":"malformed request target/);
    }
  });

  it('answers 403 to a browser request from another origin, token or not', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${Number(port) + 1}`, s.url]) {
      const res = await call(s.url, 'POST', '/tick', { assets: { BTC: { price: 1_000 } } }, { ...AUTH, origin });
      expect(res.status, origin).toBe(403);
      expect(res.json.error).toContain('--allow-origin');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    // a subresource request carries no Origin, but Chromium says where it comes from
    expect((await call(s.url, 'GET', '/report', undefined, { ...AUTH, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call(s.url, 'GET', '/report', undefined, { ...AUTH, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await call(s.url, 'GET', '/accounts/long', undefined, { ...AUTH, 'sec-fetch-site': 'none' })).status).toBe(200);
    // no CORS preflight is answered
    const preflight = await fetch(`${s.url}/tick`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
  });

  it('takes only application/json on POST (415), and no text/plain body is ever parsed', async () => {
    const tick = JSON.stringify({ assets: { BTC: { price: 1_000 } } });
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) {
      const res = await fetch(`${s.url}/tick`, { method: 'POST', body: tick, headers: { ...AUTH, 'content-type': type } });
      expect(res.status, type).toBe(415);
    }
    const none = await rawRequest(s.url, `POST /tick HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${tick.length}\r\nConnection: close\r\n\r\n${tick}`);
    expect(statusOf(none)).toBe(415);
    const empty = await rawRequest(s.url, `POST /tick HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expect(statusOf(empty)).toBe(415);
    const charset = await fetch(`${s.url}/what-if`, { method: 'POST', body: JSON.stringify({ account: 'long', trades: [] }), headers: { ...AUTH, 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(charset.status).toBe(200);
  });

  it('refuses a body sent compressed or in another charset (415), rather than reading it as UTF-8 JSON', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = JSON.stringify({ account: 'long', trades: [] });
    const gz = await fetch(`${s.url}/what-if`, { method: 'POST', body: gzipSync(body), headers: { ...AUTH, 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect([gz.status, await gz.json()]).toEqual([415, { error: 'POST bodies are read as sent: Content-Encoding gzip is not taken (send the JSON uncompressed)' }]);
    const br = await fetch(`${s.url}/what-if`, { method: 'POST', body, headers: { ...AUTH, 'content-type': 'application/json', 'content-encoding': 'br' } });
    expect(br.status).toBe(415); // it had been read as plain JSON, the header ignored
    const latin1 = await fetch(`${s.url}/what-if`, { method: 'POST', body, headers: { ...AUTH, 'content-type': 'application/json; charset="ISO-8859-1"' } });
    expect([latin1.status, await latin1.json()]).toEqual([415, { error: 'POST bodies are UTF-8 JSON: charset=iso-8859-1 is not taken' }]);
    const identity = await fetch(`${s.url}/what-if`, { method: 'POST', body, headers: { ...AUTH, 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'identity' } });
    expect(identity.status).toBe(200);
  });

  it('answers 413 to a body over --max-body and to a batch over --max-items, naming the list', async () => {
    const big = await fetch(`${s.url}/tick`, { method: 'POST', body: JSON.stringify({ assets: {}, pad: 'x'.repeat(5_000) }), headers: { ...AUTH, 'content-type': 'application/json' } });
    expect([big.status, await big.json()]).toEqual([413, { error: 'body over 4096 bytes' }]);
    const trades = Array.from({ length: 51 }, () => ({ instrument: 'BTC-PERP', quantity: 1 }));
    expect(await call(s.url, 'POST', '/what-if', { account: 'long', trades })).toMatchObject({
      status: 413, json: { error: '51 trades in one request; at most 50', problems: [{ path: 'trades', message: '51 trades in one request; at most 50' }] },
    });
    const fills = Array.from({ length: 51 }, () => ({ account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 1 }));
    expect((await call(s.url, 'POST', '/fills', fills)).status).toBe(413);
    expect((await call(s.url, 'POST', '/fills', { fills })).status).toBe(413);
    expect((await call(s.url, 'POST', '/what-if', { account: 'long', trades: trades.slice(0, 50) })).status).toBe(200);
  });

  it('answers 400 at `body` to a body nested deeper than 64 arrays and objects or malformed (with its line and column), and names a field a batch does not take', async () => {
    const send = (route: string, body: string) => fetch(`${s.url}${route}`, { method: 'POST', body, headers: { ...AUTH, 'content-type': 'application/json' } });
    const deep = await send('/what-if', `{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":1,"price":${'['.repeat(100)}1${']'.repeat(100)}}]}`);
    expect([deep.status, await deep.json()]).toEqual([400, { error: 'invalid input', problems: [{ path: 'body', message: 'nested deeper than 64 arrays and objects (at character 135)' }] }]); // the 62nd [ of the price: 3 levels open before it
    // brackets inside strings are text, not nesting
    const quoted = await send('/what-if', JSON.stringify({ account: 'long', trades: [{ instrument: '['.repeat(100), quantity: 1 }] }));
    expect(((await quoted.json()) as { problems: { path: string }[] }).problems[0].path).toBe('trades[0].instrument');
    // malformed JSON: where, as the command line says it (line and column), not the parser's character offset
    const broken = await send('/tick', '{"assets": {"BTC": {"price": 1}\n "x": 2}');
    expect([broken.status, ((await broken.json()) as { problems: { path: string; message: string }[] }).problems[0]]).toEqual([400, { path: 'body', message: expect.stringMatching(/^not valid JSON at line 2, column 2: /) }]);
    const extra = await call(s.url, 'POST', '/fills', { fills: [], extra: 1 });
    expect([extra.status, extra.json.problems]).toEqual([400, [{ path: 'body.extra', message: 'unknown field (the body is { "fills": [...] } or a list)' }]]);
  });

  it('changed nothing while refusing all of that', async () => {
    expect((await call(s.url, 'GET', '/report')).json).toEqual(before);
  });
});

describe('an origin allowed with --allow-origin', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(['--allow-origin', 'https://ops.example']);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('answers its CORS preflight and its requests, and still refuses others', async () => {
    const preflight = await fetch(`${s.url}/what-if`, { method: 'OPTIONS', headers: { origin: 'https://ops.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type, idempotency-key');
    const ok = await call(s.url, 'GET', '/accounts/long', undefined, { ...AUTH, origin: 'https://ops.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    // still the token; the page can read the 401 (it carries the origin), another origin's refusal carries none
    const noToken = await call(s.url, 'GET', '/accounts/long', undefined, { origin: 'https://ops.example' });
    expect([noToken.status, noToken.headers.get('access-control-allow-origin')]).toEqual([401, 'https://ops.example']);
    const other = await call(s.url, 'GET', '/accounts/long', undefined, { ...AUTH, origin: 'http://ops.example' });
    expect([other.status, other.headers.get('access-control-allow-origin')]).toEqual([403, null]);
  });
});

describe('the token', () => {
  it('is read from --token-file (a trailing newline dropped)', async () => {
    const { dir } = await writeInputs();
    await writeFile(join(dir, 'token'), `${TOKEN}-from-file\n`);
    const s = await serve(['--token-file', join(dir, 'token')], {});
    try {
      expect((await call(s.url, 'GET', '/accounts/long', undefined, { authorization: `Bearer ${TOKEN}-from-file` })).status).toBe(200);
      expect((await call(s.url, 'GET', '/accounts/long')).status).toBe(401);
      expect(s.stderr()).not.toContain(TOKEN);
    } finally {
      await s.stop();
    }
  });

  it('is made at random and printed once on stderr when neither a file nor MARGIN_CORE_TOKEN gives one', async () => {
    const s = await serve([], {});
    try {
      const m = /this run's token \(send Authorization: Bearer <token>\): (\S+)\n/.exec(s.stderr());
      expect(m).not.toBeNull();
      const token = m![1];
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect((await call(s.url, 'GET', '/accounts/long', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect(s.stderr().split(token).length - 1).toBe(1); // once, never in the request log
      expect(s.stdout()).not.toContain(token);
    } finally {
      await s.stop();
    }
  });

  it('is off with --no-auth on loopback only', async () => {
    const s = await serve(['--no-auth'], {});
    try {
      expect(s.stdout()).toContain('no authentication, listening on');
      expect((await call(s.url, 'GET', '/accounts/long', undefined, {})).status).toBe(200);
      expect((await call(s.url, 'GET', '/accounts/long', undefined, { origin: 'http://evil.example' })).status).toBe(403); // the origin check stays
    } finally {
      await s.stop();
    }
    const { book, market } = await writeInputs();
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      const refused = await marginCore('serve', '--book', book, '--market', market, '--port', '0', '--host', host, '--no-auth');
      expect(refused.code, host).toBe(2);
      expect(refused.stderr).toContain(`--no-auth is refused on ${host}`);
    }
  });

  it('is refused when too short or not printable', async () => {
    const { book, market } = await writeInputs();
    for (const bad of ['short', 'has spaces in it here', '']) {
      const { dir } = await writeInputs();
      await writeFile(join(dir, 'token'), bad);
      const res = await marginCore('serve', '--book', book, '--market', market, '--port', '0', '--token-file', join(dir, 'token'));
      expect(res.code, JSON.stringify(bad)).toBe(1); // the file's content is rejected input (docs/cli.md, exit codes)
      expect(res.stderr).toContain(`--token-file: the token in ${join(dir, 'token')} must be at least 16 printable ASCII characters`);
    }
    // the same token from the environment: refused alike (it had exited 2, a usage error)
    const env = await marginCoreWith({ MARGIN_CORE_TOKEN: 'short' }, 'serve', '--book', book, '--market', market, '--port', '0');
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('MARGIN_CORE_TOKEN: the token in MARGIN_CORE_TOKEN must be at least 16 printable ASCII characters');
    // set but empty (filled from a command that failed): refused too, not a random token nobody expects
    const empty = await marginCoreWith({ MARGIN_CORE_TOKEN: '' }, 'serve', '--book', book, '--market', market, '--port', '0');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('MARGIN_CORE_TOKEN: the token in MARGIN_CORE_TOKEN must be at least 16 printable ASCII characters, without spaces (got 0 characters)');
  });
});
