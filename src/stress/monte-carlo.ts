/**
 * Monte Carlo stress: N correlated shocks, each run through the cascade from the same book, for the distribution of
 * bad debt and liquidated notional (Gauntlet's "VaR" and "LaR" of a protocol: their mean and upper percentiles).
 *
 * Shock s moves asset i by r_si = σ_i·√(h/365)·(L·z_s)_i, z_s standard normals from Philox4x32-10 keyed (seed,
 * stream 1) as the VaR Monte Carlo draws them (stream 0 there), L a factor of the market's correlation matrix
 * (src/model/correlation.ts: positive semidefinite matrices are accepted), returns clamped below at −95%. The draws
 * and the factor are plain JS with correctly rounded operations, so every backend runs the same shocks; the
 * margining is bit-identical across backends, so the distribution is too.
 */
import { InputError } from '../errors.js';
import { normalDrawsJs } from '../kernels/js/risk/normal-draws.js';
import { semidefiniteFactor } from '../model/correlation.js';
import { stressCorrelation } from '../model/validate-market.js';
import type { ValidatedMarket } from '../model/types.js';
import type { Distribution, MonteCarloPath } from './report.js';
import type { ShockStep } from './shock.js';

/** Lowest simple return a Monte Carlo shock applies (as the VaR Monte Carlo). */
export const MIN_SHOCK_RETURN = -0.95;
/** Philox stream of the stress draws (the VaR Monte Carlo uses stream 0). */
export const STRESS_STREAM = 1;
/** Worst paths kept in the report. */
export const WORST_PATHS = 5;

/** The N shocks, one step each: the correlated returns of every asset of the correlation matrix. */
export function monteCarloShocks(market: ValidatedMarket, paths: number, seed: number, horizonDays: number): ShockStep[] {
  // the market's correlation, or a market's one risky asset alone (stress.ts asked for one where it has several)
  const correlation = stressCorrelation(market) ?? market.correlation;
  const names = correlation.assets, m = names.length;
  const factor = semidefiniteFactor(correlation.matrix, m);
  if (factor.l === null) {
    throw new InputError([{ path: 'market.correlation.matrix', message: `not positive semidefinite (smallest eigenvalue ${factor.minEigenvalue}): Monte Carlo stress needs a correlation matrix (repair it with repairCorrelation)` }]);
  }
  const l = factor.l;
  const scale = names.map((s) => (market.assets.get(s)?.vol ?? 0) * Math.sqrt(horizonDays / 365));
  const z = new Float64Array(paths * m);
  normalDrawsJs(z, paths * m, seed, STRESS_STREAM, 0, 0);
  const steps: ShockStep[] = [];
  for (let p = 0; p < paths; p++) {
    const returns = new Map<string, number>();
    for (let i = 0; i < m; i++) {
      let x = 0;
      for (let k = 0; k <= i; k++) x += l[i * m + k] * z[p * m + k];
      const r = Math.max(MIN_SHOCK_RETURN, scale[i] * x);
      if (r !== 0) returns.set(names[i], r);
    }
    steps.push({ label: `path ${p + 1}`, move: { returns, volShift: new Map() } });
  }
  return steps;
}

/** Mean, 95th and 99th percentiles (the ⌈p·N⌉-th smallest value) and maximum of a non-empty sample. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (const v of values) sum += v;
  return { mean: sum / n, p95: at(0.95), p99: at(0.99), max: sorted[n - 1] };
}

/** The worst paths by bad debt, then liquidated notional, then path number. */
export function worstPaths(paths: readonly MonteCarloPath[], count = WORST_PATHS): MonteCarloPath[] {
  return [...paths].sort((a, b) => b.badDebt - a.badDebt || b.liquidatedNotional - a.liquidatedNotional || a.path - b.path).slice(0, count);
}
