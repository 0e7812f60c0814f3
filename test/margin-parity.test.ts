import { beforeAll, expect, test } from 'vitest';
import { type Engine, generateSample } from '../src/index.js';
import { allEngines } from './support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

test('rule-based margin gives identical bits on JS, WASM scalar and WASM SIMD, cross and isolated, on a generated book', () => {
  const { book, market } = generateSample({ accounts: 1500, seed: 11 });
  for (const method of ['cross', 'isolated'] as const) {
    const reports = engines.map((e) => e.margin(book, market, { method, breakdown: true }));
    expect(reports[1].backend).toBe('wasm-scalar');
    expect(reports[2].backend).toBe('wasm-simd');
    const [js, ...wasm] = reports;
    for (const report of wasm) {
      // toEqual on the whole report compares every number with Object.is semantics for NaN and exact equality otherwise.
      expect({ ...report, backend: 'x' }).toEqual({ ...js, backend: 'x' });
    }
    expect(js.totals.accounts).toBe(1500);
    expect(js.totals.byStatus.error).toBe(0);
  }
});

test('margin results are deterministic across runs and sessions', () => {
  const { book, market } = generateSample({ accounts: 300, seed: 12 });
  const engine = engines[2];
  const a = engine.margin(book, market, { method: 'cross' });
  const b = engine.margin(book, market, { method: 'cross' });
  expect(b).toEqual(a);
});
