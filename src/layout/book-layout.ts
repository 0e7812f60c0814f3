/**
 * A validated book compiled into columns, once. See docs/book-format.md ("Layout") for the picture.
 *
 * - instruments: struct of arrays (instruments.ts), rows in book order;
 * - accounts: ids (JS), a `live` u8 column, a `cashUsd` f64 column, a `marginAsset` i32 column, and two CSR
 *   lists by account (segments.ts): positions (instrument i32, quantity f64, entryPrice f64) and collateral
 *   (asset i32, amount f64); at most one position per instrument (rows are netted, src/model/netting.ts);
 * - coin-margined accounts (docs/coin-margined.md): an account margined in an asset has `marginAsset` ≥ 0, its
 *   balance of that asset is its cash (the `cashUsd` column then holds units of that asset) and its collateral list
 *   is empty; positions on inverse futures and perpetuals keep their entry as −1/entry (coin per USD of face value),
 *   the coordinate in which inverse P&L is linear: units·(x_mark − x_entry) = units·(1/entry − 1/mark), so netting
 *   at average cost, realized P&L and every linear rule downstream hold for them unchanged;
 * - assets: the symbols the book references (sorted), whose index the i32 columns hold.
 *
 * Market data lives apart (market-layout.ts) so a new snapshot never touches these columns.
 * Positions, collateral, accounts and instruments can be added or removed in place; see the method
 * docs for their cost. Any method that reallocates a column bumps `generation`: re-read `ptr`s then.
 */

import { describeValue, ProblemList } from '../errors.js';
import { Column } from '../memory/columns.js';
import type { ColumnAllocator } from '../memory/columns.js';
import { assertValidatedBook, instrumentRowsOf } from '../model/brand.js';
import { type InstrumentTerms, isolatedNettingMessage, NETTING_OVERFLOW_MESSAGE, netHeldRow } from '../model/netting.js';
import type { ValidatedAccount, ValidatedBook, ValidatedPosition } from '../model/types.js';
import type { IdText } from '../model/book-columns.js';
import { validateAccount, validateBalance, validateInstrument, validatePosition } from '../model/validate.js';
import { heldInstrumentProblem, isInverseInstrument, settlementTermsOf } from '../model/settlement.js';
import { KIND_OPTION } from './codes.js';
import { InstrumentTable } from './instruments.js';
import { resizeColumn, grownCapacity } from './resize.js';
import { SegmentedList, type FieldSpec } from './segments.js';
import { cashOf, instrumentFlags, settleAccounts } from './coin-layout.js';
import { inverseCoordinate, inverseEntry } from '../model/inverse-price.js';
import { collectAssets, fillAccounts, holdingCounts } from './fill-accounts.js';
import { LayoutMemo } from './memo.js';

export interface LayoutOptions {
  /** Spare position slots reserved after each account's positions, for in-place inserts. Default 2. */
  positionSlack?: number | undefined;
  /** Spare collateral slots per account. Default 1. */
  collateralSlack?: number | undefined;
  /** Extra arena room at the end, as a fraction of the laid-out slots, for new accounts and relocations. Default 0.125. */
  headroom?: number | undefined;
  /**
   * Asset symbols to lay out besides the book's own (merged, then sorted as usual): a shard of a book
   * (src/scale/) names the whole book's assets so its asset indices, and every per-asset loop, match the book's.
   */
  assets?: readonly string[] | undefined;
}

/** The layout of a book margined once and released (no insert, no new account): no spare slot, no headroom. */
export const ONE_SHOT_LAYOUT: LayoutOptions = Object.freeze({ positionSlack: 0, collateralSlack: 0, headroom: 0 });

export const POSITION_FIELDS: readonly FieldSpec[] = [
  { name: 'instrument', type: 'i32' },
  { name: 'quantity', type: 'f64' },
  { name: 'entryPrice', type: 'f64' },
  // USD allocated in isolated mode; NaN = allocate pro rata to initial margin.
  { name: 'isolatedMargin', type: 'f64' },
];

export const COLLATERAL_FIELDS: readonly FieldSpec[] = [
  { name: 'asset', type: 'i32' },
  { name: 'amount', type: 'f64' },
];

