/**
 * Parameters of the liquidation engine: the `liquidation` section of the params JSON (every field optional, merged
 * over {@link DEFAULT_LIQUIDATION_PARAMS}). Money in USD, rates and fractions as decimals. Each default names the
 * venue rule it is modelled on (shared/research: Drift v2 `math/liquidation.rs`, dYdX v4, Binance, Deribit).
 */

/** When an account stops being liquidated: back above MM with a buffer (Drift), or back to its IM (Mango's liquidation end). */
export type LiquidationTarget = 'mm-buffer' | 'im';
/** What to close first: most margin released per dollar of cost (default), largest notional first, or linear before options (Deribit). */
export type CloseOrder = 'efficiency' | 'largest-notional' | 'linear-first';
/** Who absorbs a deficit the insurance fund cannot: opposite positions in a queue ranked by profit × leverage (Binance/Bybit), or pro rata. */
export type AdlPolicy = 'queue' | 'pro-rata';

/**
 * How a close fills against the market, per underlying, for linear instruments: at the mark (`none`); walking a book
 * of linear depth, price moving `pricePerUnit` USD per unit, filled on average at half the move (`linear`); or the
 * square-root law, a relative impact y·σ_daily·√(notional / advUsd) (`sqrt`; σ_daily = the asset's vol / √365).
 */
export type SlippageModel = { model: 'none' } | { model: 'linear'; pricePerUnit: number } | { model: 'sqrt'; y: number; advUsd: number };

export interface LiquidationParams {
  target: LiquidationTarget;
  /** mm-buffer: liquidation ends when equity for MM ≥ MM·(1 + buffer). Drift's 2% (DEFAULT_LIQUIDATION_MARGIN_BUFFER_RATIO). */
  buffer: number;
  /**
   * Largest fraction of a position closed in one step, of its size when the account's liquidation began (so a
   * position closes within ⌈1/fraction⌉ steps). Drift docs: 25% of each position.
   */
  maxFractionPerStep: number;
  /** Largest notional closed in one step (USD); null: no cap (dYdX MaxNotionalLiquidated). */
  maxNotionalPerStep: number | null;
  /**
   * A shortfall below this (USD) is closed at once: the step is sized to the whole shortfall, without the per-step cap
   * (Drift's calculate_max_pct_to_liquidate: 100% of the shortfall under $50); never the whole holding for its own sake.
   */
  smallShortfallUsd: number;
  order: CloseOrder;
  /**
   * Liquidation fee as a fraction of the closed notional (dYdX v4's MaxLiquidationFeePpm 5,000 = 0.5%; its docs and
   * Drift go up to 1–1.5%), capped by the surplus over bankruptcy of the part closed: the equity behind the holding
   * times the share of its maintenance margin the close releases, less the slippage (dYdX v4's bankruptcy quote of a
   * partial close): without slippage and collateral haircuts a partial close never lowers the account's health.
   */
  feeRate: number;
  /**
   * Options pay at most this share of the value closed (|units| × the option's mark): the fee is min(feeRate × the
   * underlying's notional, optionFeeCap × the option's value), OKX's option liquidation fee (7% of option value since
   * May 2025, 12.5% before).
   */
  optionFeeCap: number;
  /** How the fee is shared: fractions summing to 1 (Drift: half to the liquidator). */
  feeSplit: { liquidator: number; insuranceFund: number };
  /** Non-stable collateral sold to cover a requirement goes at its price less this discount, to the liquidator (Mango's asset fee). */
  collateralDiscount: number;
  /** Balances of these assets carry no price risk and are never converted. */
  stableAssets: string[];
  insuranceFund: {
    /** The fund's balance at the start of the run (USD), shared by every account in order. */
    balanceUsd: number;
    /** Most it pays for one step (USD); null: no cap (dYdX MaxQuantumsInsuranceLost). */
    maxPerStepUsd: number | null;
  };
  adl: AdlPolicy;
  /** Slippage per underlying asset (`default` for the others). */
  slippage: Record<string, SlippageModel>;
  /** Options close at their model value with the vol moved against the account by this (0.02 = 2 vol points). */
  optionSpreadVol: number;
  /** Guard: steps per account before the engine stops and reports the account as not resolved. */
  maxStepsPerAccount: number;
}

export const DEFAULT_LIQUIDATION_PARAMS: Readonly<LiquidationParams> = {
  target: 'mm-buffer',
  buffer: 0.02,
  maxFractionPerStep: 0.25,
  maxNotionalPerStep: null,
  smallShortfallUsd: 50,
  order: 'efficiency',
  feeRate: 0.005,
  optionFeeCap: 0.07,
  feeSplit: { liquidator: 0.5, insuranceFund: 0.5 },
  collateralDiscount: 0.02,
  stableAssets: ['USD', 'USDC', 'USDT', 'DAI'],
  insuranceFund: { balanceUsd: 1_000_000, maxPerStepUsd: null },
  adl: 'queue',
  slippage: { default: { model: 'sqrt', y: 1, advUsd: 1e9 } },
  optionSpreadVol: 0.02,
  maxStepsPerAccount: 1000,
};

export const TARGETS: readonly LiquidationTarget[] = ['mm-buffer', 'im'];
export const CLOSE_ORDERS: readonly CloseOrder[] = ['efficiency', 'largest-notional', 'linear-first'];
export const ADL_POLICIES: readonly AdlPolicy[] = ['queue', 'pro-rata'];
