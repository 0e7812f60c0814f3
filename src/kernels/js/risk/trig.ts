/**
 * cos(2πu) and sin(2πu) for u in [0, 1): the JS twin of assembly/math/trig.ts (for Box–Muller).
 *
 * Exact reduction in turns: t = 4u, n = round(t) (ties to even), f = t − n in [−1/2, 1/2], then one
 * rounding x = f·(π/2) in [−π/4, π/4]; the quadrant n mod 4 picks ±sin x / ±cos x. sin and cos by their
 * Taylor series with coefficients RN(±1/k!) (k! exact below 2^53, one correctly rounded division);
 * the first omitted terms on |x| ≤ π/4 are < 1.1e-19 (sin) and < 2.1e-18 (cos). cos adds back the
 * exact rounding error of 1 − x²/2 (fdlibm's trick). V8's Math.sin/cos are not used: the WASM kernels
 * cannot call them, and the backends must agree bit for bit.
 */

const ROUND_SHIFT = 6755399441055744.0; // 1.5·2^52
export const HALF_PI = 1.5707963267948966;
const S3 = -0.16666666666666666, S5 = 0.008333333333333333, S7 = -1.984126984126984e-4;
const S9 = 2.7557319223985893e-6, S11 = -2.505210838544172e-8, S13 = 1.6059043836821613e-10;
const S15 = -7.647163731819816e-13, S17 = 2.8114572543455206e-15;
const C4 = 0.041666666666666664, C6 = -0.001388888888888889, C8 = 2.48015873015873e-5;
const C10 = -2.755731922398589e-7, C12 = 2.08767569878681e-9, C14 = -1.1470745597729725e-11;
const C16 = 4.779477332387385e-14;

/** sin x on |x| ≤ π/4. */
export function sinKernel(x: number): number {
  const x2 = x * x;
  const p = S3 + x2 * (S5 + x2 * (S7 + x2 * (S9 + x2 * (S11 + x2 * (S13 + x2 * (S15 + x2 * S17))))));
  return x + x * x2 * p;
}

/** cos x on |x| ≤ π/4. */
export function cosKernel(x: number): number {
  const x2 = x * x;
  const p = C4 + x2 * (C6 + x2 * (C8 + x2 * (C10 + x2 * (C12 + x2 * (C14 + x2 * C16)))));
  const w = 0.5 * x2;
  const hw = 1.0 - w;
  return hw + (((1.0 - hw) - w) + x2 * x2 * p);
}

/** [cos(2πu), sin(2πu)] into out[0], out[1], for u in [0, 1). */
export function sinCosTurn(u: number, out: Float64Array): void {
  const t = 4.0 * u;
  const n = t + ROUND_SHIFT - ROUND_SHIFT;
  const x = (t - n) * HALF_PI;
  const s = sinKernel(x), c = cosKernel(x);
  const quadrant = n & 3;
  out[0] = quadrant === 0 ? c : quadrant === 1 ? -s : quadrant === 2 ? -c : s;
  out[1] = quadrant === 0 ? s : quadrant === 1 ? c : quadrant === 2 ? -s : -c;
}
