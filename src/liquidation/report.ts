/**
 * What a liquidation run returns (`engine.liquidate`, `engine.liquidate(session, …)`, `margin-core liquidate`). Money
 * in USD, but for a coin-margined account's own figures: its steps' notional and fees, its snapshots, its waterfall and
 * its ADL fills' haircuts are in its coin (docs/coin-margined.md); prices and the run's totals are in USD.
 */
import type { InputProblem } from '../errors.js';
import type { BackendName } from '../kernels/backend-name.js';
import type { Status } from '../margin/status.js';
import type { LiquidationParams } from './params.js';

/**
 * Where an account ends: `resolved` (back to the target, or closed out with its deficit covered), `being_liquidated`
 * (below the target with nothing left that the engine may close: see `note`), `bankrupt` (a deficit nobody covered,
 * written off as bad debt: the account ends at zero equity), `deleveraged` (not liquidated: an ADL counterparty, part
 * of whose position was closed at a bankrupt account's bankruptcy price).
 */
export type LiquidationState = 'resolved' | 'being_liquidated' | 'bankrupt' | 'deleveraged';

/** An account's figures at one moment. */
export interface LiquidationSnapshot {
  status: Status;
  equity: number;
  equityMm: number;
  mm: number;
  equityIm: number;
  im: number;
  /** equityMm / MM (±∞ with no MM: the sign of equityMm). */
  health: number;
}

/**
 * One step: part of a position closed, or part of a collateral balance converted to USD. Prices per unit of the
 * underlying. A close fills against the market (`market`), or, when the market fill would leave the account's equity
 * below zero, at its bankruptcy price against the insurance fund (`insuranceFund`) and opposite positions (`adl`).
 */
export interface LiquidationStep {
  kind: 'position' | 'collateral';
  /** Instrument id (position) or asset symbol (collateral). */
  id: string;
  /** Contracts (or units of the asset) taken out of the holding, signed like the holding: 2 closes 2 of a long. */
  quantity: number;
  /** The mark the holding was valued at (USD per unit of the underlying; collateral: the asset's price). */
  markPrice: number;
  /** The market fill price (slippage or the collateral discount included). */
  fillPrice: number;
  /**
   * The price at which this close would leave the account's equity at exactly 0 (never below 0: see pricing.ts; 0 for
   * a sale the account survives at any price). null where no finite price does: a close of a coin-settled contract
   * whose backing covers it at any price (its bankruptcy coordinate is 0, USD 1/0).
   */
  bankruptcyPrice: number | null;
  /** |quantity| × multiplier × (mark for linear instruments, the underlying's price for options; the price for collateral). */
  notional: number;
  /** How the quantity was taken: by the market, by the insurance fund at the bankruptcy price, by ADL, left uncovered at the fill. */
  routes: { market: number; insuranceFund: number; adl: number; uncovered: number };
  /** Fee (or collateral discount) to the liquidator, and fee to the fund. */
  feeToLiquidator: number;
  feeToFund: number;
  /**
   * The fund's balance change from this step, USD (the fund's currency, also on a coin-margined account's row): fees in,
   * minus what it paid (a deficit it covers after the last close is in no step: waterfall.insuranceFund).
   */
  fundChange: number;
  healthBefore: number;
  healthAfter: number;
  /**
   * The account's maintenance margin before and after the step: a step never raises it, but the close-out of a bucket
   * below zero equity (every fill beyond bankruptcy), which can pass through a higher MM as it unwinds a hedge.
   */
  mmBefore: number;
  mmAfter: number;
}

export interface AccountLiquidation {
  id: string;
  /** A coin-margined account (book `marginCurrency`): the asset its snapshots, waterfall, steps' notional and fees are in (absent: USD). */
  marginCurrency?: string | undefined;
  state: LiquidationState;
  /** Why it ended there when it is not `resolved`. */
  note?: string | undefined;
  before: LiquidationSnapshot;
  after: LiquidationSnapshot;
  steps: LiquidationStep[];
  waterfall: LiquidationWaterfall;
}

/**
 * Where the account's equity went, against the marks (closing at the mark moves no equity): equityAfter =
 * equityBefore − slippage − fees + insuranceFund + adl + writtenOff, up to rounding. In the account's margin currency
 * (USD, or its coin: the row's `marginCurrency`).
 */
