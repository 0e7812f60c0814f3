/**
 * A day-by-day backtest of a margin method over a price history (issue 17 item 5): each day, every account's margin
 * under static parameters, under parameters that follow the volatility forecast (with the velocity circuit breaker),
 * and under the forecast with the anti-procyclicality tool; then whether the next period's loss exceeded it.
 *
 * The book is held at constant moneyness: each day it is the given book on the given market, the history supplying
 * the forecast known at that day's close and the realised move over the next `horizonDays` (the book's options keep
 * their time to expiry and implied vols; a 10-year history would otherwise expire every option). So:
 * - static margin is the same every day (the benchmark a forecast has to beat);
 * - dynamic margin on day d is the method with `params.dynamic.volAnnual` = the forecast at close d (EWMA, or GARCH
 *   refitted every `refitDays` on the returns to date: no look-ahead), times the breaker's multiplier;
 * - the loss on day d is equity now − equity after every asset of the book moves by close[d + h]/close[d] − 1 (full
 *   revaluation, src/model/move-market.ts), and a breach is a loss above the margin (IM).
 * Coverage pools the accounts holding positions (Kupiec on all account-days, Christoffersen on the summed day-to-day
 * transitions), on non-overlapping windows when h > 1 (every h-th day: see seriesOf); procyclicality is measured on the
 * book's total margin per day. APC tools run per account:
 * `stressed-weight` uses the margin at each asset's highest forecast to date (the stressed observations),
 * `lookback-floor` the margin at the vol of the last 10 years of returns (RMS, at most 3,650 days).
 */
import { describeValue, InputError, ProblemList } from '../errors.js';
import { boundedNumber, checkFields, countDefined, isRecord, keyPath, knownFields } from '../model/checks.js';
import { moveMarket } from '../model/move-market.js';
import { formatIsoTimestamp } from '../model/time.js';
import type { MarginMethodPlugin } from '../methods/method.js';
import { validateRuleBasedParams } from '../methods/engines/rule-based/validate.js';
import { mergeParams } from '../profiles/profile.js';
import type { ValidatedMarket } from '../model/types.js';
import type { MarginSession } from '../session/session.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import type { EngineRun } from '../session/types.js';
import { type ApcBinding, applyApc } from '../dynamic/apc.js';
import { coverageFromCounts, type CoverageTest, type Transitions } from './backtest-stats.js';
import { type CircuitBreakerEvent, circuitBreaker } from '../dynamic/circuit-breaker.js';
import { checkDynamicParams, type DynamicMethod, type DynamicParams, MAX_VOL_ANNUAL } from '../dynamic/dynamic-params.js';
import { ewmaVariance } from '../dynamic/ewma.js';
import { fitGarch, GarchFitError, garchHorizonVariance, type GarchFit } from '../dynamic/garch.js';
import { checkPeriods, logReturns, type PriceHistory } from '../dynamic/history.js';
import { type Procyclicality, procyclicality } from '../dynamic/procyclicality.js';
import { markAssets } from '../layout/mark-assets.js';
import { optionMarkMoved } from '../margin/coin-valuation.js';
import { STATUS_ERROR } from '../margin/status.js';
import type { OptionKinds } from '../model/options-check.js';

