/**
 * The book (what accounts hold) and the market (what things are worth now), as JSON-shaped types.
 *
 * Units (DESIGN.md §3): money in USD as f64; quantities signed (long > 0, short < 0) in contracts;
 * a contract is `multiplier` units of the underlying asset; time in years ACT/365 measured from the
 * market's `valuationTime`; vols annualised decimals (0.55 = 55%); rates and carry continuously
 * compounded per year.
 *
 * The raw types (`Book`, `Market`) describe accepted input. The `Validated…` types are what
 * `validateBook` / `validateMarket` return: new objects with defaults filled in and a brand that only
 * validation can produce, so nothing unvalidated reaches the layout or a kernel.
 */

import type { InputProblem } from '../errors.js';

/**
 * What an instrument is. `spot` is a holding of an asset; futures and perpetuals are linear when settled in USD (or
 * another asset than their underlying) and inverse when settled in their underlying (`settlement`).
 */
export type InstrumentKind = 'spot' | 'future' | 'perpetual' | 'option';

export type OptionRight = 'call' | 'put';

interface InstrumentBase {
  /** Unique across the book, e.g. `BTC-PERP`, `BTC-26MAR27`, `BTC-27NOV26-90000-C`. */
  id: string;
  /** Symbol of the underlying asset; must be an asset of the market, e.g. `BTC`. */
  underlying: string;
  /**
   * Units of the underlying per contract (> 0). Default 1. An inverse future or perpetual (settled in its
   * underlying) is sized in USD instead: `multiplier` is its face value in USD per contract (Deribit BTC: 10).
   */
  multiplier?: number | undefined;
  /**
   * The currency the instrument's premium, P&L and margin are paid in (docs/coin-margined.md): `"USD"` (default) or
   * an asset symbol of the market. Its underlying: an inverse future or perpetual (P&L in coin =
   * quantity·multiplier·(1/entry − 1/mark), prices in USD per coin) or a coin-settled option (prices in coin per
   * unit of underlying, strike in USD). Another asset: a linear future or perpetual quoted in that asset (prices in
   * it per unit of underlying). Held only by accounts whose `marginCurrency` is the same.
   */
  settlement?: string | undefined;
}

export interface SpotInstrument extends InstrumentBase {
  kind: 'spot';
}

export interface FutureInstrument extends InstrumentBase {
  kind: 'future';
  /** Expiry, ISO-8601 with a time zone (e.g. `2027-03-26T08:00:00Z`). Optional for futures. */
  expiry?: string | undefined;
}

export interface PerpetualInstrument extends InstrumentBase {
  kind: 'perpetual';
}

/** European option on `underlying`, priced with generalised Black-Scholes-Merton. */
export interface OptionInstrument extends InstrumentBase {
  kind: 'option';
  right: OptionRight;
  /** Strike in USD per unit of the underlying (> 0). */
  strike: number;
  /** Expiry, ISO-8601 with a time zone (e.g. `2026-11-27T08:00:00Z`). */
  expiry: string;
}

export type Instrument = SpotInstrument | FutureInstrument | PerpetualInstrument | OptionInstrument;

export interface Position {
  /** Id of an instrument of the book. */
  instrument: string;
  /** Signed number of contracts: long > 0, short < 0. */
  quantity: number;
  /**
   * Average entry price per unit of the underlying (per contract ÷ multiplier), ≥ 0, in the instrument's quote: USD
   * for USD-settled instruments and inverse contracts (USD per coin, > 0), coin per unit for coin-settled options,
   * the settlement asset per unit for linear contracts settled in another asset.
   */
  entryPrice: number;
  /**
   * Isolated margin mode only: USD of the account's collateral allocated to this position (≥ 0). When
   * absent, the account's collateral is allocated to its positions in proportion to their initial margin.
   */
  isolatedMargin?: number | undefined;
}

/**
 * A balance of an asset held by an account. Positive balances are collateral (valued with a haircut);
 * negative balances are borrowings (liabilities). Either way the balance is also a delta exposure to
 * the asset: a BTC balance hedges a short BTC call under the risk-based methods.
 */
