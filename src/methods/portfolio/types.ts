/** The portfolio method's explain section of a report row (`account.portfolio`, with breakdown). */
import type { PortfolioParams } from '../engines/scenario-grid/params.js';

/** Scenario P&L of one underlying's grid (USD, positive = gain). */
export interface ScenarioGrid {
  /** Relative spot moves, e.g. −0.16 … +0.16 (columns). */
  spotMoves: number[];
  /** Vol shock labels in row order, e.g. ['up', 'none', 'down']. */
  volShocks: string[];
  /** pnl[volShock][spotMove]. */
  pnl: number[][];
  /** Extended tail scenarios: P&L already multiplied by their weight. */
  tails: { spotMove: number; volShock: string; weight: number; pnl: number }[];
}

/**
 * Portfolio margin of one account, explained (with `breakdown`). Money in USD, P&L signed (gain > 0).
 * IM = scenarioLoss + Σ addOns[].amount; MM = mmFactor × IM (docs/portfolio-margin.md).
 */
export interface PortfolioExplain {
  underlyings: {
    underlying: string;
    /** Worst weighted scenario loss, ≥ 0 (USD); NaN when a scenario P&L is not finite. */
    worstLoss: number;
    /** The scenario of the worst loss (weight 1 on the grid, the dampening weight on tails). */
    worstScenario: { spotMove: number; volShock: string; tail: boolean; weight: number; label: string };
    /**
     * Each position's and exposed collateral balance's weighted P&L in the worst scenario. On the grid
     * they sum (in order, from 0) to exactly −worstLoss when that loss is positive; on a tail the
     * weight multiplies each term, so the sum matches to rounding.
     */
    contributions: { source: 'position' | 'collateral'; id: string; pnl: number }[];
    /** The full scenario P&L vector of this underlying. */
    grid: ScenarioGrid;
  }[];
  /** How the per-underlying worst losses were combined: Σ L, or √(LᵀρL) with the market's correlations. */
  aggregation: 'sum' | 'correlation';
  /** The combined worst loss (USD). */
  scenarioLoss: number;
  /**
   * Contingency add-ons: `shortOption` per (underlying, strike) with net short contracts `net` < 0
   * (rate × spot × |net|); `linearNotional` per underlying on |net futures/perpetual notional|.
   */
  addOns: { kind: 'shortOption' | 'linearNotional'; underlying: string; strike?: number | undefined; net: number; amount: number }[];
}

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** SPAN-style scenario-grid margin (docs/portfolio-margin.md). */
    portfolio: PortfolioParams;
  }
  interface AccountMargin {
    /** Method `portfolio` with breakdown: scenarios, add-ons and contributions. */
    portfolio?: PortfolioExplain | undefined;
  }
}
