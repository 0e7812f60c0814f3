/**
 * ln, exp and expm1 with the same bits on every JavaScript engine, for what src/dynamic/ computes from a history.
 * Math.exp and Math.log are not reproducible across engines: Node 20's V8 and Chromium 156 disagree in the last bit
 * on about one argument in ten, so a forecast, and the margin it sets, would differ between the browser and Node. The
 * kernels' own elementary functions (src/kernels/js/elementary.ts, within ~0.7 ulp) are plain arithmetic and do not.
 */
import { exp, log } from '../kernels/js/elementary.js';

export { exp };

const MIN_NORMAL = 2.2250738585072014e-308;
const LN2 = 0.6931471805599453;
const TWO_54 = 18014398509481984;

/** Natural log of any double: subnormals scaled into range, ln 0 = −∞, ln ∞ = ∞, NaN for negative or NaN. */
export function ln(x: number): number {
  if (x >= MIN_NORMAL && x < Infinity) return log(x);
  if (x > 0 && x < MIN_NORMAL) return log(x * TWO_54) - 54 * LN2;
  return x === 0 ? -Infinity : x === Infinity ? Infinity : NaN;
}

/** e^x − 1, accurate near 0 (Kahan: (u − 1)·x / ln u with u = e^x rounded, which cancels u's rounding error). */
export function expm1(x: number): number {
  const u = exp(x);
  if (u === 1) return x;
  const um1 = u - 1;
  if (um1 === -1) return -1;
  return (um1 * x) / ln(u);
}