export interface BacktestOptions {
  /** A method a forecast can drive: one with a dynamic-margin hook (default `portfolio`). */
  method?: string | undefined;
  /** Params JSON: the method's sections and `dynamic` (forecast, mapping, `apc`, `circuitBreaker`). */
  params?: unknown;
  /** The confidence level the margin is judged at: expected breach rate 1 − confidence (default 0.99). */
  confidence?: number | undefined;
  /** Days of history before the first margin day, for the forecast to settle (default 250). */
  warmupDays?: number | undefined;
  /** Apply the velocity circuit breaker to the dynamic series (default true). */
  circuitBreaker?: boolean | undefined;
  /** Keep every account's margin, loss and APC binding per day in the report's `detail` (default false). */
  detail?: boolean | undefined;
  /** Called after each day with (done, total). */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** {@link BacktestOptions}' keys (src/model/options-check.ts). */
export const BACKTEST_OPTION_KINDS: OptionKinds<BacktestOptions> = { method: 'any', params: 'any', confidence: 'any', warmupDays: 'any', circuitBreaker: 'boolean', detail: 'boolean', onProgress: 'function' };

export type BacktestSeriesName = 'static' | 'dynamic' | 'apc';

export interface BacktestSeries {
  /** Kupiec and Christoffersen on every h-th day (non-overlapping windows of the horizon h); `days` counts account-days tested. */
  coverage: CoverageTest;
  /** Of the book's total margin per day. */
  procyclicality: Procyclicality;
  /** The book's total margin (IM, USD) per day. */
  totalMargin: Float64Array;
  /** Accounts breached per day (every day, the overlapping windows included). */
  breaches: Int32Array;
}

/** An account holding positions that a backtest left out: the method could not margin it. */
export interface NotTested {
  id: string;
  reason: string;
}

export interface BacktestReport {
  method: DynamicMethod;
  forecast: { model: 'ewma' | 'garch'; lambda: number | null; refitDays: number | null };
  /** The loss horizon, in periods of the history (days for a daily one: params.dynamic.horizonDays). */
  horizonDays: number;
  /** Closes a year in the history (params.dynamic.periodsPerYear): 365 or 252 for daily closes, 8760 for hourly ones. */
  periodsPerYear: number;
  confidence: number;
  /** The margin days (ISO 8601 dates of the closes; their timestamps for an intraday history, periodsPerYear above 366), oldest first. */
  dates: string[];
  /** Accounts holding positions the method margins (the ones tested). */
  accounts: number;
  /** Present when accounts holding positions were not tested: the method could not margin them (status error), and why. */
  notTested?: NotTested[] | undefined;
  /** The forecast per asset per day (annualised, before the breaker's multiplier). */
  volAnnual: Record<string, Float64Array>;
  series: Record<BacktestSeriesName, BacktestSeries>;
  apc: { tool: string | null; bindings: Record<ApcBinding, number> };
  circuitBreaker: { enabled: boolean; mmRate: Record<string, number>; events: Array<CircuitBreakerEvent & { asset: string; date: string }>; activeDays: Record<string, number> };
  /** With `detail`: per account (tested ones, `accountIds` order) and day, day-major (index d·accounts + a). */
  detail?: { accountIds: string[]; static: Float64Array; dynamic: Float64Array; apc: Float64Array; loss: Float64Array; binding: ApcBinding[] } | undefined;
}

const OPTION_FIELDS = knownFields('method', 'params', 'confidence', 'warmupDays', 'circuitBreaker', 'detail', 'onProgress');
/** At most this many account-days: the series are kept in memory (8 bytes × 4 series each). */
export const MAX_ACCOUNT_DAYS = 50_000_000;
const TEN_YEARS = 3650;

interface Plan {
  method: DynamicMethod;
  dynamic: DynamicParams;
  confidence: number;
  warmup: number;
  h: number;
  breaker: boolean;
}

/** The backtest of `session`'s book on `market` over `history`. InputError for bad options, params or coverage. */
export function backtest(session: MarginSession, market: ValidatedMarket, history: PriceHistory, options: BacktestOptions = {}): BacktestReport {
  const plan = planOf(options, history, session.registry.dynamicNames);
  const layout = session.layout;
  const risky = layout.assets.filter((a) => (market.assets.get(a)?.vol ?? 0) > 0);
  const missing = risky.filter((a) => !history.assets.includes(a));
  if (missing.length > 0) {
    throw new InputError([{ path: 'history.assets', message: `no history for ${missing.map((a) => JSON.stringify(a)).join(', ')}: an asset of the book (held, or an instrument's), market vol > 0` }]);
  }
  const column = new Map(history.assets.map((a, k) => [a, k]));
  const closes = risky.map((a) => history.closes[column.get(a)!]);
  // the loss moves every asset of the book the history has: one with market vol 0 (a stablecoin, an imported market
  // without option quotes) is not forecast, but its price still moves by its closes (it is no silent zero)
  const moving = layout.assets.filter((a) => column.has(a));
  const movingCloses = moving.map((a) => history.closes[column.get(a)!]);
  const returns = logReturns(history);
  const n = history.times.length;
  const first = plan.warmup, days = n - plan.h - first;
  const staticParams = mergeParams(options.params, { dynamic: { methods: [] } });
  const lossOptions = { method: 'cross', params: locationsOf(options.params) }; // the realised loss's run (locationsOf)

  // the static requirement, the tested accounts and their equity now
  const base = engineRun(session.prepare(market, { method: plan.method, params: staticParams }));
  const { tested, staticIm, equityNow, usdPerUnit, notTested } = testedAccounts(base, layout.marginAsset.array, layout.accountIds);
  const A = tested.length;
  if (A === 0) throw nothingToTest(plan.method, notTested, pooledByParams(options.params));
  if (A * days > MAX_ACCOUNT_DAYS) throw new InputError([{ path: 'options', message: `${A} accounts × ${days} days is above ${MAX_ACCOUNT_DAYS} account-days: backtest a sample of the book or a shorter history` }]);

  const forecast = risky.map((a) => horizonVariances(returns[column.get(a)!], plan, a, n - 1));
  const volAnnual = annualVols(risky, forecast, history, plan, first, days);
  const mmRate = breakerMmRates(session.registry.require(plan.method), options.params, risky, market);
  const breakers = risky.map((a, k) => circuitBreaker(closes[k], mmRate[a], plan.dynamic.circuitBreaker));

  const movers = { ...markAssets(layout), remarkOption: optionMarkMoved };
  const marginAt = (vols: (k: number) => number, multipliers: (k: number) => number, into: Float64Array, at: number) => {
    const dynamic = { methods: [plan.method], volAnnual: Object.fromEntries(risky.map((a, k) => [a, vols(k)])), multipliers: Object.fromEntries(risky.map((a, k) => [a, multipliers(k)])) };
    const run = engineRun(session.prepare(market, { method: plan.method, params: mergeParams(options.params, { dynamic }) }));
    try {
      run.run();
      const im = run.accountColumns().im;
      for (let j = 0; j < A; j++) into[at + j] = im[tested[j]];
    } finally {
      run.release();
    }
  };

  const dynamicIm = new Float64Array(days * A), loss = new Float64Array(days * A);
  const tool = plan.dynamic.apc.tool;
  const extra = tool === 'stressed-weight' || tool === 'lookback-floor' ? new Float64Array(days * A) : undefined;
  const stressedVar = forecast.map((v) => runningMax(v)), tenYearVar = returns.length ? risky.map((a) => lookbackVariance(returns[column.get(a)!], plan.h)) : [];
  for (let i = 0; i < days; i++) {
    const d = first + i;
    const multiplier = (k: number) => (plan.breaker ? breakers[k].multiplier[d] : 1);
    marginAt((k) => volAnnual[risky[k]][i], multiplier, dynamicIm, i * A);
    if (extra) {
      const v = tool === 'stressed-weight' ? stressedVar : tenYearVar;
      marginAt((k) => Math.sqrt((v[k][d] / plan.h) * plan.dynamic.periodsPerYear), multiplier, extra, i * A);
    }
    const moved = moveMarket(market, movers, { returns: new Map(moving.map((a, k) => [a, movingCloses[k][d + plan.h] / movingCloses[k][d] - 1])), volShift: new Map() });
    realisedLosses(engineRun(session.prepare(moved, lossOptions)), tested, equityNow, loss, i * A);
    options.onProgress?.(i + 1, days);
  }

  const { apcIm, binding, bindings } = apcMargins(dynamicIm, extra, A, days, plan, Boolean(options.detail));

  const staticDaily = new Float64Array(days * A);
  for (let i = 0; i < days; i++) staticDaily.set(staticIm, i * A);
  const series = marginSeries({ static: staticDaily, dynamic: dynamicIm, apc: apcIm }, loss, usdPerUnit, A, days, plan);
  const dates = Array.from({ length: days }, (_, i) => closeName(history.times[first + i], plan.dynamic.periodsPerYear));
  const { events, activeDays } = breakerDays(risky, breakers, first, dates, plan.breaker);
  return {
    method: plan.method,
    forecast: { model: plan.dynamic.forecast.model, lambda: plan.dynamic.forecast.model === 'ewma' ? plan.dynamic.forecast.lambda : null, refitDays: plan.dynamic.forecast.model === 'garch' ? plan.dynamic.forecast.refitDays : null },
    horizonDays: plan.h, periodsPerYear: plan.dynamic.periodsPerYear, confidence: plan.confidence, dates, accounts: A, volAnnual, series,
    apc: { tool, bindings },
    circuitBreaker: { enabled: plan.breaker, mmRate, events: plan.breaker ? events : [], activeDays },
    ...(notTested.length > 0 ? { notTested } : {}),
    ...(options.detail ? { detail: { accountIds: Array.from(tested, (a) => layout.accountIds[a] ?? ''), static: staticDaily, dynamic: dynamicIm, apc: apcIm, loss, binding } } : {}),
  };
}

/** True when `params` pool subaccounts (the `cross` policy): such a book comes here with its pools as accounts. */
function pooledByParams(params: unknown): boolean {
  return isRecord(params) && isRecord(params.subaccounts) && params.subaccounts.policy === 'cross';
}

/** The refusal of a book with no account to test: none holds a position, or the method margins none that does (`pooled`: the book's subaccounts pool under the `cross` policy). */
function nothingToTest(method: string, notTested: readonly NotTested[], pooled: boolean): InputError {
  // gross notional nets within an account, and within a pool of subaccounts under the `cross` policy (one account here)
  const pools = pooled ? ' (a pool of subaccounts under params.subaccounts.policy "cross" counts as one account)' : '';
  const message = notTested.length === 0 ? `no account holds a net position${pools}: there is no loss to backtest`
    : `no account ${method} margins holds a position: ${notTested.length} holding positions ${notTested.length === 1 ? 'is' : 'are'} not margined by ${method} (${notTested[0].id}: ${notTested[0].reason})`;
  return new InputError([{ path: 'book.accounts', message }]);
}

/**
 * Each risky asset's forecast per margin day, annualised (√(V_h/h · periodsPerYear)); an InputError at the asset and day
 * where it leaves params.dynamic.volAnnual's domain (the history's doing: a 95% crash in a day gives about 14).
 */
function annualVols(risky: readonly string[], forecast: readonly Float64Array[], history: PriceHistory, plan: Plan, first: number, days: number): Record<string, Float64Array> {
  const volAnnual: Record<string, Float64Array> = Object.create(null);
  risky.forEach((a, k) => {
    volAnnual[a] = Float64Array.from({ length: days }, (_, i) => Math.sqrt((forecast[k][first + i] / plan.h) * plan.dynamic.periodsPerYear));
    const i = volAnnual[a].findIndex((v) => !(v <= MAX_VOL_ANNUAL));
    if (i >= 0) {
      const when = new Date(history.times[first + i]).toISOString().slice(0, 10);
      throw new InputError([{ path: keyPath('history.assets', a), message: `the ${plan.dynamic.forecast.model.toUpperCase()} forecast at the close of ${when} is ${volAnnual[a][i]} a year, above ${MAX_VOL_ANNUAL} (the largest params.dynamic.volAnnual): dynamic margin takes no history this volatile` }]);
    }
  });
  return volAnnual;
}

/**
 * The accounts a backtest tests (those holding a position), with their static IM and equity now (in each account's
 * margin currency) and USD per unit of it (1 for a USD account, a coin account's index price), from a prepared run.
 */
function testedAccounts(base: PreparedRun, marginAsset: Int32Array, ids: readonly (string | null)[]): { tested: Int32Array; staticIm: Float64Array; equityNow: Float64Array; usdPerUnit: Float64Array; notTested: NotTested[] } {
  try {
    base.run();
    const cols = base.accountColumns();
    const holding = Array.from(cols.grossNotional.keys()).filter((a) => cols.grossNotional[a] > 0);
    // an account the method cannot margin (a coin account under a USD-only method: set aside, status error) has no
    // requirement to test: its row holds no figure of this method
    const notTested: NotTested[] = [];
    const tested = Int32Array.from(holding.filter((a) => {
      if (cols.status[a] !== STATUS_ERROR && base.setAside?.get(a) === undefined) return true;
      notTested.push({ id: ids[a] ?? '', reason: base.accountAt(a).error ?? 'the method could not margin it' });
      return false;
    }));
    const price = base.market.price.array;
    return {
      tested, staticIm: Float64Array.from(tested, (a) => cols.im[a]), equityNow: Float64Array.from(tested, (a) => cols.equity[a]),
      usdPerUnit: Float64Array.from(tested, (a) => usdPerUnitOf(marginAsset, price, a)), notTested,
    };
  } finally {
    base.release();
  }
}

/**
 * Only the `locations` section of `params` (undefined without one): the realised loss's run is cross at the defaults
 * with the book's locations (the book names locations only params.locations defines).
 */
function locationsOf(params: unknown): { locations: unknown } | undefined {
  return isRecord(params) && params.locations !== undefined ? { locations: params.locations } : undefined;
}

/** Each tested account's loss (equity now − equity on the moved market) into `loss` from `at`, from a prepared run. */
function realisedLosses(after: EngineRun, tested: Int32Array, equityNow: Float64Array, loss: Float64Array, at: number): void {
  try {
    after.run();
    const equity = after.accountColumns().equity;
    for (let j = 0; j < tested.length; j++) loss[at + j] = equityNow[j] - equity[tested[j]];
  } finally {
    after.release();
  }
}

/** The anti-procyclicality tool applied to each account's dynamic margin series (day-major, A accounts a day). */
function apcMargins(dynamicIm: Float64Array, extra: Float64Array | undefined, A: number, days: number, plan: Plan, detail: boolean) {
  const apcIm = new Float64Array(days * A);
  const binding: ApcBinding[] = detail ? new Array(days * A) : [];
  const bindings = { buffer: 0, 'buffer-released': 0, 'stressed-weight': 0, 'lookback-floor': 0, 'speed-limit': 0, calculated: 0 } satisfies Record<ApcBinding, number>;
  const raw = new Float64Array(days), side = new Float64Array(days);
  for (let j = 0; j < A; j++) {
    for (let i = 0; i < days; i++) {
      raw[i] = dynamicIm[i * A + j];
      if (extra) side[i] = extra[i * A + j];
    }
    const r = applyApc({ raw, stressed: side, tenYear: side }, plan.dynamic.apc);
    for (let i = 0; i < days; i++) {
      apcIm[i * A + j] = r.margin[i];
      bindings[r.binding[i]]++;
      if (detail) binding[i * A + j] = r.binding[i];
    }
  }
  return { apcIm, binding, bindings };
}

/** The circuit breakers' events within the tested days (by day, then asset) and each asset's days with a raised multiplier. */
/** A daily history's close by its date; an intraday one's (more than 366 a year) by its timestamp, or its events share a date. */
function closeName(ms: number, periodsPerYear: number): string {
  return periodsPerYear > 366 ? formatIsoTimestamp(ms) : new Date(ms).toISOString().slice(0, 10);
}

function breakerDays(risky: readonly string[], breakers: readonly ReturnType<typeof circuitBreaker>[], first: number, dates: readonly string[], enabled: boolean) {
  const days = dates.length;
  const events: BacktestReport['circuitBreaker']['events'] = [];
  const activeDays: Record<string, number> = Object.create(null);
  risky.forEach((a, k) => {
    for (const e of breakers[k].events) if (e.day >= first && e.day < first + days) events.push({ ...e, day: e.day - first, asset: a, date: dates[e.day - first] });
    let active = 0;
    for (let i = 0; i < days; i++) if (breakers[k].multiplier[first + i] > 1) active++;
    activeDays[a] = enabled ? active : 0;
  });
  events.sort((x, y) => x.day - y.day || (x.asset < y.asset ? -1 : 1));
  return { events, activeDays };
}

/** Each margin's series (static, dynamic, after APC) against the realised losses, at the plan's confidence. */
function marginSeries(margin: { static: Float64Array; dynamic: Float64Array; apc: Float64Array }, loss: Float64Array, usdPerUnit: Float64Array, A: number, days: number, plan: Plan) {
  const expected = 1 - plan.confidence;
  return {
    static: seriesOf(margin.static, loss, usdPerUnit, A, days, expected, plan.h),
    dynamic: seriesOf(margin.dynamic, loss, usdPerUnit, A, days, expected, plan.h),
    apc: seriesOf(margin.apc, loss, usdPerUnit, A, days, expected, plan.h),
  };
}

function planOf(options: BacktestOptions, history: PriceHistory, methods: readonly string[]): Plan {
  const problems = new ProblemList();
  const json: unknown = options;
  if (!isRecord(json)) throw new InputError([{ path: 'options', message: `expected an object, got ${describeValue(json)}` }]);
  checkFields(json, OPTION_FIELDS, countDefined(json, OPTION_FIELDS.names), 'options', problems);
  const method = options.method ?? 'portfolio';
  if (!methods.includes(method)) problems.add('options.method', `expected one of ${methods.join(', ')} (the methods a forecast can drive), got ${describeValue(method)}`);
  // params that are not an object (null, an array) would be lost in the merge below, leaving the defaults unsaid
  if (options.params !== undefined && !isRecord(options.params)) problems.add('params', `expected an object of params sections, got ${describeValue(options.params)}`);
  const params = isRecord(options.params) ? options.params : {};
  const dynamic = checkDynamicParams(params.dynamic, problems, methods);
  // what the backtest sets itself would be dropped without a word: the forecast's vols each day, the method it runs
  if (isRecord(params.dynamic) && params.dynamic.volAnnual !== undefined) problems.add('params.dynamic.volAnnual', 'a backtest forecasts the vols itself, each day from the history: leave it out');
  if (isRecord(params.dynamic) && params.dynamic.methods !== undefined && !dynamic.methods.includes(method as DynamicMethod)) problems.add('params.dynamic.methods', `the backtest margins under options.method (${method}), which the list leaves out: leave it out, or name ${method}`);
  if (!Number.isInteger(dynamic.horizonDays)) problems.add('params.dynamic.horizonDays', `a backtest steps whole days of history, got ${dynamic.horizonDays}`);
  const confidence = boundedNumber(options.confidence, 'options.confidence', problems, { min: 0.5, max: 1, maxOpen: true }) ?? 0.99;
  const warmupGiven = boundedNumber(options.warmupDays, 'options.warmupDays', problems, { min: 1, max: 100_000 });
  // a warm-up refused above is not replaced by the default in the checks below (their messages would quote 250)
  const warmupRefused = options.warmupDays !== undefined && warmupGiven === undefined;
  const warmup = warmupGiven ?? 250;
  if (!Number.isInteger(warmup)) problems.add('options.warmupDays', `expected a whole number of days, got ${warmup}`);
  if (options.circuitBreaker !== undefined && typeof options.circuitBreaker !== 'boolean') problems.add('options.circuitBreaker', `expected true or false, got ${describeValue(options.circuitBreaker)}`);
  const h = dynamic.horizonDays;
  const minWarmup = dynamic.forecast.model === 'garch' ? 100 : 30;
  if (!warmupRefused && warmup < minWarmup) problems.add('options.warmupDays', `${warmup} days is too short for the ${dynamic.forecast.model.toUpperCase()} forecast to settle: at least ${minWarmup}`);
  const n = history.times.length;
  if (!warmupRefused && n - h - warmup < 30) problems.add('history', `${n} closes leave ${Math.max(0, n - h - warmup)} margin days after ${warmup} warm-up days and a ${h}-day horizon: at least 30 are needed`);
  checkPeriods(history, dynamic.periodsPerYear, 'history', problems);
  problems.throwIfAny();
  return { method: method as DynamicMethod, dynamic, confidence, warmup, h, breaker: options.circuitBreaker !== false };
}

/**
 * V[d]: the variance over the next h days known at close d (for d up to `last`), by the section's model. EWMA:
 * h·σ²[d]. GARCH: refitted on r[0..d) every refitDays from the first margin day, the recursion filtering in between.
 */
function horizonVariances(r: Float64Array, plan: Plan, asset: string, last: number): Float64Array {
  const out = new Float64Array(last + 1);
  const { model, lambda, refitDays } = plan.dynamic.forecast;
  if (model === 'ewma') {
    const e = ewmaVariance(r, lambda);
    for (let d = 0; d <= last; d++) out[d] = plan.h * (d < r.length ? e.variance[d] : e.nextVariance);
    return out;
  }
  let fit: GarchFit | undefined;
  let s2 = 0;
  for (let d = plan.warmup; d <= last; d++) {
    if (fit === undefined || (d - plan.warmup) % refitDays === 0) {
      try {
        fit = fitGarch(r.subarray(0, d));
      } catch (error) {
        if (!(error instanceof GarchFitError)) throw error;
        throw new InputError([{ path: `history.assets.${asset}`, message: `GARCH(1,1) fit on the ${d} returns to day ${d} failed: ${error.message}` }]);
      }
      s2 = fit.nextVariance;
    } else s2 = fit.omega + fit.alpha * r[d - 1] * r[d - 1] + fit.beta * s2;
    out[d] = garchHorizonVariance({ ...fit, nextVariance: s2 }, plan.h);
  }
  return out;
}

function runningMax(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  let m = 0;
  for (let d = 0; d < v.length; d++) out[d] = m = Math.max(m, v[d]);
  return out;
}

/** h × the mean r² of the returns before close d, over at most ten years. */
function lookbackVariance(r: Float64Array, h: number): Float64Array {
  const out = new Float64Array(r.length + 1);
  let sum = 0;
  for (let d = 1; d <= r.length; d++) {
    sum += r[d - 1] * r[d - 1];
    if (d > TEN_YEARS) sum -= r[d - 1 - TEN_YEARS] * r[d - 1 - TEN_YEARS];
    out[d] = (h * sum) / Math.min(d, TEN_YEARS);
  }
  out[0] = out[1];
  return out;
}

/**
 * The MM rate the circuit breaker measures moves against, per asset, from the static parameters: a unit linear
 * position's MM per unit of notional, by the method's dynamic-margin hook (src/dynamic/method-hook.ts).
 */
function breakerMmRates(method: MarginMethodPlugin, json: unknown, assets: readonly string[], market: ValidatedMarket): Record<string, number> {
  const params = isRecord(json) ? json : {};
  const problems = new ProblemList();
  const rules = validateRuleBasedParams({ linear: params.linear, options: params.options, collateral: params.collateral });
  const methodParams = method.validateParams(method.section === null || !Object.hasOwn(params, method.section) ? undefined : params[method.section], problems);
  problems.throwIfAny();
  const out: Record<string, number> = Object.create(null);
  for (const asset of assets) out[asset] = method.dynamic!.breakerMmRate({ params: methodParams, rules, asset, market });
  return out;
}

/**
 * A series' daily totals and breaches, and its coverage tests on non-overlapping windows: with a horizon of h days
 * the loss on day d spans days d … d + h, so consecutive days' windows share h − 1 days and their breaches are not
 * independent (Kupiec's binomial and Christoffersen's Markov chain both assume they are). The tests count days 0, h,
 * 2h, … of the series, whose windows do not overlap, and Christoffersen's transitions run between consecutive ones.
 */
function seriesOf(margin: Float64Array, loss: Float64Array, usdPerUnit: Float64Array, A: number, days: number, expectedRate: number, h: number): BacktestSeries {
  const totalMargin = new Float64Array(days), breaches = new Int32Array(days);
  const transitions: Transitions = { n00: 0, n01: 0, n10: 0, n11: 0 };
  let x = 0, n = 0;
  for (let i = 0; i < days; i++) {
    let total = 0, count = 0;
    for (let j = 0; j < A; j++) {
      const k = i * A + j;
      total += margin[k] * usdPerUnit[j]; // the book's total in USD (a coin account's IM at its index: × 1 keeps a USD account's bits)
      if (loss[k] > margin[k]) count++; // both in the account's margin currency
    }
    totalMargin[i] = total;
    breaches[i] = count;
    if (i % h !== 0) continue;
    n += A;
    x += count;
    if (i < h) continue;
    for (let j = 0; j < A; j++) {
      const k = i * A + j, before = k - h * A;
      const breach = loss[k] > margin[k];
      if (loss[before] > margin[before]) breach ? transitions.n11++ : transitions.n10++;
      else breach ? transitions.n01++ : transitions.n00++;
    }
  }
  return { coverage: coverageFromCounts(n, x, transitions, expectedRate), procyclicality: procyclicality(totalMargin), totalMargin, breaches };
}
