/**
 * Stress shocks: the JSON a user writes (docs in the README's "Stress testing"), validated with paths against the
 * market, and resolved into exogenous market moves, one per step of the shock.
 *
 * An instantaneous shock is one step combining any of: `spot` (relative moves per asset), `volPoints` (vol shifts in
 * vol points: 10 = +0.10), `depeg` (an asset's new price, e.g. USDC at 0.92), `historical` (a day's returns per
 * asset), `correlated` (a k-sigma move of one asset over `horizonDays`, every other asset moving by ρ·σ_v/σ_u of it).
 * Their returns compound: (1 + r₁)(1 + r₂) − 1. A `path` is instead a series of snapshots of spot prices (USD) and
 * vol shifts, each step moving the market by the snapshot's price over the previous one's (the first over the
 * market's); the cascade runs to its fixed point after every step.
 */
import { describeValue, type InputProblem, ProblemList, type ProblemListOptions } from '../errors.js';
import { boundedNumber, checkFields, countDefined, dataRecord, isRecord, keyPath, knownFields, nearestName, ownEntries } from '../model/checks.js';
import { compoundReturn, type MarketMove } from '../model/move-market.js';
import type { ValidatedMarket } from '../model/types.js';
import { parseIsoTimestamp } from '../model/time.js';
import { money } from '../margin/money-text.js';
import { correlationMissingMessage, stressCorrelation } from '../model/validate-market.js';
import { DOMAIN, domainProblem, type MagnitudeBound } from '../model/domain.js';
import { type ImpactModel, MAX_HORIZON_DAYS, type StressParams } from './params.js';
import { defaultStressParams, mergeImpact } from './validate.js';

export interface Shock {
  name?: string | undefined;
  description?: string | undefined;
  spot?: Record<string, number> | undefined;
  volPoints?: Record<string, number> | undefined;
  depeg?: Record<string, number> | undefined;
  historical?: { date: string; returns: Record<string, number> } | undefined;
  correlated?: { asset: string; sigmas: number; horizonDays?: number | undefined } | undefined;
  path?: { prices?: Record<string, number> | undefined; volPoints?: Record<string, number> | undefined }[] | undefined;
  impact?: unknown;
  contagion?: boolean | undefined;
  /** Locations of `params.locations.at` halted by the shock (a bridge halt): collateral there counts for nothing. */
  freezeLocations?: string[] | undefined;
}

/** One exogenous move of the market, before any cascade. */
export interface ShockStep {
  label: string;
  move: MarketMove;
}

export interface ValidShock {
  name: string;
  description?: string | undefined;
  steps: ShockStep[];
  /** The stress parameters with the shock's impact and contagion merged over them. */
  params: StressParams;
  /** Locations frozen from the shock on (`freezeLocations`): every shocked margin run counts nothing held there. */
  freezeLocations: string[];
  warnings: InputProblem[];
}

const FIELDS = knownFields('$schema', 'name', 'description', 'spot', 'volPoints', 'depeg', 'historical', 'correlated', 'path', 'impact', 'contagion', 'freezeLocations');
const INSTANT = ['spot', 'volPoints', 'depeg', 'historical', 'correlated'] as const;
const HISTORICAL_FIELDS = knownFields('date', 'returns');
const CORRELATED_FIELDS = knownFields('asset', 'sigmas', 'horizonDays');
const SNAPSHOT_FIELDS = knownFields('prices', 'volPoints');

/**
 * Validates a shock against `market` (every asset it names must be priced there) and resolves it into steps.
 * Throws InputError listing every problem with its path (`shock.spot.BTX: unknown asset (did you mean "BTC"?)`).
 */
