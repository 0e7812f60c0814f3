/**
 * A master's pool under the `cross` policy as holdings, without building the pooled book: the positions, balances
 * and cash that src/subaccounts/pool-book.ts followed by book validation give the pooled account, computed with
 * the same operations in the same order, so that a method margining these holdings (MethodRun.pools.unionMargin) gives
 * the bits a run on the pooled book gives.
 *
 * - Positions: the members' validated (already netted) rows, master first then subaccounts by id, each
 *   instrument at its first appearance; an instrument held by one member keeps its row as it is (quantity and
 *   entry, bit for bit), one held by several is netted by src/model/netting.ts over those rows in that order
 *   (quantities add: the union's net is the sum of the members' nets). P&L realised by that netting is summed
 *   from +0 in first-appearance order, as validation sums it, and added to the pooled cash.
 * - Balances: summed per asset from +0 in member order, each asset at its first appearance.
 * - Cash: the members' cash summed from +0 in member order, then the realised P&L added.
 *
 * Answers null when the pool cannot be reproduced this way (then the caller margins the pooled book): a balance held
 * at a location (the pooled balance carries per-location shares, src/locations/), a member margined in a coin (a coin
 * account's layout keeps its balance as cash and an inverse contract's entry as −1/entry: src/layout/coin-layout.ts),
 * or a netted sum that overflows.
 *
 * Two readers, one algorithm ({@link unionOf}): a validated book's accounts ({@link unionHoldings}, the roll-up), or a
 * layout's columns ({@link LayoutUnions}, a live session's pool status events, src/live/pool-trial.ts).
 */
import { netRows, type PositionRow } from '../model/netting.js';
import type { ValidatedBook, ValidatedInstrument, ValidatedPosition } from '../model/types.js';
import type { UnionHoldings } from '../methods/method.js';
import type { MasterGroup } from './groups.js';
import { KIND_OPTION } from '../layout/codes.js';
import type { LayoutView } from '../layout/layout-view.js';

/** Layout indices of the book's instruments and assets (the session's layout: instrument row = book index). */
export interface UnionIndex {
  instrumentRow(id: string): number;
  assetIndex(symbol: string): number;
}

/** What a union reads of its members (member −1 the master, 0 … subaccounts − 1 its subaccounts by id). */
interface UnionSource {
  readonly subaccounts: number;
  /** Margined in a coin, or holding a balance at a location: the union cannot be made this way. */
  unpoolable(k: number): boolean;
  positionCount(k: number): number;
  /** Position j's instrument row, quantity (contracts) and entry as the book states it. */
  positionRow(k: number, j: number): number;
  positionQuantity(k: number, j: number): number;
  positionEntry(k: number, j: number): number;
  balanceCount(k: number): number;
  balanceAsset(k: number, j: number): number;
  balanceAmount(k: number, j: number): number;
  cash(k: number): number;
  /** An instrument row's contract multiplier, and whether it is an option (netting realises P&L on the others). */
  multiplier(row: number): number;
  isOption(row: number): boolean;
}

/** The pooled account of group `g` as holdings (module comment), or null. Arrays are exact-length and owned by the caller. */
export function unionHoldings(book: ValidatedBook, g: MasterGroup, index: UnionIndex, scratch = new UnionScratch()): UnionHoldings | null {
  const accounts = book.accounts, byId = instrumentsById(book);
  const of = (k: number) => accounts[k < 0 ? g.master : g.subaccounts[k]];
  const held = new Map<number, ValidatedInstrument>(); // the instruments of the rows read, by row
  const rowOf = (k: number, j: number) => {
    const id = of(k).positions[j].instrument, row = index.instrumentRow(id);
    if (!held.has(row)) held.set(row, byId.get(id)!);
    return row;
  };
  return unionOf({
    subaccounts: g.subaccounts.length,
    unpoolable: (k) => of(k).marginCurrency !== undefined || of(k).collateral.some((b) => b.location !== undefined),
    positionCount: (k) => of(k).positions.length,
    positionRow: rowOf,
    positionQuantity: (k, j) => of(k).positions[j].quantity,
    positionEntry: (k, j) => of(k).positions[j].entryPrice,
    balanceCount: (k) => of(k).collateral.length,
    balanceAsset: (k, j) => index.assetIndex(of(k).collateral[j].asset),
    balanceAmount: (k, j) => of(k).collateral[j].amount,
    cash: (k) => of(k).cashUsd ?? 0,
    multiplier: (row) => held.get(row)!.multiplier,
    isOption: (row) => held.get(row)!.kind === 'option',
  }, scratch);
}

