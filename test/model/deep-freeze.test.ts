import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/model/deep-freeze.js';
import { createEngine, generateSample } from '../../src/index.js';

describe('deepFreeze', () => {
  it('freezes nested objects and arrays, leaves typed arrays writable, returns its argument', () => {
    const v = { a: { b: [1, { c: 2 }] }, t: new Float64Array(2) };
    expect(deepFreeze(v)).toBe(v);
    expect(Object.isFrozen(v.a)).toBe(true);
    expect(Object.isFrozen(v.a.b)).toBe(true);
    expect(Object.isFrozen(v.a.b[1])).toBe(true);
    expect(() => {
      (v.a.b[1] as { c: number }).c = 3;
    }).toThrow(TypeError);
    v.t[0] = 1;
    expect(v.t[0]).toBe(1);
  });
});

describe('runs without params share validated defaults', () => {
  it('a run with params between two without does not leak into them', async () => {
    const engine = await createEngine({ backend: 'js' });
    const { book: SAMPLE_BOOK, market: SAMPLE_MARKET } = generateSample({ accounts: 300, seed: 7 });
    const first = engine.liquidate(SAMPLE_BOOK, SAMPLE_MARKET, { method: 'cross' });
    const other = engine.liquidate(SAMPLE_BOOK, SAMPLE_MARKET, { method: 'cross', params: { liquidation: { feeRate: 0.01 } } });
    const again = engine.liquidate(SAMPLE_BOOK, SAMPLE_MARKET, { method: 'cross' });
    expect(other.params.feeRate).toBe(0.01);
    expect(again.params.feeRate).toBe(first.params.feeRate);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });
});
