/**
 * margin-core/math's functions as the package exports them: each the library's own function (same name, signature and
 * result, bit for bit) behind a check of its arguments (src/math-arguments.ts), so that a public call fails closed: an
 * argument outside its domain (docs/api.md, "margin-core/math") throws an InputError naming it by path (`p`, `a[5]`,
 * `options.maxIterations`, `history.closes[2][4]`, `usd.delta`) instead of returning NaN or ±Infinity, or reading past
 * an array. The library calls the unchecked functions (kernels, Monte Carlo, the VaR method): no check runs in its loops.
 */
import { ProblemList } from './errors.js';
import { boundedNumber, isNonEmptyString, isRecord, notStringMessage } from './model/checks.js';
import { DOMAIN, rateBound } from './model/domain.js';
import { optionProblems } from './model/options-check.js';
import { normCdf as cdf, normPdf as pdf } from './kernels/js/normal.js';
import { normalQuantile as quantile } from './methods/var/normal-quantile.js';
import {
  nearestCorrelation as nearest, type NearestCorrelationOptions, type NearestCorrelationResult, PSD_TOLERANCE, semidefiniteFactor as factor,
  type SemidefiniteFactor,
} from './model/correlation.js';
import { ewmaCovariance as covariance } from './methods/var/covariance.js';
import {
  coinGreeks as greeksInCoin, forwardPrice as forward, inverseMovePnl as movePnl, inversePnlCoin as pnlCoin, inverseSizeCoin as sizeCoin,
  type OptionGreeks,
} from './margin/coin-valuation.js';
import { logReturns as returnsOf, type PriceHistory } from './dynamic/history.js';
import { ewmaVariance as variances, type EwmaResult } from './dynamic/ewma.js';
import { filteredHistoricalReturns as fhs, type FhsInput, type FhsResult, variancePath as path } from './dynamic/fhs.js';
import { expm1 } from './dynamic/math.js';
import {
  arrayOf, BOUNDS, checkedList, checkEntries, checkSquare, checkSymmetric, checkWhole, checkWithin, listOf, notNumberMessage, recordOf, refuse,
} from './math-arguments.js';

/** The standard normal CDF N(x) = P(Z ≤ x). */
export function normCdf(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) refuse('x', notNumberMessage(x));
  return cdf(x);
}

/** The standard normal density φ(x). */
export function normPdf(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) refuse('x', notNumberMessage(x));
  return pdf(x);
}

/** N⁻¹(p) for p in (0, 1); an InputError at `p` otherwise. */
export function normalQuantile(p: number): number {
  const problems = new ProblemList();
  boundedNumber(p, 'p', problems, { min: 0, max: 1, minOpen: true, maxOpen: true, required: true });
  problems.throwIfAny();
  return quantile(p);
}

/**
 * The correlation matrix nearest in the Frobenius norm to a symmetric matrix `a` (row-major n×n): Higham (2002),
 * Algorithm 3.3 with unit weights (the method and its implementation notes: src/model/correlation.ts).
 */
export function nearestCorrelation(a: Float64Array, n: number, options: NearestCorrelationOptions = {}): NearestCorrelationResult {
  const problems = new ProblemList();
  checkSquare(a, n, 'a', 'n', problems);
  for (const p of optionProblems(options, { tol: 'any', maxIterations: 'any' })) problems.add(p.path, p.message);
  if (isRecord(options)) {
    boundedNumber(options.tol, 'options.tol', problems, { min: 0 });
    checkWhole(options.maxIterations, 'options.maxIterations', 1, problems, 'a whole number of iterations', true);
  }
  problems.throwIfAny();
  return nearest(a, n, options);
}

/**
 * A lower-triangular factor L (L·Lᵀ = A) of a symmetric positive SEMI-definite matrix, where plain
 * Cholesky stops at a zero pivot: perfectly correlated assets, a repaired (nearest) correlation matrix,
 * an EWMA covariance from fewer dates than assets. Null `l` when A has an eigenvalue below
 * −`tolerance` × max(A_ii) (not PSD beyond rounding); an InputError when A is not a symmetric matrix of m × m
 * entries within the domain (docs/api.md). The method (Jacobi, then Householder QR): src/model/correlation.ts.
 */
