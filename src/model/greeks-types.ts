/**
 * Batch option Greeks: inputs and outputs, struct of arrays (one entry per option).
 *
 * Model: generalised Black–Scholes–Merton for European options with continuous yield q (`carry`),
 * F = S·e^((r−q)T), d1 = ln(F/K)/(σ√T) + σ√T/2, d2 = d1 − σ√T, w = +1 call / −1 put:
 *   price = w·(S·e^(−qT)·N(w·d1) − K·e^(−rT)·N(w·d2))
 *   delta = ∂V/∂S = w·e^(−qT)·N(w·d1)
 *   gamma = ∂²V/∂S² = e^(−qT)·φ(d1)/(S·σ√T)
 *   vega  = ∂V/∂σ per 1.00 of vol = S·e^(−qT)·φ(d1)·√T
 *   theta = ∂V/∂t per year as calendar time passes (= −∂V/∂T)
 *         = −S·e^(−qT)·φ(d1)·σ/(2√T) + w·(q·S·e^(−qT)·N(w·d1) − r·K·e^(−rT)·N(w·d2))
 *   rho   = ∂V/∂r per 1.00 of rate, q held fixed = w·T·K·e^(−rT)·N(w·d2)
 * Black-76 on a future is the case q = r with S = F. The kernels are src/kernels/js/bsm.ts and its
 * twin assembly/pricing/bsm.ts; degenerate regimes are documented there and in the README.
 *
 * At expiry (T ≤ 0; a book admits T = 0, an option expiring at the valuation time, S then being the settlement price):
 *   price = max(w·(S − K), 0); delta = w in the money, w/2 at the money (S = K), 0 out of it; gamma = vega = theta =
 *   rho = 0. Delta is the limit of w·N(w·d1) as σ√T → 0: N(±∞) in and out of the money, N(0) = ½ at it (the
 *   midpoint of the payoff's one-sided slopes). Derive prices this state the same way: Black76.sol (derivexyz/
 *   lyra-utils) replaces a zero total vol by 1e-18, so d1 = ln(F/K)/1e-18 and the value is intrinsic on the forward.
 */

/** Options to price, one entry per option. All arrays have the same length. */
export interface GreeksInput {
  /** 1 = call, 0 = put. */
  isCall: Uint8Array;
  /** Underlying price S (spot, or the future's price for Black-76), > 0. */
  spot: Float64Array;
  /** Strike K, > 0. */
  strike: Float64Array;
  /** Time to expiry T in years (ACT/365); ≤ 0 means expired (valued at intrinsic). */
  expiryYears: Float64Array;
  /** Volatility σ, annualised, decimal (0.55 = 55%), ≥ 0. */
  vol: Float64Array;
  /** Risk-free rate r, continuously compounded, per year. */
  rate: Float64Array;
  /** Continuous yield q (dividend, funding-like carry), per year. Optional: 0 when absent. */
  carry?: Float64Array | undefined;
}

/** Price and Greeks per option, in the units documented on {@link GreeksInput}'s module. */
export interface GreeksOutput {
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
  rho: Float64Array;
}

export const OUTPUT_FIELDS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;
export const INPUT_F64_FIELDS = ['spot', 'strike', 'expiryYears', 'vol', 'rate', 'carry'] as const;

/** Allocates outputs for `n` options. */
export function allocateGreeksOutput(n: number): GreeksOutput {
  return {
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    vega: new Float64Array(n),
    theta: new Float64Array(n),
    rho: new Float64Array(n),
  };
}
