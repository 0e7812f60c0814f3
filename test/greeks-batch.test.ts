import { beforeAll, expect, test } from 'vitest';
import { type Engine, InputError } from '../src/index.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { Engine as EngineClass } from '../src/engine.js';
import { allEngines, randomInput } from './support/engines.js';
import { mulberry32 } from './support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

function fill(engine: Engine, input: ReturnType<typeof randomInput>) {
  const batch = engine.createGreeksBatch(input.spot.length);
  const view = batch.input;
  (Object.keys(input) as (keyof typeof input)[]).forEach((f) => view[f].set(input[f]));
  return batch;
}

test('a zero-copy batch gives the same bits as greeks() on every backend', () => {
  const input = randomInput(10_001, mulberry32(41));
  const expected = engines[0].greeks(input);
  for (const engine of engines) {
    const out = fill(engine, input).run();
    for (const f of FIELDS) expect(out[f].every((x, i) => Object.is(x, expected[f][i])), `${engine.backend} ${f}`).toBe(true);
  }
});

test('run(count) prices only the first count options; bad values are named by index', () => {
  for (const engine of engines) {
    const input = randomInput(100, mulberry32(42));
    const batch = fill(engine, input);
    batch.output.price.fill(-1);
    batch.run(10);
    expect(batch.output.price[9]).toBeGreaterThanOrEqual(0);
    expect(batch.output.price[10]).toBe(-1);
    batch.input.vol[57] = NaN;
    expect(() => batch.run()).toThrow(InputError);
    expect(() => batch.run()).toThrow('vol[57]: not a finite number (NaN)');
    expect(() => batch.run(101)).toThrow(InputError);
    expect(() => batch.run(1.5)).toThrow('count: expected a whole number in [0, 100] (the batch\'s capacity), got 1.5');
    batch.release();
    expect(() => batch.input).toThrow(/after release/);
  }
});

test('views survive memory growth when re-read from the batch', () => {
  const engine = engines[2];
  const input = randomInput(1000, mulberry32(43));
  const batch = fill(engine, input);
  const before = batch.run().price.slice();
  const big = engine.createGreeksBatch(3_000_000); // grows linear memory, detaching old views
  expect(Array.from(batch.run().price)).toEqual(Array.from(before));
  big.release();
});

test('a batch larger than memory can hold is an InputError at capacity, and the engine goes on margining', () => {
  for (const engine of engines) {
    expect(() => engine.createGreeksBatch(-1)).toThrow(InputError);
    expect(() => engine.createGreeksBatch(1.5)).toThrow('capacity: expected a whole number of options ≥ 0, got 1.5');
  }
  const engine = engines[2]; // WASM: 1e8 options are 9.7 GB of columns, beyond 4 GiB of linear memory
  expect(() => engine.createGreeksBatch(1e8)).toThrow(/^invalid input: capacity: 100000000 options need 9700000000 bytes of columns, more than the memory can hold/);
  const input = randomInput(1000, mulberry32(45));
  const batch = fill(engine, input); // memory is still usable: what the refused batch had taken was given back
  expect(Array.from(batch.run().price)).toEqual(Array.from(engines[0].greeks(input).price));
  batch.release();
  expect(engine.backend).toBe('wasm-simd');
});

test('a trap during a batch run is answered by the JS twin on the same views', async () => {
  const kernels = await WasmKernels.create('simd');
  const raw = kernels as unknown as { exports: Record<string, unknown> };
  const engine = new EngineClass(kernels, { onWarning: () => {} });
  const input = randomInput(5000, mulberry32(44));
  const batch = fill(engine, input);
  raw.exports = { ...raw.exports, bsmGreeks: () => { throw new WebAssembly.RuntimeError('unreachable'); } };
  const out = batch.run();
  const expected = engines[0].greeks(input);
  expect(out.price.every((x, i) => Object.is(x, expected.price[i]))).toBe(true);
  expect(engine.backend).toBe('js');
});
