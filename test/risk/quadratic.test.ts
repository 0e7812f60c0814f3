import { beforeAll, describe, expect, test } from 'vitest';
import type { RiskKernels } from '../../src/kernels/risk.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, randomCovariance, riskBackends } from './support.js';

let backends: RiskKernels[];
beforeAll(async () => {
  backends = await riskBackends();
});

/** Reference dᵀΣd with a plain double loop (a different summation order from the kernels). */
function naiveQ(sigma: Float64Array, m: number, d: Float64Array, a: number): number {
  let q = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) q += d[a * m + i] * sigma[i * m + j] * d[a * m + j];
  return q;
}

describe('quadratic forms dᵀΣd', () => {
  test('2-asset portfolio matches the closed form, with Euler components summing to √q', () => {
    // σ1 = 2%, σ2 = 3%, ρ = 0.5: Σ = [[4e-4, 3e-4], [3e-4, 9e-4]]; d = (1,000,000, −500,000).
    // Σd = (400 − 150, 300 − 450) = (250, −150);
    // q = 1e6·250 + (−5e5)·(−150) = 2.5e8 + 7.5e7 = 3.25e8, √q = 18027.756377319946;
    // 99% VaR = 2.3263478740408408·√q = 41939.23... (the caller's scaling).
    const sigma = Float64Array.of(4e-4, 3e-4, 3e-4, 9e-4);
    const d = Float64Array.of(1e6, -5e5);
    for (const b of backends) {
      const { q, grad } = b.quadForms(sigma, 2, d, true);
      expect(q[0] / 3.25e8 - 1, b.backend).toBeLessThan(1e-15);
      expect(Math.abs(grad![0] - 250), b.backend).toBeLessThan(1e-12);
      expect(Math.abs(grad![1] + 150), b.backend).toBeLessThan(1e-12);
      const sd = Math.sqrt(q[0]);
      expect(sd).toBeCloseTo(18027.756377319946, 8);
      const components = [d[0] * grad![0] / sd, d[1] * grad![1] / sd]; // 13867.5, 4160.25
      expect(components[0]).toBeCloseTo(13867.504905630728, 7);
      expect(components[1] + components[0]).toBeCloseTo(sd, 8);
    }
  });

  test('a perfectly hedged pair (ρ = 1, equal vols, opposite exposures) has zero variance', () => {
    const sigma = Float64Array.of(0.25, 0.25, 0.25, 0.25); // exact in binary
    const d = Float64Array.of(8, -8, 3, 5);
    for (const b of backends) {
      const { q } = b.quadForms(sigma, 2, d);
      expect(q[0]).toBe(0);
      expect(q[1]).toBe(0.25 * 64);
    }
  });

  test('agrees with a naive double loop to 1e-12 relative, and components sum to √q', () => {
    const rnd = mulberry32(101);
    for (const m of [1, 3, 9, 50]) {
      const sigma = randomCovariance(m, rnd);
      const n = 37;
      const d = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 2e6);
      for (const b of backends) {
        const { q, grad } = b.quadForms(sigma, m, d, true);
        for (let a = 0; a < n; a++) {
          const ref = naiveQ(sigma, m, d, a);
          expect(Math.abs(q[a] - ref) / ref, `${b.backend} m=${m} a=${a}`).toBeLessThan(1e-12);
          let sum = 0;
          for (let j = 0; j < m; j++) sum += (d[a * m + j] * grad![a * m + j]) / Math.sqrt(q[a]);
          expect(Math.abs(sum - Math.sqrt(q[a])) / Math.sqrt(q[a])).toBeLessThan(1e-12);
        }
      }
    }
  });

  test('positive homogeneity: doubling every exposure doubles √q (and so VaR) exactly', () => {
    const rnd = mulberry32(102);
    const m = 13, n = 21;
    const sigma = randomCovariance(m, rnd);
    const d = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 1e5);
    const d2 = d.map((x) => 2 * x);
    for (const b of backends) {
      const q = b.quadForms(sigma, m, d).q, q2 = b.quadForms(sigma, m, d2).q;
      for (let a = 0; a < n; a++) expect(Math.sqrt(q2[a])).toBe(2 * Math.sqrt(q[a]));
    }
  });

  test('JS, WASM scalar and WASM SIMD give identical bits (q and gradient), every tile shape', () => {
    const rnd = mulberry32(103);
    for (const m of [1, 2, 3, 7, 8, 9, 10, 17, 50, 51]) {
      const sigma = randomCovariance(m, rnd);
      const n = 301; // odd: the SIMD kernel's single-account tail runs too
      const d = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 10 ** (8 * rnd()));
      const [js, ...wasm] = backends.map((b) => b.quadForms(sigma, m, d, true));
      for (const [i, r] of wasm.entries()) {
        expect(firstBitDifference(r.q, js.q), `${backends[i + 1].backend} q, m=${m}`).toBe(-1);
        expect(firstBitDifference(r.grad!, js.grad!), `${backends[i + 1].backend} grad, m=${m}`).toBe(-1);
      }
      // q without the gradient output is the same computation
      for (const b of backends) expect(firstBitDifference(b.quadForms(sigma, m, d).q, js.q)).toBe(-1);
    }
  });

  test('rejects shapes that do not fit', () => {
    for (const b of backends) {
      expect(() => b.quadForms(new Float64Array(4), 2, new Float64Array(3))).toThrow(RangeError);
      expect(() => b.quadForms(new Float64Array(5), 2, new Float64Array(4))).toThrow(RangeError);
    }
  });
});
