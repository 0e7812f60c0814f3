/**
 * The request bodies' JSON Schema (schemas/service.schema.json, built on the book's and market's schemas) and the
 * library's validation agree: every body the schema refuses, the library refuses too, so a 400 lists the library's
 * own problems with their paths; no coercion ("1" is not a number), unknown fields refused (never stripped); and over
 * HTTP, the 400 problems are exactly what the library's call throws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { InputError, type InputProblem } from '../../src/errors.js';
import type { LiveSession } from '../../src/live/live-session.js';
import { bodyValidators, type PostRoute, pointerPath, schemaProblems, validateAsLibrary } from '../../src/service/body.js';
import { type RunningService, startService } from '../../src/service/server.js';
import { market } from '../support/margin-books.js';
import { call, SMALL_BOOK, TOKEN } from './helpers.js';
import { wire } from '../support/wire.js';

let live: LiveSession;
let service: RunningService;
beforeAll(async () => {
  const engine = await createEngine();
  live = engine.live(SMALL_BOOK, market(), { method: 'cross' });
  service = await startService(live, { port: 0, token: TOKEN });
});
afterAll(async () => {
  await service.close();
  live.release();
});

function libraryProblems(route: PostRoute, body: unknown): InputProblem[] | null {
  try {
    validateAsLibrary(route, body, live);
    return null;
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
}

const GOOD: [PostRoute, unknown][] = [
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1 }, { instrument: 'BTC-PERP', quantity: -0.5, price: 99_000 }, { asset: 'USDC', amount: -100 }, { cashUsd: 5 }] }],
  ['what-if', { account: 'long', trades: [] }],
  ['check', { account: 'long', order: { instrument: 'BTC-PERP', quantity: 1, price: 100_000 } }],
  ['fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 100_000 }] }],
  ['fills', [{ account: 'eth', instrument: 'ETH-PERP', quantity: -2, price: 3_000 }]],
  ['transfers', { transfers: [{ account: 'long', asset: 'USDC', amount: 10 }, { account: 'eth', cashUsd: -3 }] }],
  ['tick', { assets: { BTC: { price: 99_000, vol: 0.5 } }, marks: { 'BTC-PERP': 99_010 } }],
  ['tick', { assets: {}, marks: { 'BTC-PERP': 99_010 } }],
];

/** Bodies of wrong shape: coerced types, unknown fields, missing ones, zero sizes, wrong containers. */
const BAD: [PostRoute, unknown][] = [
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: '1' }] }],
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: true }] }],
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 0 }] }],
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1, side: 'buy' }] }],
  ['what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1, price: -1 }] }],
  ['what-if', { account: 'long', trades: [{ quantity: 1 }] }],
  ['what-if', { account: 'long', trades: [{ asset: 'USDC', amount: 0 }] }],
  ['what-if', { account: 'long', trades: [{ cashUsd: '5' }] }],
  ['what-if', { account: 'long', trades: [null] }],
  ['what-if', { account: 'long', trades: {} }],
  ['what-if', { account: 'long', trades: [], extra: 1 }],
  ['what-if', { account: 1, trades: [] }],
  ['what-if', { account: '', trades: [] }],
  ['what-if', { trades: [] }],
  ['what-if', [{ account: 'long', trades: [] }]],
  ['what-if', 'long'],
  ['what-if', null],
  ['check', { account: 'long', order: { instrument: 'BTC-PERP', quantity: '2' } }],
  ['check', { account: 'long', order: [{ instrument: 'BTC-PERP', quantity: 2 }] }],
  ['check', { account: 'long', order: { instrument: 'BTC-PERP' } }],
  ['check', { account: 'long' }],
  ['fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 1 }] }],
  ['fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 1, price: '100000' }] }],
  ['fills', { fills: [{ account: 'long', instrument: 'BTC-PERP', quantity: 1, price: 1, fee: 0 }] }],
  ['fills', { fills: {} }],
  ['fills', { fill: [] }],
  ['fills', { fills: [], more: [] }],
  ['fills', [1, 2]],
  ['transfers', [{ account: 'long', asset: 'USDC' }]],
  ['transfers', [{ account: 'long', asset: 'USDC', amount: '1' }]],
  ['transfers', [{ account: 'long', cashUsd: 1, asset: 'USDC' }]],
  ['transfers', [{ asset: 'USDC', amount: 1 }]],
  ['tick', { assets: { BTC: { price: '99000' } } }],
  ['tick', { assets: { BTC: { price: 0 } } }],
  ['tick', { assets: { BTC: { price: 1, spot: 2 } } }],
  ['tick', { assets: { BTC: {} } }],
  ['tick', { assets: { BTC: 99_000 } }],
  ['tick', { assets: { BTC: { vol: -0.1 } } }],
  ['tick', { marks: { 'BTC-PERP': '1' } }],
  ['tick', { marks: { 'BTC-PERP': -1 } }],
  ['tick', { impliedVols: { 'BTC-110000-C': -0.2 } }],
  ['tick', { prices: {} }],
  ['tick', {}], // moves nothing: a body cut to {} had taken a tick id in the cluster
  ['tick', { assets: {}, marks: {}, impliedVols: {} }],
  ['tick', []],
];

describe('schemas/service.schema.json and the library', () => {
  it('both accept the good bodies', () => {
    const validators = bodyValidators();
    for (const [route, body] of GOOD) {
      expect(validators[route](body), `${route} ${JSON.stringify(body)} ${JSON.stringify(validators[route].errors)}`).toBe(true);
      expect(libraryProblems(route, body), `${route} ${JSON.stringify(body)}`).toBeNull();
    }
  });

  it('both refuse the bodies of wrong shape, and the problems are the library’s', () => {
    const validators = bodyValidators();
    for (const [route, body] of BAD) {
      const label = `${route} ${JSON.stringify(body)}`;
      expect(validators[route](body), label).toBe(false);
      const library = libraryProblems(route, body);
      expect(library, label).not.toBeNull();
      expect(schemaProblems(route, body, live, validators[route].errors!), label).toEqual(library);
    }
  });

  it('writes a schema error’s JSON pointer as the library writes paths', () => {
    expect(pointerPath('', '/trades/0/quantity', { trades: [{}] })).toBe('trades[0].quantity');
    expect(pointerPath('fills', '/fills/2/price', { fills: [] })).toBe('fills[2].price');
    expect(pointerPath('fills', '/2/price', [])).toBe('fills[2].price');
    expect(pointerPath('tick', '/marks/BTC-PERP', { marks: {} })).toBe('tick.marks["BTC-PERP"]');
    expect(pointerPath('tick', '/assets/BTC/price', { assets: { BTC: {} } })).toBe('tick.assets.BTC.price');
    expect(pointerPath('', '', 'x')).toBe('body');
  });
});

describe('over HTTP', () => {
  it('answers 400 with exactly the problems the library call throws, and changes nothing', async () => {
    const before = (await call(service.url, 'GET', '/report')).json;
    const cases: [string, unknown, () => unknown][] = [
      ['/fills', { fills: [{ account: 'long', instrument: 'NOPE', quantity: 'x', price: 1 }] }, () => live.applyFills(wire([{ account: 'long', instrument: 'NOPE', quantity: 'x', price: 1 }]))],
      ['/what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: '1', extra: true }] }, () => live.whatIf('long', wire([{ instrument: 'BTC-PERP', quantity: '1', extra: true }]))],
      ['/tick', { assets: { BTC: { price: -5, vol: '0.5' } }, marks: { 'NO-SUCH': 1 } }, () => live.applyTick(wire({ assets: { BTC: { price: -5, vol: '0.5' } }, marks: { 'NO-SUCH': 1 } }))],
      ['/transfers', [{ account: 'ghost', asset: 'USDC', amount: 0 }], () => live.applyTransfers([{ account: 'ghost', asset: 'USDC', amount: 0 }])],
      ['/check', { account: 'long', order: { instrument: 'BTC-PERP', quantity: 0 } }, () => live.check('long', { instrument: 'BTC-PERP', quantity: 0 })],
    ];
    for (const [path, body, direct] of cases) {
      let thrown: InputProblem[] = [];
      try {
        direct();
      } catch (error) {
        thrown = [...(error as InputError).problems];
      }
      expect(thrown.length, path).toBeGreaterThan(0);
      expect(await call(service.url, 'POST', path, body), path).toMatchObject({ status: 400, json: { error: 'invalid input', problems: thrown } });
    }
    expect((await call(service.url, 'GET', '/report')).json).toEqual(before);
  });

  it('refuses unknown fields rather than stripping them', async () => {
    const res = await call(service.url, 'POST', '/what-if', { account: 'long', trades: [{ instrument: 'BTC-PERP', quantity: 1, leverage: 10 }] });
    expect(res).toMatchObject({ status: 400, json: { problems: [{ path: 'trades[0].leverage' }] } });
    const top = await call(service.url, 'POST', '/tick', { assets: { BTC: { price: 99_000 } }, dryRun: true });
    expect(top).toMatchObject({ status: 400, json: { problems: [{ path: 'tick.dryRun' }] } });
  });
});
