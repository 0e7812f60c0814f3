/**
 * The USD view of a coin-margined account's report row (docs/coin-margined.md). Such an account's figures are in its
 * margin asset (a BTC subaccount: BTC); the row says so (`marginCurrency`) and adds `usd`, each money figure converted
 * at the asset's index price (the market's price of the asset), as Deribit shows a BTC account's equity in USD beside
 * its BTC figures. Health and efficiency are ratios, the same in either currency. The report's totals add every row in
 * USD: a coin row through this view.
 */
import type { AccountMargin, UsdView } from './report.js';

/** The money figures of a row the USD view converts, in its key order. */
export const CONVERTED_FIGURES = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'excessOverMm', 'grossNotional', 'collateralValue'] as const;

/** The USD view of `row` (figures in its margin asset) at `price` USD per unit of that asset. */
export function usdViewOf(row: Pick<AccountMargin, (typeof CONVERTED_FIGURES)[number]>, price: number): UsdView {
  return {
    price,
    equity: row.equity * price,
    equityIm: row.equityIm * price,
    equityMm: row.equityMm * price,
    im: row.im * price,
    mm: row.mm * price,
    excessOverMm: row.excessOverMm * price,
    grossNotional: row.grossNotional * price,
    collateralValue: row.collateralValue * price,
  };
}

/** Marks `row` as margined in `currency` and adds its USD view at `price` (figures already in the asset). */
export function withCurrency(row: AccountMargin, currency: string, price: number): AccountMargin {
  row.marginCurrency = currency;
  row.usd = usdViewOf(row, price);
  return row;
}

/** The margin currency of each coin-margined row, by row index: its asset and USD price. */
export type RowCurrencies = ReadonlyMap<number, { currency: string; price: number }>;