export class BookLayout {
  /** Asset symbols by index (what `instruments.underlying` and `collateral` asset columns refer to). */
  readonly assets: string[];
  private readonly assetIndexBySymbol: Map<string, number>;
  readonly instruments: InstrumentTable;
  /** Account ids by index; null for removed accounts (until compact()). */
  readonly accountIds: (string | null)[];
  /**
   * The ids' bytes as the book was read (src/model/book-columns.ts IdText), for every account as laid out; dropped by any
   * change to the accounts (added, removed, compacted).
   */
  idText: IdText | undefined;
  /** Built on the first lookup by id: a run that margins every account never looks one up (10^6 ids take ~1 s). */
  private indexById: Map<string, number> | undefined;
  /** u8 per account: 1 live, 0 removed. Removed accounts have empty lists; kernels may skip them. */
  live: Column<'u8'>;
  /**
   * f64 per account: settled cash in the account's margin currency (USD: the book's cashUsd; an asset: its balance of
   * that asset), plus P&L realized by netting; 0 for removed accounts.
   */
  cashUsd: Column<'f64'>;
  /** i32 per account: index of its margin asset in `assets`, −1 for USD (the default). */
  marginAsset: Column<'i32'>;
  /** CSR by account: fields `instrument` (i32), `quantity` (f64), `entryPrice` (f64), `isolatedMargin` (f64, NaN = auto). */
  readonly positions: SegmentedList;
  /** CSR by account: fields `asset` (i32), `amount` (f64). */
  readonly collateral: SegmentedList;
  /** True when instruments or assets were added since the market was applied: apply one again before pricing. */
  marketStale = false;
  private ownGeneration = 0;
  /** Releases of what was laid out beside the book in its allocator (the applied market), run by {@link release}. */
  private readonly releaseHooks: (() => void)[] = [];
  /** What the methods' runs derived from this layout's holdings and keep for the next run (memo.ts). */
  readonly memo = new LayoutMemo();

  /** Use {@link layoutBook}. */
  constructor(
    readonly allocator: ColumnAllocator,
    parts: {
      assets: string[];
      instruments: InstrumentTable;
      accountIds: string[];
      idText?: IdText | undefined;
      live: Column<'u8'>;
      cashUsd: Column<'f64'>;
      marginAsset: Column<'i32'>;
      positions: SegmentedList;
      collateral: SegmentedList;
    },
  ) {
    this.assets = parts.assets;
    this.assetIndexBySymbol = new Map(parts.assets.map((symbol, i) => [symbol, i]));
    this.instruments = parts.instruments;
    this.accountIds = parts.accountIds;
    this.idText = parts.idText !== undefined && parts.idText.offsets.length === parts.accountIds.length + 1 ? parts.idText : undefined;
    this.live = parts.live;
    this.cashUsd = parts.cashUsd;
    this.marginAsset = parts.marginAsset;
    this.positions = parts.positions;
    this.collateral = parts.collateral;
  }

  private get accountIndexById(): Map<string, number> {
    if (this.indexById === undefined) {
      const index = new Map<string, number>();
      const ids = this.accountIds;
      for (let i = 0; i < ids.length; i++) if (ids[i] !== null) index.set(ids[i] as string, i);
      this.indexById = index;
    }
    return this.indexById;
  }

  /**
   * Builds the index of the account ids now rather than at the first lookup (a Map of the ids: about a second for a
   * million accounts): a live session answers by id, and its first request should not wait for it.
   */
  indexAccountIds(): void {
    void this.accountIndexById;
  }

  /** Accounts laid out, removed ones included (the length kernels iterate). */
  get accountCount(): number {
    return this.accountIds.length;
  }

  /** Changes whenever any book column was reallocated (its `ptr` moved). */
  get generation(): number {
    return this.ownGeneration + this.instruments.generation + this.positions.generation + this.collateral.generation;
  }

  /** Bytes of all book columns (capacity included). */
  get byteLength(): number {
    return this.instruments.byteLength + this.live.byteLength + this.cashUsd.byteLength + this.marginAsset.byteLength + this.positions.byteLength + this.collateral.byteLength;
  }

  assetIndex(symbol: string): number {
    return this.assetIndexBySymbol.get(symbol) ?? -1;
  }

  accountIndex(id: string): number {
    return this.accountIndexById.get(id) ?? -1;
  }

