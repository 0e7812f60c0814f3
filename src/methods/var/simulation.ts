/**
 * Simulation VaR / ES (Monte Carlo and historical): scenarios of factor returns → instruments
 * revalued once per scenario (the risk array) → account P&L as sparse sums → VaR / ES by selection.
 *
 * Scenarios: M rows of simple returns per factor.
 * - Monte Carlo: X = Z·Lᵀ, Z standard normals from Philox4x32-10 keyed (seed, stream 0) and L the
 *   Cholesky factor of Σ (the same Σ as the parametric models), so every backend draws the same
 *   numbers. Returns are arithmetic (S' = S·(1 + x), as in delta-normal, so a linear book's P&L is
 *   exactly N(0, dᵀΣd)), clamped below at −95% so a revalued spot stays positive.
 * - Historical: the user's returns, one scenario per date, scaled by √(h / periodDays).
 * Risk array rows (P&L per unit, USD; src/methods/var/revaluation.ts, the risk-array kernel): instruments
 * (per unit of underlying; options by full BSM revaluation at the shocked spot and the unchanged
 * implied vol, minus the model value; linear instruments mark·x) then one row per asset for
 * collateral balances (price·x).
 */
import type { BookLayout } from '../../layout/book-layout.js';
import { type PositionsCsr, type RiskKernels, tailCount } from '../../kernels/risk.js';
import { accountPnlJs } from '../../kernels/js/risk/quantile.js';
import type { Column } from '../../memory/columns.js';
import { choleskyOrReject, factorReturns, type RiskFactors } from './covariance.js';
import type { MeasureResult } from './parametric.js';
import type { VarMeasure, VarParams } from './params.js';
import type { Scenarios } from './revaluation.js';

export { revalue, type Scenarios } from './revaluation.js';

/** Lowest simple return a Monte Carlo scenario applies (a −100% move would zero the spot). */
export const MIN_SCENARIO_RETURN = -0.95;

export function monteCarloScenarios(risk: RiskKernels, sigma: Float64Array, factors: RiskFactors, params: VarParams): Scenarios {
  const m = factors.symbols.length, M = params.scenarios;
  if (m === 0) return { count: M, returns: new Float64Array(0) };
  const l = choleskyOrReject(risk, sigma, factors, params);
  const x = risk.correlatedDraws(l, m, M, { seed: params.seed, stream: 0 });
  for (let i = 0; i < x.length; i++) if (x[i] < MIN_SCENARIO_RETURN) x[i] = MIN_SCENARIO_RETURN;
  return { count: M, returns: x };
}

export function historicalScenarios(factors: RiskFactors, params: VarParams): Scenarios {
  const returns = params.returns!;
  const x = factorReturns(returns, factors);
  const scale = Math.sqrt(params.horizonDays / returns.periodDays);
  if (scale !== 1) for (let i = 0; i < x.length; i++) x[i] = Math.max(x[i] * scale, MIN_SCENARIO_RETURN);
  return { count: returns.matrix.length, returns: x };
}

/**
 * The risk-array slots of accounts [first, last) (default: every account), CSR indexed from 0: positions
 * (row = instrument, weight = quantity × multiplier) then collateral balances (row = instruments + asset,
 * weight = amount), skipping riskless ones. Also the factor of each slot (for components).
 */
export function riskSlots(layout: BookLayout, factors: RiskFactors, first = 0, last = layout.accountCount): PositionsCsr & { factor: Int32Array } {
  const n = last - first, nI = layout.instruments.count;
  const pos = layout.positions, col = layout.collateral;
  const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
  const inst = pos.column('instrument').array as Int32Array, qty = pos.column('quantity').array as Float64Array;
  const asset = col.column('asset').array as Int32Array, amount = col.column('amount').array as Float64Array;
  const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array, live = layout.live.array;
  let slots = 0;
  for (let a = first; a < last; a++) if (live[a]) slots += pEnd[a] - pStart[a] + cEnd[a] - cStart[a];
  const start = new Int32Array(n), end = new Int32Array(n);
  const instrument = new Int32Array(slots), quantity = new Float64Array(slots), factor = new Int32Array(slots);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const a = first + r;
    start[r] = k;
    if (live[a]) {
      for (let p = pStart[a]; p < pEnd[a]; p++) {
        const j = factors.factorOf[underlying[inst[p]]];
        if (j < 0) continue;
        instrument[k] = inst[p];
        quantity[k] = qty[p] * mult[inst[p]];
        factor[k++] = j;
      }
      for (let c = cStart[a]; c < cEnd[a]; c++) {
        const j = factors.factorOf[asset[c]];
        if (j < 0) continue;
        instrument[k] = nI + asset[c];
        quantity[k] = amount[c];
        factor[k++] = j;
      }
    }
    end[r] = k;
  }
  return { start, end, instrument: instrument.subarray(0, k), quantity: quantity.subarray(0, k), factor: factor.subarray(0, k) };
}

/**
 * VaR / ES per account of `slots` from the risk array, with components: for ES, each factor's mean
 * loss over the K tail scenarios (they sum to ES); for VaR, each factor's loss in the VaR scenario
 * (the K-th largest loss; ties broken by scenario index). Both are the Euler allocations of the
 * simulated measure (Tasche 1999), estimated from the same scenarios. Components read `riskColumn`,
 * which must stay allocated while they are asked for.
 */
export function simulatedMeasures(
  risk: RiskKernels, riskColumn: Column<'f64'>, M: number, slots: ReturnType<typeof riskSlots>, m: number, confidence: number,
): MeasureResult {
  const k = tailCount(confidence, M);
  const { var: v, es } = risk.scenarioTailRisk(riskColumn, M, slots, k);
  return {
    var: v,
    es,
    components(a, measure) {
      const c = new Float64Array(m);
      const p0 = slots.start[a], p1 = slots.end[a];
      if (p1 === p0) return c;
      const pnl = new Float64Array(M);
      const riskArray = riskColumn.array; // a fresh view: memory may have grown since
      accountPnlJs(1, M, riskArray, slots.start.subarray(a), slots.end.subarray(a), slots.instrument, slots.quantity, pnl);
      if (pnl.some((x) => !Number.isFinite(x))) return c.fill(NaN);
      const order = Array.from({ length: M }, (_, s) => s).sort((s, t) => pnl[s] - pnl[t] || s - t); // largest loss first
      const tail = measure === 'var' ? [order[k - 1]] : order.slice(0, k);
      for (const s of tail) {
        for (let p = p0; p < p1; p++) c[slots.factor[p]] -= slots.quantity[p] * riskArray[slots.instrument[p] * M + s];
      }
      for (let j = 0; j < m; j++) c[j] /= tail.length;
      return c;
    },
    note: () => undefined,
  };
}

export type { VarMeasure };
