/**
 * Builds {@link BookColumns} account by account from validated accounts (a streamed JSON book validates a batch of
 * accounts, appends them, and drops their objects), in growing typed arrays.
 */
import type { InputProblem } from '../errors.js';
import { type BookColumns, columnarBook } from './book-columns.js';
import type { ValidatedAccount, ValidatedBook, ValidatedInstrument } from './types.js';

class Growing<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(public array: T, private readonly make: (n: number) => T) {}

  ensure(extra: number): T {
    if (this.length + extra > this.array.length) {
      const grown = this.make(Math.max(this.length + extra, this.array.length * 2));
      grown.set(this.array.subarray(0, this.length) as never);
      this.array = grown;
    }
    return this.array;
  }

  /** Room for `total` values in all (no copy when there is room already). */
  reserve(total: number): void {
    if (total > this.array.length) this.ensure(total - this.length);
  }

  /** Appends `values`. */
  append(values: ArrayLike<number>): void {
    const at = this.length;
    this.ensure(values.length).set(values as never, at);
    this.length = at + values.length;
  }

  push(value: number): void {
    this.ensure(1)[this.length++] = value;
  }

  finish(): T {
    return this.array.subarray(0, this.length) as T;
  }
}

const f64 = (n: number) => new Float64Array(n), i32 = (n: number) => new Int32Array(n);

export class BookColumnsBuilder {
  private readonly ids: string[] = [];
  private readonly cash: Growing<Float64Array>;
  private readonly positionStart: Growing<Int32Array>;
  private readonly instrument: Growing<Int32Array>;
  private readonly quantity: Growing<Float64Array>;
  private readonly entryPrice: Growing<Float64Array>;
  private isolated: Growing<Float64Array> | undefined;
  private readonly balanceStart: Growing<Int32Array>;
  private readonly balanceAsset: Growing<Int32Array>;
  private readonly amount: Growing<Float64Array>;
  private readonly assets: string[] = [];
  private readonly assetIndex = new Map<string, number>();
  private masters: (string | undefined)[] | undefined;
  private methods: (string | undefined)[] | undefined;
  private marginCurrencies: (string | undefined)[] | undefined;
  private locations: (string | undefined)[] | undefined;

  /**
   * `size`: how many accounts, positions and balances to make room for first (a chunk like the one before it: its
   * columns then grow no more, each copy of a growing column a big allocation the collector has to see).
   */
  constructor(readonly instruments: readonly ValidatedInstrument[], size: { accounts: number; positions: number; balances: number } = { accounts: 1024, positions: 4096, balances: 1024 }) {
    const accounts = Math.max(1024, size.accounts), positions = Math.max(4096, size.positions), balances = Math.max(1024, size.balances);
    this.cash = new Growing(f64(accounts), f64);
    this.positionStart = new Growing(i32(accounts + 1), i32);
    this.instrument = new Growing(i32(positions), i32);
    this.quantity = new Growing(f64(positions), f64);
    this.entryPrice = new Growing(f64(positions), f64);
    this.balanceStart = new Growing(i32(accounts + 1), i32);
    this.balanceAsset = new Growing(i32(balances), i32);
    this.amount = new Growing(f64(balances), f64);
    this.positionStart.push(0);
    this.balanceStart.push(0);
  }

  get accounts(): number {
    return this.ids.length;
  }

  /** The accounts, positions and balances added so far. */
  get size(): { accounts: number; positions: number; balances: number } {
    return { accounts: this.ids.length, positions: this.quantity.length, balances: this.amount.length };
  }