export function validateShock(json: unknown, market: ValidatedMarket, base: StressParams = defaultStressParams(), options: ProblemListOptions = {}): ValidShock {
  const problems = new ProblemList(options);
  const path = 'shock';
  const params: StressParams = { ...base, impact: Object.assign(dataRecord<ImpactModel>(), base.impact) };
  const steps: ShockStep[] = [];
  let name = 'shock';
  let description: string | undefined;
  const freezeLocations: string[] = [];
  if (!isRecord(json)) problems.add(path, `expected an object, got ${describeValue(json)}`);
  else {
    checkFields(json, FIELDS, countDefined(json, FIELDS.names), path, problems);
    if (json.name !== undefined) {
      if (typeof json.name === 'string' && json.name !== '') name = json.name;
      else problems.add(`${path}.name`, `expected a non-empty string, got ${describeValue(json.name)}`);
    }
    if (json.description !== undefined) {
      if (typeof json.description === 'string') description = json.description;
      else problems.add(`${path}.description`, `expected a string, got ${describeValue(json.description)}`);
    }
    mergeImpact(json, path, problems, params);
    if (json.freezeLocations !== undefined) {
      const list = json.freezeLocations;
      if (!Array.isArray(list)) problems.add(`${path}.freezeLocations`, `expected an array of location names, got ${describeValue(list)}`);
      else list.forEach((name, k) => {
        if (typeof name === 'string' && name !== '') freezeLocations.push(name);
        else problems.add(`${path}.freezeLocations[${k}]`, `expected a location name of params.locations.at, got ${describeValue(name)}`);
      });
    }
    const instant = INSTANT.filter((k) => json[k] !== undefined);
    if (json.path !== undefined && instant.length > 0) {
      problems.add(`${path}.path`, `a path cannot be combined with ${instant.join(', ')}: put the instantaneous move in its first snapshot`);
    } else if (json.path !== undefined) steps.push(...pathSteps(json.path, `${path}.path`, market, problems));
    else if (instant.length === 0 && json.freezeLocations !== undefined) {
      if (freezeLocations.length > 0) steps.push({ label: '', move: { returns: new Map(), volShift: new Map() } });
      else if (Array.isArray(json.freezeLocations) && json.freezeLocations.length === 0) problems.add(`${path}.freezeLocations`, 'no move: an empty list freezes nothing, and no price or vol moves (name a location, or give a move)');
    } else if (instant.length === 0) problems.add(path, `no move: expected at least one of ${[...INSTANT, 'path', 'freezeLocations'].join(', ')}`);
    else {
      const before = problems.size;
      const step = instantStep(json, path, market, problems);
      // fields given that name no asset ({ spot: {} }): a shock of nothing, refused as {} is (a reverse search would scale it 400 times)
      if (step !== null && problems.size === before && freezeLocations.length === 0 && step.move.returns.size === 0 && step.move.volShift.size === 0) problems.add(path, `no move: ${instant.join(', ')} ${instant.length === 1 ? 'names' : 'name'} no asset that moves`);
      else if (step !== null) steps.push(step);
    }
  }
  problems.throwIfAny();
  if (freezeLocations.length > 0 && steps.length > 0) {
    const frozen = `${freezeLocations.join(', ')} frozen`;
    steps[0] = { ...steps[0], label: steps[0].label === '' ? frozen : `${steps[0].label}; ${frozen}` };
  }
  return { name, ...(description !== undefined ? { description } : {}), steps, params, freezeLocations, warnings: problems.takeWarnings() };
}

