/**
 * margin-core/math: the numerical building blocks the methods use, each a pure function with its source in its
 * module: the standard normal distribution (Cody's erf; Acklam's quantile refined by Halley), the nearest correlation
 * matrix (Higham 2002) and a factor of a positive semidefinite matrix, the EWMA covariance (RiskMetrics), and the
 * valuation of inverse (coin-margined) contracts and coin-denominated Greeks; EWMA variances and filtered historical
 * simulation (src/dynamic/).
 */
// Each export is its function behind a check of its arguments (src/math-checked.ts): outside its domain (docs/api.md)
// an InputError names the argument; the library's own callers call the unchecked functions
export {
  normCdf, normPdf, normalQuantile, nearestCorrelation, semidefiniteFactor, ewmaCovariance,
  coinGreeks, forwardPrice, inverseMovePnl, inversePnlCoin, inverseSizeCoin,
  // filtered historical simulation (docs/dynamic-margin.md): a history's log returns, their EWMA variances, the n + 1
  // variances FHS rescales by, and the VaR method's returns matrix from them
  logReturns, ewmaVariance, filteredHistoricalReturns, variancePath,
} from './math-checked.js';
