/**
 * Portfolio margin of one account as a convex function of quantity changes x_h on candidate instruments
 * (src/margin/requirement-model.ts), for margin optimisation. Which parts are linear in quantities, and how the rest
 * is written:
 *
 * - scenario P&L: pnl_u,s(x) = pnl_u,s(0) + Σ_h x_h·mult_h·R[h, s] over the hedges on underlying u: LINEAR (the risk
 *   arrays are fixed at the run's market; a trade only changes a slot's scale);
 * - worst loss per underlying: L_u = max(0, max_s w_s·(−pnl_u,s)): a MAX of linear pieces, one per real scenario
 *   (the kernel's padding copies of scenario 0 add nothing), plus the 0 piece: convex piecewise linear;
 * - aggregation `sum`: Σ L_u, linear in the terms; `correlation`: √(LᵀρL), convex, and non-decreasing in L ≥ 0
 *   when ρ ≥ 0: a norm over the loss terms, which the optimiser handles with cutting planes;
 * - short-option add-on per (underlying, strike): rate·S·max(0, −net): convex piecewise linear in x;
 * - linear-notional add-on per underlying: rate·|Σ units·mark|: convex piecewise linear (two pieces);
 * - MM = mmFactor × IM: the same model scaled.
 * Equity is not part of the model: the optimiser charges each trade's cost against it (src/optimize/program.ts).
 */
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../layout/codes.js';
import { type ConvexTerm, type RequirementBound, type RequirementModel, scaleModel } from '../../margin/requirement-model.js';
import { ruleFor } from '../engines/scenario-grid/params.js';
import type { PortfolioRun } from '../engines/scenario-grid/run.js';

export function portfolioRequirementModel(run: PortfolioRun, a: number, instruments: Int32Array, which: 'im' | 'mm'): RequirementModel {
  const terms: ConvexTerm[] = [];
  const pnl = scenarioPnl(run, a, instruments);
  const lossUnderlyings = [...pnl.keys()].sort((x, y) => x - y);
  const lossTerms = lossUnderlyings.map((u) => terms.push(lossTerm(run, u, pnl.get(u)!, instruments)) - 1);
  const addOns = addOnTerms(run, a, instruments).map((term) => ({ term: terms.push(term) - 1, coef: 1 }));
  const bound = aggregate(run, lossUnderlyings, lossTerms, addOns);
  const im: RequirementModel = { hedges: instruments.length, terms, bounds: [bound] };
  return which === 'im' ? im : scaleModel(im, run.params.mmFactor);
}

/** The account's scenario P&L per underlying, from its groups as the run reduced them (zero rows for the hedges' others). */
function scenarioPnl(run: PortfolioRun, a: number, instruments: Int32Array): Map<number, Float64Array> {
  const S = run.kernelScenarios, nS = run.nScenarios;
  const underlying = run.layout.instruments.underlying.array;
  const pnl = new Map<number, Float64Array>();
  const g = run.groupsOf(a);
  for (let k = g.first; k < g.last; k++) {
    const row = new Float64Array(nS);
    for (let slot = g.reduce.groupStart[k]; slot < g.reduce.groupEnd[k]; slot++) {
      const q = g.reduce.slotScale[slot], r = g.reduce.slotRow[slot] * S;
      for (let s = 0; s < nS; s++) row[s] += q * g.reduce.riskArray[r + s];
    }
    pnl.set(g.reduce.groupUnderlying[k], row);
  }
  for (const i of instruments) if (!pnl.has(underlying[i])) pnl.set(underlying[i], new Float64Array(nS));
  return pnl;
}

/** Underlying u's worst loss: pieces 0, then each scenario's weighted loss w·(−pnl − Σ x_h·mult_h·R[h, s]). */
function lossTerm(run: PortfolioRun, u: number, base: Float64Array, instruments: Int32Array): ConvexTerm {
  const H = instruments.length, S = run.kernelScenarios, nS = run.nScenarios;
  const ins = run.layout.instruments;
  const underlying = ins.underlying.array, multiplier = ins.multiplier.array;
  const risk = run.risk.riskArray.array as Float64Array, weight = run.reduce.weight.array as Float64Array;
  const constants = new Float64Array(nS + 1), slopes = new Float64Array((nS + 1) * H);
  for (let s = 0; s < nS; s++) {
    const w = weight[u * S + s];
    constants[s + 1] = -w * base[s];
    for (let h = 0; h < H; h++) {
      const i = instruments[h];
      if (underlying[i] === u) slopes[(s + 1) * H + h] = -w * multiplier[i] * risk[i * S + s];
    }
  }
  return { label: `${run.layout.assets[u]} scenario loss`, constants, slopes };
}