function instantStep(json: Record<string, unknown>, path: string, market: ValidatedMarket, problems: ProblemList): ShockStep | null {
  const returns = new Map<string, number>();
  const compound = (asset: string, r: number) => returns.set(asset, compoundReturn(returns.get(asset), r));
  const labels: string[] = [];
  for (const [asset, r] of assetNumbers(json.spot, `${path}.spot`, market, problems, { min: -1, minOpen: true }, DOMAIN.move)) {
    compound(asset, r);
    labels.push(`${asset} ${percent(r)}`);
  }
  for (const [asset, price] of assetNumbers(json.depeg, `${path}.depeg`, market, problems, { min: 0, minOpen: true }, DOMAIN.price)) {
    compound(asset, price / (market.assets.get(asset) as { price: number }).price - 1);
    labels.push(`${asset} at ${price}`);
  }
  if (json.historical !== undefined) {
    const h = json.historical, at = `${path}.historical`;
    if (!isRecord(h)) problems.add(at, `expected { date, returns }, got ${describeValue(h)}`);
    else {
      checkFields(h, HISTORICAL_FIELDS, countDefined(h, HISTORICAL_FIELDS.names), at, problems);
      if (typeof h.date !== 'string' || h.date === '') problems.add(`${at}.date`, `expected the day's date as a string, got ${describeValue(h.date)}`);
      else if (!isDay(h.date)) problems.add(`${at}.date`, `expected the day's date, e.g. 2020-03-12 (or an ISO-8601 timestamp with a zone), got ${describeValue(h.date)}`);
      else labels.push(`the returns of ${h.date}`);
      if (h.returns === undefined) problems.add(`${at}.returns`, 'missing (expected the returns per asset)');
      for (const [asset, r] of assetNumbers(h.returns, `${at}.returns`, market, problems, { min: -1, minOpen: true }, DOMAIN.move)) compound(asset, r);
    }
  }
  if (json.correlated !== undefined) {
    const c = correlatedReturns(json.correlated, `${path}.correlated`, market, problems);
    if (c) {
      for (const [asset, r] of c.returns) compound(asset, r);
      labels.push(c.label);
    }
  }
  const volShift = new Map<string, number>();
  for (const [asset, points] of assetNumbers(json.volPoints, `${path}.volPoints`, market, problems, { min: -1000, max: 1000 })) {
    volShift.set(asset, points / 100);
    labels.push(`${asset} vol ${points >= 0 ? '+' : ''}${points} pts`);
  }
  return { label: labels.join(', '), move: { returns, volShift } };
}

/** A k-sigma move of `asset` over the horizon, the others by ρ·σ_v/σ_u of it: r_v = k·ρ_uv·σ_v·√(h/365). */
function correlatedReturns(c: unknown, at: string, market: ValidatedMarket, problems: ProblemList): { returns: Map<string, number>; label: string } | null {
  if (!isRecord(c)) {
    problems.add(at, `expected { asset, sigmas, horizonDays }, got ${describeValue(c)}`);
    return null;
  }
  checkFields(c, CORRELATED_FIELDS, countDefined(c, CORRELATED_FIELDS.names), at, problems);
  const sigmas = boundedNumber(c.sigmas, `${at}.sigmas`, problems, { min: -50, max: 50, required: true });
  const horizonDays = boundedNumber(c.horizonDays, `${at}.horizonDays`, problems, { min: 0, minOpen: true, max: MAX_HORIZON_DAYS }) ?? 1;
  const asset = knownAsset(c.asset, `${at}.asset`, market, problems);
  if (asset === null || sigmas === undefined) return null;
  const correlation = stressCorrelation(market); // the market's, or one risky asset's alone
  if (correlation === null) {
    problems.add('market.correlation', correlationMissingMessage('a correlated shock'));
    return null;
  }
  const names = correlation.assets, n = names.length;
  const u = names.indexOf(asset);
  const sigmaU = (market.assets.get(asset) as { vol: number }).vol;
  if (u < 0 || !(sigmaU > 0)) {
    problems.add(`${at}.asset`, `${asset} has no vol in the market's correlation matrix: a correlated shock needs one`);
    return null;
  }
  const scale = sigmas * Math.sqrt(horizonDays / 365);
  const returns = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    const sigmaV = market.assets.get(names[v])?.vol ?? 0;
    const r = scale * correlation.matrix[u * n + v] * sigmaV;
    if (r !== 0) returns.set(names[v], r);
  }
  return { returns, label: `${asset} ${sigmas}σ over ${horizonDays} day${horizonDays === 1 ? '' : 's'} (${percent(returns.get(asset) ?? 0)}), correlated` };
}

