/**
 * Market impact of forced flow, pure functions. Flow is signed in units of the underlying, buys > 0 (liquidations of
 * longs sell: flow < 0). Moves are relative: −0.01 = the price falls 1%.
 *
 * - Linear depth: Δp = κ·Q, so the relative move is κ·Q / p.
 * - Square-root law: I(Q) = y·σ_daily·√(|Q|·p / ADV), with the sign of Q (σ_daily = vol/√365, ADV in USD).
 * The mark keeps the permanent share β of the move; fills happen at the temporary price (the whole move for the
 * square-root law, the mid of the walk for linear depth: src/liquidation/pricing.ts).
 * Contagion: a move m_u of asset u moves v by ρ_uv·σ_v/σ_u·m_u (the least-squares beta of v's return on u's).
 */
import { dailyVol } from '../liquidation/pricing.js';
import type { SlippageModel } from '../liquidation/params.js';
import type { ValidatedCorrelation } from '../model/types.js';
import type { ImpactModel } from './params.js';

/** The relative temporary impact of net flow `units` of an asset priced `price` with annual vol `volAnnual`. */
export function impactMove(model: ImpactModel, units: number, price: number, volAnnual: number): number {
  switch (model.model) {
    case 'none':
      return 0;
    case 'linear':
      return (model.pricePerUnit * units) / price;
    case 'sqrt':
      return Math.sign(units) * model.y * dailyVol(volAnnual) * Math.sqrt((Math.abs(units) * price) / model.advUsd);
  }
}

/** The share of the impact the mark keeps after the round (0 with no impact). */
export function permanentShare(model: ImpactModel): number {
  return model.model === 'none' ? 0 : model.permanent;
}

/** How much vol the asset gains per unit of relative move (0 with no impact model). */
export function spotVolBeta(model: ImpactModel): number {
  return model.model === 'none' ? 0 : model.spotVolBeta;
}

/** The liquidation engine's slippage model for the same impact: closes fill at the temporary price of their size. */
export function fillModel(model: ImpactModel): SlippageModel {
  switch (model.model) {
    case 'none':
      return { model: 'none' };
    case 'linear':
      return { model: 'linear', pricePerUnit: model.pricePerUnit };
    case 'sqrt':
      return { model: 'sqrt', y: model.y, advUsd: model.advUsd };
  }
}

/**
 * Direct moves spread to the other assets of the correlation matrix: total_v = m_v + Σ_{u≠v} ρ_uv·σ_v/σ_u·m_u.
 * Assets outside the matrix, or with σ_u = 0 as a source, pass on nothing. Returns a new map (every asset of `direct`
 * and of the matrix that moves), in a fixed order so results are the same bits on every run.
 */
export function withContagion(direct: ReadonlyMap<string, number>, volOf: (asset: string) => number, correlation: ValidatedCorrelation): Map<string, number> {
  const out = new Map(direct);
  const names = correlation.assets, n = names.length, rho = correlation.matrix;
  for (let u = 0; u < n; u++) {
    const mu = direct.get(names[u]);
    const sigmaU = volOf(names[u]);
    if (mu === undefined || mu === 0 || !(sigmaU > 0)) continue;
    for (let v = 0; v < n; v++) {
      if (v === u) continue;
      const spill = (rho[u * n + v] * volOf(names[v]) / sigmaU) * mu;
      if (spill !== 0) out.set(names[v], (out.get(names[v]) ?? 0) + spill);
    }
  }
  return out;
}
