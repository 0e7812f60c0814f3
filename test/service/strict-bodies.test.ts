/**
 * The service refuses what JSON.parse takes silently in a body (docs/service.md): a member name given twice (`{"fills":
 * [one fill], "fills": []}` answered 200 `{"remargined": 0}`, the fill dropped) and a number that underflows (a quantity
 * of 1e-400 was refused as "zero", not under its own value). 400, the path as the library writes it, nothing applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import type { LiveSession } from '../../src/live/live-session.js';
import { type RunningService, startService } from '../../src/service/server.js';
import { market } from '../support/margin-books.js';
import { AUTH, SMALL_BOOK, TOKEN } from './helpers.js';

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

/** POST `text` as it is (a body JSON.stringify could not write); the status and the answer. */
async function post(path: string, text: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${service.url}${path}`, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...AUTH } });
  return { status: res.status, json: await res.json() };
}

const FILL = '{"account":"long","instrument":"BTC-PERP","quantity":0.5,"price":100000}';

describe('a member name given twice', () => {
  it('POST /fills {"fills": [a fill], "fills": []}: 400 at fills, naming both places; the fill is not dropped silently', async () => {
    const before = await (await fetch(`${service.url}/report`, { headers: AUTH })).text();
    const answer = await post('/fills', `{"fills":[${FILL}],"fills":[]}`);
    expect(answer).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'fills', message: `line 1, column ${FILL.length + 13}: "fills" is given twice in the body (first at line 1, column 2): JSON.parse would keep the last silently` }] } });
    expect(await (await fetch(`${service.url}/report`, { headers: AUTH })).text()).toBe(before);
  });

  it('inside an item, on every route, at the library\'s path', async () => {
    const twice = FILL.replace('"quantity":0.5', '"quantity":0.5,"quantity":5');
    expect((await post('/fills', `[${twice}]`)).json.problems).toEqual([{ path: 'fills[0].quantity', message: expect.stringMatching(/^line 1, column \d+: "quantity" is given twice in fills\[0\]/) }]);
    expect((await post('/what-if', '{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":1,"instrument":"ETH-PERP"}]}')).json.problems).toEqual([{ path: 'trades[0].instrument', message: expect.stringContaining('"instrument" is given twice in trades[0]') }]);
    expect((await post('/tick', '{"assets":{"BTC":{"price":99000,"price":1}}}')).json.problems).toEqual([{ path: 'tick.assets.BTC.price', message: expect.stringContaining('"price" is given twice in tick.assets.BTC') }]);
  });
});

describe('a number that underflows', () => {
  it('a quantity of 1e-400: 400 under its own value, not as zero', async () => {
    const tiny = FILL.replace('0.5', '1e-400');
    const message = `line 1, column ${tiny.indexOf('1e-400') + 11}: 1e-400 is not 0 but nearer 0 than the smallest number (5e-324): it would be read as 0`;
    expect(await post('/fills', `{"fills":[${tiny}]}`)).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'fills[0].quantity', message }] } });
    expect((await post('/check', '{"account":"long","order":{"instrument":"BTC-PERP","quantity":1e-400}}')).json.problems).toEqual([{ path: 'order.quantity', message: expect.stringContaining('1e-400 is not 0') }]);
    expect((await post('/transfers', '[{"account":"long","cashUsd":-0.1e-330}]')).json.problems).toEqual([{ path: 'transfers[0].cashUsd', message: expect.stringContaining('-0.1e-330 is not 0') }]);
  });
});

describe('a body that is not UTF-8', () => {
  it('a fill whose account id holds a byte that is not UTF-8: 400 at body with the byte, not a fill for "long\ufffd"', async () => {
    const before = await (await fetch(`${service.url}/report`, { headers: AUTH })).text();
    const text = `{"fills":[${FILL}]}`, cut = text.indexOf('long') + 2;
    const bytes = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff]), Buffer.from(text.slice(cut))]); // "lo\xffng"
    const res = await fetch(`${service.url}/fills`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/json', ...AUTH } });
    expect({ status: res.status, json: await res.json() }).toEqual({ status: 400, json: { error: 'invalid input', problems: [{ path: 'body', message: `not valid UTF-8 at byte ${cut} (after ${JSON.stringify(text.slice(0, cut))}): JSON text must be UTF-8` }] } });
    expect(await (await fetch(`${service.url}/report`, { headers: AUTH })).text()).toBe(before);
  });

  it('a body that starts with a UTF-8 byte-order mark is read, as the command line reads such a file', async () => {
    const text = '{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":1}]}';
    const plain = await post('/what-if', text);
    const marked = await fetch(`${service.url}/what-if`, { method: 'POST', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), headers: { 'content-type': 'application/json', ...AUTH } });
    expect(plain.status).toBe(200);
    expect({ status: marked.status, json: await marked.json() }).toEqual(plain);
  });

  it('UTF-8 beyond ASCII is taken as it is', async () => {
    const answer = await post('/what-if', '{"account":"long","trades":[{"instrument":"BTC-PERP","quantity":1}],"x":"é€𝄞"}');
    expect(answer.status).toBe(400);
    expect(answer.json.problems[0].path).toBe('body.x'); // an unknown field: the bytes were read, as UTF-8
  });
});