  /** Appends a validated account; `rows[first + j]` is the instrument row of its position j (validation resolved them). */
  add(account: ValidatedAccount, rows: ArrayLike<number>, first: number): void {
    const a = this.ids.length;
    this.ids.push(account.id);
    this.cash.push(account.cashUsd ?? 0);
    const positions = account.positions;
    const n = positions.length;
    const instrument = this.instrument.ensure(n), quantity = this.quantity.ensure(n), entry = this.entryPrice.ensure(n);
    const at = this.instrument.length;
    for (let j = 0; j < n; j++) {
      const p = positions[j];
      instrument[at + j] = rows[first + j];
      quantity[at + j] = p.quantity;
      entry[at + j] = p.entryPrice;
    }
    if (this.isolated === undefined && positions.some((p) => p.isolatedMargin !== undefined)) this.isolated = this.filledIsolated(at);
    if (this.isolated) {
      const isolated = this.isolated.ensure(n);
      for (let j = 0; j < n; j++) isolated[at + j] = positions[j].isolatedMargin ?? NaN;
      this.isolated.length = at + n;
    }
    this.instrument.length = this.quantity.length = this.entryPrice.length = at + n;
    this.positionStart.push(at + n);
    for (const balance of account.collateral) {
      let index = this.assetIndex.get(balance.asset);
      if (index === undefined) this.assetIndex.set(balance.asset, (index = this.assets.push(balance.asset) - 1));
      this.balanceAsset.push(index);
      this.amount.push(balance.amount);
      if (balance.location !== undefined) (this.locations ??= new Array(this.amount.length - 1).fill(undefined));
      this.locations?.push(balance.location);
    }
    this.balanceStart.push(this.amount.length);
    if (account.master !== undefined) (this.masters ??= new Array(a).fill(undefined));
    this.masters?.push(account.master);
    if (account.method !== undefined) (this.methods ??= new Array(a).fill(undefined));
    this.methods?.push(account.method);
    if (account.marginCurrency !== undefined) (this.marginCurrencies ??= new Array(a).fill(undefined));
    this.marginCurrencies?.push(account.marginCurrency);
  }

  /**
   * Appends an account read from bytes (src/io/json-book/): positions k in [from, from + n) with instrument row
   * `rows[k]`, quantity `values[2k]` and entry price `values[2k + 1]`; balances j in [0, assets.length) with amount
   * `amounts[balanceFrom + j]`. The same columns {@link add} writes for the validated account.
   */
  addClean(id: string, cash: number, rows: Int32Array, values: Float64Array, from: number, n: number, assets: readonly string[], amounts: Float64Array, balanceFrom: number): void {
    this.ids.push(id);
    this.cash.push(cash);
    const instrument = this.instrument.ensure(n), quantity = this.quantity.ensure(n), entry = this.entryPrice.ensure(n);
    const at = this.instrument.length;
    for (let j = 0; j < n; j++) {
      instrument[at + j] = rows[from + j];
      quantity[at + j] = values[2 * (from + j)];
      entry[at + j] = values[2 * (from + j) + 1];
    }
    if (this.isolated) {
      this.isolated.ensure(n).fill(NaN, at, at + n);
      this.isolated.length = at + n;
    }
    this.instrument.length = this.quantity.length = this.entryPrice.length = at + n;
    this.positionStart.push(at + n);
    for (let j = 0; j < assets.length; j++) {
      let index = this.assetIndex.get(assets[j]);
      if (index === undefined) this.assetIndex.set(assets[j], (index = this.assets.push(assets[j]) - 1));
      this.balanceAsset.push(index);
      this.amount.push(amounts[balanceFrom + j]);
      this.locations?.push(undefined);
    }
    this.balanceStart.push(this.amount.length);
    this.masters?.push(undefined);
    this.methods?.push(undefined);
    this.marginCurrencies?.push(undefined);
  }

