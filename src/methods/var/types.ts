/** The VaR / ES method's explain section of a report row (`account.var`, with breakdown). */
import type { VarParams } from './params.js';

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
  scenarios?: number | undefined;
  /** Per underlying (zero ones omitted): they sum to the measure (var or es), see docs/var-margin.md. */
  components: { underlying: string; contribution: number }[];
  /**
   * Per underlying (zero ones omitted): dollar delta Σ q·mult·Δ·S (+ balances × price), dollar gamma
   * Σ q·mult·Γ·S² (P&L ≈ Δ$·r + ½Γ$·r² for a return r) and vega Σ q·mult·∂V/∂σ (USD per 1.00 vol).
   */
  exposures: { underlying: string; dollarDelta: number; dollarGamma: number; vega: number }[];
  /** When the model departed from its method for this account (e.g. Cornish–Fisher not monotone). */
  note?: string | undefined;
}

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** VaR / ES margin over the market's correlation matrix (docs/var-margin.md). */
    var: VarParams;
  }
  interface AccountMargin {
    /** Method `var` with breakdown: the risk measure and its components. */
    var?: VarExplain | undefined;
  }
}
