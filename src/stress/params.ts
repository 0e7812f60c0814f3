/**
 * Parameters of the cascade simulator: the `stress` section of the params JSON, which a shock file's own `impact` and
 * `contagion` override. Every field optional, merged over {@link DEFAULT_STRESS_PARAMS}. Prices in USD, moves as
 * decimals (−0.05 = a 5% fall), vols annualised decimals.
 */

/**
 * How forced flow moves an asset's price (src/stress/impact.ts has the formulas). Closes fill at the temporary price
 * of their own size (the liquidation engine's slippage, from the same model); after each round the mark moves by the
 * `permanent` share of the impact of the round's net flow.
 * - `linear`: depth of `pricePerUnit` USD per unit of the underlying, Δp = κ·Q (Q signed, buys > 0); a close fills at
 *   the mid of its own walk.
 * - `sqrt`: the square-root law, relative impact I(Q) = y·σ_daily·√(|Q|·price / advUsd), σ_daily = vol/√365.
 * `spotVolBeta` feeds the impact move back into vol: Δσ = spotVolBeta × move (−0.5: a 10% fall adds 5 vol points).
 */
export type ImpactModel =
  | { model: 'none' }
  | { model: 'linear'; pricePerUnit: number; permanent: number; spotVolBeta: number }
  | { model: 'sqrt'; y: number; advUsd: number; permanent: number; spotVolBeta: number };

export interface StressParams {
  /** Impact per underlying asset (`default` for the others). */
  impact: Record<string, ImpactModel>;
  /**
   * Contagion: an impact move m_u of asset u moves every other asset v by ρ_uv·σ_v/σ_u·m_u (the regression of v's
   * return on u's, from the market's correlation and vols).
   */
  contagion: boolean;
  /** Rounds per shock step before the loop stops (the guarantee of termination). */
  maxRounds: number;
  /** The loop also stops when no price moves by more than this (relative) in a round. */
  priceTolerance: number;
}

/**
 * Defaults: the square-root law with y = 1 (Almgren et al. 2005 and Tóth et al. 2011 find y of order 1) against a
 * daily volume of 1 billion USD per asset, half of it permanent (the permanent share measured by Almgren et al. is of
 * that order); contagion on; no vol feedback unless asked for.
 */
export const DEFAULT_STRESS_PARAMS: Readonly<StressParams> = {
  impact: { default: { model: 'sqrt', y: 1, advUsd: 1e9, permanent: 0.5, spotVolBeta: 0 } },
  contagion: true,
  maxRounds: 50,
  priceTolerance: 1e-9,
};

/** The impact model of `asset`: its own, else `default`, else none. */
export function impactOf(params: StressParams, asset: string): ImpactModel {
  return Object.hasOwn(params.impact, asset) ? params.impact[asset] : params.impact.default ?? { model: 'none' };
}

/** Longest horizon of a Monte Carlo or k-sigma shock, days (ten years of calendar days). */
export const MAX_HORIZON_DAYS = 3650;
