// cos(2πu) and sin(2πu) for u in [0, 1), scalar and f64x2. Twin of src/kernels/js/risk/trig.ts.
// Used by the Box–Muller transform, where the angle is a uniform fraction of a turn, so the range
// reduction is exact: t = 4u (exact), n = round(t) (ties to even, by the 1.5·2^52 trick), f = t − n in
// [−1/2, 1/2] (exact), x = f·(π/2) in [−π/4, π/4] (one rounding). Then 2πu = nπ/2 + x and the
// quadrant n mod 4 picks ±sin x or ±cos x.
// sin x and cos x by fdlibm's minimax polynomials (Sun's __kernel_sin / __kernel_cos, k_sin.c and
// k_cos.c: S1..S6 and C1..C6), whose approximation error on |x| ≤ π/4 is below 2^−58 relative, far
// below an ulp: six Horner steps each instead of the eight and seven of the Taylor series they replace.
// cos uses fdlibm's trick for 1 − x²/2: hw = 1 − w and the exact error (1 − hw) − w is added back.
import { ROUND_SHIFT } from './exp';
import { select, splat } from './vec';

export const HALF_PI: f64 = 1.5707963267948966;
// fdlibm S1..S6 (sin: x + x³·(S1 + x²·(S2 + … + x²·S6))) and C1..C6 (cos: 1 − x²/2 + x⁴·(C1 + … + x²·C6)).
const S3: f64 = -1.66666666666666324348e-1, S5: f64 = 8.33333333332248946124e-3, S7: f64 = -1.98412698298579493134e-4;
const S9: f64 = 2.75573137070700676789e-6, S11: f64 = -2.50507602534068634195e-8, S13: f64 = 1.58969099521155010221e-10;
const C4: f64 = 4.16666666666666019037e-2, C6: f64 = -1.38888888888741095749e-3, C8: f64 = 2.48015872894767294178e-5;
const C10: f64 = -2.75573143513906633035e-7, C12: f64 = 2.08757232129817482790e-9, C14: f64 = -1.13596475577881948265e-11;

const T = memory.data<f64>([
  S3, S5, S7, S9, S11, S13, C4, C6, C8, C10, C12, C14, 4.0, ROUND_SHIFT, HALF_PI, 0.5, 1.0,
]);
const T_S3 = 0, T_C4 = 6, T_FOUR = 12, T_SHIFT = 13, T_HALF_PI = 14, T_HALF = 15, T_ONE = 16;
const TI = memory.data<i64>([1, 2]);

/** sin x on |x| ≤ π/4. */
@inline export function sinKernel(x: f64): f64 {
  const x2 = x * x;
  const p = S3 + x2 * (S5 + x2 * (S7 + x2 * (S9 + x2 * (S11 + x2 * S13))));
  return x + x * x2 * p;
}

/** cos x on |x| ≤ π/4. */
@inline export function cosKernel(x: f64): f64 {
  const x2 = x * x;
  const p = C4 + x2 * (C6 + x2 * (C8 + x2 * (C10 + x2 * (C12 + x2 * C14))));
  const w = 0.5 * x2;
  const hw = 1.0 - w;
  return hw + (((1.0 - hw) - w) + x2 * x2 * p);
}

// Results of the scalar sinCosTurn.
export const SINCOS_OUT = memory.data(16, 16);

/** cos(2πu) → SINCOS_OUT[0], sin(2πu) → SINCOS_OUT[1], for u in [0, 1). */
@inline export function sinCosTurn(u: f64): void {
  const t = 4.0 * u;
  const shifted = t + ROUND_SHIFT;
  const n = shifted - ROUND_SHIFT;
  const x = (t - n) * HALF_PI;
  const s = sinKernel(x), c = cosKernel(x);
  const quadrant = <i32>reinterpret<i64>(shifted) & 3;
  const cosT = quadrant == 0 ? c : quadrant == 1 ? -s : quadrant == 2 ? -c : s;
  const sinT = quadrant == 0 ? s : quadrant == 1 ? c : quadrant == 2 ? -s : -c;
  store<f64>(SINCOS_OUT, cosT);
  store<f64>(SINCOS_OUT, sinT, 8);
}

@inline function sc(table: i32, i: i32): v128 {
  return splat(T, table + i);
}

/** f64x2 twin of sinKernel. */
@inline export function sinKernelV(x: v128): v128 {
  const x2 = f64x2.mul(x, x);
  let p = f64x2.add(sc(T_S3, 4), f64x2.mul(x2, sc(T_S3, 5)));
  p = f64x2.add(sc(T_S3, 3), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_S3, 2), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_S3, 1), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_S3, 0), f64x2.mul(x2, p));
  return f64x2.add(x, f64x2.mul(f64x2.mul(x, x2), p));
}

/** f64x2 twin of cosKernel. */
@inline export function cosKernelV(x: v128): v128 {
  const x2 = f64x2.mul(x, x);
  let p = f64x2.add(sc(T_C4, 4), f64x2.mul(x2, sc(T_C4, 5)));
  p = f64x2.add(sc(T_C4, 3), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_C4, 2), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_C4, 1), f64x2.mul(x2, p));
  p = f64x2.add(sc(T_C4, 0), f64x2.mul(x2, p));
  const one = splat(T, T_ONE);
  const w = f64x2.mul(splat(T, T_HALF), x2);
  const hw = f64x2.sub(one, w);
  return f64x2.add(hw, f64x2.add(f64x2.sub(f64x2.sub(one, hw), w), f64x2.mul(f64x2.mul(x2, x2), p)));
}

// Results of sinCosTurnV: cos lanes at [0, 16), sin lanes at [16, 32).
export const SINCOS_V = memory.data(32, 16);

/** f64x2 twin of sinCosTurn: cos(2πu) → SINCOS_V, sin(2πu) → SINCOS_V + 16. */
@inline export function sinCosTurnV(u: v128): void {
  const t = f64x2.mul(splat(T, T_FOUR), u);
  const shifted = f64x2.add(t, splat(T, T_SHIFT));
  const n = f64x2.sub(shifted, splat(T, T_SHIFT));
  const x = f64x2.mul(f64x2.sub(t, n), splat(T, T_HALF_PI));
  const s = sinKernelV(x), c = cosKernelV(x);
  const one = v128.load64_splat(TI), two = v128.load64_splat(TI, 8);
  const odd = i64x2.eq(v128.and(shifted, one), one); // quadrants 1, 3: swap sin and cos
  const cosSign = i64x2.shl(v128.and(i64x2.add(shifted, one), two), 62); // quadrants 1, 2
  const sinSign = i64x2.shl(v128.and(shifted, two), 62); // quadrants 2, 3
  v128.store(SINCOS_V, v128.xor(select(s, c, odd), cosSign));
  v128.store(SINCOS_V, v128.xor(select(c, s, odd), sinSign), 16);
}
