/**
 * Checks the `span` section of the params JSON and merges it over {@link DEFAULT_SPAN_PARAMS}: `commodities.default`
 * over the default commodity, every other commodity over the resulting default, field by field; lists (tiers,
 * spreads, weights) replace. Every problem has its path, e.g. `params.span.commodities.BTC.intraSpreads[0].legs[1].tier`.
 */
import { describeValue, ProblemList, type ProblemListOptions } from '../../errors.js';
import { boundedNumber, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../../model/checks.js';
import {
  DEFAULT_SPAN_COMMODITY, DEFAULT_SPAN_PARAMS, DELTA_POINTS, type InterLeg, type InterSpread, type IntraLeg, type IntraSpread,
  type ScanSpread, type SpanCommodity, type SpanMonthScanRange, type SpanParams, type SpanTier, type SpreadSide,
} from './params.js';

const SPAN_FIELDS = knownFields('initialToMaintenance', 'lookAheadDays', 'deltaWeights', 'commodities', 'interSpreads', 'scanSpreads');
const COMMODITY_FIELDS = knownFields(
  'priceScanRange', 'priceScanRate', 'volScanRange', 'shortOptionMinimum', 'tiers', 'intraSpreads', 'monthScanRanges', 'extremeMove', 'extremeCover',
);
const TIER_FIELDS = knownFields('upToDays');
const MONTH_FIELDS = knownFields('upToDays', 'priceScanRange');
const INTRA_FIELDS = knownFields('chargePerSpread', 'legs');
const INTRA_LEG_FIELDS = knownFields('tier', 'side', 'deltaPerSpread');
const INTER_FIELDS = knownFields('creditRate', 'legs');
const INTER_LEG_FIELDS = knownFields('commodity', 'side', 'deltaPerSpread');
/** Largest accepted count of tiers, spreads or legs (a parameter file, not a data set). */
const MAX_ITEMS = 1000;
/** How far the delta weights may sum from 1 (they are written with a few decimals). */
const WEIGHT_SUM_TOLERANCE = 1e-9;

export function validateSpanParams(json: unknown, options: ProblemListOptions = {}): SpanParams {
  const problems = new ProblemList(options);
  const out = checkSpanParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** As {@link validateSpanParams}, adding problems (and, under the lenient option, unknown-field warnings) to `problems`. */
export function checkSpanParams(json: unknown, problems: ProblemList, root = 'params.span'): SpanParams {
  const commodities = dataRecord<SpanCommodity>();
  commodities.default = DEFAULT_SPAN_COMMODITY;
  const out: SpanParams = { ...DEFAULT_SPAN_PARAMS, deltaWeights: [...DEFAULT_SPAN_PARAMS.deltaWeights], commodities, interSpreads: [], scanSpreads: [] };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(root, `expected an object { ${SPAN_FIELDS.names.join(', ')} }, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, SPAN_FIELDS, countDefined(json, SPAN_FIELDS.names), root, problems);
  out.initialToMaintenance = boundedNumber(json.initialToMaintenance, `${root}.initialToMaintenance`, problems, { min: 1, max: 10 }) ?? out.initialToMaintenance;
  out.lookAheadDays = boundedNumber(json.lookAheadDays, `${root}.lookAheadDays`, problems, { min: 0, max: 30 }) ?? out.lookAheadDays;
  if (json.deltaWeights !== undefined) out.deltaWeights = deltaWeights(json.deltaWeights, `${root}.deltaWeights`, problems) ?? out.deltaWeights;
  if (json.commodities !== undefined) {
    if (!isRecord(json.commodities)) problems.add(`${root}.commodities`, `expected an object keyed by asset symbol (or "default"), got ${describeValue(json.commodities)}`);
    else {
      // default first: the other commodities merge over it
      const entries = ownEntries(json.commodities).sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
      for (const [symbol, given] of entries) {
        const base = symbol === 'default' ? DEFAULT_SPAN_COMMODITY : commodities.default;
        const c = commodity(given, base, keyPath(`${root}.commodities`, symbol), problems);
        if (c) commodities[symbol] = c;
      }
    }
  }
  if (json.interSpreads !== undefined) out.interSpreads = list(json.interSpreads, `${root}.interSpreads`, problems, interSpread) ?? [];
  // a scanning-based spread has the inter spread's shape: legs on commodities, a rate (the share of gains credited)
  if (json.scanSpreads !== undefined) out.scanSpreads = list(json.scanSpreads, `${root}.scanSpreads`, problems, interSpread) as ScanSpread[] ?? [];
  return out;
}

function deltaWeights(v: unknown, path: string, problems: ProblemList): number[] | undefined {
  if (!Array.isArray(v) || v.length !== DELTA_POINTS.length) {
    problems.add(path, `expected ${DELTA_POINTS.length} weights (price at −3/3, −2/3, −1/3, 0, +1/3, +2/3, +3/3 of the scan range), got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  const w = v.map((x, k) => boundedNumber(x, `${path}[${k}]`, problems, { min: 0, max: 1, required: true }) ?? 0);
  if (problems.size !== before) return undefined;
  const sum = w.reduce((s, x) => s + x, 0);
  if (!(Math.abs(sum - 1) <= WEIGHT_SUM_TOLERANCE)) {
    problems.add(path, `the weights must sum to 1 (they are probabilities), got ${sum}`);
    return undefined;
  }
  return w;
}

function commodity(v: unknown, base: SpanCommodity, path: string, problems: ProblemList): SpanCommodity | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected an object { ${COMMODITY_FIELDS.names.join(', ')} }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, COMMODITY_FIELDS, countDefined(v, COMMODITY_FIELDS.names), path, problems);
  const out: SpanCommodity = { ...base };
  if (v.priceScanRange !== undefined) {
    out.priceScanRange = v.priceScanRange === null ? null : boundedNumber(v.priceScanRange, `${path}.priceScanRange`, problems, { min: 0, minOpen: true }) ?? base.priceScanRange;
  }
  out.priceScanRate = boundedNumber(v.priceScanRate, `${path}.priceScanRate`, problems, { min: 0, max: 0.5, minOpen: true, maxOpen: true }) ?? base.priceScanRate;
  out.extremeMove = boundedNumber(v.extremeMove, `${path}.extremeMove`, problems, { min: 0, max: 10, minOpen: true }) ?? base.extremeMove;
  out.extremeCover = boundedNumber(v.extremeCover, `${path}.extremeCover`, problems, { min: 0, max: 1 }) ?? base.extremeCover;
  // the extreme scenarios move the price by −extremeMove × the scan range: it must stay above zero
  if (!(out.extremeMove * out.priceScanRate < 1)) {
    problems.add(`${path}.${v.extremeMove !== undefined ? 'extremeMove' : 'priceScanRate'}`, `extremeMove ${out.extremeMove} × priceScanRate ${out.priceScanRate} is not below 1: the extreme scenarios would take the price to zero or below`);
  }
  if (v.monthScanRanges !== undefined) out.monthScanRanges = monthScanRanges(v.monthScanRanges, `${path}.monthScanRanges`, problems) ?? base.monthScanRanges;
  out.volScanRange = boundedNumber(v.volScanRange, `${path}.volScanRange`, problems, { min: 0, max: 1, maxOpen: true }) ?? base.volScanRange;
  out.shortOptionMinimum = boundedNumber(v.shortOptionMinimum, `${path}.shortOptionMinimum`, problems, { min: 0 }) ?? base.shortOptionMinimum;
  if (v.tiers !== undefined) out.tiers = tiers(v.tiers, `${path}.tiers`, problems) ?? base.tiers;
  if (v.intraSpreads !== undefined) out.intraSpreads = list(v.intraSpreads, `${path}.intraSpreads`, problems, intraSpread) ?? base.intraSpreads;
  // spreads name tiers: check them against the tiers this commodity ends up with
  out.intraSpreads.forEach((s, k) => s.legs.forEach((leg, j) => {
    if (leg.tier > out.tiers.length) problems.add(`${path}.intraSpreads[${k}].legs[${j}].tier`, `tier ${leg.tier} does not exist: the commodity has ${out.tiers.length} tier${out.tiers.length === 1 ? '' : 's'}`);
  }));
  return problems.size === before ? out : undefined;
}

function monthScanRanges(v: unknown, path: string, problems: ProblemList): SpanMonthScanRange[] | undefined {
  const out = list(v, path, problems, (x, p) => {
    if (!isRecord(x)) return void problems.add(p, `expected { upToDays, priceScanRange }, got ${describeValue(x)}`);
    checkFields(x, MONTH_FIELDS, countDefined(x, MONTH_FIELDS.names), p, problems);
    const d = x.upToDays === null ? null : boundedNumber(x.upToDays, `${p}.upToDays`, problems, { min: 0, required: true });
    const range = boundedNumber(x.priceScanRange, `${p}.priceScanRange`, problems, { min: 0, minOpen: true, required: true });
    return d === undefined || range === undefined ? undefined : { upToDays: d, priceScanRange: range };
  });
  // [] is "no month ranges"; otherwise the bounds follow the tiers' rules (ascending, the last open)
  return out && (out.length === 0 || ascendingBounds(out, path, 'month range', problems)) ? out : undefined;
}

/** Bounds ascend and only the last is open (null), so that every expiry falls in one entry. */
function ascendingBounds(out: readonly { upToDays: number | null }[], path: string, what: string, problems: ProblemList): boolean {
  const before = problems.size;
  for (let k = 0; k < out.length; k++) {
    const d = out[k].upToDays;
    if (k === out.length - 1 && d !== null) problems.add(`${path}[${k}].upToDays`, `the last ${what} must be open (upToDays: null), so that every expiry has a ${what}`);
    if (k < out.length - 1 && d === null) problems.add(`${path}[${k}].upToDays`, `only the last ${what} may be open (upToDays: null)`);
    if (k > 0 && d !== null && out[k - 1].upToDays !== null && !(d > out[k - 1].upToDays!)) problems.add(`${path}[${k}].upToDays`, `${what}s must ascend: ${d} is not above ${out[k - 1].upToDays}`);
  }
  return problems.size === before;
}

function tiers(v: unknown, path: string, problems: ProblemList): SpanTier[] | undefined {
  const out = list(v, path, problems, (x, p) => {
    if (!isRecord(x)) return void problems.add(p, `expected { upToDays }, got ${describeValue(x)}`);
    checkFields(x, TIER_FIELDS, countDefined(x, TIER_FIELDS.names), p, problems);
    if (x.upToDays === null) return { upToDays: null };
    const d = boundedNumber(x.upToDays, `${p}.upToDays`, problems, { min: 0, required: true });
    return d === undefined ? undefined : { upToDays: d };
  });
  if (!out) return undefined;
  if (out.length === 0) return void problems.add(path, 'expected at least one tier (the last with upToDays: null)');
  return ascendingBounds(out, path, 'tier', problems) ? out : undefined;
}

function intraSpread(x: unknown, p: string, problems: ProblemList): IntraSpread | undefined {
  if (!isRecord(x)) return void problems.add(p, `expected { chargePerSpread, legs }, got ${describeValue(x)}`);
  checkFields(x, INTRA_FIELDS, countDefined(x, INTRA_FIELDS.names), p, problems);
  const charge = boundedNumber(x.chargePerSpread, `${p}.chargePerSpread`, problems, { min: 0, required: true });
  const legs = spreadLegs(x.legs, `${p}.legs`, problems, (leg, lp) => {
    if (!isRecord(leg)) return void problems.add(lp, `expected { tier, side, deltaPerSpread }, got ${describeValue(leg)}`);
    checkFields(leg, INTRA_LEG_FIELDS, countDefined(leg, INTRA_LEG_FIELDS.names), lp, problems);
    const tier = boundedNumber(leg.tier, `${lp}.tier`, problems, { min: 1, required: true });
    if (tier !== undefined && !Number.isInteger(tier)) problems.add(`${lp}.tier`, `expected a tier number (an integer ≥ 1), got ${tier}`);
    const side = sideOf(leg.side, `${lp}.side`, problems);
    const ratio = boundedNumber(leg.deltaPerSpread, `${lp}.deltaPerSpread`, problems, { min: 0, minOpen: true, required: true });
    return tier === undefined || !Number.isInteger(tier) || side === undefined || ratio === undefined ? undefined : { tier, side, deltaPerSpread: ratio } satisfies IntraLeg;
  });
  if (legs) {
    const seen = new Set<number>();
    legs.forEach((leg, j) => {
      if (seen.has(leg.tier)) problems.add(`${p}.legs[${j}].tier`, `tier ${leg.tier} appears in two legs of one spread`);
      seen.add(leg.tier);
    });
  }
  return charge === undefined || !legs ? undefined : { chargePerSpread: charge, legs };
}

function interSpread(x: unknown, p: string, problems: ProblemList): InterSpread | undefined {
  if (!isRecord(x)) return void problems.add(p, `expected { creditRate, legs }, got ${describeValue(x)}`);
  checkFields(x, INTER_FIELDS, countDefined(x, INTER_FIELDS.names), p, problems);
  const rate = boundedNumber(x.creditRate, `${p}.creditRate`, problems, { min: 0, max: 1, minOpen: true, required: true });
  const legs = spreadLegs(x.legs, `${p}.legs`, problems, (leg, lp) => {
    if (!isRecord(leg)) return void problems.add(lp, `expected { commodity, side, deltaPerSpread }, got ${describeValue(leg)}`);
    checkFields(leg, INTER_LEG_FIELDS, countDefined(leg, INTER_LEG_FIELDS.names), lp, problems);
    const c = leg.commodity;
    if (typeof c !== 'string' || c === '' || c === 'default') problems.add(`${lp}.commodity`, `expected an asset symbol, got ${describeValue(c)}`);
    const side = sideOf(leg.side, `${lp}.side`, problems);
    const ratio = boundedNumber(leg.deltaPerSpread, `${lp}.deltaPerSpread`, problems, { min: 0, minOpen: true, required: true });
    return typeof c !== 'string' || c === '' || c === 'default' || side === undefined || ratio === undefined ? undefined : { commodity: c, side, deltaPerSpread: ratio } satisfies InterLeg;
  });
  if (legs) {
    const seen = new Set<string>();
    legs.forEach((leg, j) => {
      if (seen.has(leg.commodity)) problems.add(`${p}.legs[${j}].commodity`, `${JSON.stringify(leg.commodity)} appears in two legs of one spread`);
      seen.add(leg.commodity);
    });
  }
  return rate === undefined || !legs ? undefined : { creditRate: rate, legs };
}

/** At least two legs with both sides present: a spread offsets one side against the other. */
function spreadLegs<T extends { side: SpreadSide }>(v: unknown, path: string, problems: ProblemList, leg: (x: unknown, p: string, problems: ProblemList) => T | undefined): T[] | undefined {
  const legs = list(v, path, problems, leg);
  if (!legs) return undefined;
  if (!legs.some((l) => l.side === 'A') || !legs.some((l) => l.side === 'B')) {
    problems.add(path, 'a spread needs at least one leg on side A and one on side B');
    return undefined;
  }
  return legs;
}

function sideOf(v: unknown, path: string, problems: ProblemList): SpreadSide | undefined {
  if (v === 'A' || v === 'B') return v;
  problems.add(path, `expected "A" or "B", got ${describeValue(v)}`);
  return undefined;
}

/** A JSON array whose every item `item` accepts, or undefined (with the problems added). */
function list<T>(v: unknown, path: string, problems: ProblemList, item: (x: unknown, p: string, problems: ProblemList) => T | undefined): T[] | undefined {
  if (!Array.isArray(v)) return void problems.add(path, `expected an array, got ${describeValue(v)}`);
  if (v.length > MAX_ITEMS) return void problems.add(path, `at most ${MAX_ITEMS} entries, got ${v.length}`);
  const before = problems.size;
  const out = v.map((x, k) => item(x, `${path}[${k}]`, problems));
  return problems.size === before && out.every((x) => x !== undefined) ? (out as T[]) : undefined;
}