export interface CollateralBalance {
  /** Asset symbol, e.g. `USDC`, `BTC`; must be an asset of the market. */
  asset: string;
  /** Units of the asset (not USD); negative = borrowed. */
  amount: number;
  /**
   * Where the balance sits: a chain or venue named in `params.locations.at` (docs/locations.md),
   * with its extra haircut and settlement delay. Absent: at the margin account itself (no extra haircut, no delay).
   */
  location?: string | undefined;
}

export interface Account {
  /** Unique across the book. */
  id: string;
  /**
   * Default []. Rows on the same instrument are netted into one position (docs/book-format.md,
   * "Positions are netted"): quantities add, entry prices combine at average cost, and closing longs
   * against shorts of a linear instrument realizes P&L into `cashUsd`.
   */
  positions?: Position[] | undefined;
  /** Default []. At most one balance per asset. */
  collateral?: CollateralBalance[] | undefined;
  /**
   * Settled cash in USD (realized P&L, later liquidation proceeds and fees); may be negative.
   * Counts in equity, equity for IM and equity for MM at full weight. Default 0.
   */
  cashUsd?: number | undefined;
  /**
   * The id of this account's master: the account is a subaccount, margined under the master's policy
   * (`params.subaccounts.policy`; docs/subaccounts.md). A master is an account of the book that has no master.
   */
  master?: string | undefined;
  /** The margin method of this account (a method of the engine); default: the run's method. */
  method?: string | undefined;
  /**
   * The currency the account's collateral, requirement, equity and health are stated in (docs/coin-margined.md):
   * `"USD"` (default) or an asset symbol (a Deribit BTC subaccount: `"BTC"`). An account margined in an asset holds
   * only instruments settled in it, and only that asset as collateral (its cash); reports add a USD view.
   */
  marginCurrency?: string | undefined;
}

export interface Book {
  instruments: Instrument[];
  /** At least one; every account holds at least one position or balance. */
  accounts: Account[];
}

/** Market data for one asset. */
export interface AssetMarket {
  /** Spot price in USD per unit (> 0). Stablecoins ≈ 1. */
  price: number;
  /** Annualised volatility of the spot price, decimal (≥ 0; stablecoins 0). Used by VaR. */
  vol: number;
  /** Continuously compounded risk-free rate per year of the quote currency for this asset. Default 0. */
  rate?: number | undefined;
  /** Continuous carry yield q per year (dividend- or funding-like). Default 0. Forward = S·e^{(rate−carry)T}. */
  carry?: number | undefined;
}

/** A correlation matrix over assets: `matrix[i][j]` correlates the returns of `assets[i]` and `assets[j]`. */
export interface Correlation {
  /** Asset symbols in row/column order. Must list every asset with vol > 0; zero-vol assets may be left out. */
  assets: string[];
  /** Square, symmetric, unit diagonal, entries in [−1, 1], positive semidefinite. */
  matrix: number[][];
}

/** A market snapshot. Independent of the book: a new snapshot never requires re-laying out the book. */
/** A matrix of historical returns: rows are dates (oldest first), columns are `assets`. */
export interface ReturnsMatrix {
  /** Asset symbols, one per column. */
  assets: string[];
  /** dates × assets simple returns over `periodDays` each (S_t / S_{t−1} − 1, > −1). */
  matrix: number[][];
  /** Calendar days each return spans (default 1: daily returns). */
  periodDays: number;
}

export interface Market {
  /** The "now" all times are measured from, ISO-8601 with a time zone. */
  valuationTime: string;
  /** Per asset symbol. */
  assets: Record<string, AssetMarket>;
  /**
   * Optional quoted marks per unit of the underlying, by instrument id (any kind), in the instrument's quote: USD
   * (inverse contracts: USD per coin, as Deribit's mark_price), coin for coin-settled options (e.g. 0.045 BTC).
   */
  marks?: Record<string, number> | undefined;
  /** Implied vol (annualised decimal ≥ 0) by option id; required for every option of the book. */
  impliedVols?: Record<string, number> | undefined;
  /**
   * The assets' correlations: needed only by what uses them (the var method, portfolio margin with aggregation
   * "correlation", stress contagion and Monte Carlo stress); they say so when it is missing.
   */
  correlation?: Correlation | undefined;
}

declare const validatedBookBrand: unique symbol;
declare const validatedMarketBrand: unique symbol;

