/**
 * Revaluation of every option once per (vol family, spot shock), on the shared risk-array kernel
 * (src/kernels/scenario.ts: WASM with a bit-identical JS twin). Accounts then read values from the table; no option
 * is priced once per account.
 *
 * Black-76 through the kernel's generalised BSM: each expiry is a kernel "underlying" whose spot is the expiry's
 * forward F and whose rate and carry are both its (floored) rate r, so the kernel prices e^(−rτ)·Black76(F, K, σ, τ).
 * A scenario multiplies the spot-driven part of the forward by its shock: F' = F·(1 + (shock − 1)·variableShare).
 * Vols are shocked before the kernel (its own vol shock and floor are set to 0): each option has one row per vol
 * family with the family's vol, so Derive's floor (vol-up scenarios never below minVolUp, even for an option whose
 * vol is lower) and the per-strike skew multipliers are exact.
 */
import { KIND_OPTION, type RiskArrayInput } from '../../kernels/scenario.js';
import type { DeriveParams, DeriveVolShock } from './params.js';
import { type ExpiryTerms, skewMultiplier } from './terms.js';

/** Vol families in row order: one risk-array row per (option, family). */
export const FAMILIES: readonly DeriveVolShock[] = ['none', 'up', 'down', 'linear', 'abs'];
export const FAMILY_COUNT = FAMILIES.length;
export const FAMILY_NONE = 0;

/** One option instrument: its expiry (index into the expiry terms), strike (USD), right and vol (annual decimal). */
export interface OptionSpec {
  expiry: number;
  strike: number;
  isCall: boolean;
  vol: number;
}

/** The kernel that fills a risk array (src/kernels/scenario.ts ScenarioKernels.riskArrays, or an adapter of it). */
export type RiskArrayRunner = (input: RiskArrayInput, nScenarios: number) => Float64Array;

/** The scenario columns: distinct spot shocks, and each scenario's column and vol family. */
export interface ShockColumns {
  shocks: Float64Array;
  /** Column of each params scenario, then of spot 1, basis up, basis down. */
  scenarioColumn: Int32Array;
  scenarioFamily: Int32Array;
  unitColumn: number;
  basisUpColumn: number;
  basisDownColumn: number;
}

export function shockColumns(params: DeriveParams): ShockColumns {
  const shocks: number[] = [];
  const column = (x: number): number => {
    const at = shocks.indexOf(x);
    if (at >= 0) return at;
    shocks.push(x);
    return shocks.length - 1;
  };
  const unitColumn = column(1);
  const basisUpColumn = column(params.basis.spotUp);
  const basisDownColumn = column(params.basis.spotDown);
  const scenarioColumn = Int32Array.from(params.scenarios, (s) => column(s.spotShock));
  const scenarioFamily = Int32Array.from(params.scenarios, (s) => FAMILIES.indexOf(s.vol));
  return { shocks: Float64Array.from(shocks), scenarioColumn, scenarioFamily, unitColumn, basisUpColumn, basisDownColumn };
}

/** The shocked vol of an option in a family (annual decimal). */
export function familyVol(o: OptionSpec, t: ExpiryTerms, family: number, params: DeriveParams): number {
  switch (FAMILIES[family]) {
    case 'up': return Math.max(params.volShock.minVolUp, o.vol * t.volUp);
    case 'down': return o.vol * t.volDown;
    case 'linear': return o.vol * skewMultiplier(o.strike, t, false);
    case 'abs': return o.vol * skewMultiplier(o.strike, t, true);
    default: return o.vol;
  }
}

/** The kernel's input: rows (option o, family f) at o·FAMILY_COUNT + f; underlyings = expiries; scenarios = shock columns. */
export function revaluationInput(options: readonly OptionSpec[], expiries: readonly ExpiryTerms[], columns: ShockColumns, params: DeriveParams): RiskArrayInput {
  const n = options.length * FAMILY_COUNT, E = expiries.length, M = columns.shocks.length;
  const input: RiskArrayInput = {
    kind: new Uint8Array(n).fill(KIND_OPTION),
    underlying: new Int32Array(n),
    isCall: new Uint8Array(n),
    strike: new Float64Array(n),
    expiryYears: new Float64Array(n),
    vol: new Float64Array(n),
    volScale: new Float64Array(n),
    baseValue: new Float64Array(n),
    spot: new Float64Array(E),
    rate: new Float64Array(E),
    carry: new Float64Array(E),
    volFloor: new Float64Array(E),
    spotMove: new Float64Array(E * M),
    volShock: new Float64Array(E * M),
  };
  options.forEach((o, i) => {
    const t = expiries[o.expiry];
    for (let f = 0; f < FAMILY_COUNT; f++) {
      const row = i * FAMILY_COUNT + f;
      input.underlying[row] = o.expiry;
      input.isCall[row] = o.isCall ? 1 : 0;
      input.strike[row] = o.strike;
      input.expiryYears[row] = t.years;
      input.vol[row] = familyVol(o, t, f, params);
    }
  });
  expiries.forEach((t, e) => {
    input.spot[e] = t.forward;
    input.rate[e] = t.flooredRate;
    input.carry[e] = t.flooredRate; // carry = rate: BSM on the forward is Black-76
    for (let c = 0; c < M; c++) input.spotMove[e * M + c] = (columns.shocks[c] - 1) * t.variableShare;
  });
  return input;
}

/**
 * Value table (USD per contract): value[(o·FAMILY_COUNT + f)·M + c] is option o's discounted Black-76 value with
 * family f's vol at shock column c.
 */
export function revalue(options: readonly OptionSpec[], expiries: readonly ExpiryTerms[], columns: ShockColumns, params: DeriveParams, riskArrays: RiskArrayRunner): Float64Array {
  if (options.length === 0) return new Float64Array(0);
  return riskArrays(revaluationInput(options, expiries, columns, params), columns.shocks.length);
}
