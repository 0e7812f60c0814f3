/**
 * What a venue's `fetchBalance` puts in a currency's `total` (docs/data-import.md, "What `total` is, per venue"), read
 * from ccxt's own parser for that exchange: the cash balance (a wallet, without unrealized P&L) or the venue's equity
 * (wallet plus the positions' unrealized P&L, and for Deribit the options' value). A book holds cash beside positions
 * that carry their own P&L from their entry, so an equity `total` becomes cash by taking out what the imported
 * positions settled in that currency are worth by the book's contract, and the book's equity is then the venue's.
 */
import type { CcxtContract } from './symbols.js';

export type BalanceTotal = 'cash' | 'equity';

export interface VenueBalanceConvention {
  total: BalanceTotal;
  /** Where ccxt's parser says so, and what the field is on the venue. */
  source: string;
}

/** Venues (ccxt exchange ids) whose parser was read; any other reads `total` as cash unless told (`balanceTotal`). */
export const CCXT_BALANCE_CONVENTIONS: Readonly<Record<string, VenueBalanceConvention>> = {
  deribit: {
    total: 'equity',
    source: "ccxt deribit parseBalance: total = get_account_summary's `equity` (balance + futures session P&L + options value), free = available_funds, used = maintenance_margin",
  },
  bitmex: {
    total: 'equity',
    source: 'ccxt bitmex parseBalance: total = User/getMargin `marginBalance` (walletBalance + unrealised P&L), free = availableMargin',
  },
  // the trading account's; the funding account's `total` is `bal`, cash, but it holds no positions: read as equity, the same
  okx: {
    total: 'equity',
    source: "ccxt okx parseTradingBalance: total = the trading account's `eq` (the currency's equity: cashBal + upl), free = availEq or availBal",
  },
  // a spot account's total is free + locked (cash), but it holds no positions: read as equity, its cash is the same
  binance: {
    total: 'equity',
    source: 'ccxt binance parseBalance, USD-M and COIN-M futures accounts: total = `marginBalance` (walletBalance + unrealizedProfit), else `balance`; free = availableBalance, used = initialMargin',
  },
};

/** What `total` is for `venue`, or for an explicit `override`; cash when neither says. */
export function balanceTotalOf(venue: string | undefined, override: BalanceTotal | undefined): BalanceTotal {
  if (override !== undefined) return override;
  return venue !== undefined && Object.hasOwn(CCXT_BALANCE_CONVENTIONS, venue) ? CCXT_BALANCE_CONVENTIONS[venue].total : 'cash';
}

/**
 * A position's value in its settlement currency by the book's contract (docs/coin-margined.md), what an equity
 * `total` holds of it: an inverse future or perpetual its P&L N·(1/entry − 1/mark) in coin (N = units of face, USD);
 * an option its mark value units·mark (its premium was paid out of the balance); a linear contract its P&L
 * units·(mark − entry).
 */
export function valueInSettlement(contract: CcxtContract, units: number, entryPrice: number, mark: number): number {
  if (contract.kind === 'option') return units * mark;
  if (contract.inverse) return units * (1 / entryPrice - 1 / mark);
  return units * (mark - entryPrice);
}
