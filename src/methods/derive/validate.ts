/**
 * Checks the `derive` section of the params JSON and merges it over {@link DEFAULT_DERIVE_PARAMS}, field by field
 * within each sub-section. Bounds are the ranges Derive's risk manager accepts for each parameter (PMRM_2's setters)
 * plus what keeps the arithmetic finite. Every problem has its path, e.g. `params.derive.scenarios[3].spotShock`.
 */
import { describeValue, ProblemList, type ProblemListOptions } from '../../errors.js';
import { checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, ownEntries } from '../../model/checks.js';
import {
  DEFAULT_DERIVE_PARAMS, type DeriveCollateral, type DeriveExpiryFeed, type DeriveParams, type DeriveScenario,
  type DeriveUnderlyingFeed, type DeriveVolShock,
} from './params.js';

const ROOT = 'params.derive';
const SECTION_FIELDS = knownFields('scenarios', 'volShock', 'skew', 'margin', 'basis', 'contingency', 'stablePrice', 'cashAsset', 'collateral', 'feeds');
const SCENARIO_FIELDS = knownFields('spotShock', 'vol', 'dampening');
const COLLATERAL_FIELDS = knownFields('riskCancelling', 'imHaircut', 'mmHaircut', 'confidence');
const FEED_FIELDS = knownFields('spotConfidence', 'perpConfidence', 'expiries');
const EXPIRY_FIELDS = knownFields('forward', 'rate', 'forwardFixed', 'forwardConfidence', 'rateConfidence', 'volConfidence');
const VOL_SHOCKS: readonly DeriveVolShock[] = ['up', 'down', 'none', 'linear', 'abs'];
/** Derive's risk manager holds at most 40 scenarios. */
export const MAX_SCENARIOS = 40;

type Range = readonly [min: number, max: number, open?: 'min' | 'max' | 'both'];

/** Bounds per numeric field of the plain sub-sections. */
const BOUNDS = {
  volShock: { rangeUp: [0, 10], rangeDown: [0, 10], shortTermPower: [0, 10], longTermPower: [0, 10], dteFloorDays: [0, 400], minVolUp: [0, 20] },
  skew: {
    linearCap: [0, 10], linearCapSlope: [-10, 10], absCap: [0, 10], absCapSlope: [-10, 10],
    minKStar: [0, 10], widthScale: [0, 10], volParamStatic: [0, 10], volParamScale: [-20, 20],
  },
  margin: {
    imFactor: [0.5, 10], mmFactor: [0.5, 10], longRateMultScale: [0, 10], longRateAddScale: [0, 10], longStaticDiscount: [0, 4],
    shortRateMultScale: [0, 10], shortRateAddScale: [0, 10], shortStaticDiscount: [0, 4],
  },
  basis: { spotUp: [1, 3, 'both'], spotDown: [0, 1, 'both'], addFactor: [0, 20], multFactor: [0, 20] },
  contingency: {
    pegLossThreshold: [0, 100], pegLossFactor: [0, 10], confThreshold: [0, 1], confMargin: [0, 20],
    mmPerpPercent: [0, 3], imPerpPercent: [0, 3], mmOptionPercent: [0, 2], imOptionPercent: [0, 2],
  },
} as const satisfies Record<string, Record<string, Range>>;

type PlainSection = keyof typeof BOUNDS;

/** As {@link checkDeriveParams}, throwing one InputError with every problem. */
export function validateDeriveParams(json: unknown, options: ProblemListOptions = {}): DeriveParams {
  const problems = new ProblemList(options);
  const out = checkDeriveParams(json, problems);
  problems.throwIfAny();
  return out;
}

