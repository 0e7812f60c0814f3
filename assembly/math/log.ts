// Natural log of a positive normal double, scalar and f64x2. Twin of src/kernels/js/elementary.ts (log).
// x = 2^k·z with z in [√2/2, √2) (the exponent trick of musl's log), then
// log z = 2·atanh(s), s = (z−1)/(z+1), |s| ≤ 0.1716, by the atanh series to s^21 in Estrin form.
import { fma2, splat } from './vec';
import { LN2_HI, LN2_LO } from './exp';

const L1: f64 = 0.6666666666666666, L2: f64 = 0.4, L3: f64 = 0.2857142857142857;
const L4: f64 = 0.2222222222222222, L5: f64 = 0.18181818181818182, L6: f64 = 0.15384615384615385;
const L7: f64 = 0.13333333333333333, L8: f64 = 0.11764705882352941, L9: f64 = 0.10526315789473684;
const L10: f64 = 0.09523809523809523;
const SQRT_HALF_BITS: i64 = 0x3fe6a09e667f3bcd; // the double nearest √2/2
const BIAS: i64 = 1024 << 52; // keeps (bits − SQRT_HALF_BITS) >> 52 positive, so >>> works
const TWO52_PLUS_1024: f64 = 4503599627371520.0; // 2^52 + 1024
const EXPONENT_2_52: i64 = 0x4330000000000000; // bits of 2^52

const T = memory.data<f64>([L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, LN2_HI, LN2_LO, 1.0, 2.0, TWO52_PLUS_1024]);
const T_L1 = 0, T_LN2_HI = 10, T_LN2_LO = 11, T_ONE = 12, T_TWO = 13, T_TWO52_PLUS_1024 = 14;
const TI = memory.data<i64>([SQRT_HALF_BITS, BIAS, EXPONENT_2_52]);

@inline export function log(x: f64): f64 {
  const bits = reinterpret<i64>(x);
  const tmp = bits - SQRT_HALF_BITS + BIAS;
  const kb = <u64>tmp >> 52; // k + 1024
  const z = reinterpret<f64>(bits - <i64>(kb << 52) + BIAS);
  const k = reinterpret<f64>(<i64>kb | EXPONENT_2_52) - TWO52_PLUS_1024;
  const f = z - 1.0;
  const s = f / (2.0 + f);
  const w = s * s;
  const w2 = w * w;
  const w4 = w2 * w2;
  const s0 = L1 + L2 * w + (L3 + L4 * w) * w2;
  const s1 = L5 + L6 * w + (L7 + L8 * w) * w2;
  const series = s0 + s1 * w4 + (L9 + L10 * w) * (w4 * w4);
  const logZ = 2.0 * s + s * w * series;
  return k * LN2_LO + logZ + k * LN2_HI;
}

@inline function l(i: i32): v128 {
  return splat(T, T_L1 + i - 1);
}

@inline export function logV(x: v128): v128 {
  const bias = v128.load64_splat(TI, 8);
  const tmp = i64x2.add(i64x2.sub(x, v128.load64_splat(TI)), bias);
  const kb = i64x2.shr_u(tmp, 52);
  const z = i64x2.add(i64x2.sub(x, i64x2.shl(kb, 52)), bias);
  const k = f64x2.sub(v128.or(kb, v128.load64_splat(TI, 16)), splat(T, T_TWO52_PLUS_1024));
  const f = f64x2.sub(z, splat(T, T_ONE));
  const s = f64x2.div(f, f64x2.add(splat(T, T_TWO), f));
  const w = f64x2.mul(s, s);
  const w2 = f64x2.mul(w, w);
  const w4 = f64x2.mul(w2, w2);
  const s0 = f64x2.add(fma2(l(2), w, l(1)), f64x2.mul(fma2(l(4), w, l(3)), w2));
  const s1 = f64x2.add(fma2(l(6), w, l(5)), f64x2.mul(fma2(l(8), w, l(7)), w2));
  const series = f64x2.add(f64x2.add(s0, f64x2.mul(s1, w4)), f64x2.mul(fma2(l(10), w, l(9)), f64x2.mul(w4, w4)));
  const logZ = f64x2.add(f64x2.mul(splat(T, T_TWO), s), f64x2.mul(f64x2.mul(s, w), series));
  return f64x2.add(f64x2.add(f64x2.mul(k, splat(T, T_LN2_LO)), logZ), f64x2.mul(k, splat(T, T_LN2_HI)));
}