/**
 * The pool of layout accounts `members` (the master, then its subaccounts by id) as holdings, read from the
 * layout's columns: the bits {@link unionHoldings} gives on the book the layout holds (src/layout/to-book.ts writes
 * it, validation reads it back: rows netted, a balance per asset, book entries), or null when it would give null.
 * One reader serves many unions (a tick reaches most groups): no allocation per member or position.
 */
export class LayoutUnions implements UnionSource {
  subaccounts = 0;
  private members: readonly number[] = [];
  // the columns, taken per union (a layout may grow between calls; its views are taken after any growth)
  private posStart: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private posEnd: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private instrument: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private quantity: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private entry: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private colStart: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private colEnd: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private asset: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private amount: Float64Array<ArrayBufferLike> = new Float64Array(0);

  private readonly scratch = new UnionScratch();

  constructor(private readonly layout: LayoutView) {}

  of(members: readonly number[]): UnionHoldings | null {
    const pos = this.layout.positions, col = this.layout.collateral;
    this.members = members;
    this.subaccounts = members.length - 1;
    this.posStart = pos.start.array;
    this.posEnd = pos.end.array;
    this.instrument = pos.column<'i32'>('instrument').array;
    this.quantity = pos.column<'f64'>('quantity').array;
    this.entry = pos.column<'f64'>('entryPrice').array;
    this.colStart = col.start.array;
    this.colEnd = col.end.array;
    this.asset = col.column<'i32'>('asset').array;
    this.amount = col.column<'f64'>('amount').array;
    return unionOf(this, this.scratch);
  }

  unpoolable(k: number): boolean {
    return this.layout.marginAsset.array[this.members[k + 1]] >= 0;
  }
  positionCount(k: number): number {
    const a = this.members[k + 1];
    return this.posEnd[a] - this.posStart[a];
  }
  positionRow(k: number, j: number): number {
    return this.instrument[this.posStart[this.members[k + 1]] + j];
  }
  positionQuantity(k: number, j: number): number {
    return this.quantity[this.posStart[this.members[k + 1]] + j];
  }
  positionEntry(k: number, j: number): number {
    const s = this.posStart[this.members[k + 1]] + j;
    return this.layout.bookEntry(this.instrument[s], this.entry[s]);
  }
  balanceCount(k: number): number {
    const a = this.members[k + 1];
    return this.colEnd[a] - this.colStart[a];
  }
  balanceAsset(k: number, j: number): number {
    return this.asset[this.colStart[this.members[k + 1]] + j];
  }
  balanceAmount(k: number, j: number): number {
    return this.amount[this.colStart[this.members[k + 1]] + j];
  }
  cash(k: number): number {
    return this.layout.cashUsd.array[this.members[k + 1]];
  }
  multiplier(row: number): number {
    return this.layout.instruments.multiplier.array[row];
  }
  isOption(row: number): boolean {
    return this.layout.instruments.kind.array[row] === KIND_OPTION;
  }
}

/**
 * Scratch of {@link unionOf}, for the unions made one after another: per instrument row and per asset, the union slot
 * it holds in the union being made, valid where its stamp is the current one (no map made or cleared per union).
 */
export class UnionScratch {
  stamp = 0;
  rowStamp = new Int32Array(0);
  rowSlot = new Int32Array(0);
  assetStamp = new Int32Array(0);
  assetSlot = new Int32Array(0);

