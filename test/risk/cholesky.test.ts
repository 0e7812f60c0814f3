import { beforeAll, describe, expect, test } from 'vitest';
import type { RiskKernels } from '../../src/kernels/risk.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, randomSpd, riskBackends } from './support.js';

let backends: RiskKernels[];
beforeAll(async () => {
  backends = await riskBackends();
});

function factor(b: RiskKernels, a: Float64Array, m: number): Float64Array {
  const r = b.cholesky(a, m);
  if (!r.ok) throw new Error(`${b.backend}: unexpected failure at pivot ${r.pivot}`);
  return r.l;
}

/** max |(L·Lᵀ − A)ij| / max |Aij|. */
function reconstructionError(l: Float64Array, a: Float64Array, m: number): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += l[i * m + k] * l[j * m + k];
      worst = Math.max(worst, Math.abs(s - a[i * m + j]));
      scale = Math.max(scale, Math.abs(a[i * m + j]));
    }
  }
  return worst / scale;
}

describe('Cholesky', () => {
  test('factors a 2×2 and a 3×3 matrix exactly (hand-computed)', () => {
    // [[4, 2], [2, 10]] = [[2, 0], [1, 3]]·[[2, 1], [0, 3]]
    // [[4, 2, -2], [2, 10, 5], [-2, 5, 11]]: l11 = 2, l21 = 1, l31 = -1, l22 = √(10 − 1) = 3,
    // l32 = (5 − (1)(−1))/3 = 2, l33 = √(11 − 1 − 4) = √6.
    for (const b of backends) {
      expect(Array.from(factor(b, Float64Array.of(4, 2, 2, 10), 2))).toEqual([2, 0, 1, 3]);
      expect(Array.from(factor(b, Float64Array.of(4, 2, -2, 2, 10, 5, -2, 5, 11), 3))).toEqual([2, 0, 0, 1, 3, 0, -1, 2, Math.sqrt(6)]);
    }
  });

  test('reads only the lower triangle', () => {
    const a = Float64Array.of(4, 99, -7, 2, 10, 1e300, -2, 5, 11); // garbage above the diagonal
    for (const b of backends) expect(Array.from(factor(b, a, 3))).toEqual([2, 0, 0, 1, 3, 0, -1, 2, Math.sqrt(6)]);
  });

  test('L·Lᵀ reconstructs A to 1e-12 (relative to max |A|), up to 500×500', () => {
    const rnd = mulberry32(201);
    for (const m of [1, 5, 16, 17, 33, 100, 500]) {
      const a = randomSpd(m, rnd);
      for (const b of backends) {
        const l = factor(b, a, m);
        let nonZeroAbove = 0;
        for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (l[i * m + j] !== 0) nonZeroAbove++;
        expect(nonZeroAbove, `${b.backend} m=${m}: entries above the diagonal`).toBe(0);
        expect(reconstructionError(l, a, m), `${b.backend} m=${m}`).toBeLessThan(1e-12);
      }
    }
  });

  test('rejects non-positive-definite matrices with the failing pivot, never NaN', () => {
    // ρ12 = ρ13 = 0.9, ρ23 = −0.9: not PSD. Pivots: 1; √(1 − 0.81) > 0; then
    // 1 − 0.81 − ((−0.9 − 0.81)/√0.19)² = 0.19 − 15.39 < 0 → pivot 2.
    const notPsd = Float64Array.of(1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1);
    const singular = Float64Array.of(1, 1, 1, 1); // PSD but singular: pivot 1 is exactly 0
    for (const b of backends) {
      expect(b.cholesky(Float64Array.of(1, 2, 2, 1), 2)).toEqual({ ok: false, pivot: 1 });
      expect(b.cholesky(notPsd, 3)).toEqual({ ok: false, pivot: 2 });
      expect(b.cholesky(singular, 2)).toEqual({ ok: false, pivot: 1 });
      expect(b.cholesky(Float64Array.of(0), 1)).toEqual({ ok: false, pivot: 0 });
      expect(b.cholesky(Float64Array.of(-1, 0, 0, 1), 2)).toEqual({ ok: false, pivot: 0 });
      expect(b.cholesky(Float64Array.of(1, 0, 0, NaN), 2)).toEqual({ ok: false, pivot: 1 });
    }
  });

  test('a large matrix made indefinite deep inside fails at that pivot', () => {
    const rnd = mulberry32(202);
    const m = 120;
    const a = randomSpd(m, rnd, 0);
    // Make row/column 77 a copy of 76: A is then singular, pivot 77 is ~0 (rounding may leave it at
    // ±1e-17 level); subtract a little on its diagonal to make it clearly negative.
    for (let j = 0; j < m; j++) {
      a[77 * m + j] = a[76 * m + j];
      a[j * m + 77] = a[j * m + 76];
    }
    a[77 * m + 77] = a[76 * m + 76] - 1e-6;
    for (const b of backends) expect(b.cholesky(a, m), b.backend).toEqual({ ok: false, pivot: 77 });
  });

  test('JS, WASM scalar and WASM SIMD give identical bits', () => {
    const rnd = mulberry32(203);
    for (const m of [1, 2, 3, 8, 9, 15, 16, 17, 31, 47, 64, 129, 250]) {
      const a = randomSpd(m, rnd, 0.01);
      const [js, ...wasm] = backends.map((b) => factor(b, a, m));
      wasm.forEach((l, i) => expect(firstBitDifference(l, js), `${backends[i + 1].backend} m=${m}`).toBe(-1));
    }
  });

  test('does not modify its input and rejects bad shapes', () => {
    const a = Float64Array.of(4, 2, 2, 10);
    for (const b of backends) {
      b.cholesky(a, 2);
      expect(Array.from(a)).toEqual([4, 2, 2, 10]);
      expect(() => b.cholesky(a, 3)).toThrow(RangeError);
      expect(() => b.cholesky(new Float64Array(0), 0)).toThrow(RangeError);
    }
  });
});
