/**
 * The domain's bounds on what a book is worth at its market (src/model/domain.ts): each position's notional, each
 * balance's value, and each account's gross value (Σ |notional| + Σ |balance value| + |cash|), all at most 1e15 USD;
 * and the entry values of each account's positions (what its entry prices put into its equity: Σ |entry value|) at
 * most 1e15 USD too, so an account's equity stays within 2e15 USD in magnitude. Checked where a book meets its market
 * (validateInputs, and validateMarket given the book); each input number is bounded on its own before, which alone
 * keeps every intermediate finite.
 */
import type { ProblemList } from '../errors.js';
import { instrumentRowsOf } from './brand.js';
import { bookColumnsOf } from './book-columns.js';
import { boundText, DOMAIN } from './domain.js';
import { isInverseInstrument } from './settlement.js';
import { parseIsoTimestamp, yearsBetween } from './time.js';
import type { ValidatedAssetMarket, ValidatedBook, ValidatedInstrument } from './types.js';

const { notional: NOTIONAL, accountValue: ACCOUNT_VALUE } = DOMAIN;

/**
 * What the bounds read at one market: USD per contract of each instrument row ({@link unitNotional}), USD per unit of
 * each balance asset (by the holdings' asset index), and per row how an entry price becomes an entry value
 * ({@link entryValue}).
 */
export interface HoldingPrices {
  units: Float64Array;
  assetPrice: Float64Array;
  /** Per row: USD of entry value per contract and per unit of entry price (a linear contract's multiplier; else 0). */
  perEntry: Float64Array;
  /** Per row: USD of entry value per contract times the entry price (an inverse contract's multiplier × its coin's price; else 0). */
  overEntry: Float64Array;
}

/**
 * A position's entry value (USD): what its entry price puts into its account's equity. A linear contract's P&L is
 * units × (mark − entry): |quantity| × multiplier × entry; an inverse one's is face × (1/entry − 1/mark) in coin:
 * |quantity| × multiplier × coin price / entry. An option's entry price enters no figure (its premium is in the
 * cash): 0. A flat inverse position's entry is 0 (no value).
 */
export function entryValue(quantity: number, entry: number, perEntry: number, overEntry: number): number {
  // 1/entry: the layout's coordinate negated (x = −1/entry, exact), so a live session's sum has these bits (layoutEntryValue)
  return Math.abs(quantity) * (perEntry * entry + (entry > 0 ? overEntry * (1 / entry) : 0));
}

/**
 * {@link entryValue} from the layout's entry (an inverse contract's x = −1/entry, src/model/inverse-price.ts; a linear
 * one's entry itself), with the same bits.
 */
export function layoutEntryValue(quantity: number, x: number, perEntry: number, overEntry: number): number {
  return Math.abs(quantity) * (perEntry * x + (x < 0 ? overEntry * -x : 0));
}

/**
 * Per row, the factors of {@link entryValue}: a linear future's, perpetual's or spot contract's multiplier, an inverse
 * contract's multiplier × its coin's price (`coinPrice`; NaN where unknown: its value is then NaN and refused).
 */
export function entryFactors(rows: number, kindOf: (row: number) => 'option' | 'inverse' | 'linear', multiplier: (row: number) => number, coinPrice: (row: number) => number, quotePrice: (row: number) => number): { perEntry: Float64Array; overEntry: Float64Array } {
  const perEntry = new Float64Array(rows), overEntry = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const kind = kindOf(row);
    if (kind === 'linear') perEntry[row] = multiplier(row) * quotePrice(row);
    else if (kind === 'inverse') overEntry[row] = multiplier(row) * coinPrice(row);
  }
  return { perEntry, overEntry };
}

/**
 * USD per unit of the currency a linear contract's prices (its mark, entry and fills) are quoted in: 1 for USD, the
 * settlement asset's price for a contract settled in another asset than its underlying (a USDC perpetual, a BTC
 * perpetual settled in ETH: its prices are in ETH, as the layout quotes it, src/layout/market-layout.ts). NaN for an
 * asset the market does not price (reported on its own).
 */
export function quoteCurrencyPrice(settled: boolean, settlementPrice: number | undefined): number {
  return settled ? (settlementPrice ?? Number.NaN) : 1;
}

/**
 * USD per contract of each instrument row: multiplier × (the underlying's price for an option, the quoted mark, or
 * the price carried to expiry, S·e^{(r−q)T}, as the layout derives an unquoted future's mark); an inverse contract's
 * multiplier alone (USD of face value per contract: docs/coin-margined.md).
 */
function unitNotionals(book: ValidatedBook, assets: ReadonlyMap<string, ValidatedAssetMarket>, marks: ReadonlyMap<string, number>, valuationMs: number): Float64Array {
  const units = new Float64Array(book.instruments.length);
  book.instruments.forEach((instrument, row) => {
    // an inverse contract is a face value in USD per contract (its multiplier), whatever the coin's price
    if (isInverseInstrument(instrument)) return void (units[row] = instrument.multiplier);
    const asset = assets.get(instrument.underlying);
    if (!asset) return; // an unknown underlying is reported on its own
    const years = instrument.kind === 'future' && instrument.expiry !== undefined ? yearsBetween(valuationMs, parseIsoTimestamp(instrument.expiry)) : null;
    units[row] = unitNotional(instrument.kind === 'option', instrument.multiplier, asset, marks.get(instrument.id), years, bookQuotePrice(instrument, assets));
  });
  return units;
}

