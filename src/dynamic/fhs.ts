/**
 * Filtered historical simulation (Barone-Adesi, Giannopoulos & Vosper 1999; Hull & White 1998 volatility
 * updating): each historical log return is standardised by the conditional σ of its day and rescaled to
 * today's forecast σ:
 *   z_t = r_t / σ_t,   r*_t = z_t · σ_T,
 * σ_t the conditional σ of return t (known the day before), σ_T the forecast for the next, unseen, period.
 * Output: the VaR method's {@link ReturnsMatrix} (rows dates oldest first, columns assets, SIMPLE returns
 * e^(r*) − 1, periodDays 1), plus the log-return matrix.
 */
import type { ReturnsMatrix } from '../model/types.js';
import { expm1 } from './math.js';

export interface FhsInput {
  readonly assets: readonly string[];
  /** returns[i]: n log returns of asset i (all assets the same n, aligned by date). */
  readonly returns: readonly ArrayLike<number>[];
  /**
   * varianceDaily[i]: n+1 conditional variances ([t] for return t, [n] the forecast): {@link variancePath} of an
   * EWMA result or a GARCH fit.
   */
  readonly varianceDaily: readonly ArrayLike<number>[];
}

export interface FhsResult extends ReturnsMatrix {
  /** r*_t = z_t·σ_T, dates × assets log returns. */
  readonly logMatrix: number[][];
  /** σ_T per asset (the forecast σ every row is rescaled to). */
  readonly volDailyForecast: number[];
}

export function filteredHistoricalReturns(input: FhsInput): FhsResult {
  const m = input.assets.length;
  if (m === 0) throw new RangeError('no assets');
  if (input.returns.length !== m || input.varianceDaily.length !== m) throw new RangeError(`returns and varianceDaily need one entry per asset (${m})`);
  const n = input.returns[0].length;
  const sigmaT: number[] = [];
  for (let i = 0; i < m; i++) {
    const r = input.returns[i], v = input.varianceDaily[i];
    if (r.length !== n) throw new RangeError(`returns of ${input.assets[i]} have ${r.length} dates, expected ${n}`);
    if (v.length !== n + 1) throw new RangeError(`varianceDaily of ${input.assets[i]} has ${v.length} entries, expected ${n + 1}`);
    for (let t = 0; t <= n; t++) if (!(v[t] > 0 && Number.isFinite(v[t]))) throw new RangeError(`varianceDaily of ${input.assets[i]}[${t}] is not positive and finite (${v[t]})`);
    sigmaT.push(Math.sqrt(v[n]));
  }
  const matrix: number[][] = [], logMatrix: number[][] = [];
  for (let t = 0; t < n; t++) {
    const row: number[] = [], logRow: number[] = [];
    for (let i = 0; i < m; i++) {
      const rs = (input.returns[i][t] / Math.sqrt(input.varianceDaily[i][t])) * sigmaT[i];
      logRow.push(rs);
      row.push(expm1(rs));
    }
    matrix.push(row);
    logMatrix.push(logRow);
  }
  return { assets: [...input.assets], matrix, periodDays: 1, logMatrix, volDailyForecast: sigmaT };
}

/** The n + 1 variances FHS takes from an EWMA result or a GARCH fit: σ²[t] for each return, then the next day's. */
export function variancePath(forecast: { variance: Float64Array; nextVariance: number }): Float64Array {
  const out = new Float64Array(forecast.variance.length + 1);
  out.set(forecast.variance);
  out[forecast.variance.length] = forecast.nextVariance;
  return out;
}