  /** Adds an instrument (validated here; duplicate ids rejected). O(1) amortised; marks the market stale. */
  addInstrument(json: unknown): number {
    const instrument = validateInstrument(json);
    if (this.instruments.indexById.has(instrument.id)) rejectOne('instrument.id', `duplicate instrument id ${JSON.stringify(instrument.id)}`);
    this.marketStale = true;
    const settlement = instrument.settlement === undefined ? -1 : this.internAsset(instrument.settlement);
    return this.instruments.add(instrument, this.internAsset(instrument.underlying), settlement);
  }

  /** The margin currency of account a: an asset symbol, or 'USD'. */
  marginCurrencyOf(a: number): string {
    const m = this.marginAsset.array[a];
    return m < 0 ? 'USD' : this.assets[m];
  }

  /** Adds an account (validated here against the laid-out instruments; rows netted). O(its positions) amortised. */
  addAccount(json: unknown): number {
    const account = validateAccount(json, this.instruments.indexById, this.nettingTerms());
    if (this.accountIndexById.has(account.id)) rejectOne('account.id', `duplicate account id ${JSON.stringify(account.id)}`);
    const index = this.accountIds.length;
    this.ensureAccountCapacity(index + 1);
    this.idText = undefined;
    this.positions.openAccount(index, account.positions.length);
    this.collateral.openAccount(index, account.collateral.length);
    this.accountIds.push(account.id);
    this.accountIndexById.set(account.id, index);
    this.live.array[index] = 1;
    this.cashUsd.array[index] = cashOf(account);
    this.marginAsset.array[index] = account.marginCurrency === undefined ? -1 : this.internAsset(account.marginCurrency);
    for (const position of account.positions) this.writePosition(index, position);
    if (account.marginCurrency === undefined) for (const balance of account.collateral) this.writeBalance(index, balance.asset, balance.amount);
    return index;
  }

  /** Removes an account: its lists are emptied and its slots become waste until compact(). O(1). */
  removeAccount(id: string): void {
    const index = this.requireAccount(id);
    this.positions.closeAccount(index);
    this.collateral.closeAccount(index);
    this.live.array[index] = 0;
    this.cashUsd.array[index] = 0;
    this.marginAsset.array[index] = -1;
    this.accountIds[index] = null;
    this.idText = undefined;
    this.accountIndexById.delete(id);
  }

  /**
   * Adds a position row to an account. A row on an instrument the account already holds is netted
   * into that slot by the book's rule (src/model/netting.ts: the slot counts as one row, realized P&L
   * goes to cashUsd), O(the account's positions); otherwise it is appended, O(1) into slack, else
   * O(the account's positions) to move its run.
   */
  addPosition(accountId: string, json: unknown): void {
    const index = this.requireAccount(accountId);
    const position = validatePosition(json, this.instruments.indexById);
    const row = this.instruments.indexById.get(position.instrument) as number;
    this.checkHeld(index, row, position);
    const slot = this.findPosition(index, row);
    if (slot < 0) {
      this.writePosition(index, position);
      return;
    }
    const quantity = this.positions.column<'f64'>('quantity').array;
    const entryPrice = this.positions.column<'f64'>('entryPrice').array;
    const held = `the account's position ${slot - this.positions.start.array[index]} on ${JSON.stringify(position.instrument)}`;
    if (position.isolatedMargin !== undefined || !Number.isNaN(this.positions.column<'f64'>('isolatedMargin').array[slot])) {
      rejectOne(position.isolatedMargin !== undefined ? 'position.isolatedMargin' : 'position', isolatedNettingMessage(held));
    }
    const terms = this.nettingTerms();
    // entries in the layout's coordinate (−1/entry for inverse contracts), netted as a book's rows are
    const net = netHeldRow({ quantity: quantity[slot], entryPrice: entryPrice[slot] }, { quantity: position.quantity, entryPrice: this.layoutEntry(row, position.entryPrice) }, terms.multiplier(row), terms.isLinear(row), terms.isInverse?.(row) === true);
    const cash = this.cashUsd.array[index] + net.realizedUsd;
    if (!Number.isFinite(net.quantity) || !Number.isFinite(net.entryPrice) || !Number.isFinite(cash)) {
      rejectOne('position', `${NETTING_OVERFLOW_MESSAGE} (with ${held})`);
    }
    quantity[slot] = net.quantity;
    entryPrice[slot] = net.entryPrice;
    this.cashUsd.array[index] = cash;
  }

