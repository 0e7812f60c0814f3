/**
 * `margin-core serve` takes writes under an Idempotency-Key as the live cluster does (docs/service.md): a fill or
 * transfer sent again under its key is answered `replayed` and not applied again (also when both are in flight at
 * once); the key with another body is refused with 422 and applies nothing; a write refused for its input is not
 * remembered; a key over 200 characters is refused at its path. The account's position says what was applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, call, type Served, serve } from './helpers.js';

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

  it('refuses a key over 200 characters at its path, applying nothing', async () => {
    const long = await call(s.url, 'POST', '/fills', fill(1), keyed('k'.repeat(201)));
    expect(long.status).toBe(400);
    expect(long.json.problems).toEqual([{ path: 'headers.idempotency-key', message: '201 characters; at most 200' }]);
    expect(await held()).toBe(3);
  });
});
