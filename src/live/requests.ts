/**
 * The live session's inputs as JSON, validated against the laid-out book with a path for every problem:
 * fills `{ account, instrument, quantity, price }`, transfers `{ account, asset, amount }` or
 * `{ account, cashUsd }`, what-if trades (the same without `account`; a trade's price defaults to the
 * instrument's current value) and pre-trade orders `{ instrument, quantity, price? }`. Quantities are signed
 * contracts, prices USD per unit of the underlying, amounts units of the asset. Unknown fields are rejected.
 *
 * Coin-margined accounts (docs/coin-margined.md): a trade's instrument must be settled in the account's currency and
 * its price is in the instrument's quote (an inverse contract: USD per coin, > 0, turned into the layout's −1/price;
 * a coin-settled option: coin per unit); a transfer of the margin asset moves the account's cash (its balance), one of
 * another asset, or `cashUsd`, is refused.
 */
import { describeValue, ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { AccountChange } from '../margin/account-changes.js';
import { KIND_OPTION } from '../layout/codes.js';
import { addDomainProblem, DOMAIN, type MagnitudeBound, TRADE_PRICE } from '../model/domain.js';
import { formatNumber, isFiniteNumber, isNonEmptyString, isRecord, keyPath, notFiniteMessage, notObjectMessage, notStringMessage, ownEntries, unknownInstrumentMessage } from '../model/checks.js';
import type { OptionGrowth } from '../model/mark-bounds.js';
import { rowMarkProblem } from '../layout/row-mark.js';

/** A trade's size: a position's bounds, without 0 (a trade has a size: refused before, in words of its own). */
const TRADE_QUANTITY: MagnitudeBound = { ...DOMAIN.quantity, zero: false, places: [] };

/** A fill as JSON. */
export interface Fill {
  account: string;
  instrument: string;
  quantity: number;
  price: number;
}

/** A deposit or withdrawal as JSON: `amount` of `asset` (signed), or `cashUsd`. */
export type Transfer = { account: string; asset: string; amount: number } | { account: string; cashUsd: number };

/** A pre-trade check's order as JSON: signed contracts of an instrument, at `price` (default: the instrument's value now). */
export interface OrderRequest {
  instrument: string;
  quantity: number;
  price?: number | undefined;
}

/** A what-if item as JSON: a trade (price optional), a transfer, or USD cash. */
export type Trade = { instrument: string; quantity: number; price?: number | undefined } | { asset: string; amount: number } | { cashUsd: number };

/** Validated items: account index and change, in input order. */
export interface AccountItem {
  account: number;
  change: AccountChange;
  /** Where it came from (`fills[3]`), for problems found later (an overflow). */
  path: string;
}

/** `price` of a trade without one: the instrument's current value (USD per unit). */
export type DefaultPrice = (row: number) => number;

/**
 * The market now of an asset (by layout index): its spot (USD per unit), and for instrument `row` on it the rate, carry
 * and years its bound reads; a trade's price is bounded against them as a mark is (model/mark-bounds.ts): a
 * coin-settled option's in USD given where coin was meant (1425 for 0.015 BTC) moved 1,425 BTC.
 */
export interface SpotNow {
  spot(asset: number): number;
  growth(asset: number, row: number): OptionGrowth;
}

/**
 * An instrument's value (the layout's coordinate) as the price a trade is judged at: a value below the smallest price
 * the domain knows, 1e-12 (a far out-of-the-money option's model value can be 3e-66), is 0, an entry the domain takes ("no cost"),
 * where the value itself would leave it and refuse a what-if or check of a legitimate order. 0 is the worse price for
 * a sale, and for a purchase within 1e-12 a unit of the value.
 */
export function tradePriceOf(value: number): number {
  return value >= 0 && value < DOMAIN.price.min ? 0 : value;
}

export function readFills(json: unknown, layout: BookLayout, base = 'fills', spot?: SpotNow): AccountItem[] {
  const problems = new ProblemList();
  const items = readList(json, base, problems, (item, path) => {
    const account = readAccount(item.account, `${path}.account`, layout, problems);
    const change = readTrade(item, path, layout, problems, null, ['account'], account, spot);
    return account >= 0 && change ? { account, change, path } : null;
  });
  problems.throwIfAny();
  return items;
}

export function readTransfers(json: unknown, layout: BookLayout, base = 'transfers'): AccountItem[] {
  const problems = new ProblemList();
  const items = readList(json, base, problems, (item, path) => {
    const account = readAccount(item.account, `${path}.account`, layout, problems);
    const change = 'cashUsd' in item ? readCash(item, path, problems, ['account'], layout, account) : readTransfer(item, path, layout, problems, ['account'], account);
    return account >= 0 && change ? { account, change, path } : null;
  });
  problems.throwIfAny();
  return items;
}

/** What-if items for one account (layout index `account`; −1: unknown, no currency checks). */
export function readTrades(json: unknown, layout: BookLayout, price: DefaultPrice, base = 'trades', account = -1, spot?: SpotNow): AccountChange[] {
  const problems = new ProblemList();
  const items = readList(json, base, problems, (item, path) => {
    if ('instrument' in item) return readTrade(item, path, layout, problems, price, [], account, spot);
    if ('asset' in item) return readTransfer(item, path, layout, problems, [], account);
    if ('cashUsd' in item) return readCash(item, path, problems, [], layout, account);
    problems.add(path, 'expected a trade { instrument, quantity, price? }, a transfer { asset, amount } or { cashUsd }');
    return null;
  });
  problems.throwIfAny();
  return items;
}

/** A pre-trade order: one trade (price optional) for account `account` (−1: unknown, no currency check). */
export function readOrder(json: unknown, layout: BookLayout, price: DefaultPrice, base = 'order', account = -1, spot?: SpotNow): { instrument: number; quantity: number; price: number } {
  const problems = new ProblemList();
  if (!isRecord(json)) problems.add(base, notObjectMessage(json, 'an order { instrument, quantity, price? }'));
  const change = isRecord(json) ? readTrade(json, base, layout, problems, price, [], account, spot, true) : null;
  problems.throwIfAny();
  return change as { instrument: number; quantity: number; price: number };
}

/** A live account id, or −1 after reporting why not. */
export function readAccount(value: unknown, path: string, layout: BookLayout, problems: ProblemList): number {
  if (!isNonEmptyString(value)) {
    problems.add(path, notStringMessage(value, 'an account id'));
    return -1;
  }
  const a = layout.accountIndex(value);
  if (a < 0) problems.add(path, `no account ${describeValue(value)} in the book`);
  return a;
}

/** What a list of items (trades, fills, transfers) that is not an array is refused with: one message wherever it is checked. */
export function notListMessage(json: unknown): string {
  return notObjectMessage(json, 'an array');
}

function readList<T>(json: unknown, base: string, problems: ProblemList, read: (item: Record<string, unknown>, path: string) => T | null): T[] {
  if (!Array.isArray(json)) {
    problems.add(base, notListMessage(json));
    return [];
  }
  const out: T[] = [];
  json.forEach((item, k) => {
    const path = `${base}[${k}]`;
    if (!isRecord(item)) {
      problems.add(path, notObjectMessage(item, 'an object'));
      return;
    }
    const value = read(item, path);
    if (value !== null) out.push(value);
  });
  return out;
}

function unknownFields(item: Record<string, unknown>, path: string, known: readonly string[], problems: ProblemList): void {
  for (const [key] of ownEntries(item)) if (!known.includes(key)) problems.add(keyPath(path, key), `unknown field (expected ${known.join(', ')})`);
}

/** `limit`: the price is an order's limit (the check judges it at the worse of it and the mark), not a fill's. */
function readTrade(item: Record<string, unknown>, path: string, layout: BookLayout, problems: ProblemList, price: DefaultPrice | null, extra: readonly string[], account = -1, spot?: SpotNow, limit = false): AccountChange | null {
  const before = problems.size;
  unknownFields(item, path, [...extra, 'instrument', 'quantity', 'price'], problems);
  let row = -1;
  if (!isNonEmptyString(item.instrument)) problems.add(`${path}.instrument`, notStringMessage(item.instrument, 'an instrument id'));
  else {
    row = layout.instruments.indexById.get(item.instrument) ?? -1;
    if (row < 0) problems.add(`${path}.instrument`, unknownInstrumentMessage(item.instrument, layout.instruments.indexById, problems));
  }
  if (!isFiniteNumber(item.quantity)) problems.add(`${path}.quantity`, notFiniteMessage(item.quantity));
  else if (item.quantity === 0) problems.add(`${path}.quantity`, 'zero (a trade has a size; the sign is its side)');
  else addDomainProblem(TRADE_QUANTITY, item.quantity, `${path}.quantity`, problems);
  const wrongPrice = typeof item.price === 'number' && row >= 0 ? priceProblem(layout, row, item.price, limit) : null;
  if (item.price === undefined && price === null) problems.add(`${path}.price`, notFiniteMessage(undefined));
  else if (item.price !== undefined && !isFiniteNumber(item.price)) problems.add(`${path}.price`, notFiniteMessage(item.price));
  else if (wrongPrice !== null) problems.add(`${path}.price`, wrongPrice);
  else if (typeof item.price === 'number') {
    const inDomain = problems.size;
    addDomainProblem(TRADE_PRICE, item.price, `${path}.price`, problems);
    // a price is held to what its instrument can be worth, as its mark (model/mark-bounds.ts); a limit of 0 is a market order
    if (problems.size === inDomain && spot !== undefined && row >= 0 && !(limit && item.price === 0)) {
      const u = layout.instruments.underlying.array[row];
      const wrong = rowMarkProblem(layout, row, item.price, (asset) => spot.spot(asset), spot.growth(u, row), 'price');
      if (wrong !== null) problems.add(`${path}.price`, wrong);
    }
  }
  if (row >= 0 && account >= 0) {
    const settled = layout.instruments.settlement.array[row], margin = layout.marginAsset.array[account];
    if (settled !== margin) {
      const name = (i: number) => JSON.stringify(i < 0 ? 'USD' : layout.assets[i]);
      problems.add(`${path}.instrument`, `instrument ${JSON.stringify(item.instrument)} is settled in ${name(settled)}: account ${JSON.stringify(layout.accountIds[account])} is margined in ${name(margin)} and cannot hold it`);
    }
  }
  if (problems.size > before) return null;
  // an order's limit of 0 on a future or perpetual is no limit (a market order): judged at the mark, as given none
  const atMark = item.price === undefined || (limit && item.price === 0 && layout.instruments.kind.array[row] !== KIND_OPTION);
  // a given price in the layout's coordinate (an inverse contract: −1/price); the default is already the layout's value
  return { instrument: row, quantity: item.quantity as number, price: atMark ? tradePriceOf(price!(row)) : layout.layoutEntry(row, item.price as number) };
}

/**
 * Why a fill's price cannot be instrument `row`'s, or null: a price a venue quotes is > 0 (an option's premium ≥ 0: a
 * worthless option trades at 0). A linear fill at 0 would realize its whole notional as profit (a default of 0 for a
 * missing price must never credit an account); an inverse contract's P&L divides by it. An order's limit of 0 is taken
 * (`limit`): on a future or perpetual it is no limit (judged at the mark), an option's is its price (the check judges an
 * order at the worse of its price and the mark).
 */
function priceProblem(layout: BookLayout, row: number, price: number, limit: boolean): string | null {
  if (price > 0) return null;
  const ins = layout.instruments;
  if (limit && price === 0) return null;
  if (ins.isInverse(row)) return `${formatNumber(price)} is not > 0: an inverse contract's price is USD per coin, its P&L in coin multiplier·(1/entry − 1/price)`;
  // below 0: the domain's bound names it
  if (price < 0 || ins.kind.array[row] === KIND_OPTION) return null;
  return `${formatNumber(price)} is not > 0: a fill of a future or perpetual at ${formatNumber(price)} would realize its whole notional as profit`;
}

function readTransfer(item: Record<string, unknown>, path: string, layout: BookLayout, problems: ProblemList, extra: readonly string[], account = -1): AccountChange | null {
  const before = problems.size;
  unknownFields(item, path, [...extra, 'asset', 'amount'], problems);
  let asset = -1;
  if (!isNonEmptyString(item.asset)) problems.add(`${path}.asset`, notStringMessage(item.asset, 'an asset symbol'));
  else {
    asset = layout.assetIndex(item.asset);
    if (asset < 0) problems.add(`${path}.asset`, `unknown asset ${describeValue(item.asset)}: the live book holds and trades ${layout.assets.join(', ')}`);
  }
  if (!isFiniteNumber(item.amount)) problems.add(`${path}.amount`, notFiniteMessage(item.amount));
  else if (item.amount === 0) problems.add(`${path}.amount`, 'zero (deposits are positive, withdrawals negative)');
  else addDomainProblem(DOMAIN.amount, item.amount, `${path}.amount`, problems);
  const margin = account >= 0 ? layout.marginAsset.array[account] : -1;
  if (margin >= 0 && asset >= 0 && asset !== margin) {
    problems.add(`${path}.asset`, `account ${JSON.stringify(layout.accountIds[account])} is margined in ${layout.assets[margin]} and holds only ${layout.assets[margin]}, not ${item.asset as string}`);
  }
  if (problems.size > before) return null;
  // a coin-margined account's balance of its asset is its cash
  return margin >= 0 ? { cashUsd: item.amount as number } : { asset, amount: item.amount as number };
}

function readCash(item: Record<string, unknown>, path: string, problems: ProblemList, extra: readonly string[], layout: BookLayout, account = -1): AccountChange | null {
  const before = problems.size;
  unknownFields(item, path, [...extra, 'cashUsd'], problems);
  if (!isFiniteNumber(item.cashUsd)) problems.add(`${path}.cashUsd`, notFiniteMessage(item.cashUsd));
  else if (account >= 0 && layout.marginAsset.array[account] >= 0) {
    const coin = layout.marginCurrencyOf(account);
    problems.add(`${path}.cashUsd`, `account ${JSON.stringify(layout.accountIds[account])} is margined in ${coin}: its cash is ${coin}, moved by a transfer { asset: ${JSON.stringify(coin)}, amount }`);
  } else addDomainProblem(DOMAIN.cashUsd, item.cashUsd, `${path}.cashUsd`, problems);
  return problems.size > before ? null : { cashUsd: item.cashUsd as number };
}

