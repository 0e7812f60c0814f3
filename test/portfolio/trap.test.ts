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

describe('portfolio kernels: a trap is answered by the JS twin', () => {
  for (const kernel of ['riskArrays', 'portfolioReduce'] as const) {
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
});