export function semidefiniteFactor(a: Float64Array, m: number, tolerance = PSD_TOLERANCE): SemidefiniteFactor {
  const problems = new ProblemList();
  if (checkSquare(a, m, 'a', 'm', problems)) checkSymmetric(a, m, 'a', PSD_TOLERANCE, problems);
  boundedNumber(tolerance, 'tolerance', problems, { min: 0, required: true });
  problems.throwIfAny();
  return factor(a, m, tolerance);
}

/**
 * RiskMetrics EWMA covariance of `returns` (T dates × k assets, row-major, oldest first), zero mean:
 *   Σ = Σ_t w_t·r_t·r_tᵀ,  w_t = (1 − λ)·λ^(T−1−t) / (1 − λ^T)
 * (the recursion S_t = λ·S_{t−1} + (1 − λ)·r_t·r_tᵀ over a finite window, weights normalised to 1).
 * The result is the covariance per return period; exactly symmetric.
 */
export function ewmaCovariance(returns: Float64Array, nDates: number, nAssets: number, lambda: number): Float64Array {
  const problems = new ProblemList();
  const list = listOf(returns, 'returns', problems);
  const shaped = checkWhole(nDates, 'nDates', 1, problems, 'a whole number of dates') && checkWhole(nAssets, 'nAssets', 0, problems, 'a whole number of assets');
  if (list !== null && shaped) {
    const size = nDates * nAssets;
    if (list.length !== size) problems.add('returns', `expected nDates × nAssets = ${nDates} × ${nAssets} = ${size} returns (row-major, dates × assets), got ${list.length}`);
    else checkEntries(list, 'returns', BOUNDS.return, problems);
  }
  boundedNumber(lambda, 'lambda', problems, { min: 0, max: 1, minOpen: true, maxOpen: true, required: true });
  problems.throwIfAny();
  return covariance(returns, nDates, nAssets, lambda);
}

/** P&L in coin of `quantity` inverse contracts of `multiplier` USD face each, entered at `entry`, marked at `mark` (USD per coin). */
export function inversePnlCoin(quantity: number, multiplier: number, entry: number, mark: number): number {
  const problems = new ProblemList();
  checkWithin(quantity, 'quantity', DOMAIN.quantity, problems);
  checkWithin(multiplier, 'multiplier', DOMAIN.multiplier, problems);
  checkWithin(entry, 'entry', DOMAIN.price, problems);
  checkWithin(mark, 'mark', DOMAIN.price, problems);
  problems.throwIfAny();
  return pnlCoin(quantity, multiplier, entry, mark);
}

/** Size in coin of `quantity` inverse contracts of `multiplier` USD face at price `mark` (Deribit's size_currency). */
export function inverseSizeCoin(quantity: number, multiplier: number, mark: number): number {
  const problems = new ProblemList();
  checkWithin(quantity, 'quantity', DOMAIN.quantity, problems);
  checkWithin(multiplier, 'multiplier', DOMAIN.multiplier, problems);
  checkWithin(mark, 'mark', DOMAIN.price, problems);
  problems.throwIfAny();
  return sizeCoin(quantity, multiplier, mark);
}

/**
 * P&L in coin of an inverse position of `sizeCoin` coins (quantity·multiplier / F) when its price moves by the
 * fraction m: sizeCoin·m/(1 + m) (Deribit's pme/simulate risk vectors; concave: −16% → −0.1905·size, +16% → +0.1379·size).
 */
export function inverseMovePnl(sizeCoin: number, m: number): number {
  const problems = new ProblemList();
  checkWithin(sizeCoin, 'sizeCoin', BOUNDS.sizeCoin, problems);
  if (checkWithin(m, 'm', BOUNDS.move, problems) && !(m > -1)) problems.add('m', `${m} is not above -1 (a price cannot fall by 100% or more)`);
  problems.throwIfAny();
  return movePnl(sizeCoin, m);
}

