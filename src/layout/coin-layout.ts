/**
 * The coin-margined part of a book's layout (docs/coin-margined.md): coin accounts' margin asset and cash, inverse
 * entries as −1/entry (the way back to a book's shortest decimal entry: src/model/inverse-price.ts).
 */
import type { BookColumns } from '../model/book-columns.js';
import type { ValidatedAccount, ValidatedBook } from '../model/types.js';
import { inverseCoordinate } from '../model/inverse-price.js';
import { isInverseInstrument } from '../model/settlement.js';

/**
 * USD per unit of account a's margin currency: exactly 1 for a USD account (marginAsset −1, so its figures keep their
 * bits), else its asset's index price. `marginAsset`: the layout's column; `price`: the market's prices by asset.
 */
export function usdPerUnitOf(marginAsset: Int32Array, price: Float64Array, a: number): number {
  const m = marginAsset[a];
  return m < 0 ? 1 : price[m];
}

/** The cash column's value of a validated account: USD cash, or a coin-margined account's balance of its asset. */
export function cashOf(account: ValidatedAccount): number {
  return account.marginCurrency === undefined ? (account.cashUsd ?? 0) : (account.collateral[0]?.amount ?? 0);
}

/** Per instrument row of the book, 1 where `test` holds; null when it holds for none. */
export function instrumentFlags(book: ValidatedBook, test: (instrument: ValidatedBook['instruments'][number]) => boolean): Uint8Array | null {
  let flags: Uint8Array | null = null;
  book.instruments.forEach((instrument, row) => {
    if (!test(instrument)) return;
    flags ??= new Uint8Array(book.instruments.length);
    flags[row] = 1;
  });
  return flags;
}

/**
 * The coin-margined accounts' margin asset and cash (their balance), and inverse positions' entries as −1/entry: a
 * second pass, only over books that have either, so a USD book's layout is built as it always was.
 */
export function settleAccounts(
  accounts: ValidatedBook['accounts'],
  instrumentRows: ArrayLike<number>,
  assetIndex: Map<string, number>,
  inverse: Uint8Array | null,
  marginAsset: Int32Array,
  cash: Float64Array,
  positionStart: Int32Array,
  entryPrice: Float64Array,
): void {
  let next = 0;
  for (let a = 0; a < accounts.length; a++) {
    const account = accounts[a];
    if (account.marginCurrency !== undefined) {
      marginAsset[a] = assetIndex.get(account.marginCurrency) as number;
      cash[a] = cashOf(account);
    }
    const start = positionStart[a];
    for (let j = 0; j < account.positions.length; j++) {
      const row = instrumentRows[next++];
      if (inverse !== null && inverse[row] === 1) entryPrice[start + j] = inverseCoordinate(account.positions[j].entryPrice);
    }
  }
}

/**
 * A columnar book's balances without its coin-margined accounts' (their balance is their cash, not a collateral slot:
 * {@link settleColumns}), as CSR runs by account; the book's own when every account is in USD.
 */
export function usdBalances(c: BookColumns): { start: Int32Array; asset: Int32Array; amount: Float64Array } {
  const currencies = c.marginCurrencies, n = c.accountIds.length;
  if (currencies === undefined) return { start: c.balanceStart, asset: c.balanceAsset, amount: c.amount };
  const start = new Int32Array(n + 1), asset = new Int32Array(c.balanceAsset.length), amount = new Float64Array(c.amount.length);
  let k = 0;
  for (let a = 0; a < n; a++) {
    if (currencies[a] === undefined) {
      for (let j = c.balanceStart[a]; j < c.balanceStart[a + 1]; j++, k++) {
        asset[k] = c.balanceAsset[j];
        amount[k] = c.amount[j];
      }
    }
    start[a + 1] = k;
  }
  return { start, asset: asset.subarray(0, k), amount: amount.subarray(0, k) };
}

/**
 * {@link settleAccounts} for a columnar book: the coin-margined accounts' margin asset and cash (their one balance, of
 * their asset: the validator allows no other), and inverse positions' entries as −1/entry, written into the layout's
 * views (positions at `positionStart[a] + j`, the account's j-th row).
 */
export function settleColumns(c: BookColumns, assetIndex: Map<string, number>, marginAsset: Int32Array, cash: Float64Array, positionStart: Int32Array, entryPrice: Float64Array): void {
  const currencies = c.marginCurrencies;
  if (currencies !== undefined) {
    for (let a = 0; a < currencies.length; a++) {
      const currency = currencies[a];
      if (currency === undefined) continue;
      marginAsset[a] = assetIndex.get(currency) as number;
      cash[a] = c.balanceStart[a + 1] > c.balanceStart[a] ? c.amount[c.balanceStart[a]] : 0;
    }
  }
  const inverse = Uint8Array.from(c.instruments, (instrument) => (isInverseInstrument(instrument) ? 1 : 0));
  if (!inverse.includes(1)) return;
  for (let a = 0; a + 1 < c.positionStart.length; a++) {
    for (let r = c.positionStart[a], slot = positionStart[a]; r < c.positionStart[a + 1]; r++, slot++) {
      if (inverse[c.positionInstrument[r]] === 1) entryPrice[slot] = inverseCoordinate(c.entryPrice[r]);
    }
  }
}
