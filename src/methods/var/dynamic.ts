/**
 * VaR margin under a volatility forecast (dynamic margin): Σ = ρ·s·sᵀ with the market correlation over the forecast's
 * horizon, sₐ = σ̂ₐ·√(h/periodsPerYear)·mₐ (h = params.dynamic.horizonDays periods, as the portfolio range and the
 * backtest's losses read it): the market's asset vols become sₐ·√365, which the method's one-day horizon
 * (σ·√(1/365)) turns back into sₐ (delta-normal, delta-gamma and Monte Carlo: VaR is proportional to the vols). A VaR
 * horizon of its own beside the forecast's is refused: two horizons, one silently unread. Historical simulation and
 * EWMA covariance read returns instead, so they cannot follow the forecast this way (filtered historical returns do:
 * src/dynamic/fhs.ts).
 */
import type { DynamicMarginHook } from '../../dynamic/method-hook.js';
import { withAssetVols } from '../../model/move-market.js';
import { normalQuantile } from './normal-quantile.js';
import type { VarParams } from './params.js';

export const varDynamic: DynamicMarginHook<VarParams> = {
  refusal(v) {
    if (v.horizonDays !== 1) return `params.var.horizonDays ${v.horizonDays} beside a forecast: the VaR's horizon is params.dynamic.horizonDays (periods of params.dynamic.periodsPerYear), set it there`;
    if (v.model !== 'historical' && v.covariance === 'market') return undefined;
    return `var follows the forecast through the market covariance (ρ·σ̂·σ̂ᵀ); ${v.model === 'historical' ? 'model "historical" reads returns instead (give it filtered historical returns: filteredHistoricalReturns of margin-core/math)' : 'covariance "ewma" reads returns instead'}`;
  },
  calibrate: ({ assets, vol, stepUp, market, dynamic }) => {
    // 1 at the defaults (a one-day horizon of 365 periods a year): the forecast's vols as they are
    const toDaily = Math.sqrt((365 * dynamic.horizonDays) / dynamic.periodsPerYear);
    return { overlay: {}, market: withAssetVols(market, new Map(assets.map((a) => [a, vol(a) * toDaily * stepUp(a)]))) };
  },
  // a unit linear position's MM per unit of notional: mmFactor × z·σ·√(h/365) with the market's σ
  breakerMmRate: ({ params: v, asset, market }) => v.mmFactor * normalQuantile(v.confidence) * market.assets.get(asset)!.vol * Math.sqrt(v.horizonDays / 365),
};
