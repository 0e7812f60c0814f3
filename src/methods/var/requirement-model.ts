/**
 * Delta-normal VaR / ES margin of one account as a convex function of quantity changes x_h on candidate instruments
 * (src/margin/requirement-model.ts), for margin optimisation:
 *
 *   IM(x) = max( k·√(d(x)ᵀ Σ d(x)),  floorRate·gross(x),  floorUsd )      k = z_α (VaR) or φ(z_α)/(1 − α) (ES)
 *
 * - dollar deltas d(x) = d(0) + Σ_h x_h·mult_h·Δ$_h on the hedge's factor: LINEAR (Greeks fixed at the run's market);
 * - k·√(dᵀΣd): a norm of an affine vector (a second-order cone), handled by the optimiser with cutting planes;
 * - gross notional: Σ |units|·unit over positions, a trade changing one position's |units|: convex piecewise linear;
 * - floorUsd applies to accounts holding positions; any hedge opens one, so it is kept as a constant bound (an
 *   account that already meets its target is never optimised);
 * - MM = mmFactor × IM.
 * Other VaR models (delta-gamma, Monte Carlo, historical) are not convex in quantities in a form a linear solver
 * takes (a Cornish–Fisher quantile, a sample quantile): InputError naming params.var.model.
 */
import { InputError } from '../../errors.js';
import { KIND_OPTION } from '../../layout/codes.js';
import { type ConvexTerm, type RequirementModel, scaleModel } from '../../margin/requirement-model.js';
import type { MethodContext } from '../method.js';
import { accountExposures } from './exposures.js';
import { normalMultiples } from './parametric.js';
import type { VarRun } from './run.js';

export function varRequirementModel(ctx: MethodContext, run: VarRun, a: number, instruments: Int32Array, which: 'im' | 'mm'): RequirementModel {
  const params = run.params;
  if (params.model !== 'delta-normal') {
    throw new InputError([{ path: 'params.var.model', message: `margin optimisation needs the delta-normal model (a cone in quantities); ${params.model} is not convex in a form a linear solver takes` }]);
  }
  const { factors, greeks, sigma } = run.inputs;
  const layout = ctx.layout, H = instruments.length, m = factors.symbols.length;
  const ins = layout.instruments;
  const underlying = ins.underlying.array, multiplier = ins.multiplier.array, kind = ins.kind.array;
  const d0 = accountExposures(layout, ctx.market, factors, greeks, {}, a, 1).delta;
  const slopes = new Float64Array(m * H);
  instruments.forEach((i, h) => {
    const j = factors.factorOf[underlying[i]];
    if (j >= 0) slopes[j * H + h] = multiplier[i] * greeks.dollarDelta[i];
  });
  const { z, esMultiple } = normalMultiples(params.confidence);
  const k = params.measure === 'var' ? z : esMultiple;

  // gross notional: the account's, with each hedged position's |units|·unit replaced by its value after the trade
  const pos = layout.positions;
  const posInstrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
  const terms: ConvexTerm[] = [];
  let gross = ctx.out.gross.array[a];
  instruments.forEach((i, h) => {
    let held = 0;
    for (let p = pos.start.array[a]; p < pos.end.array[a]; p++) if (posInstrument[p] === i) held = quantity[p];
    const unit = multiplier[i] * (kind[i] === KIND_OPTION ? ctx.market.price.array[underlying[i]] : ctx.out.value.array[i]);
    gross -= Math.abs(held) * unit;
    const s = new Float64Array(2 * H);
    s[h] = unit;
    s[H + h] = -unit;
    terms.push({ label: `${ins.ids[i]} notional`, constants: Float64Array.of(held * unit, -held * unit), slopes: s });
  });
  const im: RequirementModel = {
    hedges: H,
    terms,
    bounds: [
      { label: `${params.measure === 'var' ? 'VaR' : 'ES'} k·√(dᵀΣd)`, constant: 0, terms: [], norm: { scale: k, matrix: sigma, vector: { kind: 'affine', base: Float64Array.from(d0), slopes } } },
      { label: 'floorRate × gross notional', constant: params.floorRate * gross, terms: terms.map((_, term) => ({ term, coef: params.floorRate })) },
      { label: 'floorUsd', constant: params.floorUsd, terms: [] },
    ],
  };
  return which === 'im' ? im : scaleModel(im, params.mmFactor);
}
