// e^x and e^(−y²/2), scalar and f64x2. Twin of src/kernels/js/elementary.ts (exp, expNegHalfSquare):
// same reduction, table, polynomial and operation order, so all backends produce the same bits.
// Table method (Tang, ACM TOMS 15, 1989; the layout of musl's exp.c): x = k·ln2/64 + r, |r| ≤ ln2/128,
// k = 64m + j; e^x = 2^m · 2^(j/64) · e^r. 2^(j/64) is stored as a double hi plus a relative tail
// (2^(j/64) − hi)/hi, so e^x = 2^m · (hi + hi·(tail + (e^r − 1))) rounds once at the end (≤ ~0.7 ulp).
// e^r − 1 by its degree-5 Taylor polynomial (truncation < 3.5e-17 relative) in Estrin form.
// The f64x2 path gathers the two table rows with two loads: WASM SIMD has no gather.
// 2^m is applied as two exact factors 2^⌊m/2⌋·2^(m−⌊m/2⌋) so m down to −1443 needs no special case;
// expModerate (|x| ≤ 708, results normal) needs one factor and no clamp, with identical results.
import { fma2, splat } from './vec';

export const ROUND_SHIFT: f64 = 6755399441055744.0; // 1.5·2^52: (x + it) − it rounds x to an integer
export const LOG2E: f64 = 1.4426950408889634;
export const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42fee00000: k·LN2_HI exact for |k| < 2^21
export const LN2_LO: f64 = 1.9082149292705877e-10; // 0x3dea39ef35793c76
const INV_STEP: f64 = 92.33248261689366; // 64·LOG2E (exact scaling)
const STEP_HI: f64 = 0.01083042469326756; // LN2_HI/64, LN2_LO/64 (exact scalings): k·STEP_HI exact, |k| < 2^21
const STEP_LO: f64 = 2.9815858269852933e-12;
export const EXP_ARG_MIN: f64 = -1000.0; // e^x underflows to 0 well before this
export const EXP_ARG_MAX: f64 = 709.78; // just below ln(DBL_MAX)
const E2: f64 = 0.5, E3: f64 = 0.16666666666666666, E4: f64 = 0.041666666666666664;
const E5: f64 = 0.008333333333333333;
const SPLIT: f64 = 134217729.0; // 2^27 + 1, Veltkamp's splitter

// 2^(j/64), j = 0..63, as (hi, tail) rows, 16-byte aligned so one v128.load reads a row.
// Generated with 60-digit decimal arithmetic: hi = RN(2^(j/64)), tail = RN((2^(j/64) − hi)/hi).
const EXP_TABLE = memory.data<f64>([
  1.0, 0.0,
  1.0108892860517005, -1.507066976926039e-17,
  1.0218971486541166, 4.9997448722726326e-17,
  1.0330248790212284, 7.357846871247418e-18,
  1.0442737824274138, 8.189317638195515e-17,
  1.0556451783605572, 1.6665881442326747e-18,
  1.0671404006768237, -7.402825309426177e-17,
  1.0787607977571199, -6.170654745608695e-17,
  1.0905077326652577, -2.7939114859515733e-17,
  1.102382583307841, 4.776959425256223e-17,
  1.1143867425958924, 9.341710609905046e-17,
  1.1265216186082418, 4.585670326662351e-17,
  1.1387886347566916, 7.826573258636076e-17,
  1.1511892299529827, 2.823784425951061e-17,
  1.1637248587775775, 3.2904726646008416e-17,
  1.1763969916502812, 4.721368121170128e-17,
  1.189207115002721, 3.3484623336251524e-17,
  1.202156731452703, 5.527550048505249e-17,
  1.215247359980469, -6.346552106729483e-17,
  1.22848053610687, -1.5456342819397733e-17,
  1.241857812073484, 3.750854201303127e-17,
  1.255380757024691, -5.346099009198751e-18,
  1.2690509571917332, 2.1023049675215714e-18,
  1.2828700160787783, 1.3357510088834541e-17,
  1.2968395546510096, 1.9572585293112036e-17,
  1.3109612115247644, -5.478069123926778e-17,
  1.3252366431597413, -2.1571477251208752e-17,
  1.339667524053303, 6.663804589232195e-17,
  1.3542555469368927, 5.68648095791174e-17,
  1.3690024229745905, 7.007875046906994e-17,
  1.383909881963832, -4.8923067513522756e-17,
  1.3989796725383112, -6.872303720902018e-17,
  1.4142135623730951, -6.835808657661922e-17,
  1.42961333839197, -8.416011634717156e-18,
  1.4451808069770467, -2.092304381843353e-17,
  1.460917794180647, -3.833464968654295e-17,
  1.4768261459394993, -2.3591094770850053e-17,
  1.4929077282912648, 9.50689710108796e-18,
  1.5091644275934228, -6.735219232374683e-17,
  1.5255981507445384, -7.226635472101257e-17,
  1.5422108254079407, 5.1548301170786783e-17,
  1.559004400237837, 2.4253985766689806e-17,
  1.5759808451078865, -6.432131775424189e-18,
  1.593142151342267, -6.336161863401293e-17,
  1.6104903319492543, 1.5341410053603723e-17,
  1.6280274218573478, -4.123367330661149e-17,
  1.645755478153965, -6.152602891550265e-17,
  1.6636765803267364, 3.540948262646183e-17,
  1.681792830507429, 4.875160526227062e-17,
  1.7001063537185235, -4.719539664590972e-18,
  1.718619298122478, -1.0772487078934056e-17,
  1.7373338352737062, 1.821405440362259e-17,
  1.7562521603732995, 1.685487290628973e-17,
  1.7753764925265212, 3.621615935336894e-17,
  1.7947090750031072, 1.01562190116415e-17,
  1.8142521755003989, -5.495118966122005e-17,
  1.8340080864093424, 1.790126907604513e-17,
  1.8539791250833855, 5.265370768556274e-17,
  1.8741676341103, -3.266924100901318e-17,
  1.8945759815869656, 1.7963932659833022e-17,
  1.9152065613971474, -5.545065618639427e-17,
  1.9360617934922943, 5.336805878514151e-17,
  1.9571441241754002, 4.5784915277060095e-17,
  1.978456026387951, 2.0414278897578303e-17,
], 16);

