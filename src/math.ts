/**
 * margin-core/math: the numerical building blocks the methods use, each a pure function with its source in its
 * module: the standard normal distribution (Cody's erf; Acklam's quantile refined by Halley), the nearest correlation
 * matrix (Higham 2002) and a factor of a positive semidefinite matrix, the EWMA covariance (RiskMetrics), and the
 * valuation of inverse (coin-margined) contracts and coin-denominated Greeks; EWMA variances and filtered historical
 * simulation (src/dynamic/).
 */
export { normCdf, normPdf } from './kernels/js/normal.js';
export { normalQuantile } from './methods/var/normal-quantile.js';
export { nearestCorrelation, semidefiniteFactor } from './model/correlation.js';
export { ewmaCovariance } from './methods/var/covariance.js';
export { coinGreeks, forwardPrice, inverseMovePnl, inversePnlCoin, inverseSizeCoin } from './margin/coin-valuation.js';
// filtered historical simulation (docs/dynamic-margin.md): a history's log returns, their EWMA variances, the n + 1
// variances FHS rescales by, and the VaR method's returns matrix from them
export { logReturns } from './dynamic/history.js';
export { ewmaVariance } from './dynamic/ewma.js';
export { filteredHistoricalReturns, variancePath } from './dynamic/fhs.js';
