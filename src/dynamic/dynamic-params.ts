/**
 * The `dynamic` params section: which margin methods follow a volatility forecast, the forecast itself (per asset,
 * annualised), how it maps onto each method's parameters, and the anti-procyclicality and circuit-breaker tools the
 * backtest applies. Checked like every params section, every problem with its path
 * (`params.dynamic.portfolio.k: 0 is not above 0`). The mapping itself is src/session/calibrate.ts.
 *
 * ```json
 * "dynamic": {
 *   "methods": ["portfolio"],
 *   "volAnnual": { "BTC": 0.62, "ETH": 0.81 },
 *   "multipliers": { "BTC": 1.5 },
 *   "horizonDays": 1,
 *   "portfolio": { "k": 3 },
 *   "ruleBased": { "baseVolAnnual": { "default": 0.6 }, "floor": 1 },
 *   "forecast": { "model": "ewma", "lambda": 0.94 },
 *   "apc": { "tool": "buffer", "bufferRate": 0.25 },
 *   "circuitBreaker": { "trip": 1, "release": 0.5, "stepUp": 1.5 }
 * }
 * ```
 */
import { describeValue, type ProblemList } from '../errors.js';
import { boundedNumber, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../model/checks.js';
import type { AssetKeys } from '../model/asset-keys.js';
import { checkApcParams, checkCircuitBreakerParams } from './apc-params.js';
import type { ApcParams } from './apc.js';
import type { CircuitBreakerParams } from './circuit-breaker.js';

/**
 * The name of a method a forecast can drive: one whose plug-in has a dynamic-margin hook (src/dynamic/method-hook.ts;
 * built in: isolated, cross, portfolio and var). The registry lists them (`MethodRegistry.dynamicNames`).
 */
export type DynamicMethod = string;

export type ForecastModel = 'ewma' | 'garch';

export interface ForecastParams {
  /** `ewma` (RiskMetrics) or `garch` (GARCH(1,1) by maximum likelihood). */
  model: ForecastModel;
  /** EWMA decay λ in (0, 1): 0.94 (RiskMetrics daily, the default) or 0.97. */
  lambda: number;
  /** Backtests: refit GARCH on the returns to date every this many days (the variance recursion runs in between). */
  refitDays: number;
}

export interface DynamicParams {
  /** Methods whose parameters follow the forecast; the others keep their static parameters (default: none). */
  methods: DynamicMethod[];
  /** The forecast volatility per asset, annualised decimal, over the margin period of risk (`engine.forecastVol`). */
  volAnnual: Record<string, number>;
  /** Requirement multipliers per asset ≥ 1: the velocity circuit breaker's step-up while it is tripped (default none). */
  multipliers: Record<string, number>;
  /** The margin period of risk in days: the portfolio spot range covers k·σ̂·√(horizonDays/periodsPerYear). */
  horizonDays: number;
  /** Periods per year of `volAnnual` (365 for 24/7 crypto markets, 252 for trading days). */
  periodsPerYear: number;
  portfolio: { /** Spot range = k standard deviations over the horizon. */ k: number };
  ruleBased: {
    /** The vol (annualised) the static rates were set for, per asset; `default` for the others. */
    baseVolAnnual: Record<string, number>;
    /** Rates scale by max(floor, σ̂/σ_base): with 1, never below the static schedule. */
    floor: number;
  };
  forecast: ForecastParams;
  apc: ApcParams;
  circuitBreaker: CircuitBreakerParams;
}

export const DEFAULT_FORECAST: ForecastParams = { model: 'ewma', lambda: 0.94, refitDays: 250 };

/** Defaults, apart from the APC and breaker sections (src/dynamic/apc.ts, circuit-breaker.ts). */
export const DEFAULT_DYNAMIC = {
  horizonDays: 1,
  periodsPerYear: 365,
  k: 3,
  baseVolAnnual: 0.6,
  floor: 1,
} as const;

/** Where the `dynamic` section names assets (src/model/asset-keys.ts): its forecasts, multipliers and base vols. */
export const DYNAMIC_ASSET_KEYS: AssetKeys = { keyed: ['volAnnual', 'multipliers', 'ruleBased.baseVolAnnual'] };

const FIELDS = knownFields('methods', 'volAnnual', 'multipliers', 'horizonDays', 'periodsPerYear', 'portfolio', 'ruleBased', 'forecast', 'apc', 'circuitBreaker');
const PORTFOLIO_FIELDS = knownFields('k');
const RULE_FIELDS = knownFields('baseVolAnnual', 'floor');
const FORECAST_FIELDS = knownFields('model', 'lambda', 'refitDays');
/** The largest `volAnnual` (1,000% a year, the Greeks' limit): above it an input error, not a forecast. */
export const MAX_VOL_ANNUAL = 10;

/**
 * The `dynamic` section merged over the defaults (an absent section: nothing dynamic). `methods`: the names
 * `dynamic.methods` may hold, the registry's methods with a dynamic-margin hook.
 */
export function checkDynamicParams(json: unknown, problems: ProblemList, methods: readonly string[], path = 'params.dynamic'): DynamicParams {
  const out: DynamicParams = {
    methods: [],
    volAnnual: dataRecord(),
    multipliers: dataRecord(),
    horizonDays: DEFAULT_DYNAMIC.horizonDays,
    periodsPerYear: DEFAULT_DYNAMIC.periodsPerYear,
    portfolio: { k: DEFAULT_DYNAMIC.k },
    ruleBased: { baseVolAnnual: Object.assign(dataRecord<number>(), { default: DEFAULT_DYNAMIC.baseVolAnnual }), floor: DEFAULT_DYNAMIC.floor },
    forecast: { ...DEFAULT_FORECAST },
    apc: checkApcParams(undefined, `${path}.apc`, problems),
    circuitBreaker: checkCircuitBreakerParams(undefined, `${path}.circuitBreaker`, problems),
  };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(path, `expected an object, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), path, problems);
  if (json.methods !== undefined) out.methods = checkMethods(json.methods, methods, `${path}.methods`, problems);
  if (json.volAnnual !== undefined) out.volAnnual = checkAssetNumbers(json.volAnnual, `${path}.volAnnual`, problems, { min: 0, max: MAX_VOL_ANNUAL }, out.volAnnual);
  if (json.multipliers !== undefined) out.multipliers = checkAssetNumbers(json.multipliers, `${path}.multipliers`, problems, { min: 1, max: 100 }, out.multipliers);
  out.horizonDays = boundedNumber(json.horizonDays, `${path}.horizonDays`, problems, { min: 0, minOpen: true, max: 365 }) ?? out.horizonDays;
  out.periodsPerYear = boundedNumber(json.periodsPerYear, `${path}.periodsPerYear`, problems, { min: 1, max: 366 * 24 }) ?? out.periodsPerYear;
  const portfolio = section(json.portfolio, `${path}.portfolio`, PORTFOLIO_FIELDS, problems);
  if (portfolio) out.portfolio.k = boundedNumber(portfolio.k, `${path}.portfolio.k`, problems, { min: 0, minOpen: true, max: 20 }) ?? out.portfolio.k;
  const rule = section(json.ruleBased, `${path}.ruleBased`, RULE_FIELDS, problems);
  if (rule) {
    if (rule.baseVolAnnual !== undefined) {
      out.ruleBased.baseVolAnnual = checkAssetNumbers(rule.baseVolAnnual, `${path}.ruleBased.baseVolAnnual`, problems, { min: 0, minOpen: true, max: MAX_VOL_ANNUAL }, out.ruleBased.baseVolAnnual);
    }
    out.ruleBased.floor = boundedNumber(rule.floor, `${path}.ruleBased.floor`, problems, { min: 0, minOpen: true, max: 100 }) ?? out.ruleBased.floor;
  }
  const forecast = section(json.forecast, `${path}.forecast`, FORECAST_FIELDS, problems);
  if (forecast) {
    if (forecast.model !== undefined) {
      if (forecast.model === 'ewma' || forecast.model === 'garch') out.forecast.model = forecast.model;
      else problems.add(`${path}.forecast.model`, `expected "ewma" or "garch", got ${describeValue(forecast.model)}`);
    }
    out.forecast.lambda = boundedNumber(forecast.lambda, `${path}.forecast.lambda`, problems, { min: 0, max: 1, minOpen: true, maxOpen: true }) ?? out.forecast.lambda;
    const refit = boundedNumber(forecast.refitDays, `${path}.forecast.refitDays`, problems, { min: 1, max: 100_000 });
    if (refit !== undefined && !Number.isInteger(refit)) problems.add(`${path}.forecast.refitDays`, `expected a whole number of days, got ${refit}`);
    else if (refit !== undefined) out.forecast.refitDays = refit;
  }
  out.apc = checkApcParams(json.apc, `${path}.apc`, problems);
  out.circuitBreaker = checkCircuitBreakerParams(json.circuitBreaker, `${path}.circuitBreaker`, problems);
  return out;
}

function section(v: unknown, path: string, fields: ReturnType<typeof knownFields>, problems: ProblemList): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    problems.add(path, `expected an object with fields among ${fields.names.join(', ')}, got ${describeValue(v)}`);
    return undefined;
  }
  checkFields(v, fields, countDefined(v, fields.names), path, problems);
  return v;
}

function checkMethods(v: unknown, names: readonly string[], path: string, problems: ProblemList): DynamicMethod[] {
  if (!Array.isArray(v)) {
    problems.add(path, `expected an array of method names among ${names.join(', ')}, got ${describeValue(v)}`);
    return [];
  }
  const out: DynamicMethod[] = [];
  v.forEach((m, i) => {
    if (typeof m === 'string' && names.includes(m)) {
      if (!out.includes(m)) out.push(m);
    } else problems.add(`${path}[${i}]`, `expected one of ${names.join(', ')} (the methods a forecast can drive), got ${describeValue(m)}`);
  });
  return out;
}

/** An object of finite numbers keyed by asset symbol, each within `bounds`, merged over `base`. */
function checkAssetNumbers(v: unknown, path: string, problems: ProblemList, bounds: Parameters<typeof boundedNumber>[3], base: Record<string, number>): Record<string, number> {
  const out = Object.assign(dataRecord<number>(), base);
  if (!isRecord(v)) {
    problems.add(path, `expected an object keyed by asset symbol, got ${describeValue(v)}`);
    return out;
  }
  for (const [asset, x] of ownEntries(v)) {
    const n = boundedNumber(x, keyPath(path, asset), problems, { ...bounds, required: true });
    if (n !== undefined) out[asset] = n;
  }
  return out;
}
