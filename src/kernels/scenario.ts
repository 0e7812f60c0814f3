/**
 * Typed access to the risk-array revaluation kernel (assembly/scenario/risk-arrays.ts, JS twin
 * src/kernels/js/scenario/risk-arrays.ts; column order in src/kernels/abi.ts): one interface, {@link wasmScenario} and {@link jsScenario}
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
import { Column } from '../memory/columns.js';
import { RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES } from './abi.js';
import type { BackendName } from './backend-name.js';
import { KIND_LINEAR, KIND_OPTION, type RiskArrayColumns, riskArraysJs } from './js/scenario/risk-arrays.js';
import type { WasmKernels } from './wasm/instance.js';

export { KIND_LINEAR, KIND_OPTION };

/** Inputs of {@link ScenarioKernels.riskArrays}: the kernel's columns but its scratch and output (units there). */
export type RiskArrayInput = Omit<RiskArrayColumns, 'logMove' | 'riskArray'>;

export interface ScenarioKernels {
  readonly backend: BackendName;
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
