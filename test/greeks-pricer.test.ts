/**
 * createPricer (src/greeks/pricer.ts, also `margin-core/greeks`): Greeks without the engine, on the same kernels. Its
 * prices match published values and the engine's bits on every backend, its batch and its fallbacks work as the
 * engine's do.
 */
import { beforeAll, expect, test } from 'vitest';
import { createPricer, InputError } from '../src/index.js';
import { GreeksPricer } from '../src/greeks/index.js';
import * as greeksEntry from '../src/greeks/index.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { allEngines, randomInput, toInput } from './support/engines.js';
import { mulberry32 } from './support/random.js';
import type { Engine } from '../src/engine.js';

const FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;
let engines: Engine[];
let pricers: GreeksPricer[];
beforeAll(async () => {
  engines = await allEngines();
  pricers = [await createPricer({ backend: 'js' }), await createPricer({ backend: 'wasm', simd: false }), await createPricer({ backend: 'wasm' })];
});

test('the pricer prices Haug\'s worked examples on every backend', () => {
  // Haug, The Complete Guide to Option Pricing Formulas (2007): 1.1.1 a call S=60 K=65 T=0.25 r=8% σ=30% → 2.1334;
  // 1.1.3 a put S=100 K=95 T=0.5 r=10% q=5% σ=20% → 2.4648.
  const input = toInput([
    { isCall: true, spot: 60, strike: 65, expiryYears: 0.25, vol: 0.3, rate: 0.08 },
    { isCall: false, spot: 100, strike: 95, expiryYears: 0.5, vol: 0.2, rate: 0.1, carry: 0.05 },
  ]);
  expect(pricers.map((p) => p.backend)).toEqual(['js', 'wasm-scalar', 'wasm-simd']);
  for (const pricer of pricers) {
    const { price } = pricer.greeks(input);
    expect(price[0]).toBeCloseTo(2.1334, 4);
    expect(price[1]).toBeCloseTo(2.4648, 4);
  }
});

test('the pricer gives the engine\'s bits on every backend, plain, into and batch', () => {
  const input = randomInput(5_003, mulberry32(7));
  const expected = engines[0].greeks(input);
  for (const [k, pricer] of pricers.entries()) {
    expect(pricer.backend).toBe(engines[k].backend);
    const plain = pricer.greeks(input);
    const into = pricer.greeksInto(input, { price: new Float64Array(5_003), delta: new Float64Array(5_003), gamma: new Float64Array(5_003), vega: new Float64Array(5_003), theta: new Float64Array(5_003), rho: new Float64Array(5_003) });
    const batch = pricer.createGreeksBatch(5_003);
    const view = batch.input;
    (Object.keys(input) as (keyof typeof input)[]).forEach((f) => view[f].set(input[f]));
    const batched = batch.run();
    for (const f of FIELDS) {
      for (const got of [plain, into, batched]) expect(got[f].every((x, i) => Object.is(x, expected[f][i])), `${pricer.backend} ${f}`).toBe(true);
    }
    batch.release();
  }
});

test('bad input is an InputError naming the option, on every backend', () => {
  const input = randomInput(3_000, mulberry32(8));
  input.vol[2_500] = -0.1;
  for (const pricer of pricers) expect(() => pricer.greeks(input)).toThrow(/vol\[2500\]/);
  for (const pricer of pricers) expect(() => pricer.greeks(input)).toThrow(InputError);
});

test('margin-core/greeks exports the pricer and nothing of the engine', () => {
  expect(greeksEntry.createPricer).toBe(createPricer);
  expect(Object.keys(greeksEntry).sort()).toEqual(['GREEKS_LIMITS', 'GreeksBatch', 'GreeksPricer', 'InputError', 'createPricer']);
});

test('a trap in the pricer is answered by the JS twin with the same bits and WASM comes back', async () => {
  const kernels = await WasmKernels.create('simd');
  const raw = (kernels as unknown as { exports: Record<string, unknown> }).exports;
  (kernels as unknown as { exports: Record<string, unknown> }).exports = { ...raw, bsmGreeks: () => { throw new WebAssembly.RuntimeError('unreachable'); } };
  const warnings: string[] = [];
  const pricer = new GreeksPricer(kernels, { onWarning: (m) => warnings.push(m) });
  const input = randomInput(100, mulberry32(9));
  const expected = pricers[0].greeks(input);
  expect(Array.from(pricer.greeks(input).price)).toEqual(Array.from(expected.price));
  expect(pricer.backend).toBe('js');
  expect(warnings[0]).toMatch(/RuntimeError: unreachable/);
  const start = Date.now();
  while (pricer.backend !== 'wasm-simd' && Date.now() - start < 5_000) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(pricer.backend).toBe('wasm-simd');
  expect(pricer.fallbackReason).toBeUndefined();
  expect(Array.from(pricer.greeks(input).delta)).toEqual(Array.from(expected.delta));
});

test('backend names are checked; js needs no WASM and says no fallback', async () => {
  await expect(createPricer({ backend: 'gpu' as never })).rejects.toThrow("options.backend: expected 'auto', 'wasm' or 'js', got \"gpu\"");
  // a misspelt option is refused with the name meant (it would leave the .wasm files unstreamed with no sign)
  await expect(createPricer({ wasmURLs: { simd: 'a.wasm', scalar: 'b.wasm' } } as never)).rejects.toMatchObject({ name: 'InputError', problems: [{ path: 'options.wasmURLs', message: 'unknown option (did you mean "wasmUrls"?)' }] });
  await expect(createPricer({ simd: 'no' } as never)).rejects.toMatchObject({ problems: [{ path: 'options.simd', message: 'expected true or false, got "no"' }] });
  const js = await createPricer({ backend: 'js' });
  expect(js.backend).toBe('js');
  expect(js.fallbackReason).toBeUndefined();
});
