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
  const positions = layout.positions;
  const instrument = positions.column<'i32'>('instrument').array;
  const quantity = positions.column<'f64'>('quantity').array;
  const entryPrice = positions.column<'f64'>('entryPrice').array;
  const isolatedMargin = positions.column<'f64'>('isolatedMargin').array;
  const collateral = layout.collateral;
  const asset = collateral.column<'i32'>('asset').array;
  const amount = collateral.column<'f64'>('amount').array;
  const ids = layout.instruments.ids;
  const cashUsd = layout.cashUsd.array;
  const account: Account = { id: layout.accountIds[a]!, positions: [], collateral: [] };
  for (let slot = positions.start.array[a]; slot < positions.end.array[a]; slot++) {
    const row = instrument[slot];
    const position = { instrument: ids[row], quantity: quantity[slot], entryPrice: layout.bookEntry(row, entryPrice[slot]) };
    account.positions!.push(Number.isNaN(isolatedMargin[slot]) ? position : { ...position, isolatedMargin: isolatedMargin[slot] });
  }
  for (let slot = collateral.start.array[a]; slot < collateral.end.array[a]; slot++) account.collateral!.push({ asset: layout.assets[asset[slot]], amount: amount[slot] });
  const margin = layout.marginAsset.array[a];
  if (margin >= 0) {
    // a coin-margined account: its cash is its balance of the margin asset
    account.marginCurrency = layout.assets[margin];
    if (cashUsd[a] !== 0) account.collateral!.push({ asset: layout.assets[margin], amount: cashUsd[a] });
  } else if (cashUsd[a] !== 0) account.cashUsd = cashUsd[a];
  return account;
}
