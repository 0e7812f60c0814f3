/**
 * The standard normal distribution: N(x) to ~1e-16 relative accuracy over |x| ≤ 37, tails included.
 * Twin of assembly/math/normal.ts; keep them in lock-step.
 *
 * Source: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
 * (1969) 631–637, as used in his ANORM (ACM TOMS Algorithm 715, SPECFUN, 1993). Three regions of
 * |x|, each a rational function; the coefficients below are Cody's.
 *
 * Implementation notes:
 * - Everything is computed for the lower tail N(−|x|), which is accurate to full relative precision;
 *   the upper value is 1 − tail. One evaluation gives both N(d) and N(−d).
 * - Each region is written as tail = multiplier · num / den (the multiplier is 1 in region 1 and
 *   e^(−x²/2) elsewhere), so the branch-free SIMD kernel can evaluate all three, select one num/den
 *   pair and divide once. Region 3's polynomials in 1/x² are rewritten as polynomials in w = x²
 *   (coefficients reversed); all their terms are positive, so Horner's scheme in w is stable.
 * - e^(−x²/2) uses an exact x² (see expNegHalfSquare).
 */
import { expNegHalfSquare } from './elementary.js';

/** Region boundaries in |x|: Cody's 0.66291 and √32. */
export const REGION1_MAX = 0.66291;
export const REGION2_MAX = 5.656854248;
/** |x| is clamped here: N(−40) ≈ 3.7e−350 is 0 in double precision. */
export const NORMAL_ABS_MAX = 40.0;
/** 1/√(2π). */
export const INV_SQRT_2PI = 0.3989422804014327;

// Region 1, |x| ≤ 0.66291: N(x) = 1/2 + x·A(x²)/B(x²).
const A0 = 2.2352520354606839287, A1 = 161.02823106855587881, A2 = 1067.6894854603709582;
const A3 = 18154.981253343561249, A4 = 0.065682337918207449113;
const B0 = 47.20258190468824187, B1 = 976.09855173777669322, B2 = 10260.932208618978205;
const B3 = 45507.789335026729956;
// Region 2, 0.66291 < |x| ≤ √32: N(−|x|) = e^(−x²/2)·C(|x|)/D(|x|).
const C0 = 0.39894151208813466764, C1 = 8.8831497943883759412, C2 = 93.506656132177855979;
const C3 = 597.27027639480026226, C4 = 2494.5375852903726711, C5 = 6848.1904505362823326;
const C6 = 11602.651437647350124, C7 = 9842.7148383839780218, C8 = 1.0765576773720192317e-8;
const D0 = 22.266688044328115691, D1 = 235.38790178262499861, D2 = 1519.377599407554805;
const D3 = 6485.558298266760755, D4 = 18615.571640885098091, D5 = 34900.952721145977266;
const D6 = 38912.003286093271411, D7 = 19685.429676859990727;
// Region 3, |x| > √32: N(−|x|) = e^(−x²/2)·(1/√(2π) − z·P(z)/Q(z))/|x|, z = 1/x².
const P0 = 0.21589853405795699, P1 = 0.1274011611602473639, P2 = 0.022235277870649807;
const P3 = 0.001421619193227893466, P4 = 2.9112874951168792e-5, P5 = 0.02307344176494017303;
const Q0 = 1.28426009614491121, Q1 = 0.468238212480865118, Q2 = 0.0659881378689285515;
const Q3 = 0.00378239633202758244, Q4 = 7.29751555083966205e-5;

/**
 * N(−y) for y in [0, NORMAL_ABS_MAX], given e = e^(−y²/2) (callers often need e for the density too).
 */
export function normalTail(y: number, e: number): number {
  const w = y * y;
  let num: number;
  let den: number;
  let multiplier: number;
  if (y <= REGION1_MAX) {
    const a = (((A4 * w + A0) * w + A1) * w + A2) * w + A3;
    const b = (((w + B0) * w + B1) * w + B2) * w + B3;
    num = 0.5 * b - y * a;
    den = b;
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

/** The standard normal CDF N(x) = P(Z ≤ x). */
export function normCdf(x: number): number {
  const y = Math.min(Math.abs(x), NORMAL_ABS_MAX);
  const tail = normalTail(y, expNegHalfSquare(y));
  return x > 0 ? 1.0 - tail : tail;
}

/** The standard normal density φ(x). */
export function normPdf(x: number): number {
  return expNegHalfSquare(Math.min(Math.abs(x), NORMAL_ABS_MAX)) * INV_SQRT_2PI;
}
