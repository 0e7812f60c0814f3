/**
 * Portfolio margin under a volatility forecast (dynamic margin): spotRange = k·σ̂ₐ·√(h/periodsPerYear) (h the margin
 * period of risk in days), at least 0.0001, × mₐ, at most 0.99; the vol shocks and the tail weights scale by the same
 * factor s = new range / static range (a tail weight stays ≤ 1 and weight·|move| ≤ spotRange still holds, so no tail
 * outweighs the grid edge).
 */
import type { DynamicMarginHook, ForecastInput } from '../../dynamic/method-hook.js';
import type { DynamicParams } from '../../dynamic/dynamic-params.js';
import { type PortfolioParams, ruleFor } from '../engines/scenario-grid/params.js';

/** The spot ranges a forecast can set: the portfolio validator takes (0, 1), and a flat history forecasts σ̂ = 0. */
export const MIN_DYNAMIC_SPOT_RANGE = 1e-4;
export const MAX_DYNAMIC_SPOT_RANGE = 0.99;

/** The spot range k·σ̂·√(h/periodsPerYear) the forecast sets (before the cap). */
export function dynamicSpotRange(volAnnual: number, dynamic: Pick<DynamicParams, 'portfolio' | 'horizonDays' | 'periodsPerYear'>): number {
  return dynamic.portfolio.k * volAnnual * Math.sqrt(dynamic.horizonDays / dynamic.periodsPerYear);
}

export const portfolioDynamic: DynamicMarginHook<PortfolioParams> = {
  calibrate: (input) => ({ overlay: { portfolio: { assets: portfolioOverlay(input) } }, market: input.market }),
  // a unit linear position's MM per unit of notional: mmFactor × the asset's spot range
  breakerMmRate: ({ params, asset }) => params.mmFactor * ruleFor(params, asset).spotRange,
};

function portfolioOverlay({ params, assets, vol, stepUp, dynamic }: ForecastInput<PortfolioParams>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const asset of assets) {
    const rule = ruleFor(params, asset);
    const range = Math.min(MAX_DYNAMIC_SPOT_RANGE, Math.max(MIN_DYNAMIC_SPOT_RANGE, dynamicSpotRange(vol(asset), dynamic)) * stepUp(asset));
    const s = range / rule.spotRange;
    out[asset] = {
      spotRange: range,
      volUp: Math.min(10, rule.volUp * s),
      volDown: Math.min(1, rule.volDown * s),
      tails: rule.tails.map((t) => ({ move: t.move, weight: tailWeight(t.weight * s, t.move, range) })),
    };
  }
  return out;
}

/** min(1, w) lowered (by rounding steps at most) until w·|move| ≤ range: the validator's rule holds exactly. */
function tailWeight(scaled: number, move: number, range: number): number {
  let w = Math.min(1, scaled);
  while (w * Math.abs(move) > range) w = Math.min(w * (1 - Number.EPSILON), range / Math.abs(move));
  return w;
}