  /** Removes the `positionIndex`-th position of an account, keeping the others' order. O(the account's positions). */
  removePosition(accountId: string, positionIndex: number): void {
    const index = this.requireAccount(accountId);
    if (!Number.isInteger(positionIndex) || positionIndex < 0 || positionIndex >= this.positions.countOf(index)) {
      rejectOne('positionIndex', `account ${JSON.stringify(accountId)} has no position ${positionIndex}`);
    }
    this.positions.removeAt(index, positionIndex);
  }

  /**
   * Sets an account's balance of `asset` (adding it if absent). O(the account's balances). An account margined in an
   * asset holds only that asset, as its cash: its balance sets the cash.
   */
  setCollateral(accountId: string, asset: string, amount: number): void {
    const index = this.requireAccount(accountId);
    const balance = validateBalance({ asset, amount });
    if (this.marginAsset.array[index] >= 0) {
      this.requireMarginAsset(index, balance.asset);
      this.cashUsd.array[index] = balance.amount;
      return;
    }
    const slot = this.findBalance(index, balance.asset);
    if (slot >= 0) this.collateral.column<'f64'>('amount').array[slot] = balance.amount;
    else this.writeBalance(index, balance.asset, balance.amount);
  }

  /** Removes an account's balance of `asset`, if any. O(the account's balances). */
  removeCollateral(accountId: string, asset: string): void {
    const index = this.requireAccount(accountId);
    if (this.marginAsset.array[index] >= 0) {
      if (asset === this.marginCurrencyOf(index)) this.cashUsd.array[index] = 0;
      return;
    }
    const slot = this.findBalance(index, asset);
    if (slot >= 0) this.collateral.removeAt(index, slot - this.collateral.start.array[index]);
  }

  /**
   * Drops removed accounts and every hole, renumbering accounts densely. O(all positions and
   * balances); reallocates every list column (new `ptr`s, `generation` changes).
   */
  compact(): void {
    const keep = Int32Array.from(this.accountIds.flatMap((id, i) => (id === null ? [] : [i])));
    const capacity = this.live.length;
    this.positions.compact(keep, capacity);
    this.collateral.compact(keep, capacity);
    const ids = Array.from(keep, (i) => this.accountIds[i] as string);
    this.accountIds.length = 0;
    this.accountIds.push(...ids);
    this.idText = undefined;
    this.accountIndexById.clear();
    ids.forEach((id, i) => this.accountIndexById.set(id, i));
    const live = this.live.array;
    live.fill(0);
    live.fill(1, 0, ids.length);
    const cash = this.cashUsd.array;
    const kept = Float64Array.from(keep, (i) => cash[i]);
    cash.fill(0);
    cash.set(kept);
    const margin = this.marginAsset.array;
    const keptMargin = Int32Array.from(keep, (i) => margin[i]);
    margin.fill(-1);
    margin.set(keptMargin);
  }

  /**
   * Registers what to release with the book: columns laid out beside it in the same allocator (the applied
   * market, src/layout/market-layout.ts), which must not outlive it.
   */
  onRelease(release: () => void): void {
    this.releaseHooks.push(release);
  }

  /** Releases every column (book and what was registered with {@link onRelease}). The layout is unusable afterwards. */
  release(): void {
    for (const release of this.releaseHooks.splice(0)) release();
    this.memo.clear();
    this.instruments.release();
    this.live.release();
    this.cashUsd.release();
    this.marginAsset.release();
    this.positions.release();
    this.collateral.release();
  }

  private writePosition(account: number, position: ValidatedPosition): void {
    const slot = this.positions.push(account);
    const row = this.instruments.indexById.get(position.instrument) as number;
    this.positions.column<'i32'>('instrument').array[slot] = row;
    this.positions.column<'f64'>('quantity').array[slot] = position.quantity;
    this.positions.column<'f64'>('entryPrice').array[slot] = this.layoutEntry(row, position.entryPrice);
    this.positions.column<'f64'>('isolatedMargin').array[slot] = position.isolatedMargin ?? NaN;
  }

