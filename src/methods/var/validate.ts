import { describeValue, ProblemList, type ProblemListOptions } from '../../errors.js';
import { checkFields, countDefined, knownFields } from '../../model/checks.js';
import {
  COVARIANCE_SOURCES, DEFAULT_VAR_PARAMS, MAX_HORIZON_DAYS, MAX_SCENARIOS, type ReturnsMatrix, VAR_MEASURES, VAR_MODELS, type VarParams,
} from './params.js';

const KEYS = Object.keys(DEFAULT_VAR_PARAMS);
const VAR_FIELDS = knownFields(...KEYS);
const RETURNS_FIELDS = knownFields('assets', 'matrix', 'periodDays');

/**
 * Checks the `var` section of the params JSON (given as `params.var`, or undefined for the defaults)
 * and merges it over {@link DEFAULT_VAR_PARAMS}. Throws one InputError listing every problem with its
 * path, e.g. `params.var.confidence: must be in [0.5, 1), got 1`. Whether `returns` covers the
 * book's assets is checked when the method runs (it depends on the book and market).
 */
export function validateVarParams(json: unknown, options: ProblemListOptions = {}): VarParams {
  const problems = new ProblemList(options);
  const out = checkVarParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** True when the params' model reads the market's correlation matrix (Σ from market vols × correlation). */
export function usesMarketCorrelation(params: VarParams): boolean {
  return params.model !== 'historical' && params.covariance === 'market';
}

/** As {@link validateVarParams}, adding problems to `problems` (for callers validating several sections). */
export function checkVarParams(json: unknown, problems: ProblemList, path = 'params.var'): VarParams {
  const out: VarParams = { ...DEFAULT_VAR_PARAMS };
  if (json === undefined) return out;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.add(path, `expected an object with ${KEYS.join(', ')}, got ${describeValue(json)}`);
    return out;
  }
  const v = json as Record<string, unknown>;
  checkFields(v, VAR_FIELDS, countDefined(v, VAR_FIELDS.names), path, problems);

  const oneOf = <T extends string>(key: keyof VarParams, allowed: readonly T[]): T | undefined => {
    const x = v[key];
    if (x === undefined) return undefined;
    if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
    problems.add(`${path}.${key}`, `must be one of ${allowed.join(', ')}, got ${describeValue(x)}`);
    return undefined;
  };
  /** A finite number in [lo, hi] (or (lo, hi) ends when open), else a problem. */
  const num = (key: keyof VarParams, lo: number, hi: number, loOpen: boolean, hiOpen: boolean, integer = false): number | undefined => {
    const x = v[key];
    if (x === undefined) return undefined;
    const range = `${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
    if (typeof x !== 'number' || !Number.isFinite(x)) problems.add(`${path}.${key}`, `not a finite number (${describeValue(x)})`);
    else if (integer && !Number.isInteger(x)) problems.add(`${path}.${key}`, `must be an integer, got ${x}`);
    else if ((loOpen ? x <= lo : x < lo) || (hiOpen ? x >= hi : x > hi)) problems.add(`${path}.${key}`, `must be in ${range}, got ${x}`);
    else return x;
    return undefined;
  };

  out.model = oneOf('model', VAR_MODELS) ?? out.model;
  out.measure = oneOf('measure', VAR_MEASURES) ?? out.measure;
  out.covariance = oneOf('covariance', COVARIANCE_SOURCES) ?? out.covariance;
  out.confidence = num('confidence', 0.5, 1, false, true) ?? out.confidence;
  out.horizonDays = num('horizonDays', 0, MAX_HORIZON_DAYS, true, false) ?? out.horizonDays;
  out.scenarios = num('scenarios', 1, MAX_SCENARIOS, false, false, true) ?? out.scenarios;
  out.seed = num('seed', 0, 0xffffffff, false, false, true) ?? out.seed;
  out.floorRate = num('floorRate', 0, 1, false, false) ?? out.floorRate;
  out.floorUsd = num('floorUsd', 0, Number.MAX_VALUE, false, false) ?? out.floorUsd;
  out.mmFactor = num('mmFactor', 0, 1, true, false) ?? out.mmFactor;
  out.ewmaLambda = num('ewmaLambda', 0, 1, true, true) ?? out.ewmaLambda;
  if (v.returns !== undefined && v.returns !== null) out.returns = returnsMatrix(v.returns, `${path}.returns`, problems) ?? null;

  const model = out.model;
  if (model === 'historical' && out.returns === null && v.returns === undefined) problems.add(`${path}.returns`, 'required by model historical (a dates × assets matrix of returns)');
  if (out.covariance === 'ewma' && out.returns === null && v.returns === undefined) problems.add(`${path}.returns`, 'required by covariance ewma (a dates × assets matrix of returns)');
  return out;
}

function returnsMatrix(x: unknown, path: string, problems: ProblemList): ReturnsMatrix | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    problems.add(path, `expected { assets, matrix, periodDays? }, got ${describeValue(x)}`);
    return undefined;
  }
  const before = problems.size;
  const r = x as Record<string, unknown>;
  checkFields(r, RETURNS_FIELDS, countDefined(r, RETURNS_FIELDS.names), path, problems);
  const assets = r.assets;
  let width = -1;
  if (!Array.isArray(assets) || assets.length === 0) problems.add(`${path}.assets`, `expected a non-empty array of asset symbols, got ${describeValue(assets)}`);
  else {
    width = assets.length;
    const seen = new Set<string>();
    assets.forEach((a, i) => {
      if (typeof a !== 'string' || a.length === 0) problems.add(`${path}.assets[${i}]`, `expected an asset symbol, got ${describeValue(a)}`);
      else if (seen.has(a)) problems.add(`${path}.assets[${i}]`, `duplicate asset ${JSON.stringify(a)}`);
      else seen.add(a);
    });
  }
  const matrix = r.matrix;
  if (!Array.isArray(matrix) || matrix.length === 0) problems.add(`${path}.matrix`, `expected a non-empty array of rows (dates), got ${describeValue(matrix)}`);
  else {
    matrix.forEach((row, t) => {
      if (problems.full) return;
      if (!Array.isArray(row)) problems.add(`${path}.matrix[${t}]`, `expected an array of returns, got ${describeValue(row)}`);
      else if (width >= 0 && row.length !== width) problems.add(`${path}.matrix[${t}]`, `expected ${width} returns (one per asset), got ${row.length}`);
      else {
        row.forEach((ret, j) => {
          if (typeof ret !== 'number' || !Number.isFinite(ret)) problems.add(`${path}.matrix[${t}][${j}]`, `not a finite number (${describeValue(ret)})`);
          else if (ret <= -1) problems.add(`${path}.matrix[${t}][${j}]`, `a simple return must be > −1, got ${ret}`);
        });
      }
    });
  }
  let periodDays = 1;
  if (r.periodDays !== undefined) {
    const p = r.periodDays;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > MAX_HORIZON_DAYS) problems.add(`${path}.periodDays`, `must be in (0, ${MAX_HORIZON_DAYS}], got ${describeValue(p)}`);
    else periodDays = p;
  }
  if (problems.size !== before) return undefined;
  return { assets: [...(assets as string[])], matrix: (matrix as number[][]).map((row) => [...row]), periodDays };
}
