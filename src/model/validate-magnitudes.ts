/**
 * The domain's bounds on what a book is worth at its market (src/model/domain.ts): each position's notional, each
 * balance's value, and each account's gross value (Σ |notional| + Σ |balance value| + |cash|), all at most 1e15 USD.
 * Checked where a book meets its market (validateInputs, and validateMarket given the book); each input number is
 * bounded on its own before, which alone keeps every intermediate finite.
 */
import type { ProblemList } from '../errors.js';
import { instrumentRowsOf } from './brand.js';
import { bookColumnsOf } from './book-columns.js';
import { boundText, DOMAIN } from './domain.js';
import { isInverseInstrument } from './settlement.js';
import { parseIsoTimestamp, yearsBetween } from './time.js';
import type { ValidatedAssetMarket, ValidatedBook } from './types.js';

const { notional: NOTIONAL, accountValue: ACCOUNT_VALUE } = DOMAIN;

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
    units[row] = unitNotional(instrument.kind === 'option', instrument.multiplier, asset, marks.get(instrument.id), years);
  });
  return units;
}

/**
 * USD per contract of a linear contract or an option (an inverse one's is its multiplier): multiplier × (the
 * underlying's price for an option, the quoted mark, or for an unquoted future, with `expiryYears`, the price carried
 * to expiry S·e^{(r−q)T}, as the layout derives its mark). One formula for a book meeting its market and a live session.
 */
export function unitNotional(option: boolean, multiplier: number, asset: { price: number; rate: number; carry: number }, quoted: number | undefined, expiryYears: number | null): number {
  const mark = option ? undefined : quoted;
  let price = mark ?? asset.price;
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
  const balancePrice = Float64Array.from(h.balanceAssets, (asset) => assets.get(asset)?.price ?? 0);
  checkHoldings((row) => book.instruments[row].id, h, units, rows, balancePrice, problems);
}

/**
 * The largest gross value an account can have with every one of its bounds met at once: a position's notional and a
 * balance's worth are ≥ 0 (|quantity| × a positive price × a positive multiplier), and a floating-point sum of
 * values ≥ 0 is at least each of them, so an account whose gross value is within this bound has every position and
 * balance within theirs too.
 */
export const ALL_WITHIN = Math.min(NOTIONAL.max, ACCOUNT_VALUE.max);

/**
 * The bounds over every position and balance (`instrumentId`: an instrument row's id, for messages): each account's
 * gross value alone first (one sum, no test per position: perf: sum-then-check, docs/performance.md), and only an
 * account whose sum is above {@link ALL_WITHIN} or not a number (NaN and ±Infinity fail the test) is checked position
 * by position for its problems. perf: loop-alone.
 */
export function checkHoldings(instrumentId: (row: number) => string, h: Holdings, units: Float64Array, rows: Int32Array, balancePrice: Float64Array, problems: ProblemList): void {
  const { cashUsd, positionStart, quantity, balanceStart, balanceAsset, amount } = h;
  for (let a = 0; a < h.accounts && !problems.full; a++) {
    let value = Math.abs(cashUsd[a]);
    for (let p = positionStart[a], end = positionStart[a + 1]; p < end; p++) value += Math.abs(quantity[p]) * units[rows[p]];
    for (let k = balanceStart[a], end = balanceStart[a + 1]; k < end; k++) value += Math.abs(amount[k]) * balancePrice[balanceAsset[k]];
    if (!(value <= ALL_WITHIN)) checkAccount(instrumentId, h, a, units, rows, balancePrice, problems);
  }
}

/** Account a's bounds, each position's and balance's, then its gross value's (the same sum in the same order). */
function checkAccount(instrumentId: (row: number) => string, h: Holdings, a: number, units: Float64Array, rows: Int32Array, balancePrice: Float64Array, problems: ProblemList): void {
  const { cashUsd, positionStart, quantity, balanceStart, balanceAsset, amount } = h;
  let value = Math.abs(cashUsd[a]);
  const before = problems.size;
  for (let p = positionStart[a], end = positionStart[a + 1]; p < end; p++) {
    const notional = Math.abs(quantity[p]) * units[rows[p]];
    if (!(notional <= NOTIONAL.max)) {
      problems.add(`accounts[${a}]`, `the position in ${instrumentId(rows[p])} has a notional of ${usd(notional)}, above the largest notional ${boundText(NOTIONAL.max)} USD`);
    }
    value += notional;
  }
  for (let k = balanceStart[a], end = balanceStart[a + 1]; k < end; k++) {
    const worth = Math.abs(amount[k]) * balancePrice[balanceAsset[k]];
    if (!(worth <= NOTIONAL.max)) {
      const asset = h.balanceAssets[balanceAsset[k]];
      problems.add(`accounts[${a}].collateral[${k - balanceStart[a]}].amount`, `${amount[k]} ${asset} is worth ${usd(worth)}, above the largest balance value ${boundText(NOTIONAL.max)} USD`);
    }
    value += worth;
  }
  if (problems.size === before && !(value <= ACCOUNT_VALUE.max)) {
    problems.add(`accounts[${a}]`, `gross value ${usd(value)} (Σ |position notional| + Σ |balance value| + |cash|) is above the largest account value ${boundText(ACCOUNT_VALUE.max)} USD`);
  }
}

/**
 * What the bounds read of a book's holdings, in CSR form (src/model/book-columns.ts), from its columns or its objects:
 * typed arrays either way (perf: one-type-per-loop, docs/performance.md).
 */
export interface Holdings {
  accounts: number;
  cashUsd: Float64Array;
  positionStart: Int32Array;
  quantity: Float64Array;
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
  const positionStart = [0], quantity: number[] = [], balanceStart = [0], balanceAsset: number[] = [], amount: number[] = [];
  const assetIndex = new Map<string, number>();
  for (const account of book.accounts) {
    for (const position of account.positions) quantity.push(position.quantity);
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
    quantity: Float64Array.from(quantity), balanceStart: Int32Array.from(balanceStart), balanceAsset: Int32Array.from(balanceAsset),
    balanceAssets: [...assetIndex.keys()], amount: Float64Array.from(amount),
  };
}

/** A USD amount in messages: the exact value, as JavaScript writes it. */
function usd(x: number): string {
  return `${String(x)} USD`;
}
