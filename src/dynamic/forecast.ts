/**
 * `engine.forecastVol`: each asset's volatility over the margin period of risk, from its price history, by EWMA or
 * GARCH(1,1) (formulas in ewma.ts and garch.ts). The result's `volAnnual` is what `params.dynamic.volAnnual` takes:
 * the h-day variance V_h expressed as an annual vol, √(V_h/h · periodsPerYear), so that the portfolio spot range
 * k·volAnnual·√(h/periodsPerYear) is k·√V_h.
 */
import { describeValue, InputError, ProblemList } from '../errors.js';
import { boundedNumber, checkFields, countDefined, isRecord, keyPath, knownFields } from '../model/checks.js';
import { DEFAULT_DYNAMIC, DEFAULT_FORECAST, type ForecastModel } from './dynamic-params.js';
import { ewmaVariance } from './ewma.js';
import { fitGarch, GarchFitError, garchHorizonVariance } from './garch.js';
import { checkPeriods, logReturns, type PriceHistory } from './history.js';
import { filteredHistoricalReturns, variancePath } from './fhs.js';
import type { ReturnsMatrix } from '../model/types.js';
import type { OptionKinds } from '../model/options-check.js';

export interface ForecastOptions {
  /** `ewma` (default) or `garch`. */
  model?: ForecastModel | undefined;
  /** EWMA decay λ (default 0.94). */
  lambda?: number | undefined;
  /** The margin period of risk in days (default 1; whole days for GARCH). */
  horizonDays?: number | undefined;
  /** Periods per year for annualising (default 365). */
  periodsPerYear?: number | undefined;
  /** Also give the filtered historical returns (fhs.ts) rescaled to this forecast: `params.var.returns` for historical VaR. */
  filteredReturns?: boolean | undefined;
}

/** {@link ForecastOptions}' keys (src/model/options-check.ts). */
export const FORECAST_OPTION_KINDS: OptionKinds<ForecastOptions> = { model: 'any', lambda: 'any', horizonDays: 'any', periodsPerYear: 'any', filteredReturns: 'boolean' };

export interface AssetForecast {
  /** The next day's volatility (per day). */
  volDaily: number;
  /** The variance over the horizon (per horizon, decimal²). */
  horizonVariance: number;
  /** √(horizonVariance/h · periodsPerYear): the horizon's variance as an annual vol. */
  volAnnual: number;
  /** GARCH only: the fitted parameters, their standard errors, the long-run vol (annual) and ln L. */
  garch?: { omega: number; alpha: number; beta: number; stdErrors: { omega: number; alpha: number; beta: number }; longRunVolAnnual: number; logLikelihood: number } | undefined;
}

export interface VolForecast {
  model: ForecastModel;
  lambda: number | null;
  horizonDays: number;
  periodsPerYear: number;
  /** The last timestamp of the history (ISO 8601): the forecast is for the days after it. */
  asOf: string;
  /** Returns used per asset. */
  observations: number;
  assets: Record<string, AssetForecast>;
  /** Per asset, the `volAnnual` figures: paste into `params.dynamic.volAnnual`. */
  volAnnual: Record<string, number>;
  /** With `filteredReturns`: every day's returns rescaled to the forecast, the VaR method's `params.var.returns`. */
  filteredReturns?: ReturnsMatrix | undefined;
}

const OPTION_FIELDS = knownFields('model', 'lambda', 'horizonDays', 'periodsPerYear', 'filteredReturns');

/** Checked options (InputError with `options.…` paths). */
export function checkForecastOptions(json: unknown): Required<ForecastOptions> {
  const problems = new ProblemList();
  const out: Required<ForecastOptions> = {
    model: DEFAULT_FORECAST.model, lambda: DEFAULT_FORECAST.lambda, horizonDays: DEFAULT_DYNAMIC.horizonDays, periodsPerYear: DEFAULT_DYNAMIC.periodsPerYear, filteredReturns: false,
  };
  if (json === undefined) return out;
  if (!isRecord(json)) throw new InputError([{ path: 'options', message: `expected an object, got ${describeValue(json)}` }]);
  checkFields(json, OPTION_FIELDS, countDefined(json, OPTION_FIELDS.names), 'options', problems);
  if (json.model !== undefined) {
    if (json.model === 'ewma' || json.model === 'garch') out.model = json.model;
    else problems.add('options.model', `expected "ewma" or "garch", got ${describeValue(json.model)}`);
  }
  out.lambda = boundedNumber(json.lambda, 'options.lambda', problems, { min: 0, max: 1, minOpen: true, maxOpen: true }) ?? out.lambda;
  out.horizonDays = boundedNumber(json.horizonDays, 'options.horizonDays', problems, { min: 0, minOpen: true, max: 365 }) ?? out.horizonDays;
  out.periodsPerYear = boundedNumber(json.periodsPerYear, 'options.periodsPerYear', problems, { min: 1, max: 366 * 24 }) ?? out.periodsPerYear;
  if (json.filteredReturns !== undefined) {
    if (typeof json.filteredReturns === 'boolean') out.filteredReturns = json.filteredReturns;
    else problems.add('options.filteredReturns', `expected true or false, got ${describeValue(json.filteredReturns)}`);
  }
  if (out.model === 'garch' && !Number.isInteger(out.horizonDays)) problems.add('options.horizonDays', `GARCH forecasts whole days, got ${out.horizonDays}`);
  // EWMA's decay: a GARCH fit estimates its own weights, so a lambda given with it would change nothing
  if (out.model === 'garch' && json.lambda !== undefined) problems.add('options.lambda', 'is the EWMA decay: a GARCH(1,1) forecast fits its own parameters (give lambda with model "ewma", or leave it out)');
  problems.throwIfAny();
  return out;
}

