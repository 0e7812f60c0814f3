import { describe, expect, test } from 'vitest';
import { createEngine, Engine } from '../../src/engine.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { generateSample } from '../../src/sample/index.js';

/** A real WASM function that executes `unreachable`: a genuine trap. */
function trappingFunction(): () => void {
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
    0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.trap as () => void;
}

/**
 * `kernel` of `exports` made to dirty its scratch and then trap, as a kernel stopped part way would leave it: the first
 * entries of the columns at `slots` of its argument block (the last argument) are set to −1 (i32: every bit) or 1.5 (f64).
 */
function trappingAfterWrites(exports: Record<string, unknown>, slots: readonly (readonly [number, 'i32' | 'f64'])[]): (...args: number[]) => void {
  const trap = trappingFunction();
  return (...args: number[]) => {
    const memory = (exports.memory as WebAssembly.Memory).buffer;
    const block = new Uint32Array(memory, args[args.length - 1], 32);
    for (const [slot, type] of slots) {
      if (type === 'i32') new Int32Array(memory, block[slot], 4).fill(-1);
      else new Float64Array(memory, block[slot], 16).fill(1.5);
    }
    trap();
  };
}

describe('portfolio kernels: a trap is answered by the JS twin', () => {
  for (const kernel of ['riskArrays', 'portfolioReduce', 'portfolioSlots', 'addOnEntries'] as const) {
    test(`${kernel} trapping mid-run gives the JS report, bit for bit`, async () => {
      const { book, market } = generateSample({ accounts: 30, seed: 4 });
      const expected = (await createEngine({ backend: 'js' })).margin(book, market, { method: 'portfolio', breakdown: true });
      const kernels = await WasmKernels.create('simd');
      const holder = kernels as unknown as { exports: Record<string, unknown> };
      holder.exports = { ...holder.exports, [kernel]: trappingFunction() };
      const warnings: string[] = [];
      const engine = new Engine(kernels, { onWarning: (m) => warnings.push(m) });
      const got = engine.margin(book, market, { method: 'portfolio', breakdown: true });
      expect(warnings[0]).toMatch(/RuntimeError: unreachable/);
      expect({ ...got, backend: 'js' }).toEqual(expected);
    });
  }

  // the slots kernel's held rows, counts and bits; the add-on entries kernel's nets and bits (PORTFOLIO_SLOTS_COLUMNS, ADD_ON_ENTRIES_COLUMNS)
  const dirtied = [['portfolioSlots', [[20, 'i32'], [21, 'i32'], [24, 'i32']]], ['addOnEntries', [[22, 'f64'], [25, 'i32']]]] as const;
  for (const [kernel, slots] of dirtied) {
    test(`${kernel} trapping after writing its scratch gives the JS report, bit for bit`, async () => {
      const { book, market } = generateSample({ accounts: 30, seed: 4 });
      const expected = (await createEngine({ backend: 'js' })).margin(book, market, { method: 'portfolio', breakdown: true });
      const kernels = await WasmKernels.create('simd');
      const holder = kernels as unknown as { exports: Record<string, unknown> };
      holder.exports = { ...holder.exports, [kernel]: trappingAfterWrites(holder.exports, slots) };
      const engine = new Engine(kernels, { onWarning: () => undefined });
      expect({ ...engine.margin(book, market, { method: 'portfolio', breakdown: true }), backend: 'js' }).toEqual(expected);
    });
  }
});

describe('exact totals: a trap part way is answered by the JS twin from zero', () => {
  test('exactTotals trapping after adding half the accounts gives the JS totals, bit for bit', async () => {
    const { book, market } = generateSample({ accounts: 400, seed: 7 });
    const expected = (await createEngine({ backend: 'js' })).margin(book, market, { method: 'cross' });
    const kernels = await WasmKernels.create('simd');
    const holder = kernels as unknown as { exports: Record<string, unknown> };
    const real = holder.exports.exactTotals as (acc: number, first: number, last: number, args: number) => void;
    const trap = trappingFunction();
    // the kernel adds its first half of the accounts into the accumulators, then traps
    holder.exports = { ...holder.exports, exactTotals: (acc: number, first: number, last: number, args: number) => {
      real(acc, first, first + ((last - first) >> 1), args);
      trap();
    } };
    const warnings: string[] = [];
    const engine = new Engine(kernels, { onWarning: (m) => warnings.push(m) });
    const got = engine.margin(book, market, { method: 'cross' });
    expect(warnings[0]).toMatch(/RuntimeError: unreachable/);
    expect(got.totals).toEqual(expected.totals);
  });
});