/** The account's net short options per (underlying, strike) and net linear notional per underlying, hedges' keys included. */
function heldNets(run: PortfolioRun, a: number, instruments: Int32Array) {
  const ins = run.layout.instruments;
  const underlying = ins.underlying.array, multiplier = ins.multiplier.array, kind = ins.kind.array, strike = ins.strike.array;
  const mark = run.risk.baseValue.array as Float64Array;
  const pos = run.layout.positions;
  const posInstrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
  const optionNet = new Map<string, { u: number; strike: number; net: number }>();
  const linearNet = new Map<number, number>();
  const addHeld = (i: number, q: number) => {
    const units = q * multiplier[i];
    if (kind[i] === KIND_OPTION) {
      const key = `${underlying[i]}:${strike[i]}`;
      const e = optionNet.get(key) ?? { u: underlying[i], strike: strike[i], net: 0 };
      e.net += units;
      optionNet.set(key, e);
    } else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) {
      linearNet.set(underlying[i], (linearNet.get(underlying[i]) ?? 0) + units * mark[i]);
    }
  };
  for (let p = pos.start.array[a]; p < pos.end.array[a]; p++) addHeld(posInstrument[p], quantity[p]);
  for (const i of instruments) addHeld(i, 0); // a hedge may open a strike or an underlying the account lacks
  return {
    options: [...optionNet.values()].sort((x, y) => x.u - y.u || x.strike - y.strike),
    linear: [...linearNet.entries()].sort((x, y) => x[0] - y[0]),
  };
}

/** The contingency add-ons as convex terms of the trades: short options rate·S·max(0, −net) (a coin account: rate·max(0, −net) coin); linear rate·|notional|. */
function addOnTerms(run: PortfolioRun, a: number, instruments: Int32Array): ConvexTerm[] {
  const H = instruments.length, layout = run.layout, ins = layout.instruments;
  const underlying = ins.underlying.array, multiplier = ins.multiplier.array, kind = ins.kind.array, strike = ins.strike.array;
  const mark = run.risk.baseValue.array as Float64Array, price = run.market.price.array;
  const nets = heldNets(run, a, instruments);
  const terms: ConvexTerm[] = [];
  // a coin-margined account's short options are charged in its coin, rate per contract unit (add-on-scan.ts, as the engine)
  const coin = layout.marginAsset.array[a] >= 0;
  for (const { u, strike: k, net } of nets.options) {
    const rate = ruleFor(run.params, layout.assets[u]).shortOptionRate * (coin ? 1 : price[u]);
    // rate·S·max(0, −net − Σ x_h·mult_h) over the hedges on this (underlying, strike)
    const slopes = new Float64Array(2 * H);
    for (let h = 0; h < H; h++) {
      const i = instruments[h];
      if (kind[i] === KIND_OPTION && underlying[i] === u && strike[i] === k) slopes[H + h] = -rate * multiplier[i];
    }
    terms.push({ label: `${layout.assets[u]} short options at ${k}`, constants: Float64Array.of(0, -rate * net), slopes });
  }
  for (const [u, notional] of nets.linear) {
    const rate = ruleFor(run.params, layout.assets[u]).linearRate;
    const slopes = new Float64Array(2 * H);
    for (let h = 0; h < H; h++) {
      const i = instruments[h];
      if ((kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) && underlying[i] === u) {
        slopes[h] = rate * multiplier[i] * mark[i];
        slopes[H + h] = -slopes[h];
      }
    }
    terms.push({ label: `${layout.assets[u]} linear add-on`, constants: Float64Array.of(rate * notional, -rate * notional), slopes });
  }
  return terms;
}

/** IM ≥ the aggregated losses plus the add-ons: Σ L (sum), or √(LᵀρL) as a norm over the loss terms (correlation). */
function aggregate(run: PortfolioRun, lossUnderlyings: number[], lossTerms: number[], addOns: { term: number; coef: number }[]): RequirementBound {
  if (run.params.aggregation !== 'correlation') {
    return { label: 'scenario loss Σ L + add-ons', constant: 0, terms: [...lossTerms.map((term) => ({ term, coef: 1 })), ...addOns] };
  }
  const U = run.layout.assets.length, rho = run.market.correlation.array, m = lossUnderlyings.length;
  const matrix = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) matrix[i * m + j] = rho[lossUnderlyings[i] * U + lossUnderlyings[j]];
  return { label: 'scenario loss √(LᵀρL) + add-ons', constant: 0, terms: addOns, norm: { scale: 1, matrix, vector: { kind: 'terms', terms: Int32Array.from(lossTerms) } } };
}