  private writeBalance(account: number, asset: string, amount: number): void {
    const assetIndex = this.internAsset(asset);
    const slot = this.collateral.push(account);
    this.collateral.column<'i32'>('asset').array[slot] = assetIndex;
    this.collateral.column<'f64'>('amount').array[slot] = amount;
  }

  /** Slot of the account's position on instrument `row`, or −1. */
  private findPosition(account: number, row: number): number {
    const instrument = this.positions.column<'i32'>('instrument').array;
    for (let slot = this.positions.start.array[account]; slot < this.positions.end.array[account]; slot++) {
      if (instrument[slot] === row) return slot;
    }
    return -1;
  }

  /**
   * A book entry price (USD per coin for an inverse contract) in the layout's coordinate: −1/entry for inverse contracts
   * (0 for a flat position's entry 0: src/model/inverse-price.ts inverseCoordinate).
   */
  layoutEntry(row: number, entryPrice: number): number {
    return this.instruments.isInverse(row) ? inverseCoordinate(entryPrice) : entryPrice;
  }

  /**
   * A layout entry price back in the book's terms (the inverse of {@link layoutEntry}): for an inverse contract −1/x, or
   * the neighbouring double with the shortest decimal form among those that give x back (so an entry of 100,000 comes
   * back as 100,000, not 99,999.99999999999).
   */
  bookEntry(row: number, layoutPrice: number): number {
    return this.instruments.isInverse(row) ? inverseEntry(layoutPrice) : layoutPrice;
  }

  /** Netting terms of the laid-out instruments (multiplier, linear or option, inverse, settlement), by row. */
  private nettingTerms(): InstrumentTerms {
    const ins = this.instruments;
    const settlementOf = (row: number) => (ins.settlement.array[row] < 0 ? undefined : this.assets[ins.settlement.array[row]]);
    const list = ins.ids.map((_, row) => ({ underlying: this.assets[ins.underlying.array[row]], settlement: settlementOf(row) }));
    return {
      multiplier: (row) => ins.multiplier.array[row],
      isLinear: (row) => ins.kind.array[row] !== KIND_OPTION,
      isInverse: (row) => ins.isInverse(row),
      currency: settlementTermsOf(list, settlementOf),
    };
  }

  /** Refuses a position on instrument `row` that account a may not hold (another settlement currency; an inverse entry ≤ 0). */
  private checkHeld(a: number, row: number, position: ValidatedPosition): void {
    const m = this.marginAsset.array[a];
    const s = this.instruments.settlement.array[row];
    const problem = heldInstrumentProblem(position.instrument, row, m < 0 ? undefined : this.assets[m], { anySettled: true, assets: this.assets, settlement: () => (s < 0 ? undefined : this.assets[s]) });
    if (problem !== null) rejectOne('position.instrument', problem);
    if (this.instruments.isInverse(row) && !(position.entryPrice > 0)) rejectOne('position.entryPrice', `${position.entryPrice} is not > 0: an inverse contract's P&L is multiplier·(1/entry − 1/mark) in coin`);
  }

  /** Refuses a balance of another asset than the margin asset of coin-margined account a. */
  private requireMarginAsset(a: number, asset: string): void {
    const currency = this.marginCurrencyOf(a);
    if (asset !== currency) rejectOne('balance.asset', `an account margined in ${JSON.stringify(currency)} holds only ${JSON.stringify(currency)} (its cash), not ${JSON.stringify(asset)}`);
  }

  private findBalance(account: number, asset: string): number {
    const assetIndex = this.assetIndex(asset);
    if (assetIndex < 0) return -1;
    const assets = this.collateral.column<'i32'>('asset').array;
    for (let slot = this.collateral.start.array[account]; slot < this.collateral.end.array[account]; slot++) {
      if (assets[slot] === assetIndex) return slot;
    }
    return -1;
  }

  /** Index of `symbol`, appending it (and marking the market stale) when the book did not use it yet. */
  private internAsset(symbol: string): number {
    const known = this.assetIndexBySymbol.get(symbol);
    if (known !== undefined) return known;
    this.assets.push(symbol);
    this.assetIndexBySymbol.set(symbol, this.assets.length - 1);
    this.marketStale = true;
    return this.assets.length - 1;
  }