export interface LiquidationWaterfall {
  equityBefore: number;
  /** What the market fills cost against the marks, every close counted at its market fill. */
  slippage: number;
  /** Liquidation fees (liquidator's and fund's shares) and collateral discounts. */
  fees: number;
  /** What the insurance fund paid the account: closes taken at the bankruptcy price instead of the fill, and deficits covered. */
  insuranceFund: number;
  /**
   * What ADL counterparties took on the same way (their positions closed at the bankruptcy price); for a deleveraged
   * account, what its ADL fills moved its equity against the marks: below 0 when it paid, above 0 when a fill was
   * better than its mark.
   */
  adl: number;
  /**
   * The deficit nobody covered after the fund and ADL, written off as bad debt: what an isolated position lost beyond
   * its own equity (never charged to the rest of the account), or what an account (under isolated margin, the rest of
   * it) still owed when it had nothing left to close (it ends at zero).
   */
  writtenOff: number;
  equityAfter: number;
}

/** Part of an opposite position closed at a bankrupt account's bankruptcy price. */
export interface AdlFill {
  /**
   * The account deleveraged, and the bankrupt account whose close it took (pro-rata ADL: every bankrupt account that
   * routed contracts to the book, ids sorted and joined by ", ", as one fill takes from all of them at their average price).
   */
  account: string;
  from: string;
  instrument: string;
  /** Contracts taken out of the deleveraged position (signed like it). */
  quantity: number;
  /**
   * The price it was taken at, the bankrupt account's bankruptcy price (USD per unit; an inverse contract's USD per
   * coin): null where that has no finite USD price (an inverse contract whose bankrupt holder no price makes whole).
   */
  price: number | null;
  markPrice: number;
  /** What it cost the deleveraged account against the mark (in its margin currency: USD, or its coin; ≥ 0 when the price is worse than the mark). */
  haircut: number;
  /** Its rank in the queue (queue policy) or its share (pro-rata policy). */
  rank: number;
}

export interface LiquidationTotals {
  /** Accounts below MM at the start (status liquidatable or bankrupt), and those the run took through at least one step. */
  accountsBreaching: number;
  accountsLiquidated: number;
  /** Accounts ADL took positions from (each in `accounts`, state `deleveraged`). */
  accountsDeleveraged: number;
  resolved: number;
  stillBeingLiquidated: number;
  bankrupt: number;
  /** Σ step notionals. */
  closedNotional: number;
  feesToLiquidators: number;
  feesToFund: number;
  /** Collateral discounts (to liquidators, included in feesToLiquidators). */
  collateralDiscounts: number;
  fundStart: number;
  fundEnd: number;
  /** What the fund paid to cover bankrupt accounts. */
  fundPaid: number;
  /**
   * Bad debt: what bankrupt accounts' closes would have lost beyond their bankruptcy prices at the market fills
   * (and deficits left on accounts with nothing to close) = fundPaid + adlAbsorbed + uncovered.
   */
  badDebt: number;
  /** The part of it avoided by ADL: the ADL quantity × |bankruptcy price − market fill|. */
  adlAbsorbed: number;
  /** What ADL cost the deleveraged accounts against their marks (negative: the bankruptcy price was better for them). */
  adlHaircuts: number;
  /**
   * Bad debt nobody covered (neither the fund nor ADL), written off the accounts that owed it: the venue's loss, or its
   * winners' to share. Its own line of the conservation identity.
   */
  uncovered: number;
  /** Σ |quantity| × multiplier × price of the ADL fills. */
  adlNotional: number;
  /** What the market earned against the marks (slippage of every market fill, the fund's included). */
  marketSlippage: number;
  /**
   * Conservation of money, an identity: Σ over every account the run touched of its equity change (its equity after
   * counted at no less than 0: a deficit left on an account is money nobody pays, which only the uncovered line may
   * hold) + fees and discounts to liquidators + the fund's change + market slippage − uncovered; 0 up to rounding.
   */
  conservationResidual: number;
}

export interface LiquidationReport {
  method: string;
  valuationTime: string;
  backend: BackendName;
  /** The parameters used (defaults merged). */
  params: LiquidationParams;
  /**
   * Accounts the run liquidated, most distressed first (the order they were processed in), then the accounts ADL took
   * positions from (state `deleveraged`), in the order they were first deleveraged.
   */
  accounts: AccountLiquidation[];
  adl: AdlFill[];
  totals: LiquidationTotals;
  warnings?: InputProblem[] | undefined;
}
