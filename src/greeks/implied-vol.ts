/**
 * The vol an option's price implies, under the engine's own pricing (one-option.ts: the generalised BSM of the Greeks
 * kernels), so that the engine prices the option back at that price: for a quote that gives a mark and no vol (a
 * venue's position record, docs/data-import.md).
 */
import { GREEKS_LIMITS } from '../model/greeks-limits.js';
import { optionPrice } from './one-option.js';

/**
 * The annualised decimal vol in (0, GREEKS_LIMITS.volMax] at which {@link optionPrice} is `price` (USD per unit of the
 * underlying), or undefined when none is: a price at or below the vol-0 value (the discounted intrinsic), at or above
 * the largest vol's (the discounted spot for a call), or an option at or past expiry. The price rises with the vol, so
 * a bisection finds it: it halves the bracket until its ends are neighbouring doubles, and returns the end whose price
 * is nearer (ties to the lower vol). Deterministic, about 1,100 prices at most.
 */
export function impliedVol(isCall: boolean, spot: number, strike: number, expiryYears: number, price: number, rate: number, carry: number): number | undefined {
  if (!(expiryYears > 0) || !(price > 0) || !Number.isFinite(price)) return undefined;
  const at = (vol: number) => optionPrice(isCall, spot, strike, expiryYears, vol, rate, carry);
  let low = 0, high: number = GREEKS_LIMITS.volMax;
  if (!(at(low) < price) || !(at(high) > price)) return undefined;
  for (;;) {
    const mid = low + (high - low) / 2;
    if (mid === low || mid === high) break;
    if (at(mid) < price) low = mid;
    else high = mid;
  }
  // low > 0: its price is below `price` and the vol-0 price is too, so a zero vol is never returned
  return low > 0 && Math.abs(at(low) - price) <= Math.abs(at(high) - price) ? low : high;
}