interface ValidatedInstrumentBase {
  readonly id: string;
  readonly underlying: string;
  readonly multiplier: number;
  /** The settlement asset; absent for USD (the default), so USD instruments are the objects they always were. */
  readonly settlement?: string | undefined;
}

export type ValidatedInstrument =
  | (ValidatedInstrumentBase & { readonly kind: 'spot' })
  | (ValidatedInstrumentBase & { readonly kind: 'perpetual' })
  | (ValidatedInstrumentBase & { readonly kind: 'future'; readonly expiry?: string | undefined })
  | (ValidatedInstrumentBase & {
      readonly kind: 'option';
      readonly right: OptionRight;
      readonly strike: number;
      /** Canonical form `YYYY-MM-DDTHH:MM:SSZ` (milliseconds only when non-zero). */
      readonly expiry: string;
    });

export type ValidatedPosition = Readonly<Position>;
export type ValidatedCollateral = Readonly<CollateralBalance> & {
  /**
   * Set only on the balances of a pooled master account (src/subaccounts/pool-book.ts), never read from JSON: the
   * share of the positive holdings at each location, when the pooled members held the asset at different places.
   */
  readonly locationShares?: readonly { readonly location: string; readonly share: number }[] | undefined;
};

export interface ValidatedAccount {
  readonly id: string;
  /** Netted: at most one position per instrument, in order of first appearance. */
  readonly positions: readonly ValidatedPosition[];
  readonly collateral: readonly ValidatedCollateral[];
  /** USD: the book's `cashUsd` plus the P&L realized by netting its rows; present only when non-zero. */
  readonly cashUsd?: number | undefined;
  /** The master's id (the account is a subaccount); checked: in the book, not itself, not a subaccount. */
  readonly master?: string | undefined;
  /** The account's own margin method name (checked against the engine's methods when margined). */
  readonly method?: string | undefined;
  /**
   * The margin asset (absent: USD). The account's collateral is at most one balance, of that asset, holding the P&L
   * realized by netting too; it has no `cashUsd`. The layout keeps that balance as the account's cash (in the asset).
   */
  readonly marginCurrency?: string | undefined;
}

/** A book that passed {@link validateBook}: new objects, defaults filled, expiries canonical. Treat as read-only. */
export interface ValidatedBook {
  readonly instruments: readonly ValidatedInstrument[];
  readonly accounts: readonly ValidatedAccount[];
  /** What validation let through on request: unknown fields under `{ lenient: true }` (empty otherwise). */
  readonly warnings: readonly InputProblem[];
  readonly [validatedBookBrand]: true;
}

export interface ValidatedAssetMarket {
  readonly price: number;
  readonly vol: number;
  readonly rate: number;
  readonly carry: number;
}

export interface ValidatedCorrelation {
  /**
   * False when the market has no `correlation` (it is optional: only the methods that use correlations ask for it,
   * through requireCorrelationMatrix); `assets` is then empty and every pair of assets correlates 0 in the layout.
   */
  readonly given: boolean;
  readonly assets: readonly string[];
  /** Row-major, `assets.length` squared entries. */
  readonly matrix: Float64Array;
  /**
   * Smallest eigenvalue of `matrix`. Below −PSD_TOLERANCE the matrix is not a correlation matrix: it
   * stays usable by methods that ignore correlation (with a warning), and the methods that use it reject it.
   */
  readonly minEigenvalue: number;
}

/** A market that passed {@link validateMarket}. Maps instead of records: ids are data, not property names. */
export interface ValidatedMarket {
  /** Canonical ISO-8601 UTC. */
  readonly valuationTime: string;
  /** Epoch milliseconds of `valuationTime`. */
  readonly valuationMs: number;
  readonly assets: ReadonlyMap<string, ValidatedAssetMarket>;
  readonly marks: ReadonlyMap<string, number>;
  readonly impliedVols: ReadonlyMap<string, number>;
  readonly correlation: ValidatedCorrelation;
  /**
   * What validation let through or changed, as problems that did not stop it: a correlation matrix that
   * is not positive semidefinite, or its repair (`{ repairCorrelation: true }`), at
   * `market.correlation.matrix`; unknown fields under `{ lenient: true }`.
   */
  readonly warnings: readonly InputProblem[];
  readonly [validatedMarketBrand]: true;
}
