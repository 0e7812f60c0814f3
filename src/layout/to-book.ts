/** Back from columns to book JSON: for round-trip tests, exports, and showing a mutated layout. */

import { formatIsoTimestamp } from '../model/time.js';
import type { Account, Book, Instrument } from '../model/types.js';
import type { BookLayout } from './book-layout.js';
import type { LayoutView } from './layout-view.js';
import { KIND_BY_CODE } from './codes.js';

/**
 * The book a layout holds: every instrument in row order, live accounts in index order, defaults
 * explicit (except `cashUsd` and `isolatedMargin`, written only when set: 0 and "pro rata" are the
 * defaults). Positions come out netted, with realized P&L in `cashUsd` (a coin-margined account: in its balance),
 * so validating the result lays out the same columns (an inverse contract's entry, kept as −1/entry, is written as the
 * shortest price with that image: src/model/inverse-price.ts; fills net in prices, so there is one: netting.ts).
 */
export function layoutToBook(layout: BookLayout): Book {
  return { instruments: instrumentsOf(layout), accounts: accountsOf(layout) };
}

/** The layout's instruments as book JSON, in row order. */
export function instrumentsOf(layout: LayoutView): Instrument[] {
  const table = layout.instruments;
  const kind = table.kind.array;
  const underlying = table.underlying.array;
  const multiplier = table.multiplier.array;
  const strike = table.strike.array;
  const expiryMs = table.expiryMs.array;
  const isCall = table.isCall.array;
  const settlement = table.settlement.array;
  const out: Instrument[] = [];
  for (let row = 0; row < table.count; row++) {
    const base = { id: table.ids[row], underlying: layout.assets[underlying[row]], multiplier: multiplier[row], ...(settlement[row] >= 0 ? { settlement: layout.assets[settlement[row]] } : {}) };
    const k = KIND_BY_CODE[kind[row]];
    if (k === 'option') {
      out.push({ ...base, kind: 'option', right: isCall[row] ? 'call' : 'put', strike: strike[row], expiry: formatIsoTimestamp(expiryMs[row]) });
    } else if (k === 'future' && !Number.isNaN(expiryMs[row])) {
      out.push({ ...base, kind: 'future', expiry: formatIsoTimestamp(expiryMs[row]) });
    } else {
      out.push({ ...base, kind: k } as Instrument);
    }
  }
  return out;
}

function accountsOf(layout: BookLayout): Account[] {
  const out: Account[] = [];
  for (let a = 0; a < layout.accountCount; a++) if (layout.accountIds[a] !== null) out.push(accountOf(layout, a));
  return out;
}

/** Account a of the layout (a live index) as book JSON, as {@link layoutToBook} writes it. */
export function accountOf(layout: LayoutView, a: number): Account {
  const positions = layout.positions, collateral = layout.collateral;
  const rows: AccountRows = {
    instrument: positions.column<'i32'>('instrument').array,
    quantity: positions.column<'f64'>('quantity').array,
    entryPrice: positions.column<'f64'>('entryPrice').array,
    isolatedMargin: positions.column<'f64'>('isolatedMargin').array,
    asset: collateral.column<'i32'>('asset').array,
    amount: collateral.column<'f64'>('amount').array,
    cashUsd: layout.cashUsd.array[a],
  };
  return accountOfRows(layout, a, rows, positions.start.array[a], positions.end.array[a], collateral.start.array[a], collateral.end.array[a]);
}

/**
 * One account's holdings in layout terms (instrument rows, layout entry prices, asset indices): the layout's columns,
 * or a scratch copy with changes applied (src/margin/account-draft.ts, its slots from 0).
 */
export interface AccountRows {
  readonly instrument: ArrayLike<number>;
  readonly quantity: ArrayLike<number>;
  readonly entryPrice: ArrayLike<number>;
  readonly isolatedMargin: ArrayLike<number>;
  readonly asset: ArrayLike<number>;
  readonly amount: ArrayLike<number>;
  readonly cashUsd: number;
}

/**
 * Account a (a live index, for its id and margin currency) holding `rows` (positions in slots [p0, p1), balances in
 * [c0, c1)) as book JSON, as {@link layoutToBook} writes it: what the layout would hold with those rows.
 */
export function accountOfRows(layout: LayoutView, a: number, rows: AccountRows, p0: number, p1: number, c0: number, c1: number): Account {
  const ids = layout.instruments.ids;
  const account: Account = { id: layout.accountIds[a]!, positions: [], collateral: [] };
  for (let slot = p0; slot < p1; slot++) {
    const row = rows.instrument[slot];
    const position = { instrument: ids[row], quantity: rows.quantity[slot], entryPrice: layout.bookEntry(row, rows.entryPrice[slot]) };
    account.positions!.push(Number.isNaN(rows.isolatedMargin[slot]) ? position : { ...position, isolatedMargin: rows.isolatedMargin[slot] });
  }
  for (let slot = c0; slot < c1; slot++) account.collateral!.push({ asset: layout.assets[rows.asset[slot]], amount: rows.amount[slot] });
  const margin = layout.marginAsset.array[a];
  if (margin >= 0) {
    // a coin-margined account: its cash is its balance of the margin asset
    account.marginCurrency = layout.assets[margin];
    if (rows.cashUsd !== 0) account.collateral!.push({ asset: layout.assets[margin], amount: rows.cashUsd });
  } else if (rows.cashUsd !== 0) account.cashUsd = rows.cashUsd;
  return account;
}
