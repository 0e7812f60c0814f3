/**
 * `margin-core serve` takes writes under an Idempotency-Key as the live cluster does (docs/service.md): a fill or
 * transfer sent again under its key is answered `replayed` and not applied again (also when both are in flight at
 * once, or with its fields in another order); the key with another body is refused with 422 and applies nothing; a
 * write refused for its input is not remembered; a key too long, empty, sent twice or not ASCII is refused at its
 * path. The account's position says what was applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, call, rawRequest, type Served, serve, statusOf } from './helpers.js';

describe('serve: writes under an Idempotency-Key', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    expect(await s.stop()).toEqual({ code: 0, signal: null });
  });
  const keyed = (key: string) => ({ ...AUTH, 'idempotency-key': key });
  const fill = (quantity: number) => ({ fills: [{ account: 'long', instrument: 'BTC-PERP', quantity, price: 100_000 }] });
  // the account holds 2 BTC-PERP at first; its gross notional at the mark (100,000) says how many fills applied
  const held = async () => (await call(s.url, 'GET', '/accounts/long')).json.grossNotional / 100_000;

  it('applies a fill once however often it is sent under its key, at once or one after the other', async () => {
    const first = await call(s.url, 'POST', '/fills', fill(1), keyed('f-1'));
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json.remargined).toBe(1);
    expect(first.json.replayed).toBeUndefined();
    expect(await call(s.url, 'POST', '/fills', fill(1), keyed('f-1'))).toMatchObject({ status: 200, json: { remargined: 0, events: [], replayed: true } });
    expect(await held()).toBe(3);
    const together = await Promise.all([1, 2, 3].map(() => call(s.url, 'POST', '/fills', fill(1), keyed('f-2'))));
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(together.filter((r) => r.json.replayed === true)).toHaveLength(2);
    expect(await held()).toBe(4);
    // without a key, each is applied
    await call(s.url, 'POST', '/fills', fill(-1));
    await call(s.url, 'POST', '/fills', fill(-1));
    expect(await held()).toBe(2);
  });

  it('refuses the key for another body with 422, applying nothing, and forgets a write refused for its input', async () => {
    const other = await call(s.url, 'POST', '/fills', fill(5), keyed('f-1'));
    expect(other.status).toBe(422);
    expect(other.json.error).toBe('Idempotency-Key "f-1" was used for another request; nothing applied');
    expect(await held()).toBe(2);
    const bad = { fills: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] };
    expect((await call(s.url, 'POST', '/fills', bad, keyed('f-3'))).status).toBe(400);
    // refused, nothing applied: the key is free for the write the client meant
    expect((await call(s.url, 'POST', '/fills', fill(1), keyed('f-3'))).json.remargined).toBe(1);
    expect(await held()).toBe(3);
    const transfer = { transfers: [{ account: 'long', cashUsd: 1_000 }] };
    expect((await call(s.url, 'POST', '/transfers', transfer, keyed('t-1'))).json.remargined).toBe(1);
    expect((await call(s.url, 'POST', '/transfers', transfer, keyed('t-1'))).json.replayed).toBe(true);
    // a fill under a transfer's key asks for something else
    expect((await call(s.url, 'POST', '/fills', fill(1), keyed('t-1'))).status).toBe(422);
  });

  it('takes the same fill with its fields in another order as the same request', async () => {
    expect((await call(s.url, 'POST', '/fills', fill(1), keyed('f-order'))).json.remargined).toBe(1);
    const reordered = { fills: [{ price: 100_000, quantity: 1, instrument: 'BTC-PERP', account: 'long' }] };
    expect((await call(s.url, 'POST', '/fills', reordered, keyed('f-order'))).json).toEqual({ remargined: 0, events: [], replayed: true });
    expect(await held()).toBe(4);
  });

  it('refuses a key that is too long, empty, sent twice or not printable ASCII, at its path, applying nothing', async () => {
    const problem = async (headers: Record<string, string>) => {
      const res = await call(s.url, 'POST', '/fills', fill(1), { ...AUTH, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      return res.json.problems;
    };
    expect(await problem({ 'idempotency-key': 'k'.repeat(201) })).toEqual([{ path: 'headers.idempotency-key', message: '201 characters; at most 200' }]);
    expect(await problem({ 'idempotency-key': '' })).toEqual([{ path: 'headers.idempotency-key', message: expect.stringMatching(/^empty; send a key/) }]);
    // a UTF-8 key would reach the service as its bytes read as Latin-1: refused, not stored garbled
    expect(await problem({ 'idempotency-key': 'clé' })).toEqual([{ path: 'headers.idempotency-key', message: 'printable ASCII only (letters, digits, punctuation, spaces)' }]);
    const twice = await rawRequest(s.url, `POST /fills HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\nAuthorization: ${AUTH.authorization}\r\nContent-Type: application/json\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nContent-Length: ${JSON.stringify(fill(1)).length}\r\nConnection: close\r\n\r\n${JSON.stringify(fill(1))}`);
    expect(statusOf(twice)).toBe(400);
    expect(twice).toContain('"message":"sent 2 times; send one key"');
    expect(await held()).toBe(4);
  });
});
