import { beforeAll, describe, expect, test } from 'vitest';
import { sinCosTurn } from '../../src/kernels/js/risk/trig.js';
import type { RiskKernels } from '../../src/kernels/risk.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, randomSpd, riskBackends } from './support.js';

let backends: RiskKernels[];
beforeAll(async () => {
  backends = await riskBackends();
});

describe('cos(2πu), sin(2πu) (Box–Muller angle)', () => {
  test('agree with Math.cos/Math.sin to 2e-16 absolute over [0, 1)', () => {
    const rnd = mulberry32(301);
    const out = new Float64Array(2);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const u = i < 1000 ? i / 1000 : rnd();
      sinCosTurn(u, out);
      const a = 2 * Math.PI * u; // the reference angle is itself rounded: allow ~|a|·2^-53
      worst = Math.max(worst, Math.abs(out[0] - Math.cos(a)), Math.abs(out[1] - Math.sin(a)));
    }
    expect(worst).toBeLessThan(1e-15);
  });

  test('hit the exact quadrant values', () => {
    const out = new Float64Array(2);
    for (const [u, c, s] of [[0, 1, 0], [0.25, 0, 1], [0.5, -1, 0], [0.75, 0, -1]]) {
      sinCosTurn(u, out);
      expect(out[0] + 0).toBe(c); // + 0 folds −0 into 0
      expect(out[1] + 0).toBe(s);
    }
  });
});

describe('normal draws', () => {
  test('have the moments of N(0, 1) on 400,000 draws', () => {
    const n = 400_000;
    const z = backends[0].normals(n, { seed: 12345, stream: 1 });
    let s1 = 0, s2 = 0, s3 = 0, s4 = 0, tail = 0, max = 0;
    for (const x of z) {
      s1 += x; s2 += x * x; s3 += x * x * x; s4 += x * x * x * x;
      if (Math.abs(x) > 1.959963984540054) tail++;
      max = Math.max(max, Math.abs(x));
    }
    const mean = s1 / n, variance = s2 / n - mean * mean;
    // standard errors: mean 1/√n = 0.0016, variance √(2/n) = 0.0022, skew √(6/n) = 0.0039,
    // kurtosis √(24/n) = 0.0077, tail share √(0.05·0.95/n) = 0.00034; bounds at ~5 standard errors
    expect(Math.abs(mean)).toBeLessThan(0.008);
    expect(Math.abs(variance - 1)).toBeLessThan(0.011);
    expect(Math.abs(s3 / n)).toBeLessThan(0.02);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.04);
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(0.0018);
    expect(max).toBeLessThanOrEqual(Math.sqrt(2 * 53 * Math.LN2));
  });

  test('are a pure function of (seed, stream, counter): chunks concatenate, streams differ', () => {
    for (const b of backends) {
      const whole = b.normals(1000, { seed: 7, stream: 3, firstBlock: 10 });
      const head = b.normals(400, { seed: 7, stream: 3, firstBlock: 10 });
      const tail = b.normals(600, { seed: 7, stream: 3, firstBlock: 210 });
      expect(firstBitDifference(whole, Float64Array.from([...head, ...tail]))).toBe(-1);
      const other = b.normals(1000, { seed: 7, stream: 4, firstBlock: 10 });
      expect(other.some((x, i) => x !== whole[i])).toBe(true);
      expect(firstBitDifference(b.normals(1000, { seed: 7, stream: 3, firstBlock: 10 }), whole)).toBe(-1);
    }
  });

  test('JS, WASM scalar and WASM SIMD give identical bits (odd and even counts)', () => {
    for (const [n, rng] of [[100_001, { seed: 1, stream: 0 }], [17, { seed: 0xffffffff, stream: 0xfffffffe, firstBlock: 0xfffffff0, counterHi: 9 }], [8, { seed: 2, stream: 2 }],
      // 16-normal steps (eight Philox blocks) followed by an 8-normal step and a scalar tail, up to the last counter.
      [25, { seed: 3, stream: 5, firstBlock: 0xffffffff - 12 }], [40, { seed: 4, stream: 1 }]] as const) {
      const [js, ...wasm] = backends.map((b) => b.normals(n, rng));
      wasm.forEach((w, i) => expect(firstBitDifference(w, js), `${backends[i + 1].backend} n=${n}`).toBe(-1));
    }
  });

  test('rejects counters that would wrap', () => {
    for (const b of backends) expect(() => b.normals(10, { seed: 1, stream: 1, firstBlock: 0xfffffffe })).toThrow(RangeError);
  });
});

describe('correlated draws X = Z·Lᵀ', () => {
  test('sample covariance of 100,000 scenarios approaches Σ = L·Lᵀ', () => {
    // σ = (2%, 3%, 1%), ρ12 = 0.6, ρ13 = −0.3, ρ23 = 0.2
    const vol = [0.02, 0.03, 0.01];
    const rho = [1, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 1];
    const sigma = Float64Array.from(rho, (r, k) => r * vol[Math.floor(k / 3)] * vol[k % 3]);
    const m = 3, n = 100_000;
    for (const b of backends) {
      const chol = b.cholesky(sigma, m);
      if (!chol.ok) throw new Error('unexpected');
      const x = b.correlatedDraws(chol.l, m, n, { seed: 99, stream: 5 });
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let c = 0;
          for (let s = 0; s < n; s++) c += x[s * m + i] * x[s * m + j];
          c /= n;
          // standard error of a sample covariance ≈ σiσj·√((1 + ρ²)/n) ≤ σiσj·0.0045; allow 5 of them
          expect(Math.abs(c - sigma[i * m + j]) / (vol[i] * vol[j]), `${b.backend} (${i},${j})`).toBeLessThan(0.023);
        }
      }
    }
  });

  test('JS, WASM scalar and WASM SIMD give identical bits, every tile shape', () => {
    const rnd = mulberry32(302);
    for (const m of [1, 2, 3, 8, 9, 10, 17, 50]) {
      const chol = backends[0].cholesky(randomSpd(m, rnd), m);
      if (!chol.ok) throw new Error('unexpected');
      const nScenarios = 101;
      const [js, ...wasm] = backends.map((b) => b.correlatedDraws(chol.l, m, nScenarios, { seed: m, stream: 1 }));
      wasm.forEach((w, i) => expect(firstBitDifference(w, js), `${backends[i + 1].backend} m=${m}`).toBe(-1));
    }
  });
});
