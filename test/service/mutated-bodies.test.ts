/**
 * Request bodies mutated at random from good ones (a value swapped for another of any type or an extreme number, a
 * field dropped or added, an item repeated, a number moved nearby; or none): the service answers each with a status of the API (200, or a
 * 4xx with a JSON `error`), never 500, and stays up. A refused body changes nothing: the report after a refused
 * request is the report before it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import type { LiveSession } from '../../src/live/live-session.js';
import { type RunningService, startService } from '../../src/service/server.js';
import { market } from '../support/margin-books.js';
import { propertyRuns } from '../support/property-runs.js';
import { mulberry32 } from '../support/random.js';
import { mutateJson } from '../support/mutate-json.js';
import { call, SMALL_BOOK, TOKEN } from './helpers.js';

let live: LiveSession;
let service: RunningService;
beforeAll(async () => {
  live = (await createEngine()).live(SMALL_BOOK, market(), { method: 'cross' });
  service = await startService(live, { port: 0, token: TOKEN });
});
afterAll(async () => {
  await service.close();
  live.release();
});

const GOOD: [string, unknown][] = [
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1 }, { asset: 'USDC', amount: -100 }, { cashUsd: 5 }] }],
  ['check', { account: 'short-call', order: { instrument: 'BTC-110000-C', quantity: 1, price: 500 } }],
  ['fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 0.1, price: 100_000 }] }],
  ['transfers', { transfers: [{ account: 'eth', asset: 'USDT', amount: 10 }, { account: 'long', cashUsd: -3 }] }],
  ['tick', { assets: { BTC: { price: 99_000, vol: 0.5 } }, marks: { 'BTC-PERP': 99_010 } }],
];

const VALUES = [null, true, 0, -0, -1, 1e308, -1e308, 5e-324, 1.5, '', 'x', 'long', 'BTC-PERP', 'USDC', [], {}, [null], { a: 1 }, '__proto__', 'constructor', 1e15, 1e16, -1e15];

const KEYS = ['extra', 'quantity', 'price', 'amount', '__proto__'];

describe('mutated request bodies', () => {
  it('a status of the API for each, never 500; refused ones change nothing', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: GOOD.length - 1 }), fc.integer(), fc.integer({ min: 0, max: 3 }), async (route, seed, times) => {
      const pick = mulberry32(seed); // uniform draws (fast-check's own lean to the ends of a range)
      let body = GOOD[route][1];
      for (let t = 0; t < times; t++) body = mutateJson(body, pick, VALUES, KEYS);
      const before = JSON.stringify((await call(service.url, 'GET', '/accounts?limit=10')).json);
      const answer = await call(service.url, 'POST', `/${GOOD[route][0]}`, body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      expect([200, 400, 404, 409, 413, 422]).toContain(answer.status);
      if (answer.status !== 200) {
        expect(typeof answer.json?.error).toBe('string');
        expect(JSON.stringify((await call(service.url, 'GET', '/accounts?limit=10')).json)).toBe(before);
      }
    }), propertyRuns(150));
    expect((await call(service.url, 'GET', '/health')).status).toBe(200);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
