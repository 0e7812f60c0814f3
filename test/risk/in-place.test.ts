import { describe, expect, test } from 'vitest';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { jsRisk, tailCount, wasmRisk } from '../../src/kernels/risk.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { Column } from '../../src/memory/columns.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, randomCovariance } from './support.js';

// Inputs that already live in the kernels' memory (a Column of the instance's allocator) are read
// in place; a column of another allocator, or a plain array, is copied. Every form gives the same bits.
describe('kernel inputs as columns (zero copy)', () => {
  test('quadForms and scenarioTailRisk: a column in place = the same values as an array, on every backend', async () => {
    const rnd = mulberry32(31);
    const m = 7, n = 41, M = 203;
    const sigma = randomCovariance(m, rnd);
    const d = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 1e5);
    const risk = Float64Array.from({ length: 30 * M }, () => (rnd() - 0.5) * 10);
    const start = Int32Array.from({ length: n }, (_, a) => a * 3), end = Int32Array.from({ length: n }, (_, a) => a * 3 + 3);
    const positions = { start, end, instrument: Int32Array.from({ length: 3 * n }, () => Math.floor(rnd() * 30)), quantity: Float64Array.from({ length: 3 * n }, () => rnd() * 8 - 4) };
    const k = tailCount(0.99, M);
    const expected = jsRisk();
    const q0 = expected.quadForms(sigma, m, d, true);
    const t0 = expected.scenarioTailRisk(risk, M, positions, k);
    for (const flavour of ['simd', 'scalar'] as const) {
      const kernels = await WasmKernels.create(flavour);
      const b = wasmRisk(kernels);
      for (const allocator of [kernels.allocator, new HeapAllocator()]) {
        const dc = Column.allocate(allocator, 'f64', d.length);
        dc.array.set(d);
        const rc = Column.allocate(allocator, 'f64', risk.length);
        rc.array.set(risk);
        const q = b.quadForms(sigma, m, dc, true);
        expect(firstBitDifference(q.q, q0.q), flavour).toBe(-1);
        expect(firstBitDifference(q.grad!, q0.grad!), flavour).toBe(-1);
        const t = b.scenarioTailRisk(rc, M, positions, k);
        expect(firstBitDifference(t.var, t0.var), flavour).toBe(-1);
        expect(firstBitDifference(t.es, t0.es), flavour).toBe(-1);
        // In place means in place: the kernel saw the column's current contents.
        dc.array.fill(0);
        expect(Array.from(b.quadForms(sigma, m, dc).q)).toEqual(new Array(n).fill(0));
        dc.release();
        rc.release();
      }
    }
    const heap = Column.allocate(new HeapAllocator(), 'f64', d.length);
    heap.array.set(d);
    expect(firstBitDifference(expected.quadForms(sigma, m, heap, true).q, q0.q)).toBe(-1);
  });
});
