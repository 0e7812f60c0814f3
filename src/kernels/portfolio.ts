/**
 * Typed access to the portfolio-margin reduction kernel (assembly/portfolio/reduce.ts, JS twin
 * src/kernels/js/portfolio/reduce.ts): {@link wasmPortfolio} and {@link jsPortfolio} give the same bits.
 *
 * ## Layout
 * A *group* is one account's exposures to one underlying u: slots [groupStart[g], groupEnd[g]) of
 * the slot columns, each naming a risk-array row (`slotRow`, i32) and its scale (`slotScale`, f64:
 * quantity × contract multiplier for a position, the amount for a collateral balance). With the
 * risk array R (rows × S, src/kernels/scenario.ts) and weights W (underlyings × S; 1 on the grid,
 * the dampening weight on tail scenarios):
 *
 *   pnl[s] = Σ_k slotScale[k]·R[slotRow[k]·S + s]          (USD, gain > 0; k ascending)
 *   worstLoss[g] = max(0, max_s (−pnl[s])·W[u·S + s]),  worstScenario[g] = the smallest s reaching it
 *
 * A non-finite P&L makes worstLoss NaN and worstScenario −1 (the account then gets status `error`).
 * `pnl` is scratch (S f64) for the group being reduced.
 */
import { Column } from '../memory/columns.js';
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES } from './abi.js';
import type { BackendName } from './backend-name.js';
import { portfolioReduceJs, type ReduceColumns } from './js/portfolio/reduce.js';
import type { WasmKernels } from './wasm/instance.js';

export type ReduceInput = Omit<ReduceColumns, 'worstLoss' | 'worstScenario' | 'pnl'>;

export interface ReduceResult {
  readonly worstLoss: Float64Array;
  readonly worstScenario: Int32Array;
}

export interface PortfolioKernels {
  readonly backend: BackendName;
  reduce(input: ReduceInput, nScenarios: number): ReduceResult;
}

/** Shape and index checks (RangeError: a caller's programming error). Returns the group count. */
export function checkReduceInput(c: ReduceInput, nScenarios: number): number {
  if (!Number.isInteger(nScenarios) || nScenarios < 1) throw new RangeError(`nScenarios must be an integer ≥ 1, got ${nScenarios}`);
  const nGroups = c.groupStart.length;
  if (c.groupEnd.length !== nGroups || c.groupUnderlying.length !== nGroups) throw new RangeError('groupStart, groupEnd and groupUnderlying differ in length');
  if (c.slotRow.length !== c.slotScale.length) throw new RangeError('slotRow and slotScale differ in length');
  if (c.riskArray.length % nScenarios !== 0 || c.weight.length % nScenarios !== 0) throw new RangeError(`riskArray and weight lengths must be multiples of ${nScenarios}`);
  const rows = c.riskArray.length / nScenarios, underlyings = c.weight.length / nScenarios;
  for (let g = 0; g < nGroups; g++) {
    if (!(c.groupStart[g] >= 0 && c.groupStart[g] <= c.groupEnd[g] && c.groupEnd[g] <= c.slotRow.length)) throw new RangeError(`group ${g}: slots [${c.groupStart[g]}, ${c.groupEnd[g]}) outside [0, ${c.slotRow.length}]`);
    if (!(c.groupUnderlying[g] >= 0 && c.groupUnderlying[g] < underlyings)) throw new RangeError(`group ${g}: underlying ${c.groupUnderlying[g]} outside [0, ${underlyings})`);
    for (let k = c.groupStart[g]; k < c.groupEnd[g]; k++) {
      if (!(c.slotRow[k] >= 0 && c.slotRow[k] < rows)) throw new RangeError(`slot ${k}: row ${c.slotRow[k]} outside [0, ${rows})`);
    }
  }
  return nGroups;
}

export function wasmPortfolio(kernels: WasmKernels): PortfolioKernels {
  const raw = kernels.raw;
  return {
    backend: kernels.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar',
    reduce(input, nScenarios) {
      const nGroups = checkReduceInput(input, nScenarios);
      const held = PORTFOLIO_REDUCE_COLUMNS.map((k) => {
        const length = k === 'worstLoss' || k === 'worstScenario' ? nGroups : k === 'pnl' ? nScenarios : input[k].length;
        return Column.allocate(kernels.allocator, PORTFOLIO_REDUCE_TYPES[k], length);
      });
      const args = Column.allocate(kernels.allocator, 'i32', held.length);
      try {
        PORTFOLIO_REDUCE_COLUMNS.forEach((k, c) => {
          if (k !== 'worstLoss' && k !== 'worstScenario' && k !== 'pnl') (held[c].array as Float64Array).set(input[k] as Float64Array);
        });
        args.array.set(held.map((c) => c.ptr));
        raw.portfolioReduce(nGroups, nScenarios, args.ptr);
        const at = (k: (typeof PORTFOLIO_REDUCE_COLUMNS)[number]) => held[PORTFOLIO_REDUCE_COLUMNS.indexOf(k)].array;
        return { worstLoss: (at('worstLoss') as Float64Array).slice(), worstScenario: (at('worstScenario') as Int32Array).slice() };
      } finally {
        for (const c of held) c.release();
        args.release();
      }
    },
  };
}

export function jsPortfolio(): PortfolioKernels {
  return {
    backend: 'js',
    reduce(input, nScenarios) {
      const nGroups = checkReduceInput(input, nScenarios);
      const out = { worstLoss: new Float64Array(nGroups), worstScenario: new Int32Array(nGroups) };
      portfolioReduceJs(nGroups, nScenarios, { ...input, ...out, pnl: new Float64Array(nScenarios) });
      return out;
    },
  };
}
