/**
 * An independent high-precision reference for the normal distribution, in 50-digit decimal
 * arithmetic (decimal.js). Nothing here shares code or constants with the kernels.
 *   |x| < 5: N(x) = 1/2 + φ(x)·Σ x^(2n+1)/(2n+1)!!   (all terms positive; Abramowitz & Stegun 26.2.11)
 *   |x| ≥ 5: N(−|x|) = φ(x)·R(|x|), R(t) = 1/(t + 1/(t + 2/(t + 3/(t + …))))   (Laplace's continued
 *            fraction for the Mills ratio, A&S 26.2.14), evaluated backwards from a depth that
 *            converges well past 40 digits for t ≥ 5.
 */
import Decimal from 'decimal.js';

export const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -400, minE: -9e15 });
export type Dec = InstanceType<typeof D>;

/**
 * The exact value of a double as a Decimal. `new D(x)` would take JavaScript's shortest round-trip
 * string, which can be half an ulp away from the double itself: enough to shift e^x at x = −519 by
 * 5e-14 relative, i.e. to make the reference, not the code under test, wrong.
 */
export function dec(x: number): Dec {
  return new D(x.toPrecision(60));
}

const PI = D.acos(-1);
const SQRT_2PI = PI.times(2).sqrt();

export function pdfRef(x: Dec): Dec {
  return x.times(x).div(-2).exp().div(SQRT_2PI);
}

export function cdfRef(x: Dec): Dec {
  const ax = x.abs();
  if (ax.lt(5)) {
    let term = x;
    let sum = x;
    const x2 = x.times(x);
    for (let n = 1; n < 400; n++) {
      term = term.times(x2).div(2 * n + 1);
      sum = sum.plus(term);
      if (term.abs().lt(sum.abs().times('1e-55'))) break;
    }
    return pdfRef(x).times(sum).plus(0.5);
  }
  const depth = 200 + Math.ceil(20000 / ax.toNumber() ** 2);
  let v = ax;
  for (let k = depth; k >= 1; k--) v = ax.plus(new D(k).div(v));
  const lower = pdfRef(ax).div(v); // N(−|x|)
  return x.isNegative() ? lower : new D(1).minus(lower);
}
