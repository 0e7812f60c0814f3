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
 *   (coefficients reversed).
 * - All coefficients are positive, so Estrin's scheme (short dependency chains, which the SIMD kernel
 *   needs to stay throughput-bound) is as stable as Horner's.
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

// Polynomials are evaluated in Estrin's form (short dependency chains; all terms positive, so as
// stable as Horner's). Region 1, |x| ≤ 0.66291: N(x) = 1/2 + x·A(x²)/B(x²).
const A0 = 2.2352520354606837, A1 = 161.02823106855587, A2 = 1067.6894854603709;
const A3 = 18154.98125334356, A4 = 0.06568233791820745;
const B0 = 47.202581904688245, B1 = 976.0985517377767, B2 = 10260.932208618979;
const B3 = 45507.78933502673;
// Region 2, 0.66291 < |x| ≤ √32: N(−|x|) = e^(−x²/2)·C(|x|)/D(|x|).
const C0 = 0.39894151208813466, C1 = 8.883149794388377, C2 = 93.50665613217785;
const C3 = 597.2702763948002, C4 = 2494.5375852903726, C5 = 6848.190450536283;
const C6 = 11602.65143764735, C7 = 9842.714838383978, C8 = 1.0765576773720192e-08;
const D0 = 22.266688044328117, D1 = 235.387901782625, D2 = 1519.3775994075547;
const D3 = 6485.558298266761, D4 = 18615.571640885097, D5 = 34900.95272114598;
const D6 = 38912.00328609327, D7 = 19685.429676859992;
// Region 3, |x| > √32: N(−|x|) = e^(−x²/2)·(1/√(2π) − z·P(z)/Q(z))/|x|, z = 1/x².
const P0 = 0.215898534057957, P1 = 0.12740116116024736, P2 = 0.022235277870649807;
const P3 = 0.0014216191932278934, P4 = 2.9112874951168793e-05, P5 = 0.023073441764940174;
const Q0 = 1.284260096144911, Q1 = 0.4682382124808651, Q2 = 0.06598813786892856;
const Q3 = 0.0037823963320275824, Q4 = 7.297515550839662e-05;

/**
 * N(−y) for y in [0, NORMAL_ABS_MAX], given e = e^(−y²/2) (callers often need e for the density too).
 */
export function normalTail(y: number, e: number): number {
  const w = y * y;
  let num: number;
  let den: number;
  let multiplier: number;
  if (y <= REGION1_MAX) {
    const w2 = w * w;
    const a = A2 * w + A3 + (A0 * w + A1) * w2 + A4 * (w2 * w2);
    const b = B2 * w + B3 + (B0 * w + B1) * w2 + w2 * w2;
    num = 0.5 * b - y * a;
    den = b;
    multiplier = 1.0;
  } else if (y <= REGION2_MAX) {
    const y2 = y * y;
    const y4 = y2 * y2;
    num = C6 * y + C7 + (C4 * y + C5) * y2 + (C2 * y + C3 + (C0 * y + C1) * y2) * y4 + C8 * (y4 * y4);
    den = D6 * y + D7 + (D4 * y + D5) * y2 + (D2 * y + D3 + (D0 * y + D1) * y2) * y4 + y4 * y4;
    multiplier = e;
  } else {
    const w2 = w * w;
    const w4 = w2 * w2;
    const pr = P0 * w + P5 + (P2 * w + P1) * w2 + (P4 * w + P3) * w4;
    const wq = (Q0 * w + 1.0 + (Q2 * w + Q1) * w2 + (Q4 * w + Q3) * w4) * w;
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
