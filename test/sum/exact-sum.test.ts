/**
 * The exact summation kernel (assembly/sum/exact.ts, twin src/kernels/js/exact-sum.ts): every sum is the exact sum of
 * its terms rounded once to the nearest double, ties to even. The reference is independent of the kernel: the terms
 * as BigInt multiples of 2^-1074, added exactly, then rounded by integer arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { Column } from '../../src/memory/columns.js';
import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import {
  ACC_SLOTS, exactAddJs, exactCarryJs, exactMergeJs, exactRoundJs, exactSumJs, exactTotalsJs, newAccumulators,
} from '../../src/kernels/js/exact-sum.js';
import { mulberry32 } from '../support/random.js';

const F = new Float64Array(1);
const U = new BigUint64Array(F.buffer);

/** x as an exact integer multiple of 2^-1074. */
function scaled(x: number): bigint {
  F[0] = x;
  const bits = U[0];
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (e !== 0) m |= 1n << 52n;
  const v = m << BigInt(Math.max(e, 1) - 1);
  return bits >> 63n ? -v : v;
}

/** 2^e as a double, from its bits (−1074 ≤ e ≤ 1023). */
function pow2(e: number): number {
  U[0] = e >= -1022 ? BigInt(e + 1023) << 52n : 1n << BigInt(e + 1074);
  return F[0];
}

/** The exact sum of `terms` rounded to nearest, ties to even: the reference. */
function reference(terms: readonly number[]): number {
  let s = 0n;
  for (const x of terms) s += scaled(x);
  return rounded(s);
}

/** s × 2^-1074 rounded to nearest, ties to even. */
function rounded(s: bigint): number {
  const negative = s < 0n;
  const mag = negative ? -s : s;
  if (mag === 0n) return 0;
  const bits = mag.toString(2).length;
  let value: number;
  if (bits <= 53) value = Number(mag) * pow2(-1074);
  else {
    const shift = bits - 53;
    let m = mag >> BigInt(shift);
    const rest = mag - (m << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
    const e = shift - 1074;
    value = e > 1023 ? Infinity : Number(m) * pow2(e);
  }
  return negative ? -value : value;
}

const rnd = mulberry32(36);
function randomTerm(): number {
  const r = rnd();
  const sign = rnd() < 0.5 ? -1 : 1;
  if (r < 0.05) return sign * Number.MIN_VALUE * Math.floor(rnd() * 1e6); // subnormal
  if (r < 0.1) return sign * 1.7e308 * rnd(); // near the top
  if (r < 0.15) return 0;
  return sign * (0.5 + rnd()) * 10 ** Math.floor(rnd() * 40 - 20);
}

function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('exact sums: the JS twin against an exact BigInt reference', () => {
  it('known cases: cancellation, ties to even, subnormals, overflow', () => {
    expect(exactSumJs([1e308, 1e308, -1e308])).toBe(1e308); // ordered summation overflows to Infinity
    expect(exactSumJs([1, 1e100, 1, -1e100])).toBe(2); // ordered summation gives 0
    expect(exactSumJs(new Array(10).fill(0.1))).toBe(1); // ordered summation gives 0.9999999999999999
    expect(exactSumJs([2 ** 53, 1])).toBe(2 ** 53); // a tie: to even
    expect(exactSumJs([2 ** 53, 1, 2 ** -100])).toBe(2 ** 53 + 2); // just above the tie
    expect(exactSumJs([2 ** 53 + 2, 1])).toBe(2 ** 53 + 4); // a tie: to even, upwards
    expect(exactSumJs([Number.MIN_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE])).toBe(Number.MIN_VALUE);
    expect(exactSumJs([1.7976931348623157e308, 1.7976931348623157e308])).toBe(Infinity);
    expect(exactSumJs([-1.7976931348623157e308, -1e291])).toBe(-1.7976931348623157e308); // below half an ulp (2^970): rounds back to the largest double
    expect(exactSumJs([-1.7976931348623157e308, -1e300])).toBe(-Infinity); // past half an ulp: overflows, as IEEE addition does
    expect(exactSumJs([1, -1])).toBe(0);
    expect(exactSumJs([])).toBe(0);
    expect(exactSumJs([Infinity, 1])).toBe(Infinity);
    expect(exactSumJs([Infinity, -Infinity])).toBeNaN();
    expect(exactSumJs([NaN, 1])).toBeNaN();
  });

  it('random terms over the whole exponent range: equal to the reference, in any order', () => {
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rnd() * 60);
      const terms = Array.from({ length: n }, randomTerm);
      const want = reference(terms);
      expect(exactSumJs(terms), `${terms}`).toBe(want);
      expect(exactSumJs(shuffled(terms))).toBe(want);
    }
  });

  it('near-cancelling terms (the hard cases for rounding)', () => {
    for (let trial = 0; trial < 300; trial++) {
      const big = (0.5 + rnd()) * 10 ** Math.floor(rnd() * 30);
      const terms = [big, -big * (1 - 2 ** -52), rnd() * 2 ** -60, -rnd() * 2 ** -70, 2 ** -1074 * Math.floor(rnd() * 8)];
      expect(exactSumJs(shuffled(terms))).toBe(reference(terms));
    }
  });

  it('merging the accumulators of parts equals summing the whole, however the terms are split', () => {
    const terms = Array.from({ length: 5000 }, randomTerm);
    const want = reference(terms);
    for (const parts of [1, 2, 3, 7, 64]) {
      const accs = Array.from({ length: parts }, () => newAccumulators());
      terms.forEach((x, i) => exactAddJs(accs[i % parts], 0, [x]));
      const total = newAccumulators();
      for (const acc of shuffled(accs)) exactMergeJs(total, 0, acc);
      expect(exactRoundJs(total)).toBe(want);
    }
  });

  it('carries are propagated before a chunk could lose an integer (2^21 additions of the largest piece)', () => {
    const acc = newAccumulators();
    const x = 2 ** 31 * (2 - 2 ** -52); // every piece near 2^32 − 1
    const n = 2 ** 21 + 5;
    const many = new Float64Array(n).fill(x);
    exactAddJs(acc, 0, many);
    expect(exactRoundJs(acc)).toBe(rounded(scaled(x) * BigInt(n)));
    exactCarryJs(acc);
    expect(acc[ACC_SLOTS - 1]).toBe(1);
  });
});

