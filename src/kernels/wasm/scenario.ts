/**
 * Typed access to the risk-array revaluation kernel (assembly/scenario/risk-arrays.ts, JS twin
 * src/kernels/js/scenario/risk-arrays.ts): one interface, {@link wasmScenario} and {@link jsScenario}
 * implementations that give the same bits for the same inputs.
 *
 * ## Layout
 * n instruments, U underlyings, S scenarios; every scenario quantity is per (underlying, scenario),
 * row-major `u·S + s`, so each underlying may have its own moves (a grid, or Monte Carlo draws):
 *
 *   riskArray[i·S + s] = value_i(spot_u·(1 + spotMove[u·S + s]), vol_i') − baseValue_i     (u = underlying[i])
 *
 * in USD per unit of the instrument's underlying exposure (per contract before the multiplier):
 * - option (kind 1): value = generalised BSM price (assembly/pricing/bsm.ts) at the shocked spot and
 *   vol_i' = max(vol_i·(1 + volShock[u·S + s]·volScale_i), min(volFloor_u, vol_i)), with expiryYears_i,
 *   strike_i, rate_u and carry_u. The floor bounds shocked vols from below but never lifts an option
 *   above its own vol: a zero shock prices at exactly vol_i, whatever the floor. baseValue_i is
 *   normally that price at the unshocked market (then a zero move and zero shock give exactly 0: the
 *   kernel's price at m = 0 is bit-identical to the Greeks kernel's price);
 * - linear (kind 0: future, perpetual, spot holding, collateral balance): riskArray = baseValue_i ·
 *   spotMove, i.e. baseValue_i is the mark (USD per unit) and the mark moves with its underlying.
 *
 * Domain (checked here, RangeError): spotMove > −1 and finite, spot > 0, strike > 0 for options,
 * volScale/vol/volShock/volFloor finite, underlying in [0, U). Callers validate business rules first.
 */
import { Column, type ColumnType } from '../../memory/columns.js';
import { KIND_LINEAR, KIND_OPTION, type RiskArrayColumns, riskArraysJs } from '../js/scenario/risk-arrays.js';
import type { WasmKernels } from './instance.js';

export { KIND_LINEAR, KIND_OPTION };

/** The scenario exports of assembly/index.ts. */
export interface ScenarioExports {
  riskArrays(nInstruments: number, nUnderlyings: number, nScenarios: number, argsPtr: number): void;
}

/** Column order of the riskArrays argument block (the ABI; same order in the AS file). */
export const RISK_ARRAY_COLUMNS = [
  'kind', 'underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue',
  'spot', 'rate', 'carry', 'volFloor', 'spotMove', 'volShock', 'logMove', 'riskArray',
] as const satisfies readonly (keyof RiskArrayColumns)[];

export const RISK_ARRAY_TYPES: Readonly<Record<keyof RiskArrayColumns, ColumnType>> = {
  kind: 'u8', underlying: 'i32', isCall: 'u8', strike: 'f64', expiryYears: 'f64', vol: 'f64', volScale: 'f64',
  baseValue: 'f64', spot: 'f64', rate: 'f64', carry: 'f64', volFloor: 'f64', spotMove: 'f64', volShock: 'f64',
  logMove: 'f64', riskArray: 'f64',
};

/** Inputs of {@link ScenarioKernels.riskArrays}. Units: USD, years, annualised decimal vols. */
export interface RiskArrayInput {
  /** Per instrument (length n): KIND_LINEAR or KIND_OPTION. */
  readonly kind: Uint8Array;
  /** Per instrument: its underlying's index in [0, U). */
  readonly underlying: Int32Array;
  /** Per instrument: 1 call, 0 put (ignored for linear). */
  readonly isCall: Uint8Array;
  readonly strike: Float64Array;
  readonly expiryYears: Float64Array;
  /** Implied vol (annual, decimal). */
  readonly vol: Float64Array;
  /** Multiplier of the vol shock for this instrument, e.g. (30/max(DTE, floor))^p. */
  readonly volScale: Float64Array;
  /** Option: value at the base market (USD); linear: the mark (USD per unit). */
  readonly baseValue: Float64Array;
  /** Per underlying (length U). */
  readonly spot: Float64Array;
  readonly rate: Float64Array;
  readonly carry: Float64Array;
  /** Lowest shocked vol (annual, decimal), for options whose own vol is above it (else their own vol). */
  readonly volFloor: Float64Array;
  /** Per (underlying, scenario), row-major U × S: relative spot move (−0.16 = down 16%). */
  readonly spotMove: Float64Array;
  /** Per (underlying, scenario): relative vol shock before volScale (+0.3 = vol up 30%). */
  readonly volShock: Float64Array;
}

