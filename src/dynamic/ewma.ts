/**
 * EWMA volatility (RiskMetrics, J.P. Morgan/Reuters 1996, Technical Document §5.2): the variance forecast for return
 * t, made before it is seen, is
 *   σ²[0] = the mean of r² over the first min(n, 30) returns (the seed: a plain estimate over a short window),
 *   σ²[t] = λ·σ²[t − 1] + (1 − λ)·r[t − 1]²,
 * and the forecast for the next, unseen day is σ²[n] = λ·σ²[n − 1] + (1 − λ)·r[n − 1]². λ = 0.94 is RiskMetrics'
 * daily decay (0.97 its monthly one). Returns are log returns per day of the series, taken as zero-mean.
 * Annualise with √periodsPerYear (365 for crypto's 24/7 markets, 252 for trading days).
 */

export interface EwmaResult {
  /** σ²[t] for each return t (the forecast made the day before), per day². */
  variance: Float64Array;
  /** The next day's variance forecast σ²[n] and its volatility (per day). */
  nextVariance: number;
  nextVolDaily: number;
}

/** The EWMA variances of `returns` (finite, at least 1) with decay λ in (0, 1). */
export function ewmaVariance(returns: ArrayLike<number>, lambda = 0.94, seedDays = 30): EwmaResult {
  const n = returns.length;
  if (n === 0) throw new RangeError('EWMA needs at least one return');
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`λ must be in (0, 1), got ${lambda}`);
  const m = Math.min(n, seedDays);
  let seed = 0;
  for (let t = 0; t < m; t++) seed += returns[t] * returns[t];
  const variance = new Float64Array(n);
  variance[0] = seed / m;
  for (let t = 1; t < n; t++) variance[t] = lambda * variance[t - 1] + (1 - lambda) * returns[t - 1] * returns[t - 1];
  const nextVariance = lambda * variance[n - 1] + (1 - lambda) * returns[n - 1] * returns[n - 1];
  return { variance, nextVariance, nextVolDaily: Math.sqrt(nextVariance) };
}

/** A daily volatility annualised over `periodsPerYear` steps (√time scaling). */
export function annualise(volDaily: number, periodsPerYear = 365): number {
  return volDaily * Math.sqrt(periodsPerYear);
}
