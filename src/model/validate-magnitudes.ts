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
import { parseIsoTimestamp, yearsBetween } from './time.js';
import type { ValidatedAssetMarket, ValidatedBook } from './types.js';

const { notional: NOTIONAL, accountValue: ACCOUNT_VALUE } = DOMAIN;

/**
 * USD per contract of each instrument row: multiplier × (the underlying's price for an option, the quoted mark, or
 * the price carried to expiry, S·e^{(r−q)T}, as the layout derives an unquoted future's mark).
 */
function unitNotionals(book: ValidatedBook, assets: ReadonlyMap<string, ValidatedAssetMarket>, marks: ReadonlyMap<string, number>, valuationMs: number): Float64Array {
  const units = new Float64Array(book.instruments.length);
  book.instruments.forEach((instrument, row) => {
    const asset = assets.get(instrument.underlying);
    if (!asset) return; // an unknown underlying is reported on its own
    const quoted = instrument.kind === 'option' ? undefined : marks.get(instrument.id);
    let price = quoted ?? asset.price;
    if (quoted === undefined && instrument.kind === 'future' && instrument.expiry !== undefined) {
      price = asset.price * Math.exp((asset.rate - asset.carry) * yearsBetween(valuationMs, parseIsoTimestamp(instrument.expiry)));
    }
    units[row] = price * instrument.multiplier;
  });
  return units;
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
  const h = holdingsOf(book);
  const balancePrice = Float64Array.from(h.balanceAssets, (asset) => assets.get(asset)?.price ?? 0);
  for (let a = 0; a < h.accounts && !problems.full; a++) {
    // the usual account, within every bound, in one pass of arithmetic; the messages only for one that is not
    if (grossValueWithinBounds(h, a, rows, units, balancePrice) <= ACCOUNT_VALUE.max) continue;
    reportAccount(book, h, a, rows, units, balancePrice, problems);
  }
}

/**
 * Account a's gross value (USD), or NaN when one of its positions or balances is above its own bound (NOTIONAL.max):
 * the arithmetic of {@link reportAccount} without its messages.
 */
function grossValueWithinBounds(h: Holdings, a: number, rows: Int32Array, units: Float64Array, balancePrice: Float64Array): number {
  const quantity = h.quantity, amount = h.amount, balanceAsset = h.balanceAsset;
  let value = Math.abs(h.cashUsd[a]);
  for (let p = h.positionStart[a], end = h.positionStart[a + 1]; p < end; p++) {
    const notional = Math.abs(quantity[p]) * units[rows[p]];
    if (!(notional <= NOTIONAL.max)) return Number.NaN;
    value += notional;
  }
  for (let k = h.balanceStart[a], end = h.balanceStart[a + 1]; k < end; k++) {
    const worth = Math.abs(amount[k]) * balancePrice[balanceAsset[k]];
    if (!(worth <= NOTIONAL.max)) return Number.NaN;
    value += worth;
  }
  return value;
}

/** Account a's problems with the bounds: each position or balance above its own, else its gross value above its bound. */
function reportAccount(book: ValidatedBook, h: Holdings, a: number, rows: Int32Array, units: Float64Array, balancePrice: Float64Array, problems: ProblemList): void {
  let value = Math.abs(h.cashUsd[a]);
  const before = problems.size;
  for (let p = h.positionStart[a]; p < h.positionStart[a + 1]; p++) {
    const notional = Math.abs(h.quantity[p]) * units[rows[p]];
    if (!(notional <= NOTIONAL.max)) {
      problems.add(`accounts[${a}]`, `the position in ${book.instruments[rows[p]].id} has a notional of ${usd(notional)}, above the largest notional ${boundText(NOTIONAL.max)} USD`);
    }
    value += notional;
  }
  for (let k = h.balanceStart[a]; k < h.balanceStart[a + 1]; k++) {
    const worth = Math.abs(h.amount[k]) * balancePrice[h.balanceAsset[k]];
    if (!(worth <= NOTIONAL.max)) {
      const asset = h.balanceAssets[h.balanceAsset[k]];
      problems.add(`accounts[${a}].collateral[${k - h.balanceStart[a]}].amount`, `${h.amount[k]} ${asset} is worth ${usd(worth)}, above the largest balance value ${boundText(NOTIONAL.max)} USD`);
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
interface Holdings {
  accounts: number;
  cashUsd: Float64Array;
  positionStart: Int32Array;
  quantity: Float64Array;
  balanceStart: Int32Array;
  balanceAsset: Int32Array;
  balanceAssets: readonly string[];
  amount: Float64Array;
}

function holdingsOf(book: ValidatedBook): Holdings {
  const c = bookColumnsOf(book);
  if (c) return { accounts: c.accountIds.length, cashUsd: c.cashUsd, positionStart: c.positionStart, quantity: c.quantity, balanceStart: c.balanceStart, balanceAsset: c.balanceAsset, balanceAssets: c.balanceAssets, amount: c.amount };
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
    accounts: book.accounts.length, cashUsd: Float64Array.from(book.accounts, (account) => account.cashUsd ?? 0),
    positionStart: Int32Array.from(positionStart), quantity: Float64Array.from(quantity), balanceStart: Int32Array.from(balanceStart),
    balanceAsset: Int32Array.from(balanceAsset), balanceAssets: [...assetIndex.keys()], amount: Float64Array.from(amount),
  };
}

/** A USD amount in messages: the exact value, as JavaScript writes it. */
function usd(x: number): string {
  return `${String(x)} USD`;
}
