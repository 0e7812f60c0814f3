/**
 * What an operator sees of `margin-core serve`: GET /metrics in Prometheus format (per-route latency histograms,
 * what-if latency, accounts by status, IM and MM of the book equal to the report's totals, ticks applied, last tick
 * age, Node's process metrics; names after Prometheus' conventions), one JSON log line per request (request id,
 * route, status, latency; no body, no account id from the URL), /ready apart from /health, and SIGTERM: requests in
 * flight finish, event streams end, exit 0.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample } from '../../src/sample/generate.js';
import { startService } from '../../src/service/server.js';
import { AUTH, call, samples, type Served, serve, TOKEN } from './helpers.js';

describe('metrics and logs', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s.stop();
  });

  it('exposes the service and the book in Prometheus format', async () => {
    await call(s.url, 'POST', '/what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1 }] });
    await call(s.url, 'POST', '/what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: -1 }] });
    await call(s.url, 'POST', '/fills', { fills: [{ account: 'eth', instrument: 'ETH-PERP', quantity: 1, price: 3_000 }, { account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] });
    await call(s.url, 'POST', '/tick', { assets: { BTC: { price: 99_000 } } });
    const report = (await call(s.url, 'GET', '/report')).json;
    const res = await fetch(`${s.url}/metrics`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const m = samples(text);
    expect(m.get('margincore_http_request_duration_seconds_count{route="/what-if",method="POST",status_code="200"}')).toBe(2);
    expect(m.get('margincore_http_request_duration_seconds_count{route="/tick",method="POST",status_code="200"}')).toBe(1);
    expect(m.get('margincore_whatif_duration_seconds_count')).toBe(2);
    expect(m.get('margincore_ticks_applied_total')).toBe(1);
    expect(m.get('margincore_fills_applied_total')).toBe(2);
    expect(m.get('margincore_transfers_applied_total')).toBe(0);
    for (const [status, count] of Object.entries(report.totals.byStatus)) expect(m.get(`margincore_accounts{status="${status}"}`), status).toBe(count);
    expect(m.get('margincore_initial_margin_usd')).toBeCloseTo(report.totals.im, 6);
    expect(m.get('margincore_maintenance_margin_usd')).toBeCloseTo(report.totals.mm, 6);
    expect(m.get('margincore_last_tick_age_seconds')).toBeLessThan(60);
    expect(m.get('margincore_event_streams')).toBe(0);
    expect([...m.keys()].some((k) => k.startsWith('margincore_build_info{version="') && k.includes('method="cross",backend="wasm-simd"'))).toBe(true);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    // naming (prometheus.io/docs/practices/naming): one prefix, base units, _total for counters only
    const types = [...text.matchAll(/^# TYPE (margincore_\S+) (\S+)$/gm)].map((t) => [t[1], t[2]]);
    expect(types.length).toBeGreaterThanOrEqual(12);
    for (const [name, type] of types) {
      expect(name, name).toMatch(/^margincore_[a-z]+(_[a-z]+)*$/);
      expect(name.endsWith('_total'), name).toBe(type === 'counter');
      if (type === 'histogram') expect(name, name).toMatch(/_seconds$/);
    }
  });

  it('logs one JSON line per request: id, method, route, status, ms; never a body or an id from the URL', async () => {
    const marker = 'secret-marker-in-a-body';
    const res = await fetch(`${s.url}/what-if`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ account: marker, trades: [] }) });
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id')!;
    await call(s.url, 'GET', '/accounts/short-call');
    await new Promise((r) => setTimeout(r, 200));
    const lines = s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const line = lines.find((l) => l.reqId === id);
    expect(line).toMatchObject({ level: 30, method: 'POST', route: '/what-if', status: 400, msg: 'request' });
    expect(typeof line.ms).toBe('number');
    expect(typeof line.time).toBe('string');
    expect(s.stderr()).not.toContain(marker);
    expect(s.stderr()).not.toContain('short-call');
    expect(lines.some((l) => l.route === '/accounts/:id' && l.status === 200)).toBe(true);
    const requests = lines.filter((l) => l.msg === 'request');
    expect(new Set(requests.map((l) => l.reqId)).size).toBe(requests.length);
    expect(s.stderr()).not.toContain(TOKEN);
    // a target that cannot be routed (a broken percent-encoding) is answered with its id and logged too
    const broken = await fetch(`${s.url}/accounts/%E0%A4%A`, { headers: AUTH });
    expect(broken.status).toBe(400);
    const brokenId = broken.headers.get('x-request-id');
    expect(brokenId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 200));
    const logged = s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.reqId === brokenId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 30, method: 'GET', route: '(no route)', status: 400, msg: 'request' });
    // bytes that are not HTTP, refused by Node's parser before any route: the same id, line and metric
    const port = Number(new URL(s.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('HELLO\r\n\r\n'));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('error', () => {});
      socket.on('close', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const parsedId = /\r\nx-request-id: ([0-9a-f-]{36})\r\n/.exec(answer)?.[1];
    expect(parsedId).toBeDefined();
    await new Promise((r) => setTimeout(r, 200));
    const unparsed = s.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((l) => l.reqId === parsedId);
    expect(unparsed).toEqual([expect.objectContaining({ level: 30, method: '(unknown)', route: '(not parsed)', status: 400, msg: 'request' })]);
    expect(unparsed[0].ms).toBeGreaterThanOrEqual(0);
    expect(await (await fetch(`${s.url}/metrics`, { headers: AUTH })).text()).toMatch(/margincore_http_request_duration_seconds_count\{[^}]*route="\(not parsed\)"[^}]*status_code="400"[^}]*\} [1-9]/);
  });
});

describe('readiness and shutdown', () => {
  it('/ready answers 200 until close() begins, then 503, while the request in flight finishes whole', async () => {
    const engine = await createEngine();
    const sample = generateSample({ accounts: 3_000, seed: 2 });
    const live = engine.live(sample.book, sample.market, { method: 'cross' });
    const service = await startService(live, { port: 0, token: TOKEN, reportSliceRows: 10 });
    const { port } = new URL(service.url);
    try {
      expect(await call(service.url, 'GET', '/ready')).toMatchObject({ status: 200, json: { ready: true } });
      expect((await call(service.url, 'GET', '/health', undefined, {})).status).toBe(200);
      // one connection: a report (copied 10 rows a turn: in flight a while), then, once the close began, /ready
      const head = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`;
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(head('/report')));
      socket.on('error', () => {});
      const received: Buffer[] = [];
      let closed: Promise<void> | undefined;
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('data', (d: Buffer) => {
        received.push(d);
        if (closed) return;
        closed = service.close(); // the report's first bytes are in: the close begins now
        socket.write(head('/ready'));
      });
      await ended;
      await closed;
      // the report (chunked: sizes in bytes, hex) then the pipelined answer
      const raw = Buffer.concat(received);
      expect(raw.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
      let at = raw.indexOf('\r\n\r\n') + 4;
      const body: Buffer[] = [];
      for (;;) {
        const eol = raw.indexOf('\r\n', at);
        const size = parseInt(raw.subarray(at, eol).toString(), 16);
        at = eol + 2;
        if (size === 0) break;
        body.push(raw.subarray(at, at + size));
        at += size + 2;
      }
      expect(Buffer.concat(body).toString()).toBe(JSON.stringify(live.report()));
      const ready = raw.subarray(at + 2).toString();
      expect(ready).toMatch(/^HTTP\/1\.1 503/);
      // in the service's shape, with its id (Fastify's own 503 had neither)
      expect(ready).toMatch(/\r\nx-request-id: [0-9a-f-]{36}\r\n/);
      expect(ready).toContain('{"error":"the service is shutting down: send the request again once it is back, or to another instance"}');
    } finally {
      live.release();
    }
  });

  it('on SIGTERM: the request in flight finishes, event streams end, exit 0', async () => {
    const s = await serve();
    const stream = await fetch(`${s.url}/events`, { headers: AUTH });
    const reader = stream.body!.getReader();
    await reader.read(); // the opening comment
    const report = await fetch(`${s.url}/report`, { headers: AUTH });
    s.child.kill('SIGTERM');
    expect(JSON.parse(await report.text()).accounts).toHaveLength(3);
    for (let r = await reader.read(); !r.done; r = await reader.read());
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.stdout()).toContain('SIGTERM, shutting down');
    await s.stop();
  });
});
