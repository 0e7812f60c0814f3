/**
 * Parameters of portfolio margin (method `portfolio`): the `portfolio` section of the params JSON.
 * Defaults are modelled on public crypto portfolio-margin rules (Deribit-style scenario grids with
 * time-scaled vol shocks, extended tail moves at dampened weights, contingency add-ons); see
 * docs/portfolio-margin.md for the method and every field.
 *
 * Per underlying asset a {@link PortfolioRule}; `assets.default` applies to assets not listed, and an
 * asset's entry is merged field by field over `default`. Fractions are decimals (0.16 = 16%).
 */
import { deepFreeze } from '../../../model/deep-freeze.js';

/** One extended tail move: counted at `weight` so that weight·|move| ≤ spotRange (a linear position loses no more than at the grid edge). */
export interface TailMove {
  move: number;
  weight: number;
}

export interface PortfolioRule {
  /** Largest grid spot move, both ways (0.16 = ±16%). */
  spotRange: number;
  /** Spot moves on the grid, evenly spaced from −spotRange to +spotRange; odd, so 0 is one of them. */
  spotSteps: number;
  /** Relative vol shock up at 30 days to expiry (0.5: vol × 1.5), before time scaling. */
  volUp: number;
  /** Relative vol shock down at 30 days (0.3: vol × 0.7), before time scaling. */
  volDown: number;
  /** Vol shocks scale as (30/max(DTE, volFloorDays))^p: p = volPowerShort below 30 days to expiry... */
  volPowerShort: number;
  /** ...and volPowerLong from 30 days on. */
  volPowerLong: number;
  /** Days: floor of DTE in the scaling (a 1-hour option is scaled as this many days). */
  volFloorDays: number;
  /** Lowest shocked vol (annual, decimal). */
  volFloor: number;
  /** Extended moves, each with vol up, at a dampening weight. */
  tails: TailMove[];
  /** Short-option contingency: per strike, this fraction of spot per net short contract (unit of underlying). */
  shortOptionRate: number;
  /** Futures/perpetual contingency: this fraction of |net linear notional| per underlying. */
  linearRate: number;
  /**
   * Lowest vol of a vol-up shock (annual, decimal): an option shocked up to less is revalued at it (Deribit's
   * min_volatility_for_shock_up). Not a `portfolio` params field: methods built on the portfolio run set it (the
   * deribit method); absent: none.
   */
  volUpFloor?: number | undefined;
}

export interface PortfolioParams {
  /** How worst losses combine across underlyings: `sum` (conservative default) or `correlation` √(LᵀρL) with the market's ρ. */
  aggregation: 'sum' | 'correlation';
  /** MM = mmFactor × IM. */
  mmFactor: number;
  /** Assets whose balances carry no price risk (not revalued under scenarios). */
  stableAssets: string[];
  /** Rules by underlying symbol; `default` is required (a default is provided). */
  assets: Record<string, PortfolioRule>;
}

/** Vol shock labels in grid row order. */
export const VOL_SHOCK_LABELS = ['up', 'none', 'down'] as const;

export const DEFAULT_PORTFOLIO_RULE: PortfolioRule = {
  spotRange: 0.16,
  spotSteps: 17, // 2% steps: 17 moves × 3 vol shocks + 12 tails = 63 scenarios per underlying
  volUp: 0.5,
  volDown: 0.3,
  volPowerShort: 0.5,
  volPowerLong: 0.3,
  volFloorDays: 1,
  volFloor: 0.1,
  // weight·|move| ≤ 0.16 for each: 0.1584, 0.15, 0.156, 0.1584, 0.1575, 0.1575, 0.1584, 0.15, 0.15, 0.15, 0.15, 0.15
  tails: [
    { move: -0.66, weight: 0.24 },
    { move: -0.5, weight: 0.3 },
    { move: -0.4, weight: 0.39 },
    { move: -0.33, weight: 0.48 },
    { move: -0.25, weight: 0.63 },
    { move: 0.25, weight: 0.63 },
    { move: 0.33, weight: 0.48 },
    { move: 0.5, weight: 0.3 },
    { move: 1, weight: 0.15 },
    { move: 2, weight: 0.075 },
    { move: 3, weight: 0.05 },
    { move: 5, weight: 0.03 },
  ],
  shortOptionRate: 0.01,
  linearRate: 0.005,
};

export const DEFAULT_PORTFOLIO_PARAMS: PortfolioParams = {
  aggregation: 'sum',
  mmFactor: 0.8,
  stableAssets: ['USD', 'USDC', 'USDT', 'DAI'],
  assets: { default: DEFAULT_PORTFOLIO_RULE },
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_PORTFOLIO_PARAMS);

/** The rule for an asset. */
export function ruleFor(params: PortfolioParams, asset: string): PortfolioRule {
  return Object.hasOwn(params.assets, asset) ? params.assets[asset] : params.assets.default; // own keys: `constructor` is an asset like any other
}

/** Scenarios per underlying under a rule: spotSteps × 3 vol shocks, then the tails. */
export function scenarioCount(rule: PortfolioRule): number {
  return rule.spotSteps * VOL_SHOCK_LABELS.length + rule.tails.length;
}
