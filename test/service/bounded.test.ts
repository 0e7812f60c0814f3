/**
 * Bounded work per request, on `startService` in this process over real sockets: GET /report streamed a slice at a
 * time is the JSON of `live.report()` byte for byte (several slices; isolated margin's own reasons; subaccounts'
 * masters; a breakdown), one snapshot even with ticks racing it; GET /accounts pages through the rows by status and
 * health with keyset cursors, each page checked against an ordering made independently from the report; bad queries
 * 400 with paths; caps on reports, event streams and connections; slow headers and idle keep-alive connections cut.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { LiveSession } from '../../src/live/live-session.js';
import type { AccountMargin } from '../../src/margin/report.js';
import { generateSample } from '../../src/sample/generate.js';
import { type RunningService, startService } from '../../src/service/server.js';
import { AUTH, call, TOKEN } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

async function opened(live: LiveSession, options: Partial<Parameters<typeof startService>[1]> = {}): Promise<{ service: RunningService; close: () => Promise<void> }> {
  const service = await startService(live, { port: 0, token: TOKEN, ...options });
  return { service, close: async () => { await service.close(); live.release(); } };
}

async function text(url: string, path: string): Promise<string> {
  const res = await fetch(`${url}${path}`, { headers: AUTH });
  expect(res.status).toBe(200);
  return res.text();
}

describe('GET /report', () => {
  const cases: [string, () => LiveSession][] = [
    ['cross, 1,000 accounts in slices of 97', () => { const s = generateSample({ accounts: 1_000, seed: 3 }); return engine.live(s.book, s.market, { method: 'cross' }); }],
    ['isolated margin (its own status reasons)', () => { const s = generateSample({ accounts: 400, seed: 4 }); return engine.live(s.book, s.market, { method: 'isolated' }); }],
    ['subaccounts (rows carry their master)', () => { const s = generateSample({ accounts: 400, seed: 5, accountsPerMaster: 4 }); return engine.live(s.book, s.market, { method: 'cross' }); }],
    ['a breakdown (rows made one by one)', () => { const s = generateSample({ accounts: 150, seed: 6 }); return engine.live(s.book, s.market, { method: 'cross', breakdown: true }); }],
    ['accounts removed from the layout (rows gathered around the gaps)', () => {
      const s = generateSample({ accounts: 500, seed: 7, accountsPerMaster: 5 });
      const live = engine.live(s.book, s.market, { method: 'cross' });
      for (const k of [1, 2, 250, 498]) live.layout.removeAccount(s.book.accounts[k].id);
      return live;
    }],
  ];
  for (const [name, open] of cases) {
    it(`is JSON.stringify(live.report()), byte for byte: ${name}`, async () => {
      const live = open();
      const { service, close } = await opened(live, { reportSliceRows: 97 });
      try {
        expect(await text(service.url, '/report')).toBe(JSON.stringify(live.report()));
      } finally {
        await close();
      }
    });
  }

  it('is one snapshot: ticks sent while it is copied wait, so it is the book before or after each tick, never a mix', async () => {
    const s = generateSample({ accounts: 3_000, seed: 8 });
    const live = engine.live(s.book, s.market, { method: 'cross' });
    const { service, close } = await opened(live, { reportSliceRows: 50 });
    try {
      const btc = s.market.assets.BTC.price;
      const states = [JSON.stringify(live.report())];
      for (let k = 1; k <= 4; k++) {
        const report = text(service.url, '/report');
        const tick = call(service.url, 'POST', '/tick', { assets: { BTC: { price: btc * (1 - 0.02 * k) } } });
        const [body, answered] = await Promise.all([report, tick]);
        expect(answered.status).toBe(200);
        states.push(JSON.stringify(live.report()));
        expect([states[k - 1], states[k]]).toContain(body);
      }
      expect(new Set(states).size).toBe(5); // each tick moved the book
    } finally {
      await close();
    }
  });

  it('answers 503 with Retry-After beyond --max-reports at once', async () => {
    const s = generateSample({ accounts: 3_000, seed: 9 });
    const live = engine.live(s.book, s.market, { method: 'cross' });
    const { service, close } = await opened(live, { maxReports: 1, reportSliceRows: 10 });
    try {
      const first = await fetch(`${service.url}/report`, { headers: AUTH }); // headers in, body not read: still being written
      const second = await fetch(`${service.url}/report`, { headers: AUTH });
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(await first.text()).toBe(JSON.stringify(live.report()));
      for (let i = 0; i < 50 && (await fetch(`${service.url}/report`, { headers: AUTH }).then(async (r) => (await r.arrayBuffer(), r.status))) !== 200; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await close();
    }
  });
});

describe('GET /accounts', () => {
  let live: LiveSession;
  let service: RunningService;
  let rows: AccountMargin[];
  beforeAll(async () => {
    const s = generateSample({ accounts: 600, seed: 11 });
    live = engine.live(s.book, s.market, { method: 'cross' });
    service = await startService(live, { port: 0, token: TOKEN, maxPageSize: 50 });
    rows = JSON.parse(JSON.stringify(live.report().accounts)); // as JSON answers carry them (±Infinity → null)
  });
  afterAll(async () => {
    await service.close();
    live.release();
  });

  /** Every page, following `next`. */
  async function pages(query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let count = 0;
    do {
      const res = await call(service.url, 'GET', `/accounts?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      ids.push(...res.json.accounts.map((a: AccountMargin) => a.id));
      cursor = res.json.next;
      count++;
    } while (cursor !== null && count < 1_000);
    return { ids, pages: count };
  }

  it('pages through the book in book order, rows as GET /accounts/:id', async () => {
    const { ids, pages: n } = await pages('limit=50');
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(n).toBe(12);
    const first = await call(service.url, 'GET', '/accounts?limit=3');
    expect(first.json.accounts).toEqual(rows.slice(0, 3));
    expect(first.json.accounts[1]).toEqual((await call(service.url, 'GET', `/accounts/${rows[1].id}`)).json);
    expect((await call(service.url, 'GET', '/accounts')).json.accounts.length).toBe(50); // the default (100) capped by the maximum
  });

  it('filters by status and sorts by health, riskiest first, as an independent sort of the report says', async () => {
    // the order by hand: status error first, then health ascending (the report's health; null in JSON is ±∞, its sign
    // equityMm's), ties in book order
    const health = (r: AccountMargin) => (r.health === null ? (r.equityMm >= 0 ? Infinity : -Infinity) : r.health);
    const order = rows.map((r, index) => ({ r, index })).sort((x, y) => {
      const ex = x.r.status === 'error' ? 0 : 1, ey = y.r.status === 'error' ? 0 : 1;
      if (ex !== ey) return ex - ey;
      if (ex === 0) return x.index - y.index;
      return health(x.r) - health(y.r) || x.index - y.index;
    });
    const byHealth = await pages('sort=health&limit=17');
    expect(byHealth.ids).toEqual(order.map((o) => o.r.id));
    const risky = ['margin_call', 'liquidatable', 'bankrupt'];
    const filtered = await pages(`status=${risky.join(',')}&sort=health&limit=5`);
    expect(filtered.ids).toEqual(order.filter((o) => risky.includes(o.r.status)).map((o) => o.r.id));
    expect(filtered.ids.length).toBeGreaterThan(10);
    const healthy = await pages('status=healthy&limit=50');
    expect(healthy.ids).toEqual(rows.filter((r) => r.status === 'healthy').map((r) => r.id));
  });

  it('refuses a bad query with every problem and its path', async () => {
    const bad = await call(service.url, 'GET', '/accounts?limit=0&sort=size&status=fine');
    expect(bad.status).toBe(400);
    expect(bad.json.problems.map((p: { path: string }) => p.path)).toEqual(['query.status', 'query.sort', 'query.limit']);
    for (const query of ['limit=51', 'limit=1.5', 'limit=abc', 'cursor=xyz', 'page=2', 'limit=1&limit=2']) {
      expect((await call(service.url, 'GET', `/accounts?${query}`)).status, query).toBe(400);
    }
    const { json } = await call(service.url, 'GET', '/accounts?limit=2');
    expect((await call(service.url, 'GET', `/accounts?sort=health&cursor=${json.next}`)).json.problems[0].path).toBe('query.cursor');
  });

  it('refuses any query on the routes that take none (a ?format=csv is not silently answered in JSON)', async () => {
    const id = (await call(service.url, 'GET', '/accounts?limit=1')).json.accounts[0].id;
    for (const path of ['/report?format=csv', `/accounts/${encodeURIComponent(id)}?fields=im`, '/events?since=0']) {
      const bad = await call(service.url, 'GET', path);
      expect(bad.status, path).toBe(400);
      expect(bad.json.problems[0], path).toEqual({ path: `query.${path.split('?')[1].split('=')[0]}`, message: 'unknown parameter (this route takes none)' });
    }
    expect((await call(service.url, 'GET', `/accounts/${encodeURIComponent(id)}`)).status).toBe(200);
  });

  it('refuses any query on a POST: /fills?dryRun=true had applied the fill (no route takes one)', async () => {
    const id = (await call(service.url, 'GET', '/accounts?limit=1')).json.accounts[0].id;
    const before = JSON.stringify(live.report());
    const fill = { fills: [{ account: id, instrument: 'BTC-PERP', quantity: 1, price: 90_000 }] };
    for (const [path, body] of [['/fills?dryRun=true', fill], ['/tick?validateOnly=1', { assets: { BTC: { price: 80_000 } } }], ['/transfers?x=1', [{ account: id, asset: 'USDC', amount: 5 }]],
      ['/what-if?x=1', { account: id, trades: [] }], ['/check?x=1', { account: id, order: { instrument: 'BTC-PERP', quantity: 1 } }]] as const) {
      const bad = await call(service.url, 'POST', path, body);
      expect([bad.status, bad.json.problems], path).toEqual([400, [{ path: `query.${path.split('?')[1].split('=')[0]}`, message: 'unknown parameter (this route takes none)' }]]);
    }
    expect(JSON.stringify(live.report())).toBe(before); // nothing applied
  });
});

describe('GET /accounts/:id of a long id', () => {
  it('fetches ids of 1,001 and 5,000 characters (1,000 had been the most): as long as the request line holds', async () => {
    // Node's 16 KiB of headers bound the request line: 1,500 é are 9,000 characters percent-encoded
    const s = generateSample({ accounts: 3, seed: 2 });
    const ids = ['z'.repeat(1_001), 'z'.repeat(5_000), 'é'.repeat(1_500)];
    const book = { ...s.book, accounts: s.book.accounts.map((a, k) => (k < ids.length ? { ...a, id: ids[k] } : a)) };
    const { service, close } = await opened(engine.live(book, s.market, { method: 'cross' }));
    try {
      for (const id of ids) {
        const got = await call(service.url, 'GET', `/accounts/${encodeURIComponent(id)}`);
        expect([got.status, got.json.id]).toEqual([200, id]);
      }
    } finally {
      await close();
    }
  });
});

describe('connections and streams', () => {
  let live: LiveSession;
  beforeAll(() => {
    const s = generateSample({ accounts: 50, seed: 12 });
    live = engine.live(s.book, s.market, { method: 'cross' });
  });
  afterAll(() => live.release());

  it('answers 503 beyond --max-streams event streams', async () => {
    const service = await startService(live, { port: 0, token: TOKEN, maxStreams: 1 });
    const controller = new AbortController();
    try {
      const first = await fetch(`${service.url}/events`, { headers: AUTH, signal: controller.signal });
      expect(first.status).toBe(200);
      const second = await call(service.url, 'GET', '/events');
      expect(second.status).toBe(503);
      expect(second.json.error).toContain('too many event streams');
    } finally {
      controller.abort();
      await service.close();
    }
  });

  it('closes connections beyond --max-connections at once', async () => {
    const service = await startService(live, { port: 0, token: TOKEN, maxConnections: 2 });
    const { port } = new URL(service.url);
    const sockets = await Promise.all([0, 1].map(() => new Promise<ReturnType<typeof connect>>((resolve) => { const s = connect(Number(port), '127.0.0.1', () => resolve(s)); })));
    try {
      const third = await new Promise<string>((resolve) => {
        const s = connect(Number(port), '127.0.0.1', () => s.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
        let data = '';
        s.on('data', (d) => (data += d.toString()));
        s.on('close', () => resolve(`closed:${data}`));
        s.on('error', () => {});
      });
      expect(third).toBe('closed:');
    } finally {
      for (const s of sockets) s.destroy();
      await service.close();
    }
  });

  it('cuts a client that is slow to send its headers, and an idle keep-alive connection', async () => {
    const service = await startService(live, { port: 0, token: TOKEN, headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300 });
    const { port } = new URL(service.url);
    const ended = (send: string) => new Promise<{ ms: number; data: string }>((resolve) => {
      const started = performance.now();
      const s = connect(Number(port), '127.0.0.1', () => s.write(send));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve({ ms: performance.now() - started, data }));
      s.on('error', () => {});
    });
    try {
      // half a request, never finished: answered 408 and closed (Node's own default waits 300 s)
      const slow = await ended(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
      expect(slow.data).toMatch(/^HTTP\/1\.1 408/);
      expect(JSON.parse(slow.data.split('\r\n\r\n')[1])).toEqual({ error: 'the request was not received in time' }); // the service's error shape
      expect(slow.ms).toBeLessThan(10_000);
      // headers over Node's limit: 431 in the same shape
      const huge = await ended(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
      expect(huge.data).toMatch(/^HTTP\/1\.1 431/);
      expect(JSON.parse(huge.data.split('\r\n\r\n')[1])).toEqual({ error: 'the request headers are too large' });
      // a whole request, then silence: the keep-alive connection is closed by the server
      const idle = await ended(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      expect(idle.data).toMatch(/^HTTP\/1\.1 200/);
      expect(idle.ms).toBeLessThan(10_000);
    } finally {
      await service.close();
    }
  });
});