  /**
   * Appends a chunk's columns over the same instruments (a book read a chunk at a time, src/io/arrow/read-book.ts):
   * the columns a book of both chunks' accounts would hold (balance assets renumbered in order of first appearance).
   */
  addColumns(c: BookColumns): void {
    const a0 = this.ids.length, p0 = this.quantity.length, b0 = this.amount.length;
    const n = c.accountIds.length, np = c.positionStart[n], nb = c.balanceStart[n];
    for (let a = 0; a < n; a++) this.ids.push(c.accountIds[a]);
    this.cash.append(c.cashUsd.subarray(0, n));
    const positionStart = this.positionStart.ensure(n);
    for (let a = 1; a <= n; a++) positionStart[a0 + a] = p0 + c.positionStart[a];
    this.positionStart.length = a0 + n + 1;
    this.instrument.append(c.positionInstrument.subarray(0, np));
    this.quantity.append(c.quantity.subarray(0, np));
    this.entryPrice.append(c.entryPrice.subarray(0, np));
    if (c.isolatedMargin !== undefined) this.isolated ??= this.filledIsolated(p0);
    if (this.isolated) {
      if (c.isolatedMargin !== undefined) this.isolated.append(c.isolatedMargin.subarray(0, np));
      else {
        this.isolated.ensure(np).fill(NaN, p0, p0 + np);
        this.isolated.length = p0 + np;
      }
    }
    const balanceStart = this.balanceStart.ensure(n);
    for (let a = 1; a <= n; a++) balanceStart[a0 + a] = b0 + c.balanceStart[a];
    this.balanceStart.length = a0 + n + 1;
    const renumbered = c.balanceAssets.map((asset) => {
      let index = this.assetIndex.get(asset);
      if (index === undefined) this.assetIndex.set(asset, (index = this.assets.push(asset) - 1));
      return index;
    });
    const balanceAsset = this.balanceAsset.ensure(nb);
    for (let k = 0; k < nb; k++) balanceAsset[b0 + k] = renumbered[c.balanceAsset[k]];
    this.balanceAsset.length = b0 + nb;
    this.amount.append(c.amount.subarray(0, nb));
    this.masters = appendOptional(this.masters, c.masters, a0, n);
    this.methods = appendOptional(this.methods, c.methods, a0, n);
    this.marginCurrencies = appendOptional(this.marginCurrencies, c.marginCurrencies, a0, n);
    this.locations = appendOptional(this.locations, c.locations, b0, nb);
  }

  /** Room for `size` accounts, positions and balances in all (a book's size foreseen from its first chunk). */
  reserve(size: { accounts: number; positions: number; balances: number }): void {
    this.cash.reserve(size.accounts);
    this.positionStart.reserve(size.accounts + 1);
    this.balanceStart.reserve(size.accounts + 1);
    for (const column of [this.instrument, this.quantity, this.entryPrice, this.isolated]) column?.reserve(size.positions);
    this.balanceAsset.reserve(size.balances);
    this.amount.reserve(size.balances);
  }

  /** The isolated-margin column, NaN for the `before` positions so far (the first position with an allocation creates it). */
  private filledIsolated(before: number): Growing<Float64Array> {
    const column = new Growing(new Float64Array(Math.max(4096, 2 * before)).fill(NaN), f64);
    column.length = before;
    return column;
  }

  finish(): BookColumns {
    return {
      instruments: this.instruments, accountIds: this.ids, cashUsd: this.cash.finish(),
      ...(this.masters ? { masters: this.masters } : {}), ...(this.methods ? { methods: this.methods } : {}),
      ...(this.marginCurrencies ? { marginCurrencies: this.marginCurrencies } : {}),
      positionStart: this.positionStart.finish(), positionInstrument: this.instrument.finish(), quantity: this.quantity.finish(), entryPrice: this.entryPrice.finish(),
      ...(this.isolated ? { isolatedMargin: this.isolated.finish() } : {}),
      balanceStart: this.balanceStart.finish(), balanceAsset: this.balanceAsset.finish(), balanceAssets: this.assets, amount: this.amount.finish(),
      ...(this.locations ? { locations: this.locations } : {}),
    };
  }

  book(warnings: readonly InputProblem[] = []): ValidatedBook {
    return columnarBook(this.finish(), warnings);
  }
}

/** `have` (a per-row list, undefined: every row undefined so far, `before` rows) with `n` rows of `more` appended. */
function appendOptional(have: (string | undefined)[] | undefined, more: readonly (string | undefined)[] | undefined, before: number, n: number): (string | undefined)[] | undefined {
  if (have === undefined && more === undefined) return undefined;
  const out = have ?? new Array<string | undefined>(before).fill(undefined);
  for (let k = 0; k < n; k++) out.push(more?.[k]);
  return out;
}

/** The columnar form of a book of objects (the same book: its accounts, positions and balances in order). */
export function columnsOfBook(book: ValidatedBook): BookColumns {
  const builder = new BookColumnsBuilder(book.instruments);
  const row = new Map(book.instruments.map((instrument, i) => [instrument.id, i]));
  const rows: number[] = [];
  for (const account of book.accounts) {
    rows.length = 0;
    for (const p of account.positions) rows.push(row.get(p.instrument)!);
    builder.add(account, rows, 0);
  }
  return builder.finish();
}
