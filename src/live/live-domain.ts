/**
 * The domain's bounds on what an account is worth, held by a live session as a fresh run holds them where a book meets
 * its market (src/model/validate-magnitudes.ts): each position's notional, each balance's value and the account's
 * gross value at most 1e15 USD. A fill or transfer that would take an account beyond them is refused, and a tick that
 * would is taken back, so a live session never holds a state that `engine.margin` on the same book and market refuses.
 */
import { ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { AccountDraft } from '../margin/account-draft.js';
import type { Market } from '../model/types.js';
import { parseIsoTimestamp, yearsBetween } from '../model/time.js';
import { ALL_WITHIN, checkHoldings, type Holdings, unitNotional } from '../model/validate-magnitudes.js';

/** USD per contract of every instrument and USD per unit of every asset (layout indices), at one market. */
export interface DomainPrices {
  units: Float64Array;
  assetPrice: Float64Array;
}

/** The prices the bounds read at the live market now: its asset columns and the quoted marks of its JSON. */
export function domainPrices(layout: BookLayout, market: MarketLayout, json: Market): DomainPrices {
  const ins = layout.instruments, n = ins.count, units = new Float64Array(n);
  const valuationMs = parseIsoTimestamp(json.valuationTime);
  const price = market.price.array, rate = market.rate.array, carry = market.carry.array;
  for (let i = 0; i < n; i++) {
    // an inverse contract is a face value in USD per contract (its multiplier), whatever the coin's price
    if (ins.isInverse(i)) {
      units[i] = ins.multiplier.array[i];
      continue;
    }
    const u = ins.underlying.array[i], expiry = ins.expiryMs.array[i], option = ins.isOption(i);
    const years = !option && !Number.isNaN(expiry) ? yearsBetween(valuationMs, expiry) : null;
    units[i] = unitNotional(option, ins.multiplier.array[i], { price: price[u], rate: rate[u], carry: carry[u] }, json.marks?.[ins.ids[i]], years);
  }
  return { units, assetPrice: Float64Array.from(price.subarray(0, layout.assets.length)) };
}

/** True when some instrument's or asset's price is above its price in `before` (only a rise can break a bound). */
export function anyRise(before: DomainPrices, after: DomainPrices): boolean {
  for (let i = 0; i < after.units.length; i++) if (after.units[i] > before.units[i]) return true;
  for (let u = 0; u < after.assetPrice.length; u++) if (after.assetPrice[u] > before.assetPrice[u]) return true;
  return false;
}

/** The first bound the draft's account breaks at `prices` (the message a fresh run gives), or undefined. */
export function draftBeyondDomain(layout: BookLayout, draft: AccountDraft, prices: DomainPrices): string | undefined {
  const h: Holdings = {
    accounts: 1, cashUsd: Float64Array.of(draft.cashUsd), positionStart: Int32Array.of(0, draft.positions), quantity: draft.quantity,
    balanceStart: Int32Array.of(0, draft.balances), balanceAsset: draft.asset, balanceAssets: layout.assets, amount: draft.amount,
  };
  return firstProblem(layout, h, draft.instrument, prices);
}

/**
 * The first of `accounts` (layout indices, ascending) that breaks a bound at `prices`, with the message a fresh run
 * gives and the account's path; undefined when none does. One sum per account (perf: sum-then-check): only an account
 * whose gross value is above the bounds is read again for its message.
 */
export function accountsBeyondDomain(layout: BookLayout, accounts: Int32Array, prices: DomainPrices): { path: string; message: string } | undefined {
  const pos = layout.positions, col = layout.collateral, cash = layout.cashUsd.array;
  const start = pos.start.array, end = pos.end.array, quantity = pos.column<'f64'>('quantity').array, instrument = pos.column<'i32'>('instrument').array;
  const cStart = col.start.array, cEnd = col.end.array, amount = col.column<'f64'>('amount').array, asset = col.column<'i32'>('asset').array;
  const { units, assetPrice } = prices;
  for (let k = 0; k < accounts.length; k++) {
    const a = accounts[k];
    let value = Math.abs(cash[a]);
    for (let s = start[a]; s < end[a]; s++) value += Math.abs(quantity[s]) * units[instrument[s]];
    for (let c = cStart[a]; c < cEnd[a]; c++) value += Math.abs(amount[c]) * assetPrice[asset[c]];
    if (value <= ALL_WITHIN) continue;
    const h: Holdings = {
      accounts: 1, cashUsd: Float64Array.of(cash[a]), positionStart: Int32Array.of(0, end[a] - start[a]), quantity: quantity.slice(start[a], end[a]),
      balanceStart: Int32Array.of(0, cEnd[a] - cStart[a]), balanceAsset: asset.slice(cStart[a], cEnd[a]), balanceAssets: layout.assets, amount: amount.slice(cStart[a], cEnd[a]),
    };
    const message = firstProblem(layout, h, instrument.slice(start[a], end[a]), prices);
    if (message !== undefined) return { path: `accounts[${a}]`, message: `account ${layout.accountIds[a]}: ${message}` };
  }
  return undefined;
}

function firstProblem(layout: BookLayout, h: Holdings, rows: Int32Array, prices: DomainPrices): string | undefined {
  const problems = new ProblemList();
  checkHoldings((row) => layout.instruments.ids[row], h, prices.units, rows, prices.assetPrice, problems);
  return problems.first()?.message;
}
