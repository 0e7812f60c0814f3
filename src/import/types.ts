/**
 * What a venue adapter returns: a book and a market in margin-core's JSON formats (docs/book-format.md), what it did
 * not import and why, and the venue's own figures for each account it built, so a caller can check the import
 * against them (docs/data-import.md).
 */
import type { InputProblem } from '../errors.js';
import type { Market, OptionRight } from '../model/types.js';

/**
 * An instrument as the adapters write it: the book format's fields, plus `settlement` for a contract paid in a coin
 * or a stablecoin (the coin-settled contract: `settlement` is the coin for inverse futures, perpetuals and options).
 */
export interface ImportedInstrument {
  id: string;
  kind: 'future' | 'perpetual' | 'option';
  underlying: string;
  /** Units of the underlying per contract; for an inverse future or perpetual, the contract's face value in USD. */
  multiplier: number;
  right?: OptionRight | undefined;
  /** USD per unit of the underlying. */
  strike?: number | undefined;
  /** ISO-8601 UTC. */
  expiry?: string | undefined;
  /** The currency premium, P&L and margin are paid in, when not USD: the coin of an inverse contract. */
  settlement?: string | undefined;
}

export interface ImportedPosition {
  instrument: string;
  /** Signed contracts: long > 0, short < 0. */
  quantity: number;
  /** In the instrument's quote: USD per coin for futures and perpetuals, coin per unit for a coin-settled option. */
  entryPrice: number;
}

export interface ImportedAccount {
  id: string;
  positions: ImportedPosition[];
  collateral: { asset: string; amount: number }[];
  /** The currency the account's collateral, requirement and equity are stated in, when not USD (a Deribit BTC account). */
  marginCurrency?: string | undefined;
}

export interface ImportedBook {
  instruments: ImportedInstrument[];
  accounts: ImportedAccount[];
}

/** An account's equity as the venue states it, in its currency and in USD at the venue's index. */
export interface VenueEquity {
  account: string;
  /** The currency `equity` is in (a coin for a coin-margined account, `USD` for a cross-collateral one). */
  currency: string;
  equity: number;
  equityUsd: number;
  /** Where the figure was read (e.g. `get_account_summary.json[0].result.equity`; a sum of summaries joins them with ` + `). */
  path: string;
}

export interface ImportResult {
  book: ImportedBook;
  market: Market;
  /**
   * Every position, balance or instrument the adapter could not import (unknown or unsupported instrument, a value it
   * cannot use), with its path in the input files: nothing is dropped without an entry here.
   */
  skipped: InputProblem[];
  /** What the import assumed or filled in (an asset's vol taken from an option, a stablecoin valued at 1 USD). */
  notes: InputProblem[];
  /** The venue's own equity of each account, where the input gives it. */
  venueEquity: VenueEquity[];
}

/** Stablecoins valued at 1 USD unless the input prices them. */
export const USD_STABLECOINS: ReadonlySet<string> = new Set(['USD', 'USDC', 'USDT', 'DAI', 'FDUSD', 'TUSD', 'USDE', 'PYUSD', 'BUSD']);