/** The market's forward of an underlying: S·e^{(r−q)·T} (the derived mark of a future). */
export function forwardPrice(spot: number, rate: number, carry: number, expiryYears: number): number {
  const problems = new ProblemList();
  checkForward(spot, rate, carry, expiryYears, problems);
  problems.throwIfAny();
  return forward(spot, rate, carry, expiryYears);
}

/**
 * Greeks of a coin-settled option in coin, from its USD Greeks (∂/∂S per unit of underlying, vega per 1.00 vol, theta
 * per year, rho per 1.00: DESIGN §3) at spot S with forward F = S·e^{(r−q)T}, premium in coin P = V/F:
 * - delta: S·∂P/∂S = Δ·S/F − P = F·∂P/∂F, the USD delta (on the forward) minus the premium in coin: Deribit's net
 *   transaction delta ("Position Deltas − Option Position Mark Prices", support.deribit.com "Delta decay during
 *   settlement"; on its public ticker 0.5962 − 0.2168 = 0.3794, shared research §1.2), the coins whose sale hedges
 *   the option's value in coin;
 * - gamma: ∂²P/∂S² = (Γ − 2Δ/S + 2V/S²)/F (coin per USD²);
 * - vega: ν/F; theta: θ/F + P·(r − q) (F moves with calendar time); rho: ρ/F − P·T.
 */
export function coinGreeks(usd: OptionGreeks, spot: number, rate: number, carry: number, expiryYears: number): OptionGreeks {
  const problems = new ProblemList();
  const greeks = recordOf(usd, 'usd', problems, 'an object of Greeks (price, delta, gamma, vega, theta, rho)');
  if (greeks !== null) for (const field of GREEKS) checkWithin(greeks[field], `usd.${field}`, BOUNDS.greek, problems);
  checkForward(spot, rate, carry, expiryYears, problems);
  problems.throwIfAny();
  return greeksInCoin(usd, spot, rate, carry, expiryYears);
}

/** The fields of {@link OptionGreeks}, each read by {@link coinGreeks}. */
const GREEKS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const;

/**
 * The forward's arguments: a market's price, rate and carry (src/model/domain.ts) and years to expiry in [0, 50], so
 * |(r − q)·T| ≤ 200 and S·e^{(r−q)T} lies within [1e-99, 1e99].
 */
function checkForward(spot: unknown, rate: unknown, carry: unknown, expiryYears: unknown, problems: ProblemList): void {
  checkWithin(spot, 'spot', DOMAIN.price, problems);
  checkWithin(rate, 'rate', DOMAIN.rate, problems);
  checkWithin(carry, 'carry', rateBound('carry'), problems);
  checkWithin(expiryYears, 'expiryYears', BOUNDS.expiry, problems);
}

/** Daily log returns per asset: r[t] = ln(close[t + 1] / close[t]). */
export function logReturns(history: PriceHistory): Float64Array[] {
  const problems = new ProblemList();
  const given = recordOf(history, 'history', problems, 'a price history ({ assets, times, closes }, as readHistory gives it)');
  if (given !== null) {
    const closes = arrayOf(given.closes, 'history.closes', problems, 'an array of each asset\'s closes');
    closes?.forEach((series, k) => checkedList(series, `history.closes[${k}]`, DOMAIN.price, problems));
  }
  problems.throwIfAny();
  return returnsOf(history);
}

/** The EWMA variances of `returns` (finite, at least 1) with decay λ in (0, 1). */
export function ewmaVariance(returns: ArrayLike<number>, lambda?: number, seedDays?: number): EwmaResult {
  const problems = new ProblemList();
  const list = checkedList(returns, 'returns', BOUNDS.return, problems);
  if (list !== null && list.length === 0) problems.add('returns', 'empty (EWMA needs at least one return)');
  // absent: the function's own defaults (λ 0.94, 30 seed days), not a copy of them here
  boundedNumber(lambda, 'lambda', problems, { min: 0, max: 1, minOpen: true, maxOpen: true });
  checkWhole(seedDays, 'seedDays', 1, problems, 'a whole number of days', true);
  problems.throwIfAny();
  return variances(returns, lambda, seedDays);
}

