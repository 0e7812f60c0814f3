/**
 * The kernels' memory (src/kernels/wasm/memory.ts): imported, 1 GiB from the start under Node so a book's layout never
 * grows it (no detached buffer: docs/performance.md, no-detach); the module's minimum in a browser, or when the
 * address space is refused, growing as a book needs it and giving the same bits.
 */
import { afterEach, expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { KERNEL_MIN_PAGES, kernelMemory, NODE_INITIAL_PAGES } from '../../src/kernels/wasm/memory.js';
import { generateSample } from '../../src/sample/generate.js';
import { replaceMemory } from '../support/engines.js';

const PAGE = 65_536;
const RealMemory = WebAssembly.Memory;

afterEach(() => {
  WebAssembly.Memory = RealMemory;
});

/** WebAssembly.Memory refusing more than the module's minimum, as an address-space limit would; returns the memories it makes. */
function refuseLargeMemories(): WebAssembly.Memory[] {
  return replaceMemory((descriptor) => {
    if (descriptor.initial > KERNEL_MIN_PAGES) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    return descriptor;
  }).made;
}

test('under Node an instance starts with 1 GiB, and 200 MB of columns do not grow it (its buffer is never detached)', async () => {
  expect(NODE_INITIAL_PAGES * PAGE).toBe(2 ** 30);
  const kernels = await WasmKernels.create('simd');
  const before = kernels.memory.buffer;
  expect(before.byteLength).toBe(2 ** 30);
  const ptr = kernels.allocator.reserve(200_000_000);
  new Float64Array(kernels.memory.buffer, ptr, 25_000_000).fill(1.5);
  expect(kernels.memory.buffer).toBe(before);
  expect(before.byteLength).toBe(2 ** 30);
});

test("a browser's memory, or one refused 1 GiB, starts at the module's minimum", () => {
  expect(kernelMemory(false).buffer.byteLength).toBe(KERNEL_MIN_PAGES * PAGE);
  refuseLargeMemories();
  expect(kernelMemory(true).buffer.byteLength).toBe(KERNEL_MIN_PAGES * PAGE);
});

test('an engine made with the small memory grows it for a book and gives the bits of the 1 GiB one and of the JS twin', async () => {
  const { book, market } = generateSample({ accounts: 3_000, seed: 11 });
  const large = await createEngine({ backend: 'wasm' });
  const made = refuseLargeMemories();
  const small = await createEngine({ backend: 'wasm' });
  WebAssembly.Memory = RealMemory;
  const js = await createEngine({ backend: 'js' });
  for (const method of ['cross', 'portfolio'] as const) {
    // toEqual compares every number exactly (NaN with Object.is); the backend's name aside
    const want = { ...js.margin(book, market, { method }), backend: 'x' };
    expect({ ...small.margin(book, market, { method }), backend: 'x' }).toEqual(want);
    expect({ ...large.margin(book, market, { method }), backend: 'x' }).toEqual(want);
  }
  expect(made).toHaveLength(1);
  expect(made[0].buffer.byteLength).toBeGreaterThan(KERNEL_MIN_PAGES * PAGE); // the book grew it
});
