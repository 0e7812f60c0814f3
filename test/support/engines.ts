import { createEngine, type Engine } from '../../src/index.js';
import { KERNEL_MIN_PAGES } from '../../src/kernels/wasm/memory.js';
import type { GreeksInput } from '../../src/model/greeks-types.js';

/**
 * One engine per backend: JS twin, WASM scalar, WASM SIMD. The scalar engine's memory starts at the module's minimum
 * and grows with each book, as a browser's does ({@link withGrowingMemory}); the SIMD one has Node's 1 GiB: every
 * parity test then checks the kernels' bits on both, and views kept across a growth would show.
 */
export async function allEngines(): Promise<Engine[]> {
  return [
    await createEngine({ backend: 'js' }),
    await withGrowingMemory(() => createEngine({ backend: 'wasm', simd: false })),
    await createEngine({ backend: 'wasm' }),
  ];
}

/**
 * `make()` with every WebAssembly memory made meanwhile starting at the kernels' minimum (src/kernels/wasm/memory.ts:
 * Node's instances otherwise start at 1 GiB and a test's book never grows them).
 */
export async function withGrowingMemory<T>(make: () => Promise<T>): Promise<T> {
  const memories = replaceMemory((descriptor) => ({ ...descriptor, initial: Math.min(descriptor.initial, KERNEL_MIN_PAGES) }));
  try {
    return await make();
  } finally {
    memories.restore();
  }
}

/**
 * WebAssembly.Memory replaced, until `restore()`, by one made from `adjust(descriptor)` (which may throw, as a refused
 * allocation does); `made`: the memories made meanwhile.
 */
export function replaceMemory(adjust: (descriptor: WebAssembly.MemoryDescriptor) => WebAssembly.MemoryDescriptor): { made: WebAssembly.Memory[]; restore(): void } {
  const Real = WebAssembly.Memory, made: WebAssembly.Memory[] = [];
  WebAssembly.Memory = class extends Real {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(adjust(descriptor));
      made.push(this);
    }
  } as typeof WebAssembly.Memory;
  return { made, restore: () => void (WebAssembly.Memory = Real) };
}

export interface OptionSpec {
  isCall: boolean;
  spot: number;
  strike: number;
  expiryYears: number;
  vol: number;
  rate: number;
  carry?: number;
}

/** Struct-of-arrays input from a list of options. */
export function toInput(options: readonly OptionSpec[]): Required<GreeksInput> {
  return {
    isCall: Uint8Array.from(options, (o) => (o.isCall ? 1 : 0)),
    spot: Float64Array.from(options, (o) => o.spot),
    strike: Float64Array.from(options, (o) => o.strike),
    expiryYears: Float64Array.from(options, (o) => o.expiryYears),
    vol: Float64Array.from(options, (o) => o.vol),
    rate: Float64Array.from(options, (o) => o.rate),
    carry: Float64Array.from(options, (o) => o.carry ?? 0),
  };
}

/** Random options over a wide but valid domain, including every edge regime. */
export function randomInput(n: number, rnd: () => number): Required<GreeksInput> {
  const input = toInput([]);
  const out = {
    isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n),
    expiryYears: new Float64Array(n), vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const regime = rnd();
    out.isCall[i] = rnd() < 0.5 ? 1 : 0;
    const scale = 10 ** (rnd() * 12 - 6); // prices from 1e-6 to 1e6
    out.spot[i] = scale * (0.5 + rnd());
    out.strike[i] = out.spot[i] * Math.exp((rnd() - 0.5) * (regime < 0.05 ? 8 : 1.5)); // some far from the money
    out.expiryYears[i] = regime < 0.02 ? -rnd() : regime < 0.04 ? 0 : regime < 0.06 ? 1e-12 * rnd() : 1 / 365 + 5 * rnd() ** 2;
    out.vol[i] = regime > 0.97 ? 0 : regime > 0.95 ? 1e-9 * rnd() : 0.02 + 2 * rnd();
    out.rate[i] = (rnd() - 0.3) * 0.2;
    out.carry[i] = (rnd() - 0.3) * 0.2;
  }
  return Object.assign(input, out);
}