export interface ScenarioKernels {
  readonly backend: 'wasm-simd' | 'wasm-scalar' | 'js';
  /** n × S risk array, row-major (S = spotMove.length / U). */
  riskArrays(input: RiskArrayInput, nScenarios: number): Float64Array;
}

// ---- shape and domain checks (both backends) ----------------------------------------------------

function shape(input: RiskArrayInput, nScenarios: number): { n: number; u: number } {
  if (!Number.isInteger(nScenarios) || nScenarios < 1) throw new RangeError(`nScenarios must be an integer ≥ 1, got ${nScenarios}`);
  const n = input.kind.length;
  const u = input.spot.length;
  for (const key of ['underlying', 'isCall', 'strike', 'expiryYears', 'vol', 'volScale', 'baseValue'] as const) {
    if (input[key].length !== n) throw new RangeError(`${key}: expected ${n} entries (one per instrument), got ${input[key].length}`);
  }
  for (const key of ['rate', 'carry', 'volFloor'] as const) {
    if (input[key].length !== u) throw new RangeError(`${key}: expected ${u} entries (one per underlying), got ${input[key].length}`);
  }
  for (const key of ['spotMove', 'volShock'] as const) {
    if (input[key].length !== u * nScenarios) throw new RangeError(`${key}: expected ${u}×${nScenarios} entries, got ${input[key].length}`);
  }
  for (let k = 0; k < input.spotMove.length; k++) {
    const m = input.spotMove[k];
    if (!(m > -1 && Number.isFinite(m))) throw new RangeError(`spotMove[${k}] must be finite and > −1, got ${m}`);
    if (!Number.isFinite(input.volShock[k])) throw new RangeError(`volShock[${k}] must be finite, got ${input.volShock[k]}`);
  }
  for (let j = 0; j < u; j++) {
    if (!(input.spot[j] > 0 && Number.isFinite(input.spot[j]))) throw new RangeError(`spot[${j}] must be finite and > 0, got ${input.spot[j]}`);
  }
  for (let i = 0; i < n; i++) {
    const k = input.kind[i];
    if (k !== KIND_LINEAR && k !== KIND_OPTION) throw new RangeError(`kind[${i}] must be ${KIND_LINEAR} or ${KIND_OPTION}, got ${k}`);
    const ul = input.underlying[i];
    if (!(ul >= 0 && ul < u)) throw new RangeError(`underlying[${i}] = ${ul} is outside [0, ${u})`);
    if (k === KIND_OPTION && !(input.strike[i] > 0 && Number.isFinite(input.strike[i]))) {
      throw new RangeError(`strike[${i}] must be finite and > 0, got ${input.strike[i]}`);
    }
  }
  return { n, u };
}

// ---- backends -------------------------------------------------------------------------------------

/** The risk-array kernel of one WASM instance (SIMD or scalar build). */
export function wasmScenario(kernels: WasmKernels): ScenarioKernels {
  const raw = kernels.raw;
  return {
    backend: kernels.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar',
    riskArrays(input, nScenarios) {
      const { n, u } = shape(input, nScenarios);
      const sizes: Record<keyof RiskArrayColumns, number> = {
        ...Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, k in input ? input[k as keyof RiskArrayInput].length : 0])),
        logMove: u * nScenarios,
        riskArray: n * nScenarios,
      } as Record<keyof RiskArrayColumns, number>;
      const held = RISK_ARRAY_COLUMNS.map((k) => Column.allocate(kernels.allocator, RISK_ARRAY_TYPES[k], sizes[k]));
      const args = Column.allocate(kernels.allocator, 'i32', RISK_ARRAY_COLUMNS.length);
      try {
        RISK_ARRAY_COLUMNS.forEach((k, c) => {
          if (k !== 'logMove' && k !== 'riskArray') (held[c].array as Float64Array).set(input[k] as Float64Array);
        });
        args.array.set(held.map((c) => c.ptr));
        raw.riskArrays(n, u, nScenarios, args.ptr);
        return (held[RISK_ARRAY_COLUMNS.indexOf('riskArray')].array as Float64Array).slice();
      } finally {
        for (const c of held) c.release();
        args.release();
      }
    },
  };
}

/** The JS twin behind the same interface. */
export function jsScenario(): ScenarioKernels {
  return {
    backend: 'js',
    riskArrays(input, nScenarios) {
      const { n, u } = shape(input, nScenarios);
      const riskArray = new Float64Array(n * nScenarios);
      riskArraysJs(n, u, nScenarios, { ...input, logMove: new Float64Array(u * nScenarios), riskArray });
      return riskArray;
    },
  };
}
