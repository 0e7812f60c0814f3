/**
 * Deribit's 2024 portfolio margin rules (support.deribit.com "Portfolio Margin"; the `private/pme/simulate` response
 * of the API reference), as pure functions of the model parameters (params.ts). Sources and what is margin-core's own
 * reading: docs/profiles.md ("Deribit").
 *
 * risk matrix margin = worst case + roll shock + delta shock; IM = risk matrix margin; MM = mm_factor × it.
 */
import type { DeribitCurrencyRule, DeribitPairRule, DeribitParams } from './params.js';
import type { PortfolioRule } from '../engines/scenario-grid/params.js';

/** Days to expiry below which the short-term vega power applies (the portfolio rule's switch: 30 days). */
export const VEGA_POWER_SWITCH_DAYS = 30;

/**
 * The portfolio run's rule of one currency pair: the grid ±priceRange in 2·buckets + 1 evenly spaced moves (zero
 * included) × vol up / same / down, shocks scaled (30/DTE)^power (DTE floored at 1 day: margin-core's), vol down
 * floored at 0 and vol up at minVolatilityForShockUp; the extended table on vol up, each move's P&L × factor ×
 * priceRange/|move| (its weight; in coin converted at the edge price by the portfolio run: settled-rows.ts); no
 * contingency add-ons (the 2024 model removed the option and futures contingencies).
 */
export function portfolioRuleOf(pair: DeribitPairRule, params: DeribitParams): PortfolioRule {
  return {
    spotRange: pair.priceRange,
    spotSteps: 2 * params.bucketsCount + 1,
    volUp: pair.volatilityRangeUp,
    volDown: pair.volatilityRangeDown,
    volPowerShort: pair.shortTermVegaPower,
    volPowerLong: pair.longTermVegaPower,
    volFloorDays: 1,
    volFloor: 0,
    tails: params.extendedMoves.map((move) => ({ move, weight: (pair.extendedTableFactor * pair.priceRange) / Math.abs(move) })),
    shortOptionRate: 0,
    linearRate: 0,
    volUpFloor: pair.minVolatilityForShockUp,
  };
}

/**
 * The extended dampener of an extended move m, in the account's currency: (|m|/R − 1) × dampener (USD), converted at
 * the price of that currency at the grid edge (1 + sign(m)·R)·index when the account is margined in the underlying
 * (Deribit's coin accounts), at `usdPerUnit` otherwise (1 for USD). A scenario's loss is reduced by it, not below 0:
 * Deribit's "application of a dampener", which zeroes both published examples' extended vectors.
 */
export function extendedDampening(move: number, priceRange: number, dampenerUsd: number, index: number, inUnderlying: boolean, usdPerUnit: number): number {
  const beyond = Math.abs(move) / priceRange - 1;
  if (!(beyond > 0)) return 0;
  const price = inUnderlying ? (1 + Math.sign(move) * priceRange) * index : usdPerUnit;
  return (beyond * dampenerUsd) / price;
}

/**
 * The roll shock rate of an expiry T years away: max(e^{annualisedMoveRisk·T} − 1, minAnnualisedMove), times the
 * expiry's |net delta|. Both published examples (a perpetual and an 11-day future) are at the minimum (0.01 BTC, 0.005
 * ETH per unit of delta): the longer-expiry form is a public reimplementation's, unverified against Deribit output.
 */
export function rollShockRate(currency: DeribitCurrencyRule, expiryYears: number): number {
  const t = expiryYears > 0 ? expiryYears : 0;
  const move = Math.exp(currency.annualisedMoveRisk * t) - 1;
  return move > currency.minAnnualisedMove ? move : currency.minAnnualisedMove;
}

/**
 * The delta shock rate of a delta total of `delta` units of underlying at `index` USD (margin-core's reading; Deribit
 * publishes the parameters, not the formula, and both published examples have it 0): the units beyond the liquidity
 * threshold, (|delta|·index − threshold)/index, times m_inc per unit, at most max_delta_shock.
 */
export function deltaShockRate(pair: DeribitPairRule, delta: number, index: number): number {
  const beyond = (Math.abs(delta) * index - pair.deltaTotalLiqShockThreshold) / index;
  if (!(beyond > 0)) return 0;
  const rate = pair.mInc * beyond;
  return rate < pair.maxDeltaShock ? rate : pair.maxDeltaShock;
}