  /** Grows the row (or asset) arrays to cover index `i` (rarely: to the largest row seen). */
  cover(which: 'row' | 'asset', i: number): void {
    const stamps = which === 'row' ? this.rowStamp : this.assetStamp;
    if (i < stamps.length) return;
    const n = Math.max(i + 1, 2 * stamps.length, 64);
    const grownStamps = new Int32Array(n), grownSlots = new Int32Array(n);
    grownStamps.set(stamps);
    grownSlots.set(which === 'row' ? this.rowSlot : this.assetSlot);
    if (which === 'row') {
      this.rowStamp = grownStamps;
      this.rowSlot = grownSlots;
    } else {
      this.assetStamp = grownStamps;
      this.assetSlot = grownSlots;
    }
  }
}

/**
 * The union, as the module comment says: positions in first-appearance order, each instrument held by several netted
 * over their rows in member order; balances summed per asset from +0; cash summed from +0, then the realised P&L added.
 */
function unionOf(src: UnionSource, scratch: UnionScratch): UnionHoldings | null {
  const stamp = ++scratch.stamp;
  const rows: number[] = [];
  const firstQuantity: number[] = [], firstEntry: number[] = []; // per slot: the first row's
  const more: (PositionRow[] | undefined)[] = []; // per slot: every row, when more than one member holds it
  const assets: number[] = [];
  const amounts: number[] = [];
  let cash = 0;
  for (let k = -1; k < src.subaccounts; k++) {
    if (src.unpoolable(k)) return null;
    for (let j = 0, n = src.positionCount(k); j < n; j++) {
      const row = src.positionRow(k, j), q = src.positionQuantity(k, j), e = src.positionEntry(k, j);
      if (row >= scratch.rowStamp.length) scratch.cover('row', row);
      if (scratch.rowStamp[row] !== stamp) {
        scratch.rowStamp[row] = stamp;
        scratch.rowSlot[row] = rows.length;
        rows.push(row);
        firstQuantity.push(q);
        firstEntry.push(e);
        more.push(undefined);
      } else {
        const slot = scratch.rowSlot[row];
        (more[slot] ??= [{ quantity: firstQuantity[slot], entryPrice: firstEntry[slot] }]).push({ quantity: q, entryPrice: e });
      }
    }
    for (let j = 0, n = src.balanceCount(k); j < n; j++) {
      const a = src.balanceAsset(k, j), amount = src.balanceAmount(k, j);
      if (a >= scratch.assetStamp.length) scratch.cover('asset', a);
      if (scratch.assetStamp[a] !== stamp) {
        scratch.assetStamp[a] = stamp;
        scratch.assetSlot[a] = assets.length;
        assets.push(a);
        amounts.push(0 + amount); // pool-book.ts: (absent ?? 0) + amount
      } else {
        const slot = scratch.assetSlot[a];
        amounts[slot] = amounts[slot] + amount;
      }
    }
    cash = cash + src.cash(k);
  }
  const n = rows.length;
  const quantity = new Float64Array(n), entryPrice = new Float64Array(n);
  let realizedUsd = 0;
  for (let s = 0; s < n; s++) {
    const group = more[s];
    if (group === undefined) {
      quantity[s] = firstQuantity[s];
      entryPrice[s] = firstEntry[s];
      continue;
    }
    const net = netRows(group, src.multiplier(rows[s]), !src.isOption(rows[s]));
    if (!Number.isFinite(net.quantity) || !Number.isFinite(net.entryPrice) || !Number.isFinite(net.realizedUsd)) return null;
    quantity[s] = net.quantity;
    entryPrice[s] = net.entryPrice;
    realizedUsd = realizedUsd + net.realizedUsd;
  }
  const cashUsd = cash + realizedUsd;
  if (!Number.isFinite(cashUsd)) return null;
  return { instrument: Int32Array.from(rows), quantity, entryPrice, asset: Int32Array.from(assets), amount: Float64Array.from(amounts), cashUsd };
}

/** By the instruments array: books validated on one instrument table share it (src/model/validate.ts validateBookOn). */
const byList = new WeakMap<readonly ValidatedInstrument[], Map<string, ValidatedInstrument>>();

/** The book's instruments by id (netting reads their multiplier and kind). */
function instrumentsById(book: ValidatedBook): Map<string, ValidatedInstrument> {
  let map = byList.get(book.instruments);
  if (!map) byList.set(book.instruments, (map = new Map(book.instruments.map((i) => [i.id, i]))));
  return map;
}
