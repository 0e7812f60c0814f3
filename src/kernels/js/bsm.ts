/**
 * Batch European option price and Greeks under generalised Black–Scholes–Merton (continuous
 * yield q), the JS twin of assembly/pricing/bsm.ts: same formulas, same operation order, so the
 * two backends give identical bits. The formulas and their conventions live in docs in
 * src/model/greeks-types.ts; the regimes handled before the general formula are:
 * - expired (T ≤ 0): intrinsic value; delta ±1 in the money, ±½ at the money, 0 out; other Greeks 0.
 * - deterministic (σ√T < VOL_SQRT_T_MIN): discounted intrinsic value on the forward; gamma and the
 *   σ-driven part of theta are 0 (their limits are a point mass and ±∞ at the money).
 */
import { expModerate, expNegHalfSquare, log } from './elementary.js';
import { INV_SQRT_2PI, NORMAL_ABS_MAX, normalTail } from './normal.js';
import type { GreeksInput, GreeksOutput } from '../../model/greeks-types.js';

/** Below this σ√T the option is valued as deterministic (see module comment). */
export const VOL_SQRT_T_MIN = 1e-14;

/** Column views the kernel reads (inputs) and writes (outputs), all of length ≥ the end index. */
export type GreeksColumns = Required<GreeksInput> & GreeksOutput;

/** Prices options [start, end) of validated columns. */
export function bsmGreeksJs(c: GreeksColumns, start: number, end: number): void {
  const { isCall, spot, strike, expiryYears, vol, rate, carry, price, delta, gamma, vega, theta, rho } = c;
  for (let i = start; i < end; i++) {
    const s = spot[i];
    const k = strike[i];
    const sigma = vol[i];
    const r = rate[i];
    const q = carry[i];
    const w = isCall[i] !== 0 ? 1.0 : -1.0; // +1 call, −1 put: every formula below is w-symmetric
    const expired = expiryYears[i] <= 0.0;
    const t = expired ? 0.0 : expiryYears[i];
    const sqrtT = Math.sqrt(t);
    const v = sigma * sqrtT;
    const dq = expModerate(-q * t); // |qT|, |rT| ≤ 100 on the validated domain
    const dr = expModerate(-r * t);
    const sq = s * dq; // S·e^(−qT)
    const kr = k * dr; // K·e^(−rT)
    const lnFK = log(s / k) + (r - q) * t; // ln(F/K)
    const deterministic = v < VOL_SQRT_T_MIN;
    let d1: number;
    let d2: number;
    if (deterministic) {
      d1 = lnFK > 0.0 ? NORMAL_ABS_MAX : lnFK < 0.0 ? -NORMAL_ABS_MAX : 0.0;
      d2 = d1;
    } else {
      d1 = lnFK / v + 0.5 * v;
      d2 = d1 - v;
    }
    const y1 = Math.min(Math.abs(d1), NORMAL_ABS_MAX);
    const y2 = Math.min(Math.abs(d2), NORMAL_ABS_MAX);
    // e^(−d2²/2) = e^(−d1²/2)·F/K: one exp for the smaller |d|, the other by the ratio (≤ 1 that way,
    // so it underflows only when the true value does).
    const forwardRatio = sq / kr;
    const eNear = expNegHalfSquare(Math.min(y1, y2));
    const e1 = y1 <= y2 ? eNear : eNear / forwardRatio;
    const e2 = y1 <= y2 ? eNear * forwardRatio : eNear;
    const tail1 = normalTail(y1, e1);
    const tail2 = normalTail(y2, e2);
    const n1 = w * d1 > 0.0 ? 1.0 - tail1 : tail1; // N(w·d1)
    const n2 = w * d2 > 0.0 ? 1.0 - tail2 : tail2; // N(w·d2)
    const pdf1 = e1 * INV_SQRT_2PI; // φ(d1)

    const value = w * (sq * n1 - kr * n2);
    price[i] = value > 0.0 ? value : 0.0; // rounding must not make an option worth less than nothing
    delta[i] = w * dq * n1;
    gamma[i] = deterministic ? 0.0 : (dq * pdf1) / (s * v);
    vega[i] = sq * pdf1 * sqrtT;
    const decay = deterministic ? 0.0 : -((sq * pdf1 * sigma) / (2.0 * sqrtT));
    theta[i] = expired ? 0.0 : decay + w * (q * sq * n1 - r * kr * n2);
    rho[i] = w * t * kr * n2;
  }
}
