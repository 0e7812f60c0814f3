/**
 * The solver loaded from given bytes (`solver: { wasmBinary }`, what a browser application or the risk page passes):
 * HiGHS's Emscripten build reads no wasmBinary option, so src/optimize/solver.ts instantiates them through the
 * module's instantiateWasm hook. A two-variable LP solved by hand: minimise x + y subject to x + 2y ≥ 2, x, y ≥ 0:
 * the vertex (0, 1), objective 1.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { loadSolver } from '../../src/optimize/solver.js';

const lp = {
  cost: Float64Array.of(1, 1), colLower: Float64Array.of(0, 0), colUpper: Float64Array.of(Infinity, Infinity),
  rowLower: Float64Array.of(2), rowUpper: Float64Array.of(Infinity), starts: Int32Array.of(0, 2), indices: Int32Array.of(0, 1), values: Float64Array.of(1, 2),
};

test('the solver instantiated from given bytes solves an LP', async () => {
  const bytes = readFileSync(createRequire(import.meta.url).resolve('highs/runtime'));
  const solver = await loadSolver({ wasmBinary: bytes });
  const r = solver.solve(lp);
  expect(r.status).toBe('optimal');
  expect(Array.from(r.x)).toEqual([0, 1]);
  expect(r.objective).toBe(1);
});

test('bytes that are not WebAssembly reject the load instead of leaving it pending', async () => {
  await expect(loadSolver({ wasmBinary: new Uint8Array([1, 2, 3, 4]) })).rejects.toThrow();
});
