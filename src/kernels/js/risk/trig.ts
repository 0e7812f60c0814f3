/**
 * cos(2πu) and sin(2πu) for u in [0, 1): the JS twin of assembly/math/trig.ts (for Box–Muller).
 *
 * Exact reduction in turns: t = 4u, n = round(t) (ties to even), f = t − n in [−1/2, 1/2], then one
 * rounding x = f·(π/2) in [−π/4, π/4]; the quadrant n mod 4 picks ±sin x / ±cos x. sin and cos by
 * fdlibm's minimax polynomials (k_sin.c S1..S6, k_cos.c C1..C6; error < 2^−58 relative on |x| ≤ π/4).
 * cos adds back the exact rounding error of 1 − x²/2 (fdlibm's trick). V8's Math.sin/cos are not used: the WASM kernels
 * cannot call them, and the backends must agree bit for bit.
 */

const ROUND_SHIFT = 6755399441055744.0; // 1.5·2^52
export const HALF_PI = 1.5707963267948966;
const S3 = -1.66666666666666324348e-1, S5 = 8.33333333332248946124e-3, S7 = -1.98412698298579493134e-4;
const S9 = 2.75573137070700676789e-6, S11 = -2.50507602534068634195e-8, S13 = 1.58969099521155010221e-10;
const C4 = 4.16666666666666019037e-2, C6 = -1.38888888888741095749e-3, C8 = 2.48015872894767294178e-5;
const C10 = -2.75573143513906633035e-7, C12 = 2.08757232129817482790e-9, C14 = -1.13596475577881948265e-11;

/** sin x on |x| ≤ π/4. */
export function sinKernel(x: number): number {
  const x2 = x * x;
  const p = S3 + x2 * (S5 + x2 * (S7 + x2 * (S9 + x2 * (S11 + x2 * S13))));
  return x + x * x2 * p;
}

/** cos x on |x| ≤ π/4. */
export function cosKernel(x: number): number {
  const x2 = x * x;
  const p = C4 + x2 * (C6 + x2 * (C8 + x2 * (C10 + x2 * (C12 + x2 * C14))));
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
