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
 * Risk array rows (P&L per unit, USD): instruments (per unit of underlying; options by full BSM
 * revaluation at the shocked spot and the unchanged implied vol, minus the model value; linear
 * instruments mark·x) then one row per asset for collateral balances (price·x).
 */
import type { GreeksInput, GreeksOutput } from '../greeks/types.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { type PositionsCsr, type RiskKernels, tailCount } from '../kernels/wasm/risk.js';
import { accountPnlJs } from '../kernels/js/risk/quantile.js';
import { choleskyOrReject, factorReturns, type RiskFactors } from './covariance.js';
import type { InstrumentGreeks } from './exposures.js';
import type { MeasureResult } from './parametric.js';
import type { VarMeasure, VarParams } from './params.js';

/** Lowest simple return a Monte Carlo scenario applies (a −100% move would zero the spot). */
export const MIN_SCENARIO_RETURN = -0.95;
/** (option, scenario) pairs priced per Greeks call while revaluing. */
const REVALUE_CHUNK = 32_768;

/** Scenario returns: M × m row-major (scenario s, factor j). */
export interface Scenarios {
  readonly count: number;
  readonly returns: Float64Array;
}

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
 * The risk array: (instruments + assets) × M, P&L per unit (USD), row-major. Options are revalued
 * with the engine's pricing kernel (bit-identical on every backend), in chunks.
 */
export function revalue(
  layout: BookLayout, market: MarketLayout, factors: RiskFactors, g: InstrumentGreeks, sc: Scenarios, greeks: (input: GreeksInput) => GreeksOutput,
): Float64Array {
  const ins = layout.instruments;
  const nI = ins.count, nA = layout.assets.length, M = sc.count, m = factors.symbols.length;
  const kind = ins.kind.array, underlying = ins.underlying.array;
  const price = market.price.array;
  const out = new Float64Array((nI + nA) * M);
  const x = sc.returns;
  const options: number[] = [];
  for (let i = 0; i < nI; i++) {
    const j = factors.factorOf[underlying[i]];
    if (j < 0) continue; // no risk: the row stays 0
    if (kind[i] === KIND_OPTION) {
      options.push(i);
      continue;
    }
    const v = g.value[i], row = i * M;
    for (let s = 0; s < M; s++) out[row + s] = v * x[s * m + j];
  }
  for (let u = 0; u < nA; u++) {
    const j = factors.factorOf[u];
    if (j < 0) continue;
    const row = (nI + u) * M;
    for (let s = 0; s < M; s++) out[row + s] = price[u] * x[s * m + j];
  }
  // Options: every (option, scenario) pair through the pricing kernel, REVALUE_CHUNK at a time.
  const isCall = ins.isCall.array, strike = ins.strike.array;
  const expiryYears = market.expiryYears.array, impliedVol = market.impliedVol.array, rate = market.rate.array, carry = market.carry.array;
  const total = options.length * M;
  const n = Math.min(REVALUE_CHUNK, total);
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiryYears: new Float64Array(n),
    vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
  };
  // Pairs in option-major order (option o, scenario s) = o·M + s; a chunk covers pairs [first, first + count).
  for (let first = 0; first < total; first += n) {
    const count = Math.min(n, total - first);
    const view = count === n ? input : (Object.fromEntries(Object.entries(input).map(([k, a]) => [k, a.subarray(0, count)])) as unknown as Required<GreeksInput>);
    for (let t = 0; t < count;) {
      const pair = first + t;
      const i = options[Math.floor(pair / M)], u = underlying[i], j = factors.factorOf[u];
      const s0 = pair % M, run = Math.min(M - s0, count - t);
      view.isCall.fill(isCall[i], t, t + run);
      view.strike.fill(strike[i], t, t + run);
      view.expiryYears.fill(expiryYears[i], t, t + run);
      view.vol.fill(impliedVol[i], t, t + run);
      view.rate.fill(rate[u], t, t + run);
      view.carry.fill(carry[u], t, t + run);
      const spot = view.spot, pu = price[u];
      for (let r = 0; r < run; r++) spot[t + r] = pu * (1 + x[(s0 + r) * m + j]);
      t += run;
    }
    const p = greeks(view).price;
    for (let t = 0; t < count;) {
      const pair = first + t;
      const i = options[Math.floor(pair / M)], s0 = pair % M, run = Math.min(M - s0, count - t);
      const base = g.value[i], row = i * M + s0;
      for (let r = 0; r < run; r++) out[row + r] = p[t + r] - base;
      t += run;
    }
  }
  return out;
}

/**
 * Every account's risk-array slots, CSR: positions (row = instrument, weight = quantity × multiplier)
 * then collateral balances (row = instruments + asset, weight = amount), skipping riskless ones.
 * Also the factor of each slot (for components).
 */
export function riskSlots(layout: BookLayout, factors: RiskFactors): PositionsCsr & { factor: Int32Array } {
  const n = layout.accountCount, nI = layout.instruments.count;
  const pos = layout.positions, col = layout.collateral;
  const pStart = pos.start.array, pEnd = pos.end.array, cStart = col.start.array, cEnd = col.end.array;
  const inst = pos.column('instrument').array as Int32Array, qty = pos.column('quantity').array as Float64Array;
  const asset = col.column('asset').array as Int32Array, amount = col.column('amount').array as Float64Array;
  const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array, live = layout.live.array;
  let slots = 0;
  for (let a = 0; a < n; a++) if (live[a]) slots += pEnd[a] - pStart[a] + cEnd[a] - cStart[a];
  const start = new Int32Array(n), end = new Int32Array(n);
  const instrument = new Int32Array(slots), quantity = new Float64Array(slots), factor = new Int32Array(slots);
  let k = 0;
  for (let a = 0; a < n; a++) {
    start[a] = k;
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
    end[a] = k;
  }
  return { start, end, instrument: instrument.subarray(0, k), quantity: quantity.subarray(0, k), factor: factor.subarray(0, k) };
}

/**
 * VaR / ES per account from the risk array, with components on request: for ES, each factor's mean
 * loss over the K tail scenarios (they sum to ES); for VaR, each factor's loss in the VaR scenario
 * (the K-th largest loss; ties broken by scenario index). Both are the Euler allocations of the
 * simulated measure (Tasche 1999), estimated from the same scenarios.
 */
export function simulatedMeasures(risk: RiskKernels, riskArray: Float64Array, M: number, slots: ReturnType<typeof riskSlots>, m: number, confidence: number): MeasureResult {
  const k = tailCount(confidence, M);
  const { var: v, es } = risk.scenarioTailRisk(riskArray, M, slots, k);
  return {
    var: v,
    es,
    components(a, measure) {
      const c = new Float64Array(m);
      const p0 = slots.start[a], p1 = slots.end[a];
      if (p1 === p0) return c;
      const pnl = new Float64Array(M);
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
