import { beforeAll, describe, expect, test } from 'vitest';
import { cdfRef, dec } from './reference/decimal-normal.js';
import { type MathBackend, mathBackends } from './support/backends.js';
import { mulberry32, ulpDistance } from './support/random.js';

let backends: MathBackend[];
beforeAll(async () => {
  backends = await mathBackends();
});

/** Points spread over [lo, hi], plus random ones. */
function grid(lo: number, hi: number, n: number, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * i) / (n - 1);
  for (let i = n; i < 2 * n; i++) out[i] = lo + (hi - lo) * rnd();
  return out;
}

describe('exp', () => {
  const xs = grid(-744, 709, 1500, 1);
  test('is within 2 ulp of a 50-digit reference on every backend', () => {
    const ref = Array.from(xs, (x) => dec(x).exp().toNumber());
    for (const b of backends) {
      const got = b.math('exp', xs);
      let worst = 0;
      for (let i = 0; i < xs.length; i++) if (ref[i] > 1e-300) worst = Math.max(worst, ulpDistance(got[i], ref[i]));
      expect(worst, b.name).toBeLessThanOrEqual(2);
    }
  });

  test('underflows to exactly 0 far below and is exact at 0', () => {
    for (const b of backends) {
      expect(Array.from(b.math('exp', Float64Array.from([0, -800, -1e6])))).toEqual([1, 0, 0]);
    }
  });
});

describe('log', () => {
  test('is within 2 ulp of a 50-digit reference from 1e-300 to 1e300 on every backend', () => {
    const rnd = mulberry32(2);
    const xs = Float64Array.from({ length: 3000 }, (_, i) => (i < 1000 ? 10 ** (-300 + 0.6 * i) : i < 2000 ? 0.5 + rnd() : 1 + (rnd() - 0.5) * 1e-6));
    const ref = Array.from(xs, (x) => dec(x).ln().toNumber());
    for (const b of backends) {
      const got = b.math('log', xs);
      let worst = 0;
      for (let i = 0; i < xs.length; i++) {
        // Near x = 1 the result is tiny; measure against an absolute scale of 1 ulp of 1.
        const err = Math.abs(ref[i]) < 1e-3 ? Math.abs(got[i] - ref[i]) / 2 ** -52 : ulpDistance(got[i], ref[i]);
        worst = Math.max(worst, err);
      }
      expect(worst, b.name).toBeLessThanOrEqual(2);
    }
  });

  test('is exactly 0 at 1', () => {
    for (const b of backends) expect(b.math('log', Float64Array.of(1))[0]).toBe(0);
  });
});

describe('normal CDF', () => {
  test('has relative error ≤ 1e-14 over |x| ≤ 37 against a 50-digit reference, on every backend', () => {
    const xs = grid(-37, 37, 1200, 3);
    const ref = Array.from(xs, (x) => cdfRef(dec(x)).toNumber());
    for (const b of backends) {
      const got = b.math('normCdf', xs);
      let worst = 0;
      let where = 0;
      for (let i = 0; i < xs.length; i++) {
        const rel = Math.abs(got[i] - ref[i]) / ref[i];
        if (rel > worst) [worst, where] = [rel, xs[i]];
      }
      expect(worst, `${b.name} worst at x = ${where}`).toBeLessThanOrEqual(1e-14);
    }
  });

  test('is accurate at the region boundaries and at 0', () => {
    const xs = Float64Array.from([0, 0.66291, -0.66291, 0.6629100000000001, 5.656854248, -5.656854248, -5.656854249]);
    const ref = Array.from(xs, (x) => cdfRef(dec(x)).toNumber());
    for (const b of backends) {
      const got = b.math('normCdf', xs);
      xs.forEach((x, i) => expect(Math.abs(got[i] - ref[i]) / ref[i], `${b.name} at ${x}`).toBeLessThanOrEqual(1e-15));
    }
  });

  test('saturates to exactly 0 and 1 beyond |x| = 40', () => {
    for (const b of backends) expect(Array.from(b.math('normCdf', Float64Array.from([-50, 50, -1e300, 1e300])))).toEqual([0, 1, 0, 1]);
  });

  test('N(x) + N(−x) = 1', () => {
    const xs = grid(0, 8, 500, 4);
    const neg = xs.map((x) => -x);
    for (const b of backends) {
      const p = b.math('normCdf', xs), m = b.math('normCdf', neg);
      for (let i = 0; i < xs.length; i++) expect(Math.abs(p[i] + m[i] - 1)).toBeLessThanOrEqual(2 ** -52);
    }
  });
});

test('exp, log and the normal CDF give identical bits on all three backends', () => {
  const rnd = mulberry32(5);
  const xs = Float64Array.from({ length: 20001 }, () => (rnd() - 0.5) * 80);
  const pos = Float64Array.from({ length: 20001 }, () => 10 ** ((rnd() - 0.5) * 600));
  const [js, ...wasm] = backends;
  for (const [op, input] of [['exp', xs], ['log', pos], ['normCdf', xs]] as const) {
    const expected = js.math(op, input);
    for (const b of wasm) {
      const got = b.math(op, input);
      let mismatches = 0;
      for (let i = 0; i < input.length; i++) if (!Object.is(got[i], expected[i])) mismatches++;
      expect(mismatches, `${op} on ${b.name}`).toBe(0);
    }
  }
});