/** The section (undefined → defaults) merged over the defaults; problems go to `problems` with their paths. */
export function checkDeriveParams(json: unknown, problems: ProblemList): DeriveParams {
  const d = DEFAULT_DERIVE_PARAMS;
  const out: DeriveParams = {
    scenarios: d.scenarios.map((s) => ({ ...s })),
    volShock: { ...d.volShock }, skew: { ...d.skew }, margin: { ...d.margin }, basis: { ...d.basis }, contingency: { ...d.contingency },
    stablePrice: d.stablePrice,
    cashAsset: d.cashAsset,
    collateral: dataRecord<DeriveCollateral>(),
    feeds: dataRecord<DeriveUnderlyingFeed>(),
  };
  if (json === undefined) return out;
  if (!isRecord(json)) {
    problems.add(ROOT, `expected an object with fields among ${SECTION_FIELDS.names.join(', ')}, got ${describeValue(json)}`);
    return out;
  }
  checkFields(json, SECTION_FIELDS, countDefined(json, SECTION_FIELDS.names), ROOT, problems);
  if (json.scenarios !== undefined) out.scenarios = checkScenarios(json.scenarios, `${ROOT}.scenarios`, problems);
  for (const section of Object.keys(BOUNDS) as PlainSection[]) {
    if (json[section] !== undefined) checkPlain(json[section], section, out[section] as unknown as Record<string, number>, problems);
  }
  if (json.stablePrice !== undefined) {
    const v = number(json.stablePrice, `${ROOT}.stablePrice`, [0, 1e6, 'min'], problems);
    if (v !== undefined) out.stablePrice = v;
  }
  if (json.cashAsset !== undefined) {
    if (json.cashAsset === null || (typeof json.cashAsset === 'string' && json.cashAsset !== '')) out.cashAsset = json.cashAsset;
    else problems.add(`${ROOT}.cashAsset`, `expected an asset symbol or null, got ${describeValue(json.cashAsset)}`);
  }
  if (json.collateral !== undefined) checkRecord(json.collateral, `${ROOT}.collateral`, 'asset symbol', problems, (v, path) => checkCollateral(v, path, problems), out.collateral);
  if (out.cashAsset !== null && Object.hasOwn(out.collateral, out.cashAsset)) {
    problems.add(keyPath(`${ROOT}.collateral`, out.cashAsset), `${JSON.stringify(out.cashAsset)} is the cash asset (cashAsset): its balances are cash, not a collateral with terms`);
  }
  if (json.feeds !== undefined) checkRecord(json.feeds, `${ROOT}.feeds`, 'underlying symbol', problems, (v, path) => checkFeed(v, path, problems), out.feeds);
  return out;
}


function number(v: unknown, path: string, [min, max, open]: Range, problems: ProblemList): number | undefined {
  const minOpen = open === 'min' || open === 'both', maxOpen = open === 'max' || open === 'both';
  const ok = typeof v === 'number' && Number.isFinite(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
  if (ok) return v;
  problems.add(path, `expected a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}, got ${describeValue(v)}`);
  return undefined;
}

function checkPlain(v: unknown, section: PlainSection, into: Record<string, number>, problems: ProblemList): void {
  const path = `${ROOT}.${section}`;
  const bounds = BOUNDS[section] as Record<string, Range>;
  const fields = knownFields(...Object.keys(bounds));
  if (!isRecord(v)) {
    problems.add(path, `expected an object with fields among ${fields.names.join(', ')}, got ${describeValue(v)}`);
    return;
  }
  checkFields(v, fields, countDefined(v, fields.names), path, problems);
  for (const key of fields.names) {
    if (v[key] === undefined) continue;
    const x = number(v[key], `${path}.${key}`, bounds[key], problems);
    if (x !== undefined) into[key] = x;
  }
}

function checkScenarios(v: unknown, path: string, problems: ProblemList): DeriveScenario[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SCENARIOS) {
    problems.add(path, `expected an array of 1 to ${MAX_SCENARIOS} scenarios { spotShock, vol, dampening }, got ${describeValue(v)}`);
    return DEFAULT_DERIVE_PARAMS.scenarios;
  }
  const seen = new Set<string>();
  return v.map((s, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(s)) {
      problems.add(at, `expected { spotShock, vol, dampening }, got ${describeValue(s)}`);
      return { spotShock: 1, vol: 'none', dampening: 1 };
    }
    checkFields(s, SCENARIO_FIELDS, countDefined(s, SCENARIO_FIELDS.names), at, problems);
    const spotShock = number(s.spotShock, `${at}.spotShock`, [0, 100, 'min'], problems) ?? 1;
    const dampening = number(s.dampening, `${at}.dampening`, [0, 100], problems) ?? 1;
    let vol: DeriveVolShock = 'none';
    if (typeof s.vol === 'string' && (VOL_SHOCKS as readonly string[]).includes(s.vol)) vol = s.vol as DeriveVolShock;
    else problems.add(`${at}.vol`, `expected one of ${VOL_SHOCKS.map((x) => `"${x}"`).join(', ')}, got ${describeValue(s.vol)}`);
    if (vol === 'linear' || vol === 'abs') {
      // a skew scenario rotates the vol surface around today's forward: Derive refuses one with a spot move
      if (spotShock !== 1) problems.add(`${at}.spotShock`, `a "${vol}" skew scenario needs spotShock 1, got ${spotShock}`);
      if (seen.has(vol)) problems.add(`${at}.vol`, `at most one "${vol}" skew scenario`);
      seen.add(vol);
    }
    return { spotShock, vol, dampening };
  });
}