  private requireAccount(id: string): number {
    const index = this.accountIndexById.get(id);
    if (index === undefined) rejectOne('accountId', `no account ${describeValue(id)} in the book`);
    return index as number;
  }

  private ensureAccountCapacity(needed: number): void {
    if (needed <= this.live.length) return;
    const capacity = grownCapacity(this.live.length, needed);
    this.live = resizeColumn(this.live, capacity, this.accountIds.length);
    this.cashUsd = resizeColumn(this.cashUsd, capacity, this.accountIds.length);
    this.marginAsset = resizeColumn(this.marginAsset, capacity, this.accountIds.length);
    this.ownGeneration++;
  }
}

function rejectOne(path: string, message: string): never {
  const problems = new ProblemList();
  problems.add(path, message);
  problems.throwIfAny();
  throw new Error('unreachable');
}

/**
 * Compiles a validated book into columns in `allocator` (WASM linear memory or plain heap buffers).
 * Two passes over the accounts (count, then fill); no per-position allocation.
 */
export function layoutBook(book: ValidatedBook, allocator: ColumnAllocator, options: LayoutOptions = {}): BookLayout {
  assertValidatedBook(book);
  const positionSlack = options.positionSlack ?? 2;
  const collateralSlack = options.collateralSlack ?? 1;
  const headroom = options.headroom ?? 0.125;
  const accounts = book.accounts;
  const nAccounts = accounts.length;

  const assets = collectAssets(book, options.assets ?? []);
  const assetIndex = new Map(assets.map((symbol, i) => [symbol, i]));
  const { positionCounts, collateralCounts, nPositions } = holdingCounts(accounts);
  // Grow linear memory once up front rather than once per column.
  const reserve = (allocator as { reserveUpTo?: ((bytes: number) => void) | undefined }).reserveUpTo;
  reserve?.call(allocator, Math.ceil((nPositions + nAccounts * positionSlack) * 20 * (1 + headroom) + nAccounts * 76 + book.instruments.length * 44));

  const instruments = new InstrumentTable(allocator, book.instruments.length);
  for (const instrument of book.instruments) {
    const settlement = instrument.settlement === undefined ? -1 : (assetIndex.get(instrument.settlement) as number);
    instruments.add(instrument, assetIndex.get(instrument.underlying) as number, settlement);
  }
  const inverse = instrumentFlags(book, isInverseInstrument);
  const accountCapacity = Math.max(1, Math.ceil(nAccounts * (1 + headroom)));
  const positions = SegmentedList.withCounts(allocator, POSITION_FIELDS, positionCounts, positionSlack, headroom, accountCapacity);
  const collateral = SegmentedList.withCounts(allocator, COLLATERAL_FIELDS, collateralCounts, collateralSlack, headroom, accountCapacity);
  const live = Column.allocate(allocator, 'u8', accountCapacity);
  const cashUsd = Column.allocate(allocator, 'f64', accountCapacity);
  const marginAsset = Column.allocate(allocator, 'i32', accountCapacity);

  // Views are taken after the last allocation: no growth can detach them during the fill (instrument rows: resolved
  // by validation, in book order).
  const liveView = live.array;
  const cashView = cashUsd.array;
  cashView.fill(0); // reserved memory may be reused: removed and future accounts read 0
  marginAsset.array.fill(-1);
  const accountIds = fillAccounts(accounts, instrumentRowsOf(book), assetIndex, {
    positionStart: positions.start.array, positionEnd: positions.end.array, positionInstrument: positions.column<'i32'>('instrument').array,
    quantity: positions.column<'f64'>('quantity').array, entryPrice: positions.column<'f64'>('entryPrice').array,
    isolatedMargin: positions.column<'f64'>('isolatedMargin').array, collateralStart: collateral.start.array, collateralEnd: collateral.end.array,
    collateralAsset: collateral.column<'i32'>('asset').array, amount: collateral.column<'f64'>('amount').array, live: liveView, cash: cashView,
  });
  if (inverse !== null || accounts.some((a) => a.marginCurrency !== undefined)) {
    settleAccounts(accounts, instrumentRowsOf(book), assetIndex, inverse, marginAsset.array, cashView, positions.start.array, positions.column<'f64'>('entryPrice').array);
  }
  return new BookLayout(allocator, { assets, instruments, accountIds, live, cashUsd, marginAsset, positions, collateral });
}
