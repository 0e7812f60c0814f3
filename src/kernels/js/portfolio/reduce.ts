/**
 * Portfolio margin reduction, the JS twin of assembly/portfolio/reduce.ts (same order of operations,
 * same bits): per group, pnl[s] = Σ_k scale[k]·risk[row[k]·S + s] (slots ascending, from +0), loss[s] =
 * (−pnl[s])·weight[u·S + s], worst = the largest loss floored at +0, at the smallest scenario index
 * reaching it; any non-finite loss gives NaN and scenario −1. Layout: src/kernels/portfolio.ts.
 */

export interface ReduceColumns {
  readonly groupStart: Int32Array;
  readonly groupEnd: Int32Array;
  readonly groupUnderlying: Int32Array;
  readonly slotRow: Int32Array;
  readonly slotScale: Float64Array;
  readonly riskArray: Float64Array;
  readonly weight: Float64Array;
  readonly worstLoss: Float64Array;
  readonly worstScenario: Int32Array;
  /** Scratch: the current group's P&L, ≥ S entries. */
  readonly pnl: Float64Array;
}

/** P&L of group g into pnl[0..S): the same sums, in the same order, as the kernels. */
export function groupPnlJs(c: ReduceColumns, g: number, nS: number, pnl: Float64Array): void {
  pnl.fill(0, 0, nS);
  const { slotRow, slotScale, riskArray } = c;
  for (let k = c.groupStart[g]; k < c.groupEnd[g]; k++) {
    const q = slotScale[k];
    const row = slotRow[k] * nS;
    for (let s = 0; s < nS; s++) pnl[s] += q * riskArray[row + s];
  }
}

export function portfolioReduceJs(nGroups: number, nS: number, c: ReduceColumns): void {
  const { weight, worstLoss, worstScenario, groupUnderlying, pnl: scratch } = c;
  for (let g = 0; g < nGroups; g++) {
    groupPnlJs(c, g, nS, scratch);
    const w0 = groupUnderlying[g] * nS;
    let best = -Infinity;
    let bestIdx = 0;
    let bad = false;
    for (let s = 0; s < nS; s++) {
      const l = -scratch[s] * weight[w0 + s];
      if (l - l !== 0.0) bad = true;
      if (l > best) {
        best = l;
        bestIdx = s;
      }
    }
    worstLoss[g] = bad ? NaN : best > 0.0 ? best : 0.0;
    worstScenario[g] = bad ? -1 : bestIdx;
  }
}