function pathSteps(json: unknown, at: string, market: ValidatedMarket, problems: ProblemList): ShockStep[] {
  if (!Array.isArray(json) || json.length === 0) {
    problems.add(at, `expected a non-empty array of snapshots { prices, volPoints }, got ${Array.isArray(json) ? 'an empty array' : describeValue(json)}`);
    return [];
  }
  const level = new Map<string, number>();
  for (const [symbol, a] of market.assets) level.set(symbol, a.price);
  return json.map((snap: unknown, k) => {
    const p = `${at}[${k}]`, before = problems.size;
    const returns = new Map<string, number>(), volShift = new Map<string, number>();
    if (!isRecord(snap)) problems.add(p, `expected { prices, volPoints }, got ${describeValue(snap)}`);
    else if (snap.prices === undefined && snap.volPoints === undefined) problems.add(p, 'no move: expected prices, volPoints or both');
    else {
      checkFields(snap, SNAPSHOT_FIELDS, countDefined(snap, SNAPSHOT_FIELDS.names), p, problems);
      for (const [asset, price] of assetNumbers(snap.prices, `${p}.prices`, market, problems, { min: 0, minOpen: true }, DOMAIN.price)) {
        returns.set(asset, price / (level.get(asset) as number) - 1);
        level.set(asset, price);
      }
      for (const [asset, points] of assetNumbers(snap.volPoints, `${p}.volPoints`, market, problems, { min: -1000, max: 1000 })) volShift.set(asset, points / 100);
    }
    if (problems.size === before && returns.size === 0 && volShift.size === 0) problems.add(p, 'no move: its prices and volPoints name no asset');
    const moved = [...returns].map(([asset, r]) => `${asset} ${percent(r)}`);
    return { label: `snapshot ${k + 1}${moved.length ? `: ${moved.join(', ')}` : ''}`, move: { returns, volShift } };
  });
}

/** The (asset, number) entries of a record keyed by asset symbol; unknown assets and bad numbers are problems. */
function assetNumbers(json: unknown, at: string, market: ValidatedMarket, problems: ProblemList, bounds: Parameters<typeof boundedNumber>[3], domain?: MagnitudeBound): [string, number][] {
  if (json === undefined) return [];
  if (!isRecord(json)) {
    problems.add(at, `expected an object keyed by asset symbol, got ${describeValue(json)}`);
    return [];
  }
  const out: [string, number][] = [];
  for (const [asset, v] of ownEntries(json)) {
    const path = keyPath(at, asset);
    if (knownAsset(asset, path, market, problems) === null) continue;
    const x = boundedNumber(v, path, problems, { ...bounds, required: true });
    // and the input domain's bound (src/model/domain.ts): no denormal move, no price beyond the domain's
    const wrong = x === undefined || domain === undefined ? null : domainProblem(domain, x);
    if (wrong !== null) problems.add(path, wrong);
    else if (x !== undefined) out.push([asset, x]);
  }
  return out;
}

function knownAsset(asset: unknown, path: string, market: ValidatedMarket, problems: ProblemList): string | null {
  if (typeof asset !== 'string' || asset === '') {
    problems.add(path, `expected an asset symbol, got ${describeValue(asset)}`);
    return null;
  }
  if (market.assets.has(asset)) return asset;
  const near = nearestName(asset, [...market.assets.keys()]);
  problems.add(path, `unknown asset${near ? ` (did you mean ${JSON.stringify(near)}?)` : ' (not in the market)'}`);
  return null;
}

function percent(r: number): string {
  const digits = Math.abs(r) < 0.1 ? 2 : 1;
  // grouped above 1,000% as the report's percentages are (+100,000,000.0%)
  return `${r >= 0 ? '+' : ''}${Math.abs(r) >= 10 ? money(r * 100, digits) : (r * 100).toFixed(digits)}%`;
}

/** A calendar day written YYYY-MM-DD (2020-03-12; not 2020-02-30), or an ISO-8601 timestamp with a zone. */
function isDay(text: string): boolean {
  return !Number.isNaN(parseIsoTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text));
}
