/**
 * A prepared run's what-if changes (src/margin/account-changes.ts) checked as a JavaScript caller may give them: by
 * layout index (`layout.instruments.indexById`, `layout.assetIndex`), not by id as a live session's whatIf takes them.
 * Refused at `changes[k].<field>`: an id given for an index had been read as row 0, and a row out of range as NaN.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import { growthAt, type MarketLayout } from '../layout/market-layout.js';
import type { AccountChange } from '../margin/account-changes.js';
import { domainProblem, TRADE_PRICE } from '../model/domain.js';
import { rowMarkProblem } from '../layout/row-mark.js';

/**
 * Throws an InputError naming every change of `changes` that is not a fill, transfer or cash change on `layout`'s rows,
 * or a fill at a price a live session's fill would refuse: outside the trade-price domain, or (with `market`) off what
 * its instrument can be worth (model/mark-bounds.ts).
 */
export function checkChanges(changes: unknown, layout: BookLayout, market?: MarketLayout): asserts changes is readonly AccountChange[] {
  if (!Array.isArray(changes)) {
    throw new InputError([{ path: 'changes', message: `expected an array of changes ({ instrument, quantity, price }, { asset, amount }, { cashUsd }), got ${describeValue(changes)}` }]);
  }
  const problems: InputProblem[] = [];
  changes.forEach((change: unknown, k) => {
    const at = `changes[${k}]`, c = change as Record<string, unknown> | null;
    const finite = (field: string) => {
      if (typeof c![field] !== 'number' || !Number.isFinite(c![field])) problems.push({ path: `${at}.${field}`, message: `expected a finite number, got ${describeValue(c![field])}` });
    };
    const row = (field: string, count: number, by: string) => {
      const v = c![field];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < count) return;
      const id = typeof v === 'string' ? ` (an id: a prepared run takes the row, ${by}(${JSON.stringify(v)}); a live session's whatIf takes ids)` : '';
      problems.push({ path: `${at}.${field}`, message: `expected a layout row from 0 to ${count - 1}, got ${describeValue(v)}${id}` });
    };
    if (typeof c !== 'object' || c === null || Array.isArray(c)) problems.push({ path: at, message: `expected a change object, got ${describeValue(change)}` });
    else if ('instrument' in c) {
      row('instrument', layout.instruments.count, 'layout.instruments.indexById.get');
      finite('quantity');
      finite('price');
      if (problems.length === 0) priceProblem(c as { instrument: number; price: number }, at, layout, market, problems);
    } else if ('asset' in c) {
      row('asset', layout.assets.length, 'layout.assetIndex');
      finite('amount');
    } else if ('cashUsd' in c) finite('cashUsd');
    else problems.push({ path: at, message: 'expected { instrument, quantity, price }, { asset, amount } or { cashUsd }' });
  });
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * A fill's price as a live session's fills are held to it: in the trade-price domain, an option's at most its worth, an
 * inverse future's or perpetual's within a factor of its forward (model/mark-bounds.ts).
 */
function priceProblem(c: { instrument: number; price: number }, at: string, layout: BookLayout, market: MarketLayout | undefined, problems: InputProblem[]): void {
  const ins = layout.instruments, row = c.instrument, inverse = ins.isInverse(row);
  // in the layout's coordinate: an inverse contract's is −1/F, negative by design (its trial checks what it leaves)
  const wrong = inverse ? null : domainProblem(TRADE_PRICE, c.price);
  if (wrong !== null) problems.push({ path: `${at}.price`, message: wrong });
  if (wrong !== null) return;
  if (inverse && !(c.price < 0)) {
    // −1/price of no price: a positive x had added 1e7 BTC of P&L to an account, 0 an infinite price
    problems.push({ path: `${at}.price`, message: `${c.price} is not below 0: an inverse contract's price is given as −1/price, USD per coin (${-1 / 100_000} for 100,000)` });
    return;
  }
  if (market === undefined) return;
  const price = inverse ? layout.bookEntry(row, c.price) : c.price; // USD per coin
  const off = rowMarkProblem(layout, row, price, (asset) => market.price.array[asset], growthAt(market, ins.underlying.array[row], row), 'price');
  if (off !== null) problems.push({ path: `${at}.price`, message: inverse ? `${off} (given as ${c.price}, −1/price in the layout's coordinate)` : off });
}
