import { WasmKernels } from '../../src/kernels/wasm/instance.js';
import { jsRisk, type RiskKernels, wasmRisk } from '../../src/kernels/risk.js';

/** The three implementations of the risk kernels: JS twin, WASM scalar, WASM SIMD (JS first). */
export async function riskBackends(): Promise<RiskKernels[]> {
  return [jsRisk(), wasmRisk(await WasmKernels.create('scalar')), wasmRisk(await WasmKernels.create('simd'))];
}

/** Index of the first entry whose bits differ (Object.is), or −1. */
export function firstBitDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A random SPD m×m matrix: B·Bᵀ/m + δ·I with B uniform in [−1, 1), row-major. */
export function randomSpd(m: number, rnd: () => number, delta = 0.1): Float64Array {
  const b = Float64Array.from({ length: m * m }, () => 2 * rnd() - 1);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += b[i * m + k] * b[j * m + k];
      a[i * m + j] = a[j * m + i] = s / m + (i === j ? delta : 0);
    }
  }
  return a;
}

/** A covariance Σ = diag(σ)·R·diag(σ) from a random correlation-like SPD matrix, vols 1%–6% (daily). */
export function randomCovariance(m: number, rnd: () => number): Float64Array {
  const a = randomSpd(m, rnd, 0.2);
  const vol = Float64Array.from({ length: m }, () => 0.01 + 0.05 * rnd());
  const sigma = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      sigma[i * m + j] = (vol[i] * vol[j] * a[i * m + j]) / Math.sqrt(a[i * m + i] * a[j * m + j]);
    }
  }
  return sigma;
}
