import { describe, expect, test } from 'vitest';
import { createEngine, Engine } from '../../src/index.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { varBook, varMarket, varReport } from './support.js';

/** A real WASM function that executes `unreachable` (a genuine trap), as in test/engine.test.ts. */
function trappingFunction(): () => void {
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
    0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.trap as () => void;
}

describe('a trap in a VaR kernel is answered by the JS twin', () => {
  for (const [kernel, params] of [
    ['quadForms', { model: 'delta-normal' }], ['riskArrays', { model: 'monte-carlo', scenarios: 300 }], ['tailRisk', { model: 'monte-carlo', scenarios: 300 }],
  ] as const) {
    test(`${kernel} traps: same report as the JS engine, WASM discarded with a warning`, async () => {
      const kernels = await WasmKernels.create('simd');
      const k = kernels as unknown as { exports: Record<string, unknown> };
      k.exports = { ...k.exports, [kernel]: trappingFunction() };
      const warnings: string[] = [];
      const engine = new Engine(kernels, { onWarning: (m) => warnings.push(m) });
      const book = varBook({ positions: [['BTC-C-50000', -3], ['ETH-PERP', 4]] }, { positions: [['BTC-PERP', 1]], collateral: [['ETH', 2]] });
      const got = varReport(engine, book, varMarket(), params);
      const expected = varReport(await createEngine({ backend: 'js' }), book, varMarket(), params);
      expect(warnings[0]).toMatch(/RuntimeError: unreachable/);
      expect(got.accounts).toEqual(expected.accounts);
    });
  }
});
