/**
 * The domain's bounds on what an account is worth, held by a live session as a fresh run holds them where a book meets
 * its market (src/model/validate-magnitudes.ts): each position's notional, each balance's value and the account's
 * gross value at most 1e15 USD. A fill or transfer that would take an account beyond them is refused, and a tick that
 * would is taken back, so a live session never holds a state that `engine.margin` on the same book and market refuses.
 */
import { InputError, type InputProblem, MAX_PROBLEMS, ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { AccountDraft } from '../margin/account-draft.js';
import type { Market } from '../model/types.js';
import { inverseEntry } from '../model/inverse-price.js';
import { parseIsoTimestamp, yearsBetween } from '../model/time.js';
import { ALL_WITHIN, checkHoldings, entryFactors, type HoldingPrices, type Holdings, layoutEntryValue, quoteCurrencyPrice, unitNotional } from '../model/validate-magnitudes.js';
import type { ExposureIndex } from './exposure-index.js';
import { type AppliedTick, applyTick, type LiveColumns } from './market-update.js';
import { type Tick, validateTick } from './tick.js';

/**
 * A tick refused because it would take an account beyond the domain's bounds: a refusal that depends on the holdings
 * (a cluster partition that meets one in its log cannot follow the market: src/durable/partition-state.ts).
 */
export class BeyondDomainError extends InputError {}

/** What writing a tick reads and changes of a live session. */
export interface TickTarget {
  layout: BookLayout;
  market: Market;
  columns: LiveColumns;
  byAsset: readonly Int32Array[];
  exposure: ExposureIndex;
  domain: LiveDomain;
}

/**
 * Tick `json` validated and written into the session's market (src/live/market-update.ts), with the accounts exposed
 * to what it moved; null when it moves nothing. A tick that takes an account beyond the domain's bounds is taken back
 * and refused (BeyondDomainError), as a fresh run on that market would refuse the book. The caller re-margins, or
 * undoes it ({@link AppliedTick.undo} and the domain's takeBack) for a check.
 */
export function writeTick(json: Tick, t: TickTarget): { applied: AppliedTick; accounts: Int32Array } | null {
  const applied = applyTick(validateTick(json, t.market, t.layout), t.market, t.columns, t.byAsset);
  if (applied.assets.length === 0 && applied.instruments.length === 0) return null;
  const moved = new Set<number>(applied.assets);
  const underlying = t.layout.instruments.underlying.array;
  for (const i of applied.instruments) moved.add(underlying[i]);
  const accounts = t.exposure.accountsOf([...moved].sort((x, y) => x - y));
  const beyond = t.domain.marketMoved(accounts);
  if (beyond.length > 0) {
    applied.undo();
    t.domain.takeBack();
    throw new BeyondDomainError(beyond);
  }
  return { applied, accounts };
}

/**
 * USD per contract of every instrument, USD per unit of every asset (layout indices) and how an entry price becomes
 * an entry value per instrument, at one market.
 */
export type DomainPrices = HoldingPrices;

/** The prices the bounds read at the live market now: its asset columns and the quoted marks of its JSON. */
export function domainPrices(layout: BookLayout, market: MarketLayout, json: Market): DomainPrices {
  const ins = layout.instruments, n = ins.count, units = new Float64Array(n);
  const valuationMs = parseIsoTimestamp(json.valuationTime);
  const price = market.price.array, rate = market.rate.array, carry = market.carry.array;
  const settlement = ins.settlement.array, underlying = ins.underlying.array;
  // USD per unit of a linear contract's quote currency: its settlement asset's price when it is not its underlying
  const quotePrice = (i: number) => quoteCurrencyPrice(!ins.isOption(i) && settlement[i] >= 0 && settlement[i] !== underlying[i], price[settlement[i]]);
  for (let i = 0; i < n; i++) {
    // an inverse contract is a face value in USD per contract (its multiplier), whatever the coin's price
    if (ins.isInverse(i)) {
      units[i] = ins.multiplier.array[i];
      continue;
    }
    const u = ins.underlying.array[i], expiry = ins.expiryMs.array[i], option = ins.isOption(i);
    const years = !option && !Number.isNaN(expiry) ? yearsBetween(valuationMs, expiry) : null;
    units[i] = unitNotional(option, ins.multiplier.array[i], { price: price[u], rate: rate[u], carry: carry[u] }, json.marks?.[ins.ids[i]], years, quotePrice(i));
  }
  const entry = entryFactors(n, (i) => (ins.isOption(i) ? 'option' : ins.isInverse(i) ? 'inverse' : 'linear'), (i) => ins.multiplier.array[i], (i) => price[ins.underlying.array[i]], quotePrice);
  return { units, assetPrice: Float64Array.from(price.subarray(0, layout.assets.length)), ...entry };
}

/**
 * The largest factor by which a price rose from `before` to `after` (1 when none rose; Infinity from 0): an account's
 * gross value with its entry values (a sum of |holding| × price, ≥ 0, and of entry values, in proportion to the price
 * of the currency a linear contract is quoted in or of an inverse contract's coin) grows by at most that much, so a tick that keeps the largest such
 * sum times it within the bounds needs no account read.
 */
export function largestRise(before: DomainPrices, after: DomainPrices): number {
  let rise = 1;
  for (let i = 0; i < after.units.length; i++) if (after.units[i] > before.units[i]) rise = Math.max(rise, after.units[i] / before.units[i]);
  for (let i = 0; i < after.overEntry.length; i++) if (after.overEntry[i] > before.overEntry[i]) rise = Math.max(rise, after.overEntry[i] / before.overEntry[i]);
  for (let i = 0; i < after.perEntry.length; i++) if (after.perEntry[i] > before.perEntry[i]) rise = Math.max(rise, after.perEntry[i] / before.perEntry[i]);
  for (let u = 0; u < after.assetPrice.length; u++) if (after.assetPrice[u] > before.assetPrice[u]) rise = Math.max(rise, after.assetPrice[u] / before.assetPrice[u]);
  return rise;
}

/** The layout's holding columns the bounds read, taken once for a pass over accounts (views: taken again after a fill grew them). */
interface HoldingColumns {
  start: Int32Array;
  end: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  instrument: Int32Array;
  cStart: Int32Array;
  cEnd: Int32Array;
  amount: Float64Array;
  asset: Int32Array;
  cash: Float64Array;
  /** −1, or a coin-margined account's coin (asset index): its cash is its balance of that coin. */
  marginAsset: Int32Array;
}

function holdingColumns(layout: BookLayout): HoldingColumns {
  const pos = layout.positions, col = layout.collateral;
  return {
    start: pos.start.array, end: pos.end.array, quantity: pos.column<'f64'>('quantity').array, entryPrice: pos.column<'f64'>('entryPrice').array, instrument: pos.column<'i32'>('instrument').array,
    cStart: col.start.array, cEnd: col.end.array, amount: col.column<'f64'>('amount').array, asset: col.column<'i32'>('asset').array, cash: layout.cashUsd.array,
    marginAsset: layout.marginAsset.array,
  };
}

/** USD per unit of a cash column's value: 1, or a coin-margined account's coin's price (`coin` its asset index). */
function cashPrice(coin: number, prices: DomainPrices): number {
  return coin < 0 ? 1 : prices.assetPrice[coin];
}

/**
 * One account's holdings as the bounds read them (validate-magnitudes.ts), in the order of the book it came from
 * (live.book(), layout-to-book): a coin-margined account's cash is its balance of its coin, a balance like any
 * (`1000000000 BTC is worth … USD`), after its other balances.
 */
function accountHoldings(layout: BookLayout, cash: number, coin: number, quantity: Float64Array, rows: Int32Array, layoutEntry: Float64Array, asset: Int32Array, amount: Float64Array): Holdings {
  const positions = Int32Array.of(0, quantity.length), assets = layout.assets;
  // the book's entry prices (an inverse contract's back from x = −1/entry), as a fresh run reads and names them
  const entryPrice = Float64Array.from(layoutEntry, (x, k) => (layout.instruments.isInverse(rows[k]) ? inverseEntry(x) : x));
  if (coin < 0) return { accounts: 1, cashUsd: Float64Array.of(cash), positionStart: positions, quantity, entryPrice, balanceStart: Int32Array.of(0, amount.length), balanceAsset: asset, balanceAssets: assets, amount };
  return {
    accounts: 1, cashUsd: Float64Array.of(0), positionStart: positions, quantity, entryPrice, balanceStart: Int32Array.of(0, amount.length + 1),
    balanceAsset: Int32Array.of(...asset, coin), balanceAssets: assets, amount: Float64Array.of(...amount, cash),
  };
}

/**
 * Account a's gross value with its entry values at `prices` (USD): |cash| + Σ (|quantity| × USD per contract + entry
 * value) + Σ |amount| × price, as the bounds sum it.
 */
function grossOf(c: HoldingColumns, a: number, prices: DomainPrices): number {
  let value = Math.abs(c.cash[a]) * cashPrice(c.marginAsset[a], prices);
  for (let s = c.start[a]; s < c.end[a]; s++) {
    const i = c.instrument[s];
    value += Math.abs(c.quantity[s]) * prices.units[i] + layoutEntryValue(c.quantity[s], c.entryPrice[s], prices.perEntry[i], prices.overEntry[i]);
  }
  for (let k = c.cStart[a]; k < c.cEnd[a]; k++) value += Math.abs(c.amount[k]) * prices.assetPrice[c.asset[k]];
  return value;
}

/** Account a's gross value with its entry values at `prices` (USD), as {@link grossOf}. */
export function grossValue(layout: BookLayout, a: number, prices: DomainPrices): number {
  return grossOf(holdingColumns(layout), a, prices);
}

/** The largest gross value with entry values of the book's live accounts at `prices` (0 for an empty book). */
export function largestGrossValue(layout: BookLayout, prices: DomainPrices): number {
  const c = holdingColumns(layout);
  let largest = 0;
  for (let a = 0; a < layout.accountCount; a++) largest = Math.max(largest, grossOf(c, a, prices));
  return largest;
}

/** A bound on every gross value below which a tick needs no account read: the domain's, less a margin for the sums' rounding. */
export const GROSS_SAFE = ALL_WITHIN * (1 - 1e-9);

/** The first bound the draft's account breaks at `prices` (the message a fresh run gives), or undefined. */
export function draftBeyondDomain(layout: BookLayout, draft: AccountDraft, prices: DomainPrices): string | undefined {
  const h = accountHoldings(layout, draft.cashUsd, layout.marginAsset.array[draft.account], draft.quantity.subarray(0, draft.positions), draft.instrument.subarray(0, draft.positions), draft.entryPrice.subarray(0, draft.positions), draft.asset.subarray(0, draft.balances), draft.amount.subarray(0, draft.balances));
  return holdingProblems(layout, h, draft.instrument, prices)[0]?.message;
}

/**
 * Every one of `accounts` (layout indices, ascending) that breaks a bound at `prices`, each with the message a fresh
 * run gives and the account's path (one past {@link MAX_PROBLEMS}: the InputError keeps that many and says so); empty when none
 * does. One sum per account (perf: sum-then-check): only an account whose gross value is above the bounds is read
 * again for its message.
 */
export function accountsBeyondDomain(layout: BookLayout, accounts: Int32Array, prices: DomainPrices): { path: string; message: string }[] {
  const c = holdingColumns(layout), out: { path: string; message: string }[] = [];
  for (let k = 0; k < accounts.length && out.length <= MAX_PROBLEMS; k++) { // one past: the error says more were found
    const a = accounts[k];
    if (grossOf(c, a, prices) <= ALL_WITHIN) continue;
    const h = accountHoldings(layout, c.cash[a], c.marginAsset[a], c.quantity.slice(c.start[a], c.end[a]), c.instrument.subarray(c.start[a], c.end[a]), c.entryPrice.slice(c.start[a], c.end[a]), c.asset.slice(c.cStart[a], c.cEnd[a]), c.amount.slice(c.cStart[a], c.cEnd[a]));
    // at the book's paths (live.book()): the account, a balance by its slot (the holdings are in the book's order)
    for (const p of holdingProblems(layout, h, c.instrument.slice(c.start[a], c.end[a]), prices)) {
      out.push({ path: p.path.replace(/^accounts\[0\]/, `accounts[${a}]`), message: `account ${layout.accountIds[a]}: ${p.message}` });
    }
  }
  return out;
}

/** The bounds one account's holdings `h` (a single account, `accounts[0]` in the paths) break at `prices`. */
function holdingProblems(layout: BookLayout, h: Holdings, rows: Int32Array, prices: DomainPrices): readonly InputProblem[] {
  const problems = new ProblemList();
  checkHoldings((row) => layout.instruments.ids[row], h, prices, rows, problems);
  return problems.all();
}

/**
 * The bounds as a live session holds them: its prices at the market now (made once after each tick), and at least the
 * largest gross value of any account at them (USD; NaN: not known, found when a rise needs it), raised by fills and
 * transfers and by a tick's largest price rise, so a rise that keeps it within the bounds reads no account (perf: a
 * tick on 100,000 accounts would otherwise read them all again).
 */
export class LiveDomain {
  private prices: DomainPrices | undefined;
  private grossBound = Number.NaN;
  /** What {@link takeBack} restores: the prices and bound before the last tick. */
  private kept: { prices: DomainPrices; grossBound: number } | undefined;

  constructor(private readonly layoutOf: () => BookLayout, private readonly market: MarketLayout, private readonly json: () => Market) {
    // the prices before any tick, read now: a tick writes the market before it asks (marketMoved), so prices read
    // lazily then would be the tick's own, no rise seen, and a first tick never checked
    this.prices = domainPrices(layoutOf(), market, json());
  }

  /** The prices the bounds read now. */
  pricesNow(): DomainPrices {
    return (this.prices ??= domainPrices(this.layoutOf(), this.market, this.json()));
  }

  /** A tick was written into the market: those of `accounts` (the ones exposed to it) it takes beyond the bounds (none: empty). */
  marketMoved(accounts: Int32Array): { path: string; message: string }[] {
    const before = this.pricesNow(), layout = this.layoutOf();
    this.kept = { prices: before, grossBound: this.grossBound };
    const after = this.prices = domainPrices(layout, this.market, this.json());
    const rise = largestRise(before, after);
    if (rise === 1) return []; // no price rose: no gross value did
    if (Number.isNaN(this.grossBound)) this.grossBound = largestGrossValue(layout, before);
    if (this.grossBound * rise <= GROSS_SAFE) {
      this.grossBound *= rise;
      return [];
    }
    this.grossBound = Number.NaN; // read again in full when next needed
    return accountsBeyondDomain(layout, accounts, after);
  }

  /** The last tick was taken back: the prices and bound before it. */
  takeBack(): void {
    if (this.kept === undefined) return;
    this.prices = this.kept.prices;
    this.grossBound = this.kept.grossBound;
    this.kept = undefined;
  }

  /** Account a's holdings were written (fills, transfers): the bound takes its gross value. */
  changed(a: number): void {
    if (!Number.isNaN(this.grossBound)) this.grossBound = Math.max(this.grossBound, grossValue(this.layoutOf(), a, this.pricesNow()));
  }

  /**
   * When `changes`, applied on `draft` (account a), take it beyond the bounds: the first change after which it is, and
   * the bound's message (as a fresh run words it); undefined when within. The draft is loaded again (one sum of the
   * account when within; the changes one at a time only when not).
   */
  beyond(draft: AccountDraft, a: number, changes: readonly AccountChange[]): { index: number; reason: string } | undefined {
    const layout = this.layoutOf(), prices = this.pricesNow();
    if (draftBeyondDomain(layout, draft, prices) === undefined) return undefined;
    draft.load(a);
    for (let k = 0; k < changes.length; k++) {
      draft.apply([changes[k]]);
      const reason = draftBeyondDomain(layout, draft, prices);
      if (reason !== undefined) return { index: k, reason };
    }
    return undefined;
  }
}
