/**
 * VaR margin under a volatility forecast (dynamic margin): the market's asset vols become σ̂ₐ·mₐ; Σ = ρ·σ̂·σ̂ᵀ with the
 * market correlation (delta-normal, delta-gamma and Monte Carlo: VaR is proportional to the vols). Historical
 * simulation and EWMA covariance read returns instead, so they cannot follow the forecast this way (filtered
 * historical returns do: src/dynamic/fhs.ts).
 */
import type { DynamicMarginHook } from '../../dynamic/method-hook.js';
import { withAssetVols } from '../../model/move-market.js';
import { normalQuantile } from './normal-quantile.js';
import type { VarParams } from './params.js';

export const varDynamic: DynamicMarginHook<VarParams> = {
  refusal(v) {
    if (v.model !== 'historical' && v.covariance === 'market') return undefined;
    return `var follows the forecast through the market covariance (ρ·σ̂·σ̂ᵀ); ${v.model === 'historical' ? 'model "historical" reads returns instead (give it filtered historical returns: filteredHistoricalReturns of margin-core/math)' : 'covariance "ewma" reads returns instead'}`;
  },
  calibrate: ({ assets, vol, stepUp, market }) => ({ overlay: {}, market: withAssetVols(market, new Map(assets.map((a) => [a, vol(a) * stepUp(a)]))) }),
  // a unit linear position's MM per unit of notional: mmFactor × z·σ·√(h/365) with the market's σ
  breakerMmRate: ({ params: v, asset, market }) => v.mmFactor * normalQuantile(v.confidence) * market.assets.get(asset)!.vol * Math.sqrt(v.horizonDays / 365),
};
