/**
 * Greeks benchmark: 1,000,000 European options priced by every backend and by the npm peers, in
 * one run, on the same inputs. Reports ns/option (median of tinybench samples), ratios, and each
 * peer's price error against our results (which match a 50-digit reference to 1e-12).
 */
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { allocateGreeksOutput } from '../src/model/greeks-types.js';
import { benchOptions } from './options.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { Column } from '../src/memory/columns.js';

const require = createRequire(import.meta.url);
const { BlackScholes } = require('@uqee/black-scholes') as { BlackScholes: new () => { option(o: PeerOption): { price: number } } };
const { blackScholes } = require('black-scholes') as { blackScholes(s: number, k: number, t: number, v: number, r: number, type: string): number };

export { benchOptions };

interface PeerOption { type: 'call' | 'put'; underlying: number; strike: number; time: number; sigma: number; rate: number }

export interface GreeksBenchRow {
  name: string;
  options: number;
  nsPerOption: number;
  /** Max |price − ours| / spot over the options it priced (peers only). */
  maxPriceError?: number;
}

export async function greeksBench(n = 1_000_000, peerOptions = 2_000): Promise<GreeksBenchRow[]> {
  const input = benchOptions(n);
  const out = allocateGreeksOutput(n);
  const engines = {
    simd: await createEngine({ backend: 'wasm' }),
    scalar: await createEngine({ backend: 'wasm', simd: false }),
    js: await createEngine({ backend: 'js' }),
  };
  const reference = engines.js.greeks(input).price;

  // Kernel only: inputs already in WASM memory, outputs left there (the zero-copy floor).
  const inPlace = await Promise.all((['simd', 'scalar'] as const).map(async (flavour) => {
    const k = await WasmKernels.create(flavour);
    k.allocator.reserveUpTo(n * 13 * 8 + 1024);
    const isCall = Column.allocate(k.allocator, 'u8', n);
    const cols = Array.from({ length: 12 }, () => Column.allocate(k.allocator, 'f64', n));
    const args = Column.allocate(k.allocator, 'i32', 12);
    isCall.array.set(input.isCall);
    (['spot', 'strike', 'expiryYears', 'vol', 'rate', 'carry'] as const).forEach((f, c) => cols[c].array.set(input[f]));
    args.array.set(cols.map((c) => c.ptr));
    return { flavour, run: () => k.greeksInPlace(n, isCall.ptr, args.ptr) };
  }));

  const batch = engines.simd.createGreeksBatch(n);
  const scalarBatch = engines.scalar.createGreeksBatch(n);
  for (const b of [batch, scalarBatch]) {
    const view = b.input;
    (Object.keys(input) as (keyof typeof input)[]).forEach((f) => view[f].set(input[f]));
  }

  const peers: PeerOption[] = Array.from({ length: n }, (_, i) => ({
    type: input.isCall[i] ? 'call' : 'put', underlying: input.spot[i], strike: input.strike[i],
    time: input.expiryYears[i], sigma: input.vol[i], rate: input.rate[i],
  }));
  const uqee = new BlackScholes();
  let sink = 0;

  const bench = new Bench({ time: 1500, iterations: 6, warmupIterations: 2 });
  bench
    .add('margin-core wasm-simd (engine.greeksInto)', () => void engines.simd.greeksInto(input, out))
    .add('margin-core wasm-scalar (engine.greeksInto)', () => void engines.scalar.greeksInto(input, out))
    .add('margin-core js twin (engine.greeksInto)', () => void engines.js.greeksInto(input, out))
    .add('margin-core wasm-simd (GreeksBatch.run, zero copy)', () => void batch.run())
    .add('margin-core wasm-scalar (GreeksBatch.run, zero copy)', () => void scalarBatch.run())
    .add('margin-core wasm-simd kernel only (data in WASM memory)', inPlace[0].run)
    .add('margin-core wasm-scalar kernel only (data in WASM memory)', inPlace[1].run)
    .add('@uqee/black-scholes (price + Greeks)', () => {
      for (let i = 0; i < n; i++) sink += uqee.option(peers[i]).price;
    })
    .add(`black-scholes (price only, first ${peerOptions.toLocaleString('en-US')} options)`, () => {
      for (let i = 0; i < peerOptions; i++) {
        const o = peers[i];
        sink += blackScholes(o.underlying, o.strike, o.time, o.sigma, o.rate, o.type);
      }
    });
  await bench.run();
  if (Number.isNaN(sink)) throw new Error('peer returned NaN');

  const maxError = (price: (i: number) => number, count: number) => {
    let worst = 0;
    for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(price(i) - reference[i]) / input.spot[i]);
    return worst;
  };
  return bench.tasks.map((task) => {
    const options = task.name.startsWith('black-scholes') ? peerOptions : n;
    const median = task.result?.state === 'completed' ? task.result.latency.p50 : NaN;
    const row: GreeksBenchRow = { name: task.name, options, nsPerOption: (median * 1e6) / options };
    if (task.name.startsWith('@uqee')) row.maxPriceError = maxError((i) => uqee.option(peers[i]).price, 100_000);
    if (task.name.startsWith('black-scholes')) {
      row.maxPriceError = maxError((i) => {
        const o = peers[i];
        return blackScholes(o.underlying, o.strike, o.time, o.sigma, o.rate, o.type);
      }, peerOptions);
    }
    return row;
  });
}
