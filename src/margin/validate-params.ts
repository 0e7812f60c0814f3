import type { AssetKeys } from '../model/asset-keys.js';
import { RULE_SECTIONS } from '../model/param-sections.js';
import { describeValue, ProblemList, type ProblemListOptions } from '../errors.js';
import { ANNOTATION_KEYS, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, nearestName, ownEntries } from '../model/checks.js';
import {
  type CollateralRule,
  DEFAULT_RULE_BASED_PARAMS,
  type HaircutBracket,
  type OptionRule,
  type RateBracket,
  type RuleBasedParams,
  type SizeRateRule,
} from './params.js';

/**
 * Checks rule-based margin parameters given as JSON and merges them over the defaults: each section
 * (`linear`, `options`, `collateral`) is a map from asset symbol (or `default`) to that asset's rule,
 * and a rule given replaces the default rule for that asset whole. Throws one InputError listing every
 * problem with its path, e.g. `params.linear.BTC[2].upTo: brackets out of order (50000 after 600000)`.
 * In JSON, the last bracket's `upTo` is omitted or null (meaning no upper bound). Unknown fields are
 * problems (`params.options.default.imFlor: unknown field (did you mean "imFloor"?)`), or ignored
 * under `{ lenient: true }` (see {@link checkRuleBasedParams} to collect them as warnings).
 * `methodSections`: the sections the margin methods read (e.g. `portfolio`, `var`), left to their own validators;
 * any other top-level section is an unknown field.
 */
export function validateRuleBasedParams(json: unknown = {}, options: ProblemListOptions = {}, methodSections: readonly string[] = []): RuleBasedParams {
  const problems = new ProblemList(options);
  const out = checkRuleBasedParams(json, problems, methodSections);
  problems.throwIfAny();
  return out;
}

/**
 * As {@link validateRuleBasedParams}, adding problems (and, under the lenient option, warnings) to
 * `problems`. The sections are maps without a prototype: an asset named `constructor` is a key like any other.
 */
export function checkRuleBasedParams(json: unknown, problems: ProblemList, methodSections: readonly string[] = []): RuleBasedParams {
  const out: RuleBasedParams = {
    linear: Object.assign(dataRecord<RateBracket[]>(), DEFAULT_RULE_BASED_PARAMS.linear),
    options: Object.assign(dataRecord<OptionRule>(), DEFAULT_RULE_BASED_PARAMS.options),
    collateral: Object.assign(dataRecord<CollateralRule>(), DEFAULT_RULE_BASED_PARAMS.collateral),
  };
  if (!isRecord(json)) {
    problems.add('params', `expected an object with linear, options and collateral sections, got ${describeValue(json)}`);
    return out;
  }
  const params = json;
  const known = knownFields(...RULE_SECTIONS, ...methodSections, ...ANNOTATION_KEYS);
  checkFields(params, known, countDefined(params, known.names), 'params', problems);
  section(params.linear, 'params.linear', problems, (v, asset, path) => {
    const b = brackets(v, path, problems, LINEAR_BRACKET_FIELDS, 'notional');
    if (b) out.linear[asset] = b as unknown as RateBracket[];
  });
  section(params.options, 'params.options', problems, (v, asset, path) => {
    const rule = optionRule(v, path, problems);
    if (rule) out.options[asset] = rule;
  });
  section(params.collateral, 'params.collateral', problems, (v, asset, path) => {
    const rule = collateralRule(v, path, problems);
    if (rule) out.collateral[asset] = rule;
  });
  section(params.linearSize, 'params.linearSize', problems, (v, asset, path) => {
    const rule = sizeRateRule(v, path, problems);
    if (rule) (out.linearSize ??= dataRecord<SizeRateRule>())[asset] = rule;
  });
  return out;
}

