/**
 * Checks the `stress` section of the params JSON (and the `impact` / `contagion` of a shock file) and merges it over
 * the defaults; every problem is reported with its path (`params.stress.impact.BTC.permanent: 1.5 is above 1`).
 */
import { describeValue, type ProblemList } from '../errors.js';
import { boundedNumber, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../model/checks.js';
import type { AssetKeys } from '../model/asset-keys.js';
import { DEFAULT_STRESS_PARAMS, type ImpactModel, type StressParams } from './params.js';

/** Where the stress section (and a shock file) names assets (src/model/asset-keys.ts): its impact models. */
export const IMPACT_ASSET_KEYS: AssetKeys = { keyed: ['impact'] };

const FIELDS = knownFields(...Object.keys(DEFAULT_STRESS_PARAMS));
const IMPACT_FIELDS: Record<ImpactModel['model'], ReturnType<typeof knownFields>> = {
  none: knownFields('model'),
  linear: knownFields('model', 'pricePerUnit', 'permanent', 'spotVolBeta'),
  sqrt: knownFields('model', 'y', 'advUsd', 'permanent', 'spotVolBeta'),
};

export function defaultStressParams(): StressParams {
  return { ...DEFAULT_STRESS_PARAMS, impact: Object.assign(dataRecord<ImpactModel>(), DEFAULT_STRESS_PARAMS.impact) };
}

/** The `stress` section at `path` merged over `base` (the defaults, or the params file's section under a shock's). */
export function checkStressParams(json: unknown, path: string, problems: ProblemList, base: StressParams = defaultStressParams()): StressParams {
  const out: StressParams = { ...base, impact: Object.assign(dataRecord<ImpactModel>(), base.impact) };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(path, `expected an object, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), path, problems);
  mergeImpact(json, path, problems, out);
  const rounds = boundedNumber(json.maxRounds, `${path}.maxRounds`, problems, { min: 1, max: 10_000 });
  if (rounds !== undefined && !Number.isInteger(rounds)) problems.add(`${path}.maxRounds`, `expected an integer, got ${rounds}`);
  else if (rounds !== undefined) out.maxRounds = rounds;
  out.priceTolerance = boundedNumber(json.priceTolerance, `${path}.priceTolerance`, problems, { min: 0 }) ?? out.priceTolerance;
  return out;
}

/** Reads `impact` and `contagion` of `json` (a params section or a shock) into `out`. */
export function mergeImpact(json: Record<string, unknown>, path: string, problems: ProblemList, out: StressParams): void {
  if (json.contagion !== undefined) {
    if (typeof json.contagion === 'boolean') out.contagion = json.contagion;
    else problems.add(`${path}.contagion`, `expected true or false, got ${describeValue(json.contagion)}`);
  }
  if (json.impact === undefined) return;
  if (!isRecord(json.impact)) {
    problems.add(`${path}.impact`, `expected an object keyed by asset symbol (or "default"), got ${describeValue(json.impact)}`);
    return;
  }
  for (const [asset, v] of ownEntries(json.impact)) {
    const model = impactModel(v, keyPath(`${path}.impact`, asset), problems);
    if (model) out.impact[asset] = model;
  }
}

function impactModel(v: unknown, path: string, problems: ProblemList): ImpactModel | undefined {
  if (!isRecord(v) || !(v.model === 'none' || v.model === 'linear' || v.model === 'sqrt')) {
    problems.add(path, `expected { model: "none" | "linear" | "sqrt", … }, got ${describeValue(isRecord(v) ? v.model : v)}`);
    return undefined;
  }
  const known = IMPACT_FIELDS[v.model];
  checkFields(v, known, countDefined(v, known.names), path, problems);
  if (v.model === 'none') return { model: 'none' };
  const permanent = boundedNumber(v.permanent, `${path}.permanent`, problems, { min: 0, max: 1 }) ?? 0.5;
  const beta = boundedNumber(v.spotVolBeta, `${path}.spotVolBeta`, problems, { min: -100, max: 100 }) ?? 0;
  if (v.model === 'linear') {
    const pricePerUnit = boundedNumber(v.pricePerUnit, `${path}.pricePerUnit`, problems, { min: 0, required: true });
    return pricePerUnit === undefined ? undefined : { model: 'linear', pricePerUnit, permanent, spotVolBeta: beta };
  }
  const y = boundedNumber(v.y, `${path}.y`, problems, { min: 0, required: true });
  const advUsd = boundedNumber(v.advUsd, `${path}.advUsd`, problems, { min: 0, minOpen: true, required: true });
  return y === undefined || advUsd === undefined ? undefined : { model: 'sqrt', y, advUsd, permanent, spotVolBeta: beta };
}
