/**
 * The standard normal quantile z(p) = N⁻¹(p) for the VaR z-scores (z(0.99) = 2.3263478740408408).
 *
 * Starting point: P. J. Acklam's rational approximation (relative error < 1.15e-9, published 2003,
 * central region |p − 0.5| ≤ 0.47575 and two tails), then two Halley steps on N(x) − p with the
 * kernels' own N (src/kernels/js/normal.ts, Cody, ~1e-16), which bring it to full double precision.
 * Plain JS on purpose: it runs once per method call, not per account.
 */
import { INV_SQRT_2PI, normCdf } from '../../kernels/js/normal.js';

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p > 1 - P_LOW) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** N⁻¹(p) for p in (0, 1); RangeError otherwise. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  let x = acklam(p);
  for (let step = 0; step < 2; step++) {
    // Halley: e = N(x) − p, u = e / φ(x), x ← x − u / (1 + x·u/2). The upper tail uses 1 − p for accuracy.
    const e = p > 0.5 ? (1 - p) - normCdf(-x) : normCdf(x) - p;
    const u = e / (INV_SQRT_2PI * Math.exp(-0.5 * x * x));
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

/** φ(x), the standard normal density. */
export function normalDensity(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