// the rule-based sections (src/model/param-sections.ts); the margin methods' own sections (the registry's) are passed in by the session
/** Where the rule-based sections name assets (src/model/asset-keys.ts): each is keyed by asset symbol, at the params' top level. */
export const RULE_ASSET_KEYS: AssetKeys = { keyed: RULE_SECTIONS };
const LINEAR_BRACKET_FIELDS = knownFields('upTo', 'imRate', 'mmRate');
const HAIRCUT_BRACKET_FIELDS = knownFields('upTo', 'imHaircut', 'mmHaircut');
const OPTION_RULE_FIELDS = knownFields('imBase', 'imFloor', 'mmRate');
const COLLATERAL_RULE_FIELDS = knownFields('brackets', 'liabilityWeightIm', 'liabilityWeightMm');
const SIZE_RATE_FIELDS = knownFields('imPerUnit', 'mmPerUnit');


function section(v: unknown, path: string, problems: ProblemList, each: (value: unknown, asset: string, path: string) => void): void {
  if (v === undefined) return;
  if (!isRecord(v)) {
    problems.add(path, `expected an object keyed by asset symbol (or "default"), got ${describeValue(v)}`);
    return;
  }
  for (const [asset, value] of ownEntries(v)) each(value, asset, keyPath(path, asset));
}

/** A fraction in [0, 1], or a problem. */
function fraction(v: unknown, path: string, problems: ProblemList, what: string): number | undefined {
  if (v === undefined) problems.add(path, `missing: a ${what} is needed (a rule is given whole)`);
  else if (typeof v !== 'number' || !Number.isFinite(v)) problems.add(path, `not a finite number (${describeValue(v)})`);
  else if (v < 0) problems.add(path, `negative ${what} (${v})`);
  else if (v > 1) problems.add(path, `${what} above 1 (${v})`);
  else return v;
  return undefined;
}

/** The kernels find an amount's bracket by a fixed binary search over at most this many. */
export const MAX_BRACKETS = 16;

/** Tiered brackets with two fraction fields; upTo strictly increasing, last unbounded. */
function brackets(v: unknown, path: string, problems: ProblemList, known: typeof LINEAR_BRACKET_FIELDS, of: string): Array<Record<string, number>> | undefined {
  const fields = known.names.slice(1) as [string, string];
  if (!Array.isArray(v) || v.length === 0) {
    problems.add(path, `expected a non-empty array of brackets, got ${describeValue(v)}`);
    return undefined;
  }
  if (v.length > MAX_BRACKETS) {
    problems.add(path, `${v.length} brackets; at most ${MAX_BRACKETS} are supported`);
    return undefined;
  }
  const before = problems.size;
  const what = fields[0].endsWith('Rate') ? 'rate' : 'haircut';
  const rows = v.map((b, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(b)) {
      problems.add(at, `expected { upTo, ${fields.join(', ')} }, got ${describeValue(b)}`);
      return {};
    }
    checkFields(b, known, countDefined(b, known.names), at, problems);
    const last = i === v.length - 1;
    let upTo = b.upTo === undefined || b.upTo === null ? Infinity : b.upTo;
    if (typeof upTo !== 'number' || Number.isNaN(upTo) || upTo <= 0) {
      problems.add(`${at}.upTo`, `expected a positive ${of} bound in USD, got ${describeValue(b.upTo)}`);
      upTo = NaN;
    } else if (last && upTo !== Infinity) problems.add(`${at}.upTo`, `the last bracket must be unbounded (omit upTo), got ${upTo}`);
    else if (!last && upTo === Infinity) problems.add(`${at}.upTo`, 'only the last bracket may be unbounded');
    const row: Record<string, number> = { upTo: upTo as number };
    for (const f of fields) row[f] = fraction(b[f], `${at}.${f}`, problems, what) ?? NaN;
    if (row[fields[1]] > row[fields[0]]) problems.add(`${at}.${fields[1]}`, `maintenance ${what} ${row[fields[1]]} exceeds the initial ${what} ${row[fields[0]]}`);
    return row;
  });
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].upTo <= rows[i - 1].upTo) problems.add(`${path}[${i}].upTo`, `brackets out of order (${rows[i].upTo} after ${rows[i - 1].upTo})`);
  }
  return problems.size === before ? rows : undefined;
}

