/**
 * Parameters of Deribit's 2024 portfolio margin model (method `deribit`): the `deribit` section of the params JSON,
 * named after the `model_params` of Deribit's `private/pme/simulate` response (camelCase), so a venue's live values are
 * transcribed field by field. Per currency pair (an underlying, e.g. BTC for btc_usd) the scenario grid and the delta
 * shock; per currency (an account's margin currency: BTC, ETH, USD) the extended dampener and the roll shock.
 * `default` applies to what is not listed; a listed entry merges over it field by field. Sources: docs/profiles.md.
 */
import { describeValue, type ProblemList } from '../../errors.js';
import { checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../../model/checks.js';
import { deepFreeze } from '../../model/deep-freeze.js';

/** One currency pair's parameters (`model_params.currency_pair.<pair>`). */
export interface DeribitPairRule {
  /** price_range: the largest grid move, both ways (0.16 = ±16%). */
  priceRange: number;
  /** volatility_range_up: relative vol shock up at 30 days to expiry (0.5: σ × 1.5), scaled (30/DTE)^power. */
  volatilityRangeUp: number;
  /** volatility_range_down: relative vol shock down at 30 days (0.25: σ × 0.75), scaled alike, floored at 0. */
  volatilityRangeDown: number;
  /** short_term_vega_power: the power of (30/DTE) below 30 days to expiry. */
  shortTermVegaPower: number;
  /** long_term_vega_power: from 30 days on. */
  longTermVegaPower: number;
  /** min_volatility_for_shock_up: the lowest vol of a vol-up shock (annual, decimal). */
  minVolatilityForShockUp: number;
  /** extended_table_factor: the extended table's P&L × factor × priceRange/|move|. */
  extendedTableFactor: number;
  /** max_delta_shock: the delta shock's largest rate. */
  maxDeltaShock: number;
  /** delta_total_liq_shock_threshold: |delta total| × index (USD) above which the delta shock applies. */
  deltaTotalLiqShockThreshold: number;
  /** m_inc: the delta shock's rate per unit of underlying beyond the threshold (margin-core's reading: docs/profiles.md). */
  mInc: number;
}

/** One settlement currency's parameters (`model_params.currency.<currency>`). */
export interface DeribitCurrencyRule {
  /** annualised_move_risk: the roll shock's annual move, as e^{risk·T} − 1 over an expiry T years away. */
  annualisedMoveRisk: number;
  /** min_annualised_move: the roll shock's least rate (binding for perpetuals and near expiries). */
  minAnnualisedMove: number;
  /** extended_dampener (USD): the extended table's dampening, (|move|/priceRange − 1) × dampener, in the account's currency at the edge price. */
  extendedDampener: number;
}

export interface DeribitParams {
  /** mm_factor: MM = mmFactor × risk matrix margin. */
  mmFactor: number;
  /** buckets_count: grid moves per side; 2 × buckets + 1 evenly spaced moves, zero included (4: nine). */
  bucketsCount: number;
  /** The extended table's moves (vol up only). */
  extendedMoves: number[];
  /** Rules by underlying symbol (currency pair); `default` required (a default is provided). */
  pairs: Record<string, DeribitPairRule>;
  /** Rules by margin currency (`USD` for USD-margined accounts); `default` required. */
  currencies: Record<string, DeribitCurrencyRule>;
  /** Assets whose balances in a USD-margined account carry no price risk (not revalued under scenarios). */
  stableAssets: string[];
}

/** BTC values of Deribit's pme/simulate example (model_params, timestamp 1718619740501 = 2024-06-17). */
export const DERIBIT_BTC_PAIR: DeribitPairRule = {
  priceRange: 0.16,
  volatilityRangeUp: 0.5,
  volatilityRangeDown: 0.25,
  shortTermVegaPower: 0.3,
  longTermVegaPower: 0.13,
  minVolatilityForShockUp: 0.5,
  extendedTableFactor: 1,
  maxDeltaShock: 0.1,
  deltaTotalLiqShockThreshold: 20_000_000,
  mInc: 0.00005,
};

export const DEFAULT_DERIBIT_PARAMS: DeribitParams = {
  mmFactor: 0.8,
  bucketsCount: 4,
  extendedMoves: [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5],
  pairs: { default: DERIBIT_BTC_PAIR },
  currencies: {
    default: { annualisedMoveRisk: 0.075, minAnnualisedMove: 0.01, extendedDampener: 100_000 },
    USD: { annualisedMoveRisk: 0.1, minAnnualisedMove: 0.01, extendedDampener: 25_000 },
  },
  stableAssets: ['USD', 'USDC', 'USDT', 'DAI'],
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_DERIBIT_PARAMS);

const FIELDS = knownFields('mmFactor', 'bucketsCount', 'extendedMoves', 'pairs', 'currencies', 'stableAssets');
const PAIR_KEYS: readonly (keyof DeribitPairRule)[] = [
  'priceRange', 'volatilityRangeUp', 'volatilityRangeDown', 'shortTermVegaPower', 'longTermVegaPower', 'minVolatilityForShockUp',
  'extendedTableFactor', 'maxDeltaShock', 'deltaTotalLiqShockThreshold', 'mInc',
];
const CURRENCY_KEYS: readonly (keyof DeribitCurrencyRule)[] = ['annualisedMoveRisk', 'minAnnualisedMove', 'extendedDampener'];

/** Each field's domain: a test and what it says when the value fails it. */
const PAIR_DOMAIN: Record<keyof DeribitPairRule, [(x: number) => boolean, string]> = {
  priceRange: [(x) => x > 0 && x < 1, 'a fraction in (0, 1)'],
  volatilityRangeUp: [(x) => x >= 0 && x <= 10, 'a relative shock in [0, 10]'],
  volatilityRangeDown: [(x) => x >= 0 && x <= 1, 'a relative shock in [0, 1]'],
  shortTermVegaPower: [(x) => x >= 0 && x <= 2, 'an exponent in [0, 2]'],
  longTermVegaPower: [(x) => x >= 0 && x <= 2, 'an exponent in [0, 2]'],
  minVolatilityForShockUp: [(x) => x >= 0 && x <= 10, 'an annual vol in [0, 10]'],
  extendedTableFactor: [(x) => x >= 0 && x <= 1, 'a factor in [0, 1]'],
  maxDeltaShock: [(x) => x >= 0 && x <= 1, 'a rate in [0, 1]'],
  deltaTotalLiqShockThreshold: [(x) => x >= 0 && x <= 1e15, 'USD in [0, 1e15]'],
  mInc: [(x) => x >= 0 && x <= 1, 'a rate per unit in [0, 1]'],
};
const CURRENCY_DOMAIN: Record<keyof DeribitCurrencyRule, [(x: number) => boolean, string]> = {
  annualisedMoveRisk: [(x) => x >= 0 && x <= 2, 'an annual move in [0, 2]'],
  minAnnualisedMove: [(x) => x >= 0 && x <= 1, 'a rate in [0, 1]'],
  extendedDampener: [(x) => x >= 0 && x <= 1e15, 'USD in [0, 1e15]'],
};

/**
 * Checks the `deribit` section (`undefined` → defaults) and merges it over {@link DEFAULT_DERIBIT_PARAMS}: each
 * `pairs` / `currencies` entry over that map's resulting `default`, field by field. Problems go to `problems` with
 * paths under `params.deribit` (e.g. `params.deribit.pairs.BTC.priceRange`).
 */
export function checkDeribitParams(json: unknown, problems: ProblemList): DeribitParams {
  const out: DeribitParams = {
    ...DEFAULT_DERIBIT_PARAMS,
    pairs: Object.assign(dataRecord<DeribitPairRule>(), DEFAULT_DERIBIT_PARAMS.pairs),
    currencies: Object.assign(dataRecord<DeribitCurrencyRule>(), DEFAULT_DERIBIT_PARAMS.currencies),
  };
  if (json === undefined) return out;
  const root = 'params.deribit';
  if (!isRecord(json)) {
    problems.add(root, `expected an object { mmFactor, bucketsCount, extendedMoves, pairs, currencies, stableAssets }, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), root, problems);
  if (json.mmFactor !== undefined) {
    const f = json.mmFactor;
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f > 1) problems.add(`${root}.mmFactor`, `expected a number in (0, 1], got ${describeValue(f)}`);
    else out.mmFactor = f;
  }
  if (json.bucketsCount !== undefined) {
    const b = json.bucketsCount;
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 1 || b > 100) problems.add(`${root}.bucketsCount`, `expected an integer in [1, 100] (moves per side of the grid), got ${describeValue(b)}`);
    else out.bucketsCount = b;
  }
  if (json.extendedMoves !== undefined) out.extendedMoves = readMoves(json.extendedMoves, `${root}.extendedMoves`, problems);
  if (json.stableAssets !== undefined) {
    if (!Array.isArray(json.stableAssets)) problems.add(`${root}.stableAssets`, `expected an array of asset symbols, got ${describeValue(json.stableAssets)}`);
    else {
      json.stableAssets.forEach((a, i) => {
        if (typeof a !== 'string' || a === '') problems.add(`${root}.stableAssets[${i}]`, `expected an asset symbol, got ${describeValue(a)}`);
      });
      out.stableAssets = json.stableAssets.filter((a): a is string => typeof a === 'string' && a !== '');
    }
  }
  out.pairs = readRules(json.pairs, out.pairs, PAIR_KEYS, PAIR_DOMAIN, `${root}.pairs`, problems);
  out.currencies = readRules(json.currencies, out.currencies, CURRENCY_KEYS, CURRENCY_DOMAIN, `${root}.currencies`, problems);
  // an extended move lies beyond every pair's grid: inside it, its weight priceRange/|move| (above 1) would inflate its loss
  out.extendedMoves.forEach((move, i) => {
    const inside = Object.entries(out.pairs).find(([, pair]) => Math.abs(move) <= pair.priceRange);
    if (inside) problems.add(`${root}.extendedMoves[${i}]`, `${move} is within the price range ±${inside[1].priceRange} of pairs.${inside[0]}: an extended move lies beyond the grid (its weight priceRange/|move| would be above 1)`);
  });
  return out;
}


function readMoves(v: unknown, path: string, problems: ProblemList): number[] {
  if (!Array.isArray(v)) {
    problems.add(path, `expected an array of relative moves, got ${describeValue(v)}`);
    return DEFAULT_DERIBIT_PARAMS.extendedMoves;
  }
  if (v.length > 64) problems.add(path, `${v.length} moves: at most 64`);
  v.forEach((m, i) => {
    if (typeof m !== 'number' || !Number.isFinite(m) || m <= -1 || m === 0 || m > 100) problems.add(`${path}[${i}]`, `expected a non-zero relative move in (−1, 100], got ${describeValue(m)}`);
  });
  return v.filter((m): m is number => typeof m === 'number');
}

/** A map of rules (`default` first, the others merged over it), every field checked against its domain. */
function readRules<R extends object>(
  v: unknown,
  base: Record<string, R>,
  keys: readonly (keyof R & string)[],
  domain: Record<keyof R & string, [(x: number) => boolean, string]>,
  path: string,
  problems: ProblemList,
): Record<string, R> {
  if (v === undefined) return base;
  if (!isRecord(v)) {
    problems.add(path, `expected an object keyed by symbol (or "default"), got ${describeValue(v)}`);
    return base;
  }
  const fields = knownFields(...keys);
  const out = Object.assign(dataRecord<R>(), base);
  const entries = ownEntries(v).sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
  for (const [symbol, given] of entries) {
    const at = keyPath(path, symbol);
    if (!isRecord(given)) {
      problems.add(at, `expected an object with fields among ${keys.join(', ')}, got ${describeValue(given)}`);
      continue;
    }
    checkFields(given, fields, countDefined(given, fields.names), at, problems);
    const from = symbol === 'default' ? base.default : out.default;
    const rule = { ...from } as Record<string, number>;
    for (const key of keys) {
      if (given[key] === undefined) continue;
      const x = given[key];
      const [ok, what] = domain[key];
      if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) problems.add(`${at}.${key}`, `expected ${what}, got ${describeValue(x)}`);
      else rule[key] = x;
    }
    out[symbol] = rule as R;
  }
  return out;
}

/** The rule of a key: its own entry, else `default` (own keys only: `constructor` is a symbol like any other). */
export function ruleOf<R>(rules: Record<string, R>, key: string): R {
  return Object.hasOwn(rules, key) ? rules[key] : rules.default;
}