export function filteredHistoricalReturns(input: FhsInput): FhsResult {
  const problems = new ProblemList();
  checkFhsInput(input, problems);
  problems.throwIfAny();
  return fhs(input);
}

/** The n + 1 variances FHS takes from an EWMA result or a GARCH fit: σ²[t] for each return, then the next day's. */
export function variancePath(forecast: { variance: Float64Array; nextVariance: number }): Float64Array {
  const problems = new ProblemList();
  const given = recordOf(forecast, 'forecast', problems, 'an EWMA result or a GARCH fit ({ variance, nextVariance })');
  if (given !== null) {
    checkedList(given.variance, 'forecast.variance', BOUNDS.variance, problems);
    checkWithin(given.nextVariance, 'forecast.nextVariance', BOUNDS.variance, problems);
  }
  problems.throwIfAny();
  return path(forecast);
}

/**
 * FHS's input: one or more assets; per asset n returns (the same n for all) and n + 1 variances, each above 0; and
 * every return rescaled to the forecast, r·σ_T/σ_t, small enough that e^r − 1 is finite.
 */
function checkFhsInput(input: unknown, problems: ProblemList): void {
  const given = recordOf(input, 'input', problems, 'an object with assets, returns and varianceDaily');
  if (given === null) return;
  const assets = arrayOf(given.assets, 'input.assets', problems, 'an array of asset names');
  if (assets !== null && assets.length === 0) problems.add('input.assets', 'empty (expected at least one asset)');
  assets?.forEach((a, i) => {
    if (!isNonEmptyString(a)) problems.add(`input.assets[${i}]`, notStringMessage(a, 'an asset name'));
  });
  const m = assets?.length ?? 0;
  const returns = seriesOf(given.returns, 'input.returns', m, problems);
  const variances = seriesOf(given.varianceDaily, 'input.varianceDaily', m, problems);
  if (returns === null || variances === null || m === 0 || problems.size > 0) return;
  const n = returns[0].length;
  for (let i = 0; i < m; i++) {
    if (returns[i].length !== n) problems.add(`input.returns[${i}]`, `${returns[i].length} returns, expected ${n} (as input.returns[0]: every asset on the same dates)`);
    else checkEntries(returns[i], `input.returns[${i}]`, BOUNDS.return, problems);
    if (variances[i].length !== n + 1) problems.add(`input.varianceDaily[${i}]`, `${variances[i].length} variances, expected ${n + 1} (one per return, then the forecast)`);
    else checkEntries(variances[i], `input.varianceDaily[${i}]`, BOUNDS.positiveVariance, problems);
  }
  if (problems.size === 0) checkRescaled(returns, variances, n, problems);
}

/** `value` as an array of `m` lists of numbers (one per asset), else its problems at `path` and null. */
function seriesOf(value: unknown, path: string, m: number, problems: ProblemList): ArrayLike<number>[] | null {
  const series = arrayOf(value, path, problems, 'an array with one list of numbers per asset');
  if (series === null) return null;
  if (series.length !== m) problems.add(path, `${series.length} lists, expected one per asset (${m})`);
  const lists = series.map((entry, i) => listOf(entry, `${path}[${i}]`, problems));
  return series.length === m && lists.every((l) => l !== null) ? lists as ArrayLike<number>[] : null;
}

/** Each return rescaled as FHS rescales it, r·√(v[n] / v[t]), and e^r − 1 of that, finite (else its path). */
function checkRescaled(returns: readonly ArrayLike<number>[], variances: readonly ArrayLike<number>[], n: number, problems: ProblemList): void {
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i], v = variances[i], sigmaT = Math.sqrt(v[n]);
    for (let t = 0; t < n && !problems.full; t++) {
      const rescaled = (r[t] / Math.sqrt(v[t])) * sigmaT;
      if (Number.isFinite(rescaled) && Number.isFinite(expm1(rescaled))) continue;
      problems.add(`input.returns[${i}][${t}]`, `${r[t]} rescaled by √(varianceDaily[${i}][${n}] / varianceDaily[${i}][${t}]) is ${rescaled}: its simple return e^r − 1 overflows double precision`);
    }
  }
}