/** A size-dependent rate: two fractions per unit, the MM one not above the IM one. */
function sizeRateRule(v: unknown, path: string, problems: ProblemList): SizeRateRule | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { imPerUnit, mmPerUnit }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, SIZE_RATE_FIELDS, countDefined(v, SIZE_RATE_FIELDS.names), path, problems);
  const imPerUnit = fraction(v.imPerUnit, `${path}.imPerUnit`, problems, 'rate per unit');
  const mmPerUnit = fraction(v.mmPerUnit, `${path}.mmPerUnit`, problems, 'rate per unit');
  if (imPerUnit !== undefined && mmPerUnit !== undefined && mmPerUnit > imPerUnit) problems.add(`${path}.mmPerUnit`, `maintenance rate per unit ${mmPerUnit} exceeds the initial ${imPerUnit}`);
  return problems.size === before ? { imPerUnit: imPerUnit!, mmPerUnit: mmPerUnit! } : undefined;
}

function optionRule(v: unknown, path: string, problems: ProblemList): OptionRule | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { imBase, imFloor, mmRate }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, OPTION_RULE_FIELDS, countDefined(v, OPTION_RULE_FIELDS.names), path, problems);
  // a field an unknown one was a misspelling of is missing by that one cause, said there ("did you mean"); under
  // lenient that is a warning, and the missing field stays a problem
  const meant = new Set(problems.lenient ? [] : Object.keys(v).filter((k) => !OPTION_RULE_FIELDS.names.includes(k)).map((k) => nearestName(k, OPTION_RULE_FIELDS.names)));
  const rate = (name: 'imBase' | 'imFloor' | 'mmRate') => (v[name] === undefined && meant.has(name) ? undefined : fraction(v[name], `${path}.${name}`, problems, 'rate'));
  const imBase = rate('imBase'), imFloor = rate('imFloor'), mmRate = rate('mmRate');
  if (imFloor !== undefined && mmRate !== undefined && mmRate > imFloor) problems.add(`${path}.mmRate`, `maintenance rate ${mmRate} exceeds the IM floor ${imFloor}`);
  return problems.size === before ? { imBase: imBase!, imFloor: imFloor!, mmRate: mmRate! } : undefined;
}

function collateralRule(v: unknown, path: string, problems: ProblemList): CollateralRule | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { brackets, liabilityWeightIm, liabilityWeightMm }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, COLLATERAL_RULE_FIELDS, countDefined(v, COLLATERAL_RULE_FIELDS.names), path, problems);
  const rows = brackets(v.brackets, `${path}.brackets`, problems, HAIRCUT_BRACKET_FIELDS, 'collateral value');
  const weight = (w: unknown, at: string): number => {
    const x = w === undefined ? 1 : w;
    if (typeof x !== 'number' || !Number.isFinite(x)) problems.add(at, `not a finite number (${describeValue(w)})`);
    else if (x < 1) problems.add(at, `a liability weight must be at least 1, got ${x}`);
    return x as number;
  };
  const liabilityWeightIm = weight(v.liabilityWeightIm, `${path}.liabilityWeightIm`);
  const liabilityWeightMm = weight(v.liabilityWeightMm, `${path}.liabilityWeightMm`);
  if (problems.size !== before) return undefined;
  if (liabilityWeightMm > liabilityWeightIm) {
    problems.add(`${path}.liabilityWeightMm`, `maintenance weight ${liabilityWeightMm} exceeds the initial weight ${liabilityWeightIm}`);
    return undefined;
  }
  return { brackets: rows as unknown as HaircutBracket[], liabilityWeightIm, liabilityWeightMm };
}
