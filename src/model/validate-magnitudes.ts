/**
 * The domain's bounds on what a book is worth at its market (src/model/domain.ts): each position's notional, each
 * balance's value, and each account's gross value (Σ |notional| + Σ |balance value| + |cash|), all at most 1e15 USD.
 * Checked where a book meets its market (validateInputs, and validateMarket given the book); each input number is
 * bounded on its own before, which alone keeps every intermediate finite.
 */
import type { ProblemList } from '../errors.js';
import { instrumentRowsOf } from './brand.js';
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
  let slot = 0;
  for (let a = 0; a < book.accounts.length && !problems.full; a++) {
    const account = book.accounts[a];
    let value = Math.abs(account.cashUsd ?? 0);
    const before = problems.size;
    for (const position of account.positions) {
      const notional = Math.abs(position.quantity) * units[rows[slot++]];
      if (!(notional <= NOTIONAL.max)) {
        problems.add(`accounts[${a}]`, `the position in ${position.instrument} has a notional of ${usd(notional)}, above the largest notional ${boundText(NOTIONAL.max)} USD`);
      }
      value += notional;
    }
    account.collateral.forEach((balance, j) => {
      const price = assets.get(balance.asset)?.price ?? 0;
      const worth = Math.abs(balance.amount) * price;
      if (!(worth <= NOTIONAL.max)) {
        problems.add(`accounts[${a}].collateral[${j}].amount`, `${balance.amount} ${balance.asset} is worth ${usd(worth)}, above the largest balance value ${boundText(NOTIONAL.max)} USD`);
      }
      value += worth;
    });
    if (problems.size === before && !(value <= ACCOUNT_VALUE.max)) {
      problems.add(`accounts[${a}]`, `gross value ${usd(value)} (Σ |position notional| + Σ |balance value| + |cash|) is above the largest account value ${boundText(ACCOUNT_VALUE.max)} USD`);
    }
  }
}

/** A USD amount in messages: the exact value, as JavaScript writes it. */
function usd(x: number): string {
  return `${String(x)} USD`;
}
