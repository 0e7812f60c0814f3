// e^x and e^(−y²/2), scalar and f64x2. Twin of src/kernels/js/elementary.ts (exp, expNegHalfSquare):
// same reduction, polynomial and operation order, so all backends produce the same bits.
// Reduction x = k·ln2 + r, |r| ≲ ln2/2 (Cody–Waite split of ln2, as in fdlibm's e_exp.c); e^r by a
// degree-13 Taylor polynomial (truncation < 4e-18) in Estrin form; 2^k applied as two exact factors
// 2^⌊k/2⌋·2^(k−⌊k/2⌋) so k down to −1443 needs no special case.
import { fma2, splat } from './vec';

export const ROUND_SHIFT: f64 = 6755399441055744.0; // 1.5·2^52: (x + it) − it rounds x to an integer
export const LOG2E: f64 = 1.4426950408889634;
export const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42fee00000: k·LN2_HI exact for |k| < 2^21
export const LN2_LO: f64 = 1.9082149292705877e-10; // 0x3dea39ef35793c76
export const EXP_ARG_MIN: f64 = -1000.0; // e^x underflows to 0 well before this
export const EXP_ARG_MAX: f64 = 709.78; // just below ln(DBL_MAX)
const E0: f64 = 1.0, E1: f64 = 1.0, E2: f64 = 0.5, E3: f64 = 0.16666666666666666;
const E4: f64 = 0.041666666666666664, E5: f64 = 0.008333333333333333, E6: f64 = 0.001388888888888889;
const E7: f64 = 0.0001984126984126984, E8: f64 = 2.48015873015873e-5, E9: f64 = 2.7557319223985893e-6;
const E10: f64 = 2.755731922398589e-7, E11: f64 = 2.505210838544172e-8, E12: f64 = 2.08767569878681e-9;
const E13: f64 = 1.6059043836821613e-10;
const SPLIT: f64 = 134217729.0; // 2^27 + 1, Veltkamp's splitter

// Table for the f64x2 path (same values; index names below).
const T = memory.data<f64>([
  EXP_ARG_MIN, EXP_ARG_MAX, LOG2E, ROUND_SHIFT, LN2_HI, LN2_LO,
  E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11, E12, E13,
  SPLIT, 0.5, 1.0, 2.0,
]);
const T_MIN = 0, T_MAX = 1, T_LOG2E = 2, T_SHIFT = 3, T_LN2_HI = 4, T_LN2_LO = 5, T_E0 = 6;
const T_SPLIT = 20, T_HALF = 21, T_ONE = 22, T_TWO = 23;
const EXP_BIAS = memory.data<i64>([1023]);

/** 2^k for an integer-valued k in [−1022, 1023]. */
@inline function pow2(k: f64): f64 {
  return reinterpret<f64>(<i64>(<i32>k + 1023) << 52);
}

@inline export function exp(x: f64): f64 {
  const xc = x < EXP_ARG_MIN ? EXP_ARG_MIN : x > EXP_ARG_MAX ? EXP_ARG_MAX : x;
  const k = xc * LOG2E + ROUND_SHIFT - ROUND_SHIFT;
  const r = xc - k * LN2_HI - k * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const s0 = E0 + E1 * r + (E2 + E3 * r) * r2;
  const s1 = E4 + E5 * r + (E6 + E7 * r) * r2;
  const s2 = E8 + E9 * r + (E10 + E11 * r) * r2;
  const p = s0 + s1 * r4 + (s2 + (E12 + E13 * r) * r4) * r8;
  const k1 = floor(k * 0.5);
  return p * pow2(k1) * pow2(k - k1);
}

@inline export function expNegHalfSquare(y: f64): f64 {
  const c = SPLIT * y;
  const yh = c - (c - y);
  const yl = y - yh;
  const hi = y * y;
  const lo = yh * yh - hi + 2.0 * yh * yl + yl * yl;
  return exp(-0.5 * hi) * (1.0 - 0.5 * lo);
}

@inline function e(i: i32): v128 {
  return splat(T, T_E0 + i);
}

@inline export function expV(x: v128): v128 {
  const xc = f64x2.pmin(f64x2.pmax(x, splat(T, T_MIN)), splat(T, T_MAX));
  const t = fma2(xc, splat(T, T_LOG2E), splat(T, T_SHIFT));
  const k = f64x2.sub(t, splat(T, T_SHIFT));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(k, splat(T, T_LN2_HI))), f64x2.mul(k, splat(T, T_LN2_LO)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const s0 = f64x2.add(fma2(e(1), r, e(0)), f64x2.mul(fma2(e(3), r, e(2)), r2));
  const s1 = f64x2.add(fma2(e(5), r, e(4)), f64x2.mul(fma2(e(7), r, e(6)), r2));
  const s2 = f64x2.add(fma2(e(9), r, e(8)), f64x2.mul(fma2(e(11), r, e(10)), r2));
  const p = f64x2.add(
    f64x2.add(s0, f64x2.mul(s1, r4)),
    f64x2.mul(f64x2.add(s2, f64x2.mul(fma2(e(13), r, e(12)), r4)), r8),
  );
  // The low 52 bits of t hold 2^51 + k; shifted left by 52, only (k1 + 1023) mod 2^12 survives, so
  // the offsets vanish and logical shifts suffice (arithmetic i64x2 shifts are slow on x64).
  const half = i64x2.shr_u(t, 1); // … + 2^50 + ⌊k/2⌋
  const bias = v128.load64_splat(EXP_BIAS);
  const scale1 = i64x2.shl(i64x2.add(half, bias), 52); // 2^⌊k/2⌋
  const scale2 = i64x2.shl(i64x2.add(i64x2.sub(t, half), bias), 52); // 2^(k − ⌊k/2⌋)
  return f64x2.mul(f64x2.mul(p, scale1), scale2);
}

@inline export function expNegHalfSquareV(y: v128): v128 {
  const c = f64x2.mul(splat(T, T_SPLIT), y);
  const yh = f64x2.sub(c, f64x2.sub(c, y));
  const yl = f64x2.sub(y, yh);
  const hi = f64x2.mul(y, y);
  const lo = f64x2.add(
    f64x2.add(f64x2.sub(f64x2.mul(yh, yh), hi), f64x2.mul(f64x2.mul(splat(T, T_TWO), yh), yl)),
    f64x2.mul(yl, yl),
  );
  const half = splat(T, T_HALF);
  return f64x2.mul(
    expV(f64x2.mul(f64x2.neg(half), hi)),
    f64x2.sub(splat(T, T_ONE), f64x2.mul(half, lo)),
  );
}
