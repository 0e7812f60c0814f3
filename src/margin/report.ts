import type { BackendName } from '../engine.js';
import type { InputProblem } from '../errors.js';
import type { Status } from './status.js';

export type RuleBasedMethod = 'isolated' | 'cross';
/** Every margin method's name; {@link MARGIN_METHODS} (src/margin/methods.ts) lists those this build implements. */
export type MarginMethod = RuleBasedMethod | 'portfolio' | 'var';

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
  addOns: { kind: 'shortOption' | 'linearNotional'; underlying: string; strike?: number; net: number; amount: number }[];
}

/** VaR/ES margin of one account, explained (with `breakdown`). Money in USD; losses positive. */
export interface VarExplain {
  model: 'delta-normal' | 'delta-gamma' | 'monte-carlo' | 'historical';
  /** Which of var / es the IM is based on. */
  measure: 'var' | 'es';
  confidence: number;
  horizonDays: number;
  /** Loss quantile at `confidence` over the horizon (may be negative: a gain). */
  var: number;
  /** Mean loss beyond the quantile (expected shortfall). */
  es: number;
  /** The floor the IM is at least: max(floorRate × gross notional, floorUsd for accounts with positions). */
  floor: number;
  /** Simulation models: scenarios used. */
  scenarios?: number;
  /** Per underlying (zero ones omitted): they sum to the measure (var or es), see docs/var-margin.md. */
  components: { underlying: string; contribution: number }[];
  /**
   * Per underlying (zero ones omitted): dollar delta Σ q·mult·Δ·S (+ balances × price), dollar gamma
   * Σ q·mult·Γ·S² (P&L ≈ Δ$·r + ½Γ$·r² for a return r) and vega Σ q·mult·∂V/∂σ (USD per 1.00 vol).
   */
  exposures: { underlying: string; dollarDelta: number; dollarGamma: number; vega: number }[];
  /** When the model departed from its method for this account (e.g. Cornish–Fisher not monotone). */
  note?: string;
}

/** One position's part of an account's requirement (breakdown). */
export interface PositionMargin {
  instrument: string;
  quantity: number;
  /** |units| × mark for linear instruments, |units| × underlying price for options (USD). */
  notional: number;
  /** Mark-to-market contribution to equity: options at model value, linear at P&L from entry (USD). */
  markToMarket: number;
  im: number;
  mm: number;
  /** Isolated mode: collateral allocated (USD) and the position's own status. */
  allocated?: number;
  status?: Status;
}

/** One collateral balance: its value and what the haircuts leave of it (breakdown). */
export interface CollateralMargin {
  asset: string;
  amount: number;
  /** amount × price (USD; negative when borrowed). */
  value: number;
  /** Value counted towards IM (after haircut, or × liability weight when borrowed). */
  imValue: number;
  mmValue: number;
}

/** Per-account result. Money in USD. */
export interface AccountMargin {
  id: string;
  status: Status;
  /** Why the status is `error` (absent otherwise). */
  error?: string;
  /** Collateral value plus mark-to-market of positions, before haircuts. */
  equity: number;
  /** Equity with IM haircuts and liability weights: compared with `im`. */
  equityIm: number;
  /** Equity with MM haircuts and liability weights: compared with `mm`. */
  equityMm: number;
  im: number;
  mm: number;
  /** equityMm / mm: below 1 the account is liquidatable; with no maintenance margin +Infinity, or −Infinity when equityMm < 0. */
  health: number;
  /** equityMm − mm: how much equity can be lost before liquidation. */
  excessOverMm: number;
  /** Σ notional of positions. */
  grossNotional: number;
  /** grossNotional / im (Infinity when im = 0): exposure carried per dollar of initial margin. */
  efficiency: number;
  collateralValue: number;
  /** Underlying price at which equityMm = mm, moving that underlying alone (single-underlying accounts, with breakdown). */
  liquidationPrice?: { underlying: string; below: number | null; above: number | null };
  positions?: PositionMargin[];
  collateral?: CollateralMargin[];
  /** Method `portfolio` with breakdown: scenarios, add-ons and contributions. */
  portfolio?: PortfolioExplain;
  /** Method `var` with breakdown: the risk measure and its components. */
  var?: VarExplain;
}

export interface MarginTotals {
  accounts: number;
  byStatus: Record<Status, number>;
  equity: number;
  im: number;
  mm: number;
  grossNotional: number;
  /** grossNotional / im over all accounts. */
  efficiency: number;
}

export interface MarginReport {
  method: MarginMethod;
  valuationTime: string;
  backend: BackendName;
  accounts: AccountMargin[];
  totals: MarginTotals;
  /**
   * What validation let through or changed (book, market, params): unknown fields under `lenient`, a
   * correlation matrix that is not PSD or its repair. Present only when there is at least one.
   */
  warnings?: InputProblem[];
}
