/**
 * A whole-book rule-based run goes to the WASM kernel in chunks of MARGIN_CHUNK accounts (src/kernels/backend.ts):
 * on a book of a little more than two chunks, cross and isolated margin are the JS twin's bits, which margins the
 * whole book in one loop.
 */
import { beforeAll, expect, test } from 'vitest';
import { type Engine, generateSample } from '../src/index.js';
import { MARGIN_CHUNK } from '../src/kernels/backend.js';
import { allEngines } from './support/engines.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

test('cross and isolated margin of a book over two chunks are the JS twin\'s bits on WASM scalar and SIMD', () => {
  const accounts = 2 * MARGIN_CHUNK + 17; // a full chunk after the first, and a short last one
  const { book, market } = generateSample({ accounts, seed: 23 });
  for (const method of ['cross', 'isolated'] as const) {
    const [js, scalar, simd] = engines.map((e) => e.margin(book, market, { method }));
    expect([scalar.backend, simd.backend]).toEqual(['wasm-scalar', 'wasm-simd']);
    expect(js.totals.accounts).toBe(accounts);
    expect(js.totals.byStatus.error).toBe(0);
    // the reports as JSON (what a user reads: every figure printed to the shortest text that round-trips its bits)
    const text = JSON.stringify(js);
    for (const report of [scalar, simd]) expect(JSON.stringify({ ...report, backend: 'js' }) === text, report.backend).toBe(true);
  }
}, 120_000);
