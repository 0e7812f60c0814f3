/** What a stress run returns (`engine.stress`, `margin-core stress`). Money in USD, moves as decimals. */
import type { InputProblem } from '../errors.js';
import type { BackendName } from '../kernels/backend-name.js';
import type { StressParams } from './params.js';

/** One round of the loop: the accounts below MM liquidated at the round's market, and what their flow did to it. */
export interface CascadeRound {
  /** 1-based, counted over the whole run. */
  round: number;
  /** The shock step (1-based) the round belongs to: a path's snapshot, or 1. */
  step: number;
  /** Spot price and vol of each asset of the book at the round's market (the market liquidated on). */
  prices: Record<string, number>;
  vols: Record<string, number>;
  /**
   * Accounts the round took through at least one liquidation step, and the accounts the round liquidated whose
   * liquidation ended in a deficit nobody covered (written off as bad debt).
   */
  accountsLiquidated: number;
  accountsBankrupt: number;
  /** Σ |units| × fill price of the round's closes and conversions (options: their underlying notional). */
  liquidatedNotional: number;
  /** Liquidation fees (liquidators' and fund's shares) and collateral discounts; of them, what went to the insurance fund. */
  fees: number;
  feesToFund: number;
  /**
   * Bad debt of the round: deficits the insurance fund paid, ADL absorbed, or nobody covered (written off), and each of
   * the three (USD; `badDebt` = fundPaid + adlAbsorbed + uncovered, and the fund ends the round at its start +
   * feesToFund − fundPaid).
   */
  badDebt: number;
  fundPaid: number;
  adlAbsorbed: number;
  uncovered: number;
  /** The insurance fund at the end of the round. */
  insuranceFund: number;
  /** Σ |units| × price of the round's ADL fills. */
  adlNotional: number;
  /** Net forced flow per asset, units of the underlying (buys > 0; options count their delta). Assets with flow only. */
  flowUnits: Record<string, number>;
  /** The relative move of each asset's price the round's flow caused (permanent share, contagion included). */
  impactMove: Record<string, number>;
  /** The liquidation run's conservation identity (0 up to rounding). */
  conservationResidual: number;
}

/** Why the loop stopped after a shock step. */
export type CascadeStop = 'fixed-point' | 'price-tolerance' | 'round-cap';

export interface CascadeMetrics {
  /** Rounds that liquidated anything (the golden case's 3). */
  rounds: number;
  /**
   * Total move ÷ the shock's own move, for the asset the shock moved most (null when its net move of each is 0: none moved, or a path back to its start): 2 means the
   * cascade doubled the shock. Moves are relative to the market before the shock.
   */
  amplification: { asset: string; shockMove: number; totalMove: number; ratio: number } | null;
  badDebt: number;
  fundStart: number;
  fundEnd: number;
  /** What the fund paid out for deficits, and its fall from the start to its lowest balance at the end of a round. */
  fundPaid: number;
  fundDrawdown: number;
  /**
   * True when the fund was exhausted: it ended a round at 0, or it left a deficit to ADL or uncovered with no per-step
   * cap (fees paid in later in the round may refill it before the round ends); the first round it was.
   */
  fundDepleted: boolean;
  fundDepletedInRound: number | null;
  /** Distinct accounts liquidated, and distinct accounts whose liquidation ended in a deficit nobody covered. */
  accountsLiquidated: number;
  accountsBankrupt: number;
  liquidatedNotional: number;
  fees: number;
  /** The rounds' fees to the fund, ADL absorbed and deficits nobody covered (their sums, as `badDebt` is theirs). */
  feesToFund: number;
  adlAbsorbed: number;
  uncovered: number;
  adlNotional: number;
}

export interface CascadeResult {
  method: string;
  backend: BackendName;
  /** Before the shock: Σ gross notional / Σ IM of the book (the margin report's efficiency), and Σ IM. */
  efficiency: number;
  im: number;
  rounds: CascadeRound[];
  /** Per shock step: how many rounds ran and why the loop stopped. */
  stops: { step: number; label: string; rounds: number; stoppedBy: CascadeStop }[];
  metrics: CascadeMetrics;
  /** Spot prices of the book's assets before the shock, and at the end. */
  pricesBefore: Record<string, number>;
  finalPrices: Record<string, number>;
}

/** The smallest multiple of the shock that makes bad debt exceed the threshold: a scan of λ, then bisection of the first crossing. */
export interface ReverseStressResult {
  method: string;
  /** Bad debt must exceed this (USD): the insurance fund by default. */
  thresholdUsd: number;
  /** The multiple λ of the shock's moves (null when even the largest shock stays below the threshold). */
  scale: number | null;
  /** The shock's moves × λ per asset. */
  moves: Record<string, number> | null;
  /** Bad debt at λ (just above the threshold), and at the bracket's lower end (just below). */
  badDebt: number | null;
  badDebtBelow: number;
  /** Multiples of the shock probed, a cascade each (the answer's runs once more when its probe stopped at the threshold). */
  evaluations: number;
  /** λ's bracket width at the end (relative to λ). */
  tolerance: number;
  /**
   * The scan's step in λ (half a percentage point of the shock's largest move): no grid point below λ crosses the
   * threshold; a crossing narrower than this between two grid points can be missed.
   */
  gridStep: number;
}

export interface MonteCarloPath {
  path: number;
  /** The path's shock: relative moves per asset. */
  moves: Record<string, number>;
  badDebt: number;
  liquidatedNotional: number;
  rounds: number;
}

export interface MonteCarloStressResult {
  method: string;
  paths: number;
  seed: number;
  horizonDays: number;
  badDebt: Distribution;
  liquidatedNotional: Distribution;
  /** Paths with any bad debt, and with bad debt above the insurance fund. */
  pathsWithBadDebt: number;
  pathsBeyondFund: number;
  /** The worst paths by bad debt (then liquidated notional), worst first. */
  worst: MonteCarloPath[];
}

/** Mean and upper percentiles of a sample (percentile: the ⌈p·N⌉-th smallest value). */
export interface Distribution {
  mean: number;
  p95: number;
  p99: number;
  max: number;
}

export interface StressReport {
  shock: { name: string; description?: string | undefined; steps: string[] };
  backend: BackendName;
  params: StressParams;
  /** One cascade per method asked for, in the engine's method order. */
  cascades: CascadeResult[];
  reverse?: ReverseStressResult[] | undefined;
  monteCarlo?: MonteCarloStressResult[] | undefined;
  warnings?: InputProblem[] | undefined;
}
