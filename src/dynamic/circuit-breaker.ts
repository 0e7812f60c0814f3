/**
 * A velocity circuit breaker for margin: when an asset's price moves more over the liquidation horizon (the time the
 * liquidation engine needs to close a position) than its maintenance margin rate can absorb, requirements on the
 * asset step up by a multiplier until the move subsides. Hysteresis keeps it from flapping: it trips when
 * |move| > trip × mmRate and releases only once |move| < release × mmRate (release < trip).
 *
 *   move[t] = close[t] / close[t − h] − 1        (h = horizonDays steps of the series; undefined for t < h)
 *   active[t] = |move[t]| > trip·mmRate, or (active[t − 1] and |move[t]| ≥ release·mmRate)
 *   multiplier[t] = active[t] ? stepUp : 1
 *
 * The reasoning: a position margined at MM rate m is bankrupt once the price moves m against it before it is closed;
 * a realised move of that size within the horizon says the rate is too thin for the current velocity.
 */

export interface CircuitBreakerParams {
  /** The liquidation horizon in days (steps of the series): the move is measured over it. */
  horizonDays: number;
  /** Trips when |move| > trip × mmRate. */
  trip: number;
  /** Releases when |move| < release × mmRate (0 ≤ release ≤ trip). */
  release: number;
  /** The requirement multiplier while tripped (≥ 1). */
  stepUp: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerParams = { horizonDays: 1, trip: 1, release: 0.5, stepUp: 1.5 };

export interface CircuitBreakerEvent {
  /** The day (index of the series) it tripped or released. */
  day: number;
  kind: 'trip' | 'release';
  /** The move over the horizon that day (a fraction: −0.12 = −12%). */
  move: number;
}

export interface CircuitBreakerResult {
  /** The move over the horizon each day (NaN before the first full horizon). */
  move: Float64Array;
  /** The requirement multiplier each day (1, or stepUp while tripped). */
  multiplier: Float64Array;
  events: CircuitBreakerEvent[];
}

/** The breaker on one asset's closes (positive, finite) with its MM rate (a fraction > 0). */
export function circuitBreaker(closes: ArrayLike<number>, mmRate: number, p: CircuitBreakerParams): CircuitBreakerResult {
  const n = closes.length;
  const move = new Float64Array(n).fill(NaN);
  const multiplier = new Float64Array(n).fill(1);
  const events: CircuitBreakerEvent[] = [];
  const tripAt = p.trip * mmRate, releaseAt = p.release * mmRate;
  let active = false;
  for (let t = p.horizonDays; t < n; t++) {
    const m = closes[t] / closes[t - p.horizonDays] - 1;
    move[t] = m;
    const size = Math.abs(m);
    if (!active && size > tripAt) {
      active = true;
      events.push({ day: t, kind: 'trip', move: m });
    } else if (active && size < releaseAt) {
      active = false;
      events.push({ day: t, kind: 'release', move: m });
    }
    if (active) multiplier[t] = p.stepUp;
  }
  return { move, multiplier, events };
}