function checkRecord<T>(v: unknown, path: string, what: string, problems: ProblemList, check: (v: unknown, path: string, key: string) => T | undefined, into: Record<string, T>): void {
  if (!isRecord(v)) {
    problems.add(path, `expected an object keyed by ${what}, got ${describeValue(v)}`);
    return;
  }
  for (const [key, value] of ownEntries(v)) {
    const x = check(value, keyPath(path, key), key);
    if (x !== undefined) into[key] = x;
  }
}

function checkCollateral(v: unknown, path: string, problems: ProblemList): DeriveCollateral | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { riskCancelling, imHaircut, mmHaircut, confidence }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, COLLATERAL_FIELDS, countDefined(v, COLLATERAL_FIELDS.names), path, problems);
  const rc = v.riskCancelling ?? null;
  if (rc !== null && (typeof rc !== 'string' || rc === '')) problems.add(`${path}.riskCancelling`, `expected an underlying symbol or null, got ${describeValue(rc)}`);
  const imHaircut = v.imHaircut === undefined ? 0 : number(v.imHaircut, `${path}.imHaircut`, [0, 1], problems);
  const mmHaircut = v.mmHaircut === undefined ? 0 : number(v.mmHaircut, `${path}.mmHaircut`, [0, 1], problems);
  const confidence = v.confidence === undefined ? 1 : number(v.confidence, `${path}.confidence`, [0, 1], problems);
  if (imHaircut !== undefined && mmHaircut !== undefined && imHaircut + mmHaircut > 1) {
    problems.add(`${path}.imHaircut`, `imHaircut + mmHaircut = ${imHaircut + mmHaircut} exceeds 1 (IM charges both)`);
  }
  if (problems.size !== before) return undefined;
  return { riskCancelling: rc as string | null, imHaircut: imHaircut as number, mmHaircut: mmHaircut as number, confidence: confidence as number };
}

function checkFeed(v: unknown, path: string, problems: ProblemList): DeriveUnderlyingFeed | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { spotConfidence, perpConfidence, expiries }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, FEED_FIELDS, countDefined(v, FEED_FIELDS.names), path, problems);
  const conf = (key: string): number => (v[key] === undefined ? 1 : number(v[key], `${path}.${key}`, [0, 1], problems) ?? 1);
  const feed: DeriveUnderlyingFeed = { spotConfidence: conf('spotConfidence'), perpConfidence: conf('perpConfidence'), expiries: dataRecord<DeriveExpiryFeed>() };
  if (v.expiries !== undefined) {
    checkRecord(v.expiries, `${path}.expiries`, 'expiry (ISO-8601, as the options give it)', problems, (e, at, key) => {
      if (!/(Z|[+-]\d\d:\d\d)$/.test(key) || !Number.isFinite(Date.parse(key))) {
        problems.add(at, 'expected an ISO-8601 expiry with a time zone as key, e.g. "2026-12-25T08:00:00Z"');
        return undefined;
      }
      return checkExpiry(e, at, problems);
    }, feed.expiries);
  }
  return problems.size === before ? feed : undefined;
}

function checkExpiry(v: unknown, path: string, problems: ProblemList): DeriveExpiryFeed | undefined {
  if (!isRecord(v)) {
    problems.add(path, `expected { forward, rate, forwardFixed, forwardConfidence, rateConfidence, volConfidence }, got ${describeValue(v)}`);
    return undefined;
  }
  const before = problems.size;
  checkFields(v, EXPIRY_FIELDS, countDefined(v, EXPIRY_FIELDS.names), path, problems);
  const conf = (key: string): number => (v[key] === undefined ? 1 : number(v[key], `${path}.${key}`, [0, 1], problems) ?? 1);
  const forward = v.forward === undefined ? undefined : number(v.forward, `${path}.forward`, [0, 1e15, 'min'], problems);
  const rate = v.rate === undefined ? undefined : number(v.rate, `${path}.rate`, [-10, 10], problems);
  const forwardFixed = v.forwardFixed === undefined ? 0 : number(v.forwardFixed, `${path}.forwardFixed`, [0, 1e15], problems) ?? 0;
  if (forward !== undefined && !(forwardFixed <= forward)) problems.add(`${path}.forwardFixed`, `the fixed part ${forwardFixed} exceeds the forward ${forward}`);
  if (forward === undefined && forwardFixed !== 0) problems.add(`${path}.forwardFixed`, 'a fixed part needs the forward it is part of (forward)');
  const feed: DeriveExpiryFeed = {
    ...(forward !== undefined ? { forward } : {}),
    ...(rate !== undefined ? { rate } : {}),
    forwardFixed, forwardConfidence: conf('forwardConfidence'), rateConfidence: conf('rateConfidence'), volConfidence: conf('volConfidence'),
  };
  return problems.size === before ? feed : undefined;
}