// Constants for the f64x2 path (index names below).
const T = memory.data<f64>([
  EXP_ARG_MIN, EXP_ARG_MAX, INV_STEP, ROUND_SHIFT, STEP_HI, STEP_LO, E2, E3, E4, E5, SPLIT, 0.5, 1.0, 2.0,
]);
const T_MIN = 0, T_MAX = 1, T_INV_STEP = 2, T_SHIFT = 3, T_STEP_HI = 4, T_STEP_LO = 5, T_E2 = 6;
const T_SPLIT = 10, T_HALF = 11, T_ONE = 12, T_TWO = 13;
const EXP_BIAS = memory.data<i64>([1023]);

// The bits of t = x·64/ln2 + ROUND_SHIFT are 0x4338000000000000 + k (k in two's complement), so
// j = bits & 63, and bits >>> 6 = 0x10CE0000000000 + m, whose low 12 bits are (m mod 4096): shifted
// left by 52 with the bias added, only the exponent field survives. Logical shifts throughout
// (arithmetic i64x2 shifts are slow on x64).

/** 2^(j/64)·e^r for the reduced argument of x (t as above). */
@inline function expMantissa(x: f64, t: f64): f64 {
  const k = t - ROUND_SHIFT;
  const r = x - k * STEP_HI - k * STEP_LO;
  const r2 = r * r;
  const q = r + r2 * (E2 + E3 * r) + r2 * r2 * (E4 + E5 * r);
  const row = EXP_TABLE + ((<usize>reinterpret<i64>(t) & 63) << 4);
  const hi = load<f64>(row);
  return hi + hi * (load<f64>(row, 8) + q);
}

@inline function scale(m: i64): f64 {
  return reinterpret<f64>((m + 1023) << 52);
}

/** e^x for x in [EXP_ARG_MIN, EXP_ARG_MAX]. */
@inline function expCore(x: f64): f64 {
  const t = x * INV_STEP + ROUND_SHIFT;
  const m = <i64>reinterpret<i64>(t) >>> 6;
  const half = m >>> 1;
  return expMantissa(x, t) * scale(half) * scale(m - half);
}

@inline export function exp(x: f64): f64 {
  return expCore(x < EXP_ARG_MIN ? EXP_ARG_MIN : x > EXP_ARG_MAX ? EXP_ARG_MAX : x);
}

