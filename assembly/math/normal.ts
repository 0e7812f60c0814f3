// The standard normal lower tail N(−y), scalar and f64x2. Twin of src/kernels/js/normal.ts, where the
// method is explained: W. J. Cody's rational approximations (Math. Comp. 23, 1969; ACM TOMS 715),
// written as tail = multiplier·num/den per region so the SIMD path evaluates all three regions,
// selects one num/den pair and divides once.
import { fma2, select, splat } from './vec';

export const REGION1_MAX: f64 = 0.66291;
export const REGION2_MAX: f64 = 5.656854248; // √32
export const NORMAL_ABS_MAX: f64 = 40.0;
export const INV_SQRT_2PI: f64 = 0.3989422804014327;

const A0: f64 = 2.2352520354606839287, A1: f64 = 161.02823106855587881, A2: f64 = 1067.6894854603709582;
const A3: f64 = 18154.981253343561249, A4: f64 = 0.065682337918207449113;
const B0: f64 = 47.20258190468824187, B1: f64 = 976.09855173777669322, B2: f64 = 10260.932208618978205;
const B3: f64 = 45507.789335026729956;
const C0: f64 = 0.39894151208813466764, C1: f64 = 8.8831497943883759412, C2: f64 = 93.506656132177855979;
const C3: f64 = 597.27027639480026226, C4: f64 = 2494.5375852903726711, C5: f64 = 6848.1904505362823326;
const C6: f64 = 11602.651437647350124, C7: f64 = 9842.7148383839780218, C8: f64 = 1.0765576773720192317e-8;
const D0: f64 = 22.266688044328115691, D1: f64 = 235.38790178262499861, D2: f64 = 1519.377599407554805;
const D3: f64 = 6485.558298266760755, D4: f64 = 18615.571640885098091, D5: f64 = 34900.952721145977266;
const D6: f64 = 38912.003286093271411, D7: f64 = 19685.429676859990727;
const P0: f64 = 0.21589853405795699, P1: f64 = 0.1274011611602473639, P2: f64 = 0.022235277870649807;
const P3: f64 = 0.001421619193227893466, P4: f64 = 2.9112874951168792e-5, P5: f64 = 0.02307344176494017303;
const Q0: f64 = 1.28426009614491121, Q1: f64 = 0.468238212480865118, Q2: f64 = 0.0659881378689285515;
const Q3: f64 = 0.00378239633202758244, Q4: f64 = 7.29751555083966205e-5;

const T = memory.data<f64>([
  A0, A1, A2, A3, A4, B0, B1, B2, B3, // 0..8
  C0, C1, C2, C3, C4, C5, C6, C7, C8, // 9..17
  D0, D1, D2, D3, D4, D5, D6, D7, // 18..25
  P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4, // 26..36
  REGION1_MAX, REGION2_MAX, INV_SQRT_2PI, 0.5, 1.0, // 37..41
]);
@inline function a(i: i32): v128 { return splat(T, i); }
@inline function b(i: i32): v128 { return splat(T, 5 + i); }
@inline function c(i: i32): v128 { return splat(T, 9 + i); }
@inline function d(i: i32): v128 { return splat(T, 18 + i); }
@inline function p(i: i32): v128 { return splat(T, 26 + i); }
@inline function q(i: i32): v128 { return splat(T, 32 + i); }

/** N(−y) for y in [0, NORMAL_ABS_MAX], given e = e^(−y²/2). */
@inline export function normalTail(y: f64, e: f64): f64 {
  const w = y * y;
  let num: f64, den: f64, multiplier: f64;
  if (y <= REGION1_MAX) {
    const ra = (((A4 * w + A0) * w + A1) * w + A2) * w + A3;
    const rb = (((w + B0) * w + B1) * w + B2) * w + B3;
    num = 0.5 * rb - y * ra;
    den = rb;
    multiplier = 1.0;
  } else if (y <= REGION2_MAX) {
    num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    multiplier = e;
  } else {
    const pr = ((((P4 * w + P3) * w + P2) * w + P1) * w + P0) * w + P5;
    const wq = (((((Q4 * w + Q3) * w + Q2) * w + Q1) * w + Q0) * w + 1.0) * w;
    num = INV_SQRT_2PI * wq - pr;
    den = wq * y;
    multiplier = e;
  }
  return (num / den) * multiplier;
}

@inline export function normalTailV(y: v128, e: v128): v128 {
  const w = f64x2.mul(y, y);
  const one = splat(T, 41);
  // Region 1
  const ra = fma2(fma2(fma2(fma2(a(4), w, a(0)), w, a(1)), w, a(2)), w, a(3));
  const rb = fma2(fma2(fma2(f64x2.add(w, b(0)), w, b(1)), w, b(2)), w, b(3));
  const num1 = f64x2.sub(f64x2.mul(splat(T, 40), rb), f64x2.mul(y, ra));
  // Region 2
  let num2 = fma2(c(8), y, c(0));
  let den2 = f64x2.add(y, d(0));
  num2 = fma2(num2, y, c(1)); den2 = fma2(den2, y, d(1));
  num2 = fma2(num2, y, c(2)); den2 = fma2(den2, y, d(2));
  num2 = fma2(num2, y, c(3)); den2 = fma2(den2, y, d(3));
  num2 = fma2(num2, y, c(4)); den2 = fma2(den2, y, d(4));
  num2 = fma2(num2, y, c(5)); den2 = fma2(den2, y, d(5));
  num2 = fma2(num2, y, c(6)); den2 = fma2(den2, y, d(6));
  num2 = fma2(num2, y, c(7)); den2 = fma2(den2, y, d(7));
  // Region 3
  const pr = fma2(fma2(fma2(fma2(fma2(p(4), w, p(3)), w, p(2)), w, p(1)), w, p(0)), w, p(5));
  const wq = f64x2.mul(fma2(fma2(fma2(fma2(fma2(q(4), w, q(3)), w, q(2)), w, q(1)), w, q(0)), w, one), w);
  const num3 = f64x2.sub(f64x2.mul(splat(T, 39), wq), pr);
  const den3 = f64x2.mul(wq, y);

  const in1 = f64x2.le(y, splat(T, 37));
  const in3 = f64x2.gt(y, splat(T, 38));
  const num = select(num1, select(num3, num2, in3), in1);
  const den = select(rb, select(den3, den2, in3), in1);
  return f64x2.mul(f64x2.div(num, den), select(one, e, in1));
}
