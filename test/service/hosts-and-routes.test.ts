/**
 * What the service answers a request whose Host is not one header (RFC 9112 §3.2: 400, in the service's `{ error }`
 * shape, the connection closed), a request with two Authorization headers (400) and a path under /accounts/ that is no route (404, not 405): over real sockets, to
 * `margin-core serve` on a free loopback port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, call, rawRequest, type Served, serve, statusOf, TOKEN } from './helpers.js';

/** The JSON body of a raw answer (after the blank line; the tests send Connection: close, so it is not chunked). */
function bodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

describe('the Host header and the routes under /accounts/', () => {
  let s: Served;
  let port: string;
  beforeAll(async () => {
    s = await serve();
    port = new URL(s.url).port;
  });
  afterAll(async () => {
    expect(await s.stop()).toEqual({ code: 0, signal: null });
  });

  const get = (headers: string) => rawRequest(s.url, `GET /accounts/long HTTP/1.1\r\n${headers}Authorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);

  it('refuses two Host headers with 400, whichever comes first (Node would keep the first, a proxy may read the last)', async () => {
    for (const hosts of [['localhost', 'evil.com'], ['evil.com', `127.0.0.1:${port}`], [`127.0.0.1:${port}`, `127.0.0.1:${port}`]]) {
      const answer = await get(hosts.map((h, i) => `${i === 0 ? 'Host' : 'HOST'}: ${h}\r\n`).join(''));
      expect(statusOf(answer), hosts.join(', ')).toBe(400);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(bodyOf(answer)).toEqual({ error: '2 Host headers; a request has exactly one (RFC 9112 §3.2)' });
    }
  });

  it('refuses two Authorization headers with 400, the valid token first or last (Node would keep the first)', async () => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    for (const [first, second] of [[TOKEN, 'wrong'], ['wrong', TOKEN], [TOKEN, TOKEN]]) {
      const answer = await rawRequest(s.url, `GET /accounts/long HTTP/1.1\r\n${host}Authorization: Bearer ${first}\r\nauthorization: Bearer ${second}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(answer), `${first}, ${second}`).toBe(400);
      expect(bodyOf(answer)).toEqual({ error: '2 Authorization headers; send the service token in one' });
    }
  });

  it('refuses an HTTP/1.1 request without Host with 400 in the service\'s shape, not Node\'s bare 400', async () => {
    const answer = await get('');
    expect(statusOf(answer)).toBe(400);
    expect(bodyOf(answer)).toEqual({ error: 'no Host header; an HTTP/1.1 request must have one (RFC 9112 §3.2)' });
  });

  it('still answers one allowed Host; an HTTP/1.0 request without one is refused 400 (it was 421 naming host "")', async () => {
    expect(statusOf(await get(`Host: 127.0.0.1:${port}\r\n`))).toBe(200);
    const old = await rawRequest(s.url, `GET /accounts/long HTTP/1.0\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    expect([statusOf(old), bodyOf(old)]).toEqual([400, { error: 'no Host header; the service answers only a request that names a host it serves (send Host, as HTTP/1.1 requires)' }]);
    const empty = await rawRequest(s.url, `GET /accounts/long HTTP/1.0\r\nHost: \r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    expect([statusOf(empty), bodyOf(empty)]).toEqual([400, { error: 'an empty Host header; the service answers only a request that names a host it serves (send Host, as HTTP/1.1 requires)' }]);
    // one that names its host in an absolute-form target alone: that authority is checked (it was 421 naming host "")
    for (const header of ['', 'Host: \r\n']) {
      const served = await rawRequest(s.url, `GET http://127.0.0.1:${port}/accounts/long HTTP/1.0\r\n${header}Authorization: Bearer ${TOKEN}\r\n\r\n`);
      expect([statusOf(served), bodyOf(served)], header).toEqual([200, expect.anything()]);
      const elsewhere = await rawRequest(s.url, `GET http://evil.example/accounts/long HTTP/1.0\r\n${header}Authorization: Bearer ${TOKEN}\r\n\r\n`);
      expect([statusOf(elsewhere), (bodyOf(elsewhere) as { error: string }).error], header).toEqual([421, expect.stringMatching(/^host "evil.example" is not served here/)]);
    }
  });

  it('answers 404 for a path of two segments under /accounts/, with any method', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const res = await call(s.url, method, '/accounts/long/positions', method === 'GET' ? undefined : {});
      expect([res.status, res.headers.get('allow')], method).toEqual([404, null]);
      expect(res.json).toEqual({ error: `no route ${method} /accounts/long/positions` });
    }
    expect((await call(s.url, 'GET', '/accounts/long/')).status).toBe(404);
  });

  it('still answers 405 with Allow for one segment asked with another method, and GET for it', async () => {
    const post = await call(s.url, 'POST', '/accounts/long', {});
    expect([post.status, post.headers.get('allow'), post.json]).toEqual([405, 'GET, HEAD', { error: '/accounts/long accepts GET, HEAD' }]);
    expect((await call(s.url, 'GET', '/accounts/long', undefined, AUTH)).status).toBe(200);
  });
});