/** The forecast per asset. A GARCH fit that fails is an InputError naming the asset (history.assets.X). */
export function forecastVol(history: PriceHistory, json?: unknown): VolForecast {
  const o = checkForecastOptions(json);
  const stepProblems = new ProblemList();
  checkPeriods(history, o.periodsPerYear, 'history', stepProblems);
  stepProblems.throwIfAny();
  const returns = logReturns(history);
  const assets: Record<string, AssetForecast> = Object.create(null);
  const volAnnual: Record<string, number> = Object.create(null);
  const problems = new ProblemList();
  const paths: Float64Array[] = [];
  history.assets.forEach((asset, k) => {
    const f = forecastOne(returns[k], o, asset, problems);
    if (!f) return;
    assets[asset] = f.forecast;
    volAnnual[asset] = f.forecast.volAnnual;
    paths.push(f.variancePath);
    if (o.filteredReturns && !f.variancePath.every((v) => v > 0)) problems.add(keyPath('history.assets', asset), 'a flat history (a zero variance) has no standardised returns to filter');
  });
  problems.throwIfAny();
  return {
    model: o.model, lambda: o.model === 'ewma' ? o.lambda : null, horizonDays: o.horizonDays, periodsPerYear: o.periodsPerYear,
    asOf: new Date(history.times[history.times.length - 1]).toISOString(), observations: returns[0]?.length ?? 0, assets, volAnnual,
    ...(o.filteredReturns ? { filteredReturns: withoutLogs(filteredHistoricalReturns({ assets: history.assets, returns, varianceDaily: paths })) } : {}),
  };
}

function withoutLogs(fhs: ReturnsMatrix): ReturnsMatrix {
  return { assets: fhs.assets, matrix: fhs.matrix, periodDays: fhs.periodDays };
}

/** One asset's forecast and its variance path (σ²[t] for each return, then the next day's: FHS's input). */
function forecastOne(r: Float64Array, o: Required<ForecastOptions>, asset: string, problems: ProblemList): { forecast: AssetForecast; variancePath: Float64Array } | undefined {
  const h = o.horizonDays;
  const annual = (horizonVariance: number) => Math.sqrt((horizonVariance / h) * o.periodsPerYear);
  if (o.model === 'ewma') {
    if (r.length === 0) {
      problems.add(keyPath('history.assets', asset), 'EWMA needs at least one return (two closes)');
      return undefined;
    }
    const e = ewmaVariance(r, o.lambda);
    // EWMA's forecast is flat: the h-day variance is h times the next day's
    return { forecast: { volDaily: e.nextVolDaily, horizonVariance: h * e.nextVariance, volAnnual: annual(h * e.nextVariance) }, variancePath: variancePath(e) };
  }
  try {
    const fit = fitGarch(r);
    const horizonVariance = garchHorizonVariance(fit, h);
    const forecast: AssetForecast = {
      volDaily: Math.sqrt(fit.nextVariance), horizonVariance, volAnnual: annual(horizonVariance),
      garch: {
        omega: fit.omega, alpha: fit.alpha, beta: fit.beta, stdErrors: fit.stdErrors,
        longRunVolAnnual: Math.sqrt(fit.longRunVariance * o.periodsPerYear), logLikelihood: fit.logLikelihood,
      },
    };
    return { forecast, variancePath: variancePath(fit) };
  } catch (error) {
    if (!(error instanceof GarchFitError)) throw error;
    problems.add(keyPath('history.assets', asset), `GARCH(1,1) fit failed: ${error.message}`);
    return undefined;
  }
}
