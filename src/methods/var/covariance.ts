/**
 * Risk factors and their covariance Σ over the VaR horizon.
 *
 * Risk factors are the book's assets with a market vol > 0 (stablecoins at vol 0 carry no risk and
 * are left out). Σ is the covariance of their simple returns over `horizonDays`:
 * - from the market: Σᵢⱼ = ρᵢⱼ·sᵢ·sⱼ with sᵢ = σᵢ·√(h/365) (σ annualised, ACT/365 calendar days:
 *   crypto trades every day, so variance grows with calendar time);
 * - from data: the EWMA covariance of a returns matrix (RiskMetrics), scaled by h / periodDays.
 * Σ is built exactly symmetric (the lower triangle is computed and mirrored): the quadratic-form
 * kernel reads only the lower triangle and the gradient the whole matrix.
 */
import { InputError, ProblemList } from '../../errors.js';
import type { BookLayout } from '../../layout/book-layout.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { RiskKernels } from '../../kernels/risk.js';
import type { ReturnsMatrix, VarParams } from './params.js';
import { semidefiniteFactor } from '../../model/correlation.js';

/** The VaR risk factors: a subset of the layout's assets. */
export interface RiskFactors {
  /** Layout asset index of factor j. */
  readonly asset: Int32Array;
  /** Factor index of each layout asset, or −1 (zero vol: no risk). */
  readonly factorOf: Int32Array;
  /** Symbols, by factor. */
  readonly symbols: readonly string[];
}

export function riskFactors(layout: BookLayout, market: MarketLayout): RiskFactors {
  const vol = market.vol.array;
  const assets: number[] = [];
  const factorOf = new Int32Array(layout.assets.length).fill(-1);
  for (let i = 0; i < layout.assets.length; i++) {
    if (vol[i] > 0) {
      factorOf[i] = assets.length;
      assets.push(i);
    }
  }
  return { asset: Int32Array.from(assets), factorOf, symbols: assets.map((i) => layout.assets[i]) };
}

/** Σ over the horizon from the market's annual vols and correlation (m×m row-major, exactly symmetric). */
export function marketCovariance(market: MarketLayout, factors: RiskFactors, horizonDays: number): Float64Array {
  const n = market.assetCount;
  const m = factors.asset.length;
  const vol = market.vol.array, rho = market.correlation.array;
  const scale = Math.sqrt(horizonDays / 365);
  const s = Float64Array.from(factors.asset, (a) => vol[a] * scale);
  const sigma = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      const r = i === j ? 1 : rho[factors.asset[i] * n + factors.asset[j]];
      sigma[i * m + j] = sigma[j * m + i] = s[i] * s[j] * r;
    }
  }
  return sigma;
}

/**
 * RiskMetrics EWMA covariance of `returns` (T dates × k assets, row-major, oldest first), zero mean:
 *   Σ = Σ_t w_t·r_t·r_tᵀ,  w_t = (1 − λ)·λ^(T−1−t) / (1 − λ^T)
 * (the recursion S_t = λ·S_{t−1} + (1 − λ)·r_t·r_tᵀ over a finite window, weights normalised to 1).
 * The result is the covariance per return period; exactly symmetric.
 */
export function ewmaCovariance(returns: Float64Array, nDates: number, nAssets: number, lambda: number): Float64Array {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`ewmaCovariance: lambda must be in (0, 1), got ${lambda}`);
  if (returns.length !== nDates * nAssets || nDates < 1) throw new RangeError(`ewmaCovariance: expected ${nDates}×${nAssets} returns, got ${returns.length}`);
  const k = nAssets;
  const sigma = new Float64Array(k * k);
  const norm = 1 - Math.pow(lambda, nDates);
  let w = (1 - lambda) / norm; // weight of the newest date; older ones × λ each
  for (let t = nDates - 1; t >= 0; t--) {
    const r = t * k;
    for (let i = 0; i < k; i++) {
      const wi = w * returns[r + i];
      for (let j = 0; j <= i; j++) sigma[i * k + j] += wi * returns[r + j];
    }
    w *= lambda;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) sigma[j * k + i] = sigma[i * k + j];
  return sigma;
}

/**
 * The returns matrix restricted to the risk factors' columns, in factor order (T × m row-major), or
 * an InputError naming every factor the matrix lacks.
 */
export function factorReturns(returns: ReturnsMatrix, factors: RiskFactors): Float64Array {
  const col = new Map(returns.assets.map((a, j) => [a, j]));
  const problems = new ProblemList();
  for (const symbol of factors.symbols) {
    if (!col.has(symbol)) problems.add('params.var.returns.assets', `missing ${JSON.stringify(symbol)}: the book is exposed to it (market vol > 0)`);
  }
  problems.throwIfAny();
  const m = factors.symbols.length, T = returns.matrix.length;
  const out = new Float64Array(T * m);
  factors.symbols.forEach((symbol, j) => {
    const c = col.get(symbol)!;
    for (let t = 0; t < T; t++) out[t * m + j] = returns.matrix[t][c];
  });
  return out;
}

/** Σ over the horizon per the params: market vols × correlation, or EWMA of the returns. */
export function horizonCovariance(params: VarParams, market: MarketLayout, factors: RiskFactors): Float64Array {
  if (params.covariance === 'market') return marketCovariance(market, factors, params.horizonDays);
  const returns = params.returns!;
  const m = factors.symbols.length;
  const sigma = ewmaCovariance(factorReturns(returns, factors), returns.matrix.length, m, params.ewmaLambda);
  // returns that never move give Σ = 0 and a VaR of 0 for any book: no estimate (a pegged asset's column alone may be 0)
  let moves = false;
  for (let j = 0; j < m && !moves; j++) moves = sigma[j * m + j] !== 0;
  if (m > 0 && !moves) throw new InputError([{ path: 'params.var.returns', message: `the returns do not vary (every return of ${factors.symbols.map((x) => JSON.stringify(x)).join(', ')} is 0): no covariance to estimate` }]);
  const scale = params.horizonDays / returns.periodDays;
  for (let i = 0; i < sigma.length; i++) sigma[i] *= scale;
  return sigma;
}

/**
 * A lower-triangular factor L of Σ (L·Lᵀ = Σ, for correlated Monte Carlo draws): the Cholesky kernel
 * first; where it stops at a zero pivot (a singular but positive semidefinite Σ: perfectly correlated
 * assets, a repaired correlation, an EWMA from fewer dates than assets), the eigen-based factor of
 * src/model/correlation.ts, computed in TypeScript for every backend (same bits). An InputError
 * naming the asset when Σ is not positive semidefinite beyond rounding, or not finite.
 */
export function choleskyOrReject(risk: RiskKernels, sigma: Float64Array, factors: RiskFactors, params: VarParams): Float64Array {
  const m = factors.symbols.length;
  const result = risk.cholesky(sigma, m);
  if (result.ok) return result.l;
  const psd = semidefiniteFactor(sigma, m);
  if (psd.l) return psd.l;
  const asset = factors.symbols[result.pivot];
  const path = params.covariance === 'ewma' ? 'params.var.returns' : 'market.correlation.matrix';
  const cause = Number.isNaN(psd.minEigenvalue) ? 'it has entries that are not finite (vols or returns too large for double precision)' : `its smallest eigenvalue is ${psd.minEigenvalue}`;
  throw new InputError([{ path, message: `covariance is not positive semidefinite (Cholesky stops at asset ${JSON.stringify(asset)}, pivot ${result.pivot}): ${cause}; Monte Carlo needs a positive semidefinite Σ` }]);
}