/** {@link quoteCurrencyPrice} of a book's instrument at the market's asset prices. */
function bookQuotePrice(instrument: ValidatedInstrument, assets: ReadonlyMap<string, ValidatedAssetMarket>): number {
  const s = instrument.settlement;
  return quoteCurrencyPrice(instrument.kind !== 'option' && s !== undefined && s !== instrument.underlying, s === undefined ? undefined : assets.get(s)?.price);
}

/**
 * USD per contract of a linear contract or an option (an inverse one's is its multiplier): multiplier × (the
 * underlying's price for an option, the quoted mark, or for an unquoted future, with `expiryYears`, the price carried
 * to expiry S·e^{(r−q)T}, as the layout derives its mark). One formula for a book meeting its market and a live session.
 */
export function unitNotional(option: boolean, multiplier: number, asset: { price: number; rate: number; carry: number }, quoted: number | undefined, expiryYears: number | null, quotePrice = 1): number {
  const mark = option ? undefined : quoted;
  // a quoted mark is in the contract's quote currency (quotePrice USD per unit of it); a derived one is in USD
  let price = mark === undefined ? asset.price : mark * quotePrice;
  if (mark === undefined && !option && expiryYears !== null) price = asset.price * Math.exp((asset.rate - asset.carry) * expiryYears);
  return price * multiplier;
}

export function checkMagnitudes(
  book: ValidatedBook,
  assets: ReadonlyMap<string, ValidatedAssetMarket>,
  marks: ReadonlyMap<string, number>,
  valuationMs: number,
  problems: ProblemList,
): void {
  const units = unitNotionals(book, assets, marks, valuationMs);
  const rows = instrumentRowsOf(book);
  // a columnar book (Arrow, streamed JSON) is read in its columns: its object view would cost an object per position
  const h = bookHoldings(book);
  const ins = book.instruments;
  const entry = entryFactors(ins.length, (row) => (ins[row].kind === 'option' ? 'option' : isInverseInstrument(ins[row]) ? 'inverse' : 'linear'), (row) => ins[row].multiplier, (row) => assets.get(ins[row].underlying)?.price ?? Number.NaN, (row) => bookQuotePrice(ins[row], assets));
  const assetPrice = Float64Array.from(h.balanceAssets, (asset) => assets.get(asset)?.price ?? 0);
  checkHoldings((row) => ins[row].id, h, { units, assetPrice, ...entry }, rows, problems);
}

/**
 * The largest gross value (with its positions' entry values) an account can have with every one of its bounds met at
 * once: a position's notional and entry value and a balance's worth are ≥ 0 (|quantity| × a positive price × a
 * positive multiplier), and a floating-point sum of values ≥ 0 is at least each of them and each part's sum, so an
 * account whose sum is within this bound has every position and balance within theirs too.
 */
export const ALL_WITHIN = Math.min(NOTIONAL.max, ACCOUNT_VALUE.max);

/**
 * The bounds over every position and balance (`instrumentId`: an instrument row's id, for messages): each account's
 * gross value and entry values alone first (one sum, no test per position: perf: sum-then-check,
 * docs/performance.md), and only an account whose sum is above {@link ALL_WITHIN} or not a number (NaN and ±Infinity
 * fail the test) is checked position by position for its problems. perf: loop-alone.
 */
export function checkHoldings(instrumentId: (row: number) => string, h: Holdings, prices: HoldingPrices, rows: Int32Array, problems: ProblemList): void {
  const { cashUsd, positionStart, quantity, entryPrice, balanceStart, balanceAsset, amount } = h;
  const { units, assetPrice, perEntry, overEntry } = prices;
  for (let a = 0; a < h.accounts && !problems.full; a++) {
    let value = Math.abs(cashUsd[a]);
    for (let p = positionStart[a], end = positionStart[a + 1]; p < end; p++) {
      const row = rows[p];
      value += Math.abs(quantity[p]) * units[row] + entryValue(quantity[p], entryPrice[p], perEntry[row], overEntry[row]);
    }
    for (let k = balanceStart[a], end = balanceStart[a + 1]; k < end; k++) value += Math.abs(amount[k]) * assetPrice[balanceAsset[k]];
    if (!(value <= ALL_WITHIN)) checkAccount(instrumentId, h, a, prices, rows, problems);
  }
}

/**
 * Account a's bounds, each position's (its notional, else its entry value) and balance's, then its gross value's (the
 * same sum in the same order) and its entry values'.
 */
