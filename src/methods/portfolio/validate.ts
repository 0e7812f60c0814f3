import { describeValue, ProblemList, type ProblemListOptions } from '../../errors.js';
import { checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../../model/checks.js';
import { DEFAULT_PORTFOLIO_PARAMS, type PortfolioParams, type PortfolioRule, scenarioCount, type TailMove } from '../engines/scenario-grid/params.js';

const RULE_KEYS: readonly (keyof PortfolioRule)[] = [
  'spotRange', 'spotSteps', 'volUp', 'volDown', 'volPowerShort', 'volPowerLong', 'volFloorDays', 'volFloor', 'tails',
  'shortOptionRate', 'linearRate',
];
const RULE_FIELDS = knownFields(...RULE_KEYS);
const PORTFOLIO_FIELDS = knownFields('aggregation', 'mmFactor', 'stableAssets', 'assets');
const TAIL_FIELDS = knownFields('move', 'weight');

/**
 * Checks the `portfolio` section of the params JSON (`undefined` → defaults) and merges it over
 * {@link DEFAULT_PORTFOLIO_PARAMS}: `assets.default` over the default rule, every other asset's
 * entry over the resulting default, field by field. Throws one InputError listing every problem
 * with its path, e.g. `params.portfolio.assets.BTC.tails[2].weight`.
 */
export function validatePortfolioParams(json: unknown, options: ProblemListOptions = {}): PortfolioParams {
  const problems = new ProblemList(options);
  const out = checkPortfolioParams(json, problems);
  problems.throwIfAny();
  return out;
}

/**
 * As {@link validatePortfolioParams}, adding problems (and, under the lenient option, warnings for
 * unknown fields) to `problems`. `assets` is a map without a prototype: any symbol is a plain key.
 */
export function checkPortfolioParams(json: unknown, problems: ProblemList): PortfolioParams {
  const out: PortfolioParams = { ...DEFAULT_PORTFOLIO_PARAMS, assets: Object.assign(dataRecord<PortfolioRule>(), DEFAULT_PORTFOLIO_PARAMS.assets) };
  if (json === undefined) return out;
  const root = 'params.portfolio';
  if (!isRecord(json)) {
    problems.add(root, `expected an object { aggregation, mmFactor, stableAssets, assets }, got ${describeValue(json)}`);
    return out;
  }
  const p = json;
  checkFields(p, PORTFOLIO_FIELDS, countDefined(p, PORTFOLIO_FIELDS.names), root, problems);
  if (p.aggregation !== undefined) {
    if (p.aggregation === 'sum' || p.aggregation === 'correlation') out.aggregation = p.aggregation;
    else problems.add(`${root}.aggregation`, `expected "sum" or "correlation", got ${describeValue(p.aggregation)}`);
  }
  if (p.mmFactor !== undefined) {
    const f = p.mmFactor;
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f > 1) problems.add(`${root}.mmFactor`, `expected a number in (0, 1], got ${describeValue(f)}`);
    else out.mmFactor = f;
  }
  if (p.stableAssets !== undefined) {
    if (!Array.isArray(p.stableAssets)) problems.add(`${root}.stableAssets`, `expected an array of asset symbols, got ${describeValue(p.stableAssets)}`);
    else {
      p.stableAssets.forEach((s, i) => {
        if (typeof s !== 'string' || s === '') problems.add(`${root}.stableAssets[${i}]`, `expected an asset symbol, got ${describeValue(s)}`);
      });
      out.stableAssets = p.stableAssets.filter((s): s is string => typeof s === 'string');
    }
  }
  if (p.assets !== undefined) {
    if (!isRecord(p.assets)) problems.add(`${root}.assets`, `expected an object keyed by asset symbol (or "default"), got ${describeValue(p.assets)}`);
    else {
      // default first: the other assets merge over it
      const entries = ownEntries(p.assets).sort(([a], [b]) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
      for (const [asset, given] of entries) {
        const rule = validateRule(given, asset === 'default' ? DEFAULT_PORTFOLIO_PARAMS.assets.default : out.assets.default, keyPath(`${root}.assets`, asset), problems);
        if (rule) out.assets[asset] = rule;
      }
      const count = scenarioCount(out.assets.default);
      for (const [asset] of entries) {
        const rule = out.assets[asset];
        if (asset !== 'default' && rule && scenarioCount(rule) !== count) {
          problems.add(keyPath(`${root}.assets`, asset), `every asset needs the same number of scenarios (spotSteps × 3 + tails): ${scenarioCount(rule)} here, ${count} for default`);
        }
      }
    }
  }
  return out;
}


function validateRule(v: unknown, base: PortfolioRule, path: string, problems: ProblemList): PortfolioRule | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected an object with fields among ${RULE_KEYS.join(', ')}, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, RULE_FIELDS, countDefined(v, RULE_FIELDS.names), path, problems);
  const num = (key: keyof PortfolioRule, ok: (x: number) => boolean, what: string): number => {
    const x = v[key] === undefined ? base[key] : v[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || !ok(x)) {
      problems.add(`${path}.${key}`, `expected ${what}, got ${describeValue(x)}`);
      return NaN;
    }
    return x;
  };
  const rule: PortfolioRule = {
    spotRange: num('spotRange', (x) => x > 0 && x < 1, 'a fraction in (0, 1)'),
    spotSteps: num('spotSteps', (x) => Number.isInteger(x) && x >= 1 && x % 2 === 1 && x <= 201, 'an odd integer in [1, 201] (0 is a grid move)'),
    volUp: num('volUp', (x) => x >= 0 && x <= 10, 'a relative shock in [0, 10]'),
    volDown: num('volDown', (x) => x >= 0 && x <= 1, 'a relative shock in [0, 1]'),
    volPowerShort: num('volPowerShort', (x) => x >= 0 && x <= 2, 'an exponent in [0, 2]'),
    volPowerLong: num('volPowerLong', (x) => x >= 0 && x <= 2, 'an exponent in [0, 2]'),
    volFloorDays: num('volFloorDays', (x) => x > 0 && x <= 30, 'days in (0, 30]'),
    volFloor: num('volFloor', (x) => x >= 0 && x <= 5, 'an annual vol in [0, 5]'),
    tails: base.tails,
    shortOptionRate: num('shortOptionRate', (x) => x >= 0 && x <= 1, 'a fraction in [0, 1]'),
    linearRate: num('linearRate', (x) => x >= 0 && x <= 1, 'a fraction in [0, 1]'),
  };
  if (v.tails !== undefined) rule.tails = validateTails(v.tails, `${path}.tails`, problems);
  // a grid of one step is the spot unchanged alone: no edge for the tails to stay within (spotRange is not used)
  if (rule.spotSteps === 1) return problems.size === before ? rule : undefined;
  if (problems.size === before && v.tails !== undefined) {
    rule.tails.forEach((t, i) => {
      if (t.weight * Math.abs(t.move) > rule.spotRange) {
        problems.add(`${path}.tails[${i}].weight`, `weight × |move| = ${t.weight * Math.abs(t.move)} exceeds spotRange ${rule.spotRange}: a linear position would lose more in this tail than at the grid edge`);
      }
    });
  } else if (problems.size === before) {
    // tails inherited (not written here): one problem at the spotRange written, not one per tail at paths never written
    const widest = rule.tails.reduce((m, t) => Math.max(m, t.weight * Math.abs(t.move)), 0);
    if (widest > rule.spotRange) {
      problems.add(`${path}.spotRange`, `${rule.spotRange} is below the widest tail it inherits (weight × |move| = ${widest}): a linear position would lose more in that tail than at the grid edge; give a spotRange of at least ${widest}, or tails of its own (${path}.tails)`);
    }
  }
  return problems.size === before ? rule : undefined;
}

function validateTails(v: unknown, path: string, problems: ProblemList): TailMove[] {
  if (!Array.isArray(v)) {
    problems.add(path, `expected an array of { move, weight }, got ${describeValue(v)}`);
    return [];
  }
  return v.map((t, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(t)) {
      problems.add(at, `expected { move, weight }, got ${describeValue(t)}`);
      return { move: NaN, weight: NaN };
    }
    checkFields(t, TAIL_FIELDS, countDefined(t, TAIL_FIELDS.names), at, problems);
    const { move, weight } = t;
    if (typeof move !== 'number' || !Number.isFinite(move) || move <= -1 || move === 0 || move > 100) problems.add(`${at}.move`, `expected a non-zero relative move in (−1, 100], got ${describeValue(move)}`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1) problems.add(`${at}.weight`, `expected a weight in (0, 1], got ${describeValue(weight)}`);
    return { move: move as number, weight: weight as number };
  });
}
