/**
 * The USD view of a coin-margined account's report row (docs/coin-margined.md). Such an account's figures are in its
 * margin asset (a BTC subaccount: BTC); the row says so (`marginCurrency`) and adds `usd`, each money figure converted
 * at the asset's index price (the market's price of the asset), as Deribit shows a BTC account's equity in USD beside
 * its BTC figures. Health and efficiency are ratios, the same in either currency. The report's totals add every row in
 * USD: a coin row through this view.
 */
import type { AccountMargin } from './report.js';
import { figureModel } from './figure-model.js';

/** Marks `row` as margined in `currency` and adds its USD view at `price`: its money figures (figures.ts) × price. */
export function withCurrency(row: AccountMargin, currency: string, price: number): AccountMargin {
  row.marginCurrency = currency;
  row.usd = figureModel().usdView(row, price);
  return row;
}

/** What a method that margins in USD only says of a coin-margined account it set aside (its row's status error). */
export function setAsideReason(currency: string, method: string, able: readonly string[]): string {
  return `margined in ${currency}: the ${method} method ${USD_ONLY} (docs/coin-margined.md); ${able.length > 0 ? `${currency}-margined accounts are margined by ${able.join(', ')}` : 'no method of this engine margins them'}`;
}

const USD_ONLY = 'margins accounts in USD only';

/** True for the row of an account a USD-only method set aside ({@link setAsideReason}): not margined, not at risk. */
export function wasSetAside(row: { status: string; error?: string | undefined }): boolean {
  return row.status === 'error' && row.error !== undefined && row.error.includes(USD_ONLY);
}

/** The margin currency of each coin-margined row, by row index: its asset and USD price. */
export type RowCurrencies = ReadonlyMap<number, { currency: string; price: number }>;