function checkAccount(instrumentId: (row: number) => string, h: Holdings, a: number, prices: HoldingPrices, rows: Int32Array, problems: ProblemList): void {
  const { cashUsd, positionStart, quantity, entryPrice, balanceStart, balanceAsset, amount } = h;
  let value = Math.abs(cashUsd[a]), entries = 0;
  const before = problems.size;
  for (let p = positionStart[a], end = positionStart[a + 1]; p < end; p++) {
    const row = rows[p];
    const notional = Math.abs(quantity[p]) * prices.units[row], entry = entryValue(quantity[p], entryPrice[p], prices.perEntry[row], prices.overEntry[row]);
    if (!(notional <= NOTIONAL.max)) {
      problems.add(`accounts[${a}]`, `the position in ${instrumentId(row)} has a notional of ${usd(notional)}, above the largest notional ${boundText(NOTIONAL.max)} USD`);
    } else if (!(entry <= NOTIONAL.max)) {
      problems.add(`accounts[${a}]`, `the position in ${instrumentId(row)} has an entry value of ${usd(entry)} (${ENTRY_VALUE_TEXT}) at entry price ${entryPrice[p]}, above the largest entry value ${boundText(NOTIONAL.max)} USD`);
    }
    value += notional;
    entries += entry;
  }
  for (let k = balanceStart[a], end = balanceStart[a + 1]; k < end; k++) {
    const worth = Math.abs(amount[k]) * prices.assetPrice[balanceAsset[k]];
    if (!(worth <= NOTIONAL.max)) {
      const asset = h.balanceAssets[balanceAsset[k]];
      problems.add(`accounts[${a}].collateral[${k - balanceStart[a]}].amount`, `${amount[k]} ${asset} is worth ${usd(worth)}, above the largest balance value ${boundText(NOTIONAL.max)} USD`);
    }
    value += worth;
  }
  if (problems.size === before && !(value <= ACCOUNT_VALUE.max)) {
    problems.add(`accounts[${a}]`, `gross value ${usd(value)} (Σ |position notional| + Σ |balance value| + |cash|) is above the largest account value ${boundText(ACCOUNT_VALUE.max)} USD`);
  }
  if (problems.size === before && !(entries <= ACCOUNT_VALUE.max)) {
    problems.add(`accounts[${a}]`, `the entry values of its positions sum to ${usd(entries)} (Σ ${ENTRY_VALUE_TEXT}), above the largest ${boundText(ACCOUNT_VALUE.max)} USD`);
  }
}

/** How an entry value is computed, for messages. */
const ENTRY_VALUE_TEXT = '|quantity| × multiplier × entry; an inverse contract\'s |quantity| × multiplier × coin price / entry';

/**
 * What the bounds read of a book's holdings, in CSR form (src/model/book-columns.ts), from its columns or its objects:
 * typed arrays either way (perf: one-type-per-loop, docs/performance.md).
 */
export interface Holdings {
  accounts: number;
  cashUsd: Float64Array;
  positionStart: Int32Array;
  quantity: Float64Array;
  /** Per position, its entry price (USD per unit; an inverse contract's USD per coin), beside `quantity`. */
  entryPrice: Float64Array;
  balanceStart: Int32Array;
  balanceAsset: Int32Array;
  balanceAssets: readonly string[];
  amount: Float64Array;
}

/**
 * An object book's holdings in CSR form, by book: a validated book does not change, and a book margined on market
 * after market (a session, a sharded book, a live report's roll-up given raw market JSON) is checked against each one:
 * read again every time, they cost several times the margin run.
 */
const holdingsByBook = new WeakMap<ValidatedBook, Holdings>();

/** What the bounds read of a book's holdings: its columns (a columnar book), else made once from its objects. */
export function bookHoldings(book: ValidatedBook): Holdings {
  const c = bookColumnsOf(book);
  if (c) return { ...c, accounts: c.accountIds.length };
  let h = holdingsByBook.get(book);
  if (!h) holdingsByBook.set(book, (h = holdingsOf(book)));
  return h;
}

function holdingsOf(book: ValidatedBook): Holdings {
  const positionStart = [0], quantity: number[] = [], entryPrice: number[] = [], balanceStart = [0], balanceAsset: number[] = [], amount: number[] = [];
  const assetIndex = new Map<string, number>();
  for (const account of book.accounts) {
    for (const position of account.positions) {
      quantity.push(position.quantity);
      entryPrice.push(position.entryPrice);
    }
    positionStart.push(quantity.length);
    for (const balance of account.collateral) {
      if (!assetIndex.has(balance.asset)) assetIndex.set(balance.asset, assetIndex.size);
      balanceAsset.push(assetIndex.get(balance.asset)!);
      amount.push(balance.amount);
    }
    balanceStart.push(amount.length);
  }
  return {
    accounts: book.accounts.length, cashUsd: Float64Array.from(book.accounts, (a) => a.cashUsd ?? 0), positionStart: Int32Array.from(positionStart),
    quantity: Float64Array.from(quantity), entryPrice: Float64Array.from(entryPrice), balanceStart: Int32Array.from(balanceStart), balanceAsset: Int32Array.from(balanceAsset),
    balanceAssets: [...assetIndex.keys()], amount: Float64Array.from(amount),
  };
}

/** A USD amount in messages: the exact value, as JavaScript writes it. */
function usd(x: number): string {
  return `${String(x)} USD`;
}