describe('exact sums: WASM scalar and SIMD give the JS twin\'s state and bits', () => {
  it('same accumulator chunks and the same rounded sums', async () => {
    for (const flavour of ['scalar', 'simd'] as const) {
      const wasm = await WasmKernels.create(flavour);
      const raw = wasm.raw as unknown as Record<string, (...a: number[]) => number>;
      for (let trial = 0; trial < 50; trial++) {
        const terms = Float64Array.from({ length: 1 + Math.floor(rnd() * 200) }, randomTerm);
        const values = Column.allocate(wasm.allocator, 'f64', terms.length);
        const acc = Column.allocate(wasm.allocator, 'f64', ACC_SLOTS);
        values.array.set(terms);
        raw.exactClear(acc.ptr, 1);
        raw.exactAdd(acc.ptr, values.ptr, terms.length);
        const js = newAccumulators();
        exactAddJs(js, 0, terms);
        expect(Array.from(acc.array)).toEqual(Array.from(js));
        expect(Object.is(raw.exactRound(acc.ptr), exactRoundJs(js))).toBe(true);
        values.release();
        acc.release();
      }
    }
  });

  it('the report sums (exactTotals): the same accumulators, error and removed accounts left out', async () => {
    const n = 3000;
    const live = Uint8Array.from({ length: n }, (_, a) => (a % 97 === 0 ? 0 : 1));
    const status = Uint8Array.from({ length: n }, (_, a) => (a % 31 === 0 ? 4 : a % 5));
    const figures = () => Float64Array.from({ length: n }, () => (rnd() < 0.2 ? 0 : randomTerm() * 1e-200 + (rnd() - 0.3) * 1e6));
    const cols = { live, status, equity: figures(), im: figures().map(Math.abs), mm: figures().map(Math.abs), gross: figures().map(Math.abs) };
    const js = newAccumulators(5);
    exactTotalsJs(js, cols, 7, n);
    // the sums the reference gives for the same accounts
    const kept = Array.from({ length: n }, (_, a) => a).filter((a) => a >= 7 && live[a] === 1 && status[a] !== 4);
    expect(exactRoundJs(js, 0)).toBe(reference(kept.map((a) => cols.equity[a])));
    expect(exactRoundJs(js, 4 * ACC_SLOTS)).toBe(reference(kept.filter((a) => cols.im[a] > 0).map((a) => cols.gross[a])));
    for (const flavour of ['scalar', 'simd'] as const) {
      const wasm = await WasmKernels.create(flavour);
      const raw = wasm.raw as unknown as Record<string, (...a: number[]) => number>;
      const columns = Object.entries(cols).map(([name, values]) => {
        const column = Column.allocate(wasm.allocator, values instanceof Uint8Array ? 'u8' : 'f64', n);
        column.array.set(values);
        return [name, column] as const;
      });
      const args = Column.allocate(wasm.allocator, 'i32', 6);
      args.array.set(columns.map(([, c]) => c.ptr)); // live, status, equity, im, mm, gross: EXACT_TOTALS_COLUMNS order
      const acc = Column.allocate(wasm.allocator, 'f64', 5 * ACC_SLOTS);
      raw.exactTotals(acc.ptr, 7, n, args.ptr);
      const fresh = newAccumulators(5);
      exactTotalsJs(fresh, cols, 7, n);
      expect(Array.from(acc.array)).toEqual(Array.from(fresh));
    }
  });
});
