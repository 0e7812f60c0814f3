/**
 * Checks the `liquidation` section of the params JSON and merges it over the defaults; every problem is reported with
 * its path (`params.liquidation.feeSplit: liquidator 0.6 + insuranceFund 0.5 = 1.1, expected 1`).
 */
import { describeValue, ProblemList, type ProblemListOptions } from '../errors.js';
import { checkParamMagnitudes } from '../model/param-domain.js';
import type { AssetKeys } from '../model/asset-keys.js';
import { boundedNumber as number, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../model/checks.js';
import {
  ADL_POLICIES, CLOSE_ORDERS, DEFAULT_LIQUIDATION_PARAMS, type LiquidationParams, type SlippageModel, TARGETS,
} from './params.js';

const FIELDS = knownFields(...Object.keys(DEFAULT_LIQUIDATION_PARAMS));
const SPLIT_FIELDS = knownFields('liquidator', 'insuranceFund');
const FUND_FIELDS = knownFields('balanceUsd', 'maxPerStepUsd');
const SLIPPAGE_FIELDS: Record<SlippageModel['model'], ReturnType<typeof knownFields>> = {
  none: knownFields('model'),
  linear: knownFields('model', 'pricePerUnit'),
  sqrt: knownFields('model', 'y', 'advUsd'),
};
const PATH = 'params.liquidation';

export function validateLiquidationParams(json: unknown, options: ProblemListOptions = {}): LiquidationParams {
  const problems = new ProblemList(options);
  const out = checkLiquidationParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** As {@link validateLiquidationParams}, adding problems (and lenient warnings) to `problems`. */
export function checkLiquidationParams(json: unknown, problems: ProblemList, path = PATH): LiquidationParams {
  const d = DEFAULT_LIQUIDATION_PARAMS;
  const out: LiquidationParams = {
    ...d, feeSplit: { ...d.feeSplit }, insuranceFund: { ...d.insuranceFund }, stableAssets: [...d.stableAssets],
    slippage: Object.assign(dataRecord<SlippageModel>(), d.slippage),
  };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(path, `expected an object, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, FIELDS, countDefined(json, FIELDS.names), path, problems);
  const at = (field: string) => `${path}.${field}`;
  const choice = <T extends string>(field: string, allowed: readonly T[]): T | undefined => {
    const v = json[field];
    if (v === undefined) return undefined;
    if (allowed.includes(v as T)) return v as T;
    problems.add(at(field), `expected ${allowed.map((x) => JSON.stringify(x)).join(', ')}, got ${describeValue(v)}`);
    return undefined;
  };
  out.target = choice('target', TARGETS) ?? out.target;
  out.order = choice('order', CLOSE_ORDERS) ?? out.order;
  out.adl = choice('adl', ADL_POLICIES) ?? out.adl;
  out.buffer = number(json.buffer, at('buffer'), problems, { min: 0 }) ?? out.buffer;
  out.maxFractionPerStep = number(json.maxFractionPerStep, at('maxFractionPerStep'), problems, { min: 0, minOpen: true, max: 1 }) ?? out.maxFractionPerStep;
  if (json.maxNotionalPerStep !== undefined) {
    out.maxNotionalPerStep = json.maxNotionalPerStep === null ? null : number(json.maxNotionalPerStep, at('maxNotionalPerStep'), problems, { min: 0, minOpen: true }) ?? out.maxNotionalPerStep;
  }
  out.smallShortfallUsd = number(json.smallShortfallUsd, at('smallShortfallUsd'), problems, { min: 0 }) ?? out.smallShortfallUsd;
  out.feeRate = number(json.feeRate, at('feeRate'), problems, { min: 0, max: 1 }) ?? out.feeRate;
  out.optionFeeCap = number(json.optionFeeCap, at('optionFeeCap'), problems, { min: 0, max: 1 }) ?? out.optionFeeCap;
  out.collateralDiscount = number(json.collateralDiscount, at('collateralDiscount'), problems, { min: 0, max: 1, maxOpen: true }) ?? out.collateralDiscount;
  out.optionSpreadVol = number(json.optionSpreadVol, at('optionSpreadVol'), problems, { min: 0 }) ?? out.optionSpreadVol;
  const steps = number(json.maxStepsPerAccount, at('maxStepsPerAccount'), problems, { min: 1 });
  if (steps !== undefined && !Number.isInteger(steps)) problems.add(at('maxStepsPerAccount'), `expected an integer, got ${steps}`);
  else if (steps !== undefined) out.maxStepsPerAccount = steps;
  if (json.feeSplit !== undefined) {
    const split = json.feeSplit;
    if (!isRecord(split)) problems.add(at('feeSplit'), `expected { liquidator, insuranceFund }, got ${describeValue(split)}`);
    else {
      checkFields(split, SPLIT_FIELDS, countDefined(split, SPLIT_FIELDS.names), at('feeSplit'), problems);
      const liquidator = number(split.liquidator, at('feeSplit.liquidator'), problems, { min: 0, max: 1, required: true });
      const fund = number(split.insuranceFund, at('feeSplit.insuranceFund'), problems, { min: 0, max: 1, required: true });
      if (liquidator !== undefined && fund !== undefined) {
        if (Math.abs(liquidator + fund - 1) > 1e-12) problems.add(at('feeSplit'), `liquidator ${liquidator} + insuranceFund ${fund} = ${liquidator + fund}, expected 1`);
        else out.feeSplit = { liquidator, insuranceFund: fund };
      }
    }
  }
  if (json.insuranceFund !== undefined) {
    const fund = json.insuranceFund;
    if (!isRecord(fund)) problems.add(at('insuranceFund'), `expected { balanceUsd, maxPerStepUsd }, got ${describeValue(fund)}`);
    else {
      checkFields(fund, FUND_FIELDS, countDefined(fund, FUND_FIELDS.names), at('insuranceFund'), problems);
      out.insuranceFund.balanceUsd = number(fund.balanceUsd, at('insuranceFund.balanceUsd'), problems, { min: 0 }) ?? out.insuranceFund.balanceUsd;
      if (fund.maxPerStepUsd !== undefined) {
        out.insuranceFund.maxPerStepUsd = fund.maxPerStepUsd === null ? null : number(fund.maxPerStepUsd, at('insuranceFund.maxPerStepUsd'), problems, { min: 0 }) ?? null;
      }
    }
  }
  if (json.stableAssets !== undefined) {
    if (!Array.isArray(json.stableAssets) || json.stableAssets.some((x) => typeof x !== 'string' || x === '')) {
      problems.add(at('stableAssets'), `expected an array of asset symbols, got ${describeValue(json.stableAssets)}`);
    } else out.stableAssets = [...(json.stableAssets as string[])];
  }
  if (json.slippage !== undefined) {
    if (!isRecord(json.slippage)) problems.add(at('slippage'), `expected an object keyed by asset symbol (or "default"), got ${describeValue(json.slippage)}`);
    else for (const [asset, v] of ownEntries(json.slippage)) {
      const model = slippageModel(v, keyPath(at('slippage'), asset), problems);
      if (model) out.slippage[asset] = model;
    }
  }
  return out;
}

/**
 * Checked parameters with another insurance fund balance (USD), the balance checked as a params file's is (the
 * domain's bound, ≥ 0): a cascade's rounds each start from the fund the last one left, the rest checked once.
 */
export function withFundBalance(params: LiquidationParams, balanceUsd: number): LiquidationParams {
  const problems = new ProblemList();
  const path = `${PATH}.insuranceFund.balanceUsd`;
  checkParamMagnitudes(balanceUsd, problems, path);
  const checked = number(balanceUsd, path, problems, { min: 0 });
  problems.throwIfAny();
  return { ...params, insuranceFund: { ...params.insuranceFund, balanceUsd: checked as number } };
}

function slippageModel(v: unknown, path: string, problems: ProblemList): SlippageModel | undefined {
  if (!isRecord(v) || !(v.model === 'none' || v.model === 'linear' || v.model === 'sqrt')) {
    problems.add(path, `expected { model: "none" | "linear" | "sqrt", … }, got ${describeValue(isRecord(v) ? v.model : v)}`);
    return undefined;
  }
  const known = SLIPPAGE_FIELDS[v.model];
  checkFields(v, known, countDefined(v, known.names), path, problems);
  if (v.model === 'none') return { model: 'none' };
  if (v.model === 'linear') {
    const pricePerUnit = number(v.pricePerUnit, `${path}.pricePerUnit`, problems, { min: 0, required: true });
    return pricePerUnit === undefined ? undefined : { model: 'linear', pricePerUnit };
  }
  const y = number(v.y, `${path}.y`, problems, { min: 0, required: true });
  const advUsd = number(v.advUsd, `${path}.advUsd`, problems, { min: 0, minOpen: true, required: true });
  return y === undefined || advUsd === undefined ? undefined : { model: 'sqrt', y, advUsd };
}

/** Where the liquidation section names assets (src/model/asset-keys.ts): its slippage models and its stable assets. */
export const LIQUIDATION_ASSET_KEYS: AssetKeys = { keyed: ['slippage'], named: ['stableAssets'] };

/**
 * The `liquidation` sections given, each with the path its problems are named at: the params' (`params.liquidation`),
 * then `options.liquidation`. Both are checked: one given beside the other was dropped unchecked (a fee rate of −1
 * passed, and a valid params file's fund and fees were replaced by the defaults without a word).
 */
export function liquidationSections(options: { liquidation?: unknown; params?: unknown }): { json: unknown; path: string }[] {
  const sections: { json: unknown; path: string }[] = [];
  const params = options.params;
  if (isRecord(params) && Object.hasOwn(params, 'liquidation')) sections.push({ json: params.liquidation, path: PATH });
  if (options.liquidation !== undefined) sections.push({ json: options.liquidation, path: 'options.liquidation' });
  return sections;
}

/**
 * The `liquidation` parameters as given (undefined: none): the params' section with `options.liquidation`'s fields
 * over its own (a field at a time: `{ liquidation: { adl: 'pro-rata' } }` keeps the params file's fees and fund).
 */
export function liquidationSection(options: { liquidation?: unknown; params?: unknown }): unknown {
  return mergedSection(liquidationSections(options));
}

/**
 * The sections' fields merged, the later's over the earlier's ({@link liquidationSection}); the fields of
 * {@link MERGED_BY_FIELD} a field deeper, so that `{ insuranceFund: { balanceUsd } }` keeps the file's per-step cap.
 */
function mergedSection(sections: readonly { json: unknown }[]): unknown {
  if (sections.length < 2) return sections[0]?.json;
  const [file, given] = sections;
  if (!isRecord(file.json) || !isRecord(given.json)) return given.json;
  const merged = over(file.json, given.json);
  for (const key of MERGED_BY_FIELD) {
    const a = file.json[key], b = given.json[key];
    if (isRecord(a) && isRecord(b)) merged[key] = over(a, b);
  }
  return merged;
}

/** `later`'s fields over `earlier`'s; a field present but undefined is not given (`{ feeRate: flags.fee }` with no flag). */
function over(earlier: Record<string, unknown>, later: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...earlier };
  for (const [key, value] of Object.entries(later)) if (value !== undefined) merged[key] = value;
  return merged;
}

/**
 * Nested parameters whose fields stand alone: the fund's balance and per-step cap, the slippage model of each asset
 * (each model itself is given whole: its fields depend on its kind). `feeSplit` is not one of them: its two shares
 * sum to 1, so a split is given whole.
 */
const MERGED_BY_FIELD = ['insuranceFund', 'slippage'] as const;

/**
 * Every given section checked at its own path (its magnitudes too: the input domain's params bound), then the
 * parameters of them merged ({@link liquidationSection}); the defaults when none is given.
 */
export function checkLiquidationSections(options: { liquidation?: unknown; params?: unknown }, problems: ProblemList): LiquidationParams {
  const sections = liquidationSections(options);
  const params = checkedSections(sections, problems);
  // after the fields' own bounds: a number they refused is said once
  for (const { json, path } of sections) checkParamMagnitudes(json, problems, path);
  return params;
}

function checkedSections(sections: ReturnType<typeof liquidationSections>, problems: ProblemList): LiquidationParams {
  if (sections.length < 2) return checkLiquidationParams(sections[0]?.json, problems, sections[0]?.path);
  const before = problems.size;
  for (const { json, path } of sections) checkLiquidationParams(json, problems, path);
  // each was checked at its own path (its warnings said there): the merged fields are read without saying them again
  return checkLiquidationParams(problems.size > before ? undefined : mergedSection(sections), new ProblemList({ lenient: true }));
}