/** e^x for |x| ≤ 708 (same bits as exp there). */
@inline export function expModerate(x: f64): f64 {
  const t = x * INV_STEP + ROUND_SHIFT;
  return expMantissa(x, t) * scale(<i64>reinterpret<i64>(t) >>> 6);
}

@inline export function expNegHalfSquare(y: f64): f64 {
  const c = SPLIT * y;
  const yh = c - (c - y);
  const yl = y - yh;
  const hi = y * y;
  const lo = yh * yh - hi + 2.0 * yh * yl + yl * yl;
  return expCore(-0.5 * hi) * (1.0 - 0.5 * lo); // −y²/2 ≥ −800 needs no clamp
}

@inline function e(n: i32): v128 {
  return splat(T, T_E2 + n - 2);
}

/** f64x2 twin of expMantissa. */
@inline function expMantissaV(x: v128, t: v128): v128 {
  const k = f64x2.sub(t, splat(T, T_SHIFT));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, splat(T, T_STEP_HI))), f64x2.mul(k, splat(T, T_STEP_LO)));
  const r2 = f64x2.mul(r, r);
  const q = f64x2.add(
    f64x2.add(r, f64x2.mul(r2, fma2(e(3), r, e(2)))),
    f64x2.mul(f64x2.mul(r2, r2), fma2(e(5), r, e(4))),
  );
  // gather the two lanes' (hi, tail) rows
  const row0 = v128.load(EXP_TABLE + ((<usize>i32x4.extract_lane(t, 0) & 63) << 4));
  const row1 = v128.load(EXP_TABLE + ((<usize>i32x4.extract_lane(t, 2) & 63) << 4));
  const hi = v128.shuffle<i64>(row0, row1, 0, 2);
  const tail = v128.shuffle<i64>(row0, row1, 1, 3);
  return f64x2.add(hi, f64x2.mul(hi, f64x2.add(tail, q)));
}

@inline function scaleV(m: v128): v128 {
  return i64x2.shl(i64x2.add(m, v128.load64_splat(EXP_BIAS)), 52);
}

/** f64x2 twin of expCore. */
@inline export function expCoreV(x: v128): v128 {
  const t = fma2(x, splat(T, T_INV_STEP), splat(T, T_SHIFT));
  const m = i64x2.shr_u(t, 6);
  const half = i64x2.shr_u(m, 1);
  return f64x2.mul(f64x2.mul(expMantissaV(x, t), scaleV(half)), scaleV(i64x2.sub(m, half)));
}

@inline export function expV(x: v128): v128 {
  return expCoreV(f64x2.pmin(f64x2.pmax(x, splat(T, T_MIN)), splat(T, T_MAX)));
}

/** f64x2 twin of expModerate. */
@inline export function expModerateV(x: v128): v128 {
  const t = fma2(x, splat(T, T_INV_STEP), splat(T, T_SHIFT));
  return f64x2.mul(expMantissaV(x, t), scaleV(i64x2.shr_u(t, 6)));
}

/** The low part lo of y² = hi + lo exactly, hi = y·y (Dekker's product with Veltkamp's split). */
@inline export function squareLoV(y: v128, hi: v128): v128 {
  const c = f64x2.mul(splat(T, T_SPLIT), y);
  const yh = f64x2.sub(c, f64x2.sub(c, y));
  const yl = f64x2.sub(y, yh);
  return f64x2.add(
    f64x2.add(f64x2.sub(f64x2.mul(yh, yh), hi), f64x2.mul(f64x2.mul(splat(T, T_TWO), yh), yl)),
    f64x2.mul(yl, yl),
  );
}

/** −hi/2: the argument of the exp in expNegHalfSquareV. */
@inline export function negHalfV(hi: v128): v128 {
  return f64x2.mul(f64x2.neg(splat(T, T_HALF)), hi);
}

/** 1 − lo/2: the first-order correction for the low part of y² in expNegHalfSquareV. */
@inline export function squareLoCorrectionV(lo: v128): v128 {
  return f64x2.sub(splat(T, T_ONE), f64x2.mul(splat(T, T_HALF), lo));
}

@inline export function expNegHalfSquareV(y: v128): v128 {
  const hi = f64x2.mul(y, y);
  return f64x2.mul(expCoreV(negHalfV(hi)), squareLoCorrectionV(squareLoV(y, hi))); // −y²/2 ≥ −800
}
