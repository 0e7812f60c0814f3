/**
 * The gateway's forwarded bodies keep ±Infinity (a client's 1e309) as a number literal, so the shard refuses it with
 * serve's message rather than seeing null (src/durable/forward.ts jsonKeepingInfinity).
 */
import { describe, expect, it } from 'vitest';
import { jsonKeepingInfinity } from '../../src/durable/forward.js';

describe('jsonKeepingInfinity', () => {
  it('writes ±Infinity as ±1e999, which parses back to ±Infinity, anywhere in the body', () => {
    const body = { fills: [{ quantity: Infinity, price: -Infinity, list: [1, Infinity] }], n: 2 };
    const text = jsonKeepingInfinity(body);
    expect(text).toBe('{"fills":[{"quantity":1e999,"price":-1e999,"list":[1,1e999]}],"n":2}');
    expect(JSON.parse(text)).toEqual(body);
  });

  it('is JSON.stringify for a body without them, strings that spell them included', () => {
    const body = { a: 'Infinity', b: '1e999', c: [0.1, -0, 1e308], d: '\u0000margin-core:infinity:+' };
    expect(jsonKeepingInfinity(body)).toBe(JSON.stringify(body));
  });
});
