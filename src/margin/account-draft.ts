/**
 * An account as it would be after some changes, on scratch arrays: its positions and balances in the slot
 * order the layout would then have (changed slots in place, new ones appended), and its cash. What-if
 * evaluations margin this copy; the layout is never written. Each slot remembers whether the changes touched
 * it, so a method's per-account cache knows what it can keep.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import { type AccountChange, applyChange, type ChangeTerms, type EditableAccount } from './account-changes.js';

/** Slot states: as in the layout, changed in place, or appended by the changes. */
export const SLOT_KEPT = 0, SLOT_CHANGED = 1, SLOT_APPENDED = 2;

export class AccountDraft implements EditableAccount {
  /** The layout index of the account the draft copies. */
  account = -1;
  positions = 0;
  instrument = new Int32Array(32);
  quantity = new Float64Array(32);
  entryPrice = new Float64Array(32);
  /** USD; NaN = pro rata (isolated mode). */
  isolatedMargin = new Float64Array(32);
  positionState = new Uint8Array(32);
  balances = 0;
  asset = new Int32Array(8);
  amount = new Float64Array(8);
  balanceState = new Uint8Array(8);
  cashUsd = 0;
  private terms: ChangeTerms | null = null;

  constructor(readonly layout: BookLayout) {}

  /** Copies account a from the layout (O(its slots)); the scratch arrays are reused. */
  load(a: number): this {
    const layout = this.layout;
    const pos = layout.positions, col = layout.collateral;
    const p0 = pos.start.array[a], p1 = pos.end.array[a];
    const c0 = col.start.array[a], c1 = col.end.array[a];
    this.account = a;
    this.positions = 0;
    this.balances = 0;
    this.reservePositions(p1 - p0 + 4);
    this.reserveBalances(c1 - c0 + 4);
    // element loops, not subarray + set: perf: no-alloc-per-step (docs/performance.md)
    const instrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
    const entryPrice = pos.column<'f64'>('entryPrice').array, isolatedMargin = pos.column<'f64'>('isolatedMargin').array;
    for (let p = p0, k = 0; p < p1; p++, k++) {
      this.instrument[k] = instrument[p];
      this.quantity[k] = quantity[p];
      this.entryPrice[k] = entryPrice[p];
      this.isolatedMargin[k] = isolatedMargin[p];
      this.positionState[k] = SLOT_KEPT;
    }
    this.positions = p1 - p0;
    const asset = col.column<'i32'>('asset').array, amount = col.column<'f64'>('amount').array;
    for (let c = c0, k = 0; c < c1; c++, k++) {
      this.asset[k] = asset[c];
      this.amount[k] = amount[c];
      this.balanceState[k] = SLOT_KEPT;
    }
    this.balances = c1 - c0;
    this.cashUsd = layout.cashUsd.array[a];
    return this;
  }

  /**
   * Applies `changes` in order (src/margin/account-changes.ts). Returns undefined, or the index and reason of
   * the first change refused (the draft then holds the changes before it).
   */
  apply(changes: readonly AccountChange[]): { index: number; reason: string } | undefined {
    if (changes.length === 0) return undefined;
    const terms = (this.terms ??= changeTerms(this.layout));
    for (let i = 0; i < changes.length; i++) {
      const reason = applyChange(this, changes[i], terms);
      if (reason !== undefined) return { index: i, reason };
    }
    return undefined;
  }

  /** True when a change touched cash (realized P&L, premiums, USD transfers). */
  cashChanged(a: number): boolean {
    return !Object.is(this.cashUsd, this.layout.cashUsd.array[a]);
  }

  positionCount(): number {
    return this.positions;
  }
  positionInstrument(k: number): number {
    return this.instrument[k];
  }
  positionQuantity(k: number): number {
    return this.quantity[k];
  }
  positionEntry(k: number): number {
    return this.entryPrice[k];
  }
  setPosition(k: number, quantity: number, entryPrice: number): void {
    this.quantity[k] = quantity;
    this.entryPrice[k] = entryPrice;
    if (this.positionState[k] === SLOT_KEPT) this.positionState[k] = SLOT_CHANGED;
  }
  positionAllocation(k: number): number {
    return this.isolatedMargin[k];
  }
  setPositionAllocation(k: number, allocation: number): void {
    this.isolatedMargin[k] = allocation;
    if (this.positionState[k] === SLOT_KEPT) this.positionState[k] = SLOT_CHANGED;
  }
  appendPosition(instrument: number, quantity: number, entryPrice: number): void {
    const k = this.positions;
    this.reservePositions(k + 1);
    this.instrument[k] = instrument;
    this.quantity[k] = quantity;
    this.entryPrice[k] = entryPrice;
    this.isolatedMargin[k] = NaN;
    this.positionState[k] = SLOT_APPENDED;
    this.positions = k + 1;
  }
  balanceCount(): number {
    return this.balances;
  }
  balanceAsset(k: number): number {
    return this.asset[k];
  }
  balanceAmount(k: number): number {
    return this.amount[k];
  }
  setBalance(k: number, amount: number): void {
    this.amount[k] = amount;
    if (this.balanceState[k] === SLOT_KEPT) this.balanceState[k] = SLOT_CHANGED;
  }
  appendBalance(asset: number, amount: number): void {
    const k = this.balances;
    this.reserveBalances(k + 1);
    this.asset[k] = asset;
    this.amount[k] = amount;
    this.balanceState[k] = SLOT_APPENDED;
    this.balances = k + 1;
  }
  cash(): number {
    return this.cashUsd;
  }
  setCash(usd: number): void {
    this.cashUsd = usd;
  }

  private reservePositions(n: number): void {
    if (n <= this.instrument.length) return;
    const size = Math.max(n, 2 * this.instrument.length);
    this.instrument = grow(this.instrument, size, this.positions);
    this.quantity = grow(this.quantity, size, this.positions);
    this.entryPrice = grow(this.entryPrice, size, this.positions);
    this.isolatedMargin = grow(this.isolatedMargin, size, this.positions);
    this.positionState = grow(this.positionState, size, this.positions);
  }

  private reserveBalances(n: number): void {
    if (n <= this.asset.length) return;
    const size = Math.max(n, 2 * this.asset.length);
    this.asset = grow(this.asset, size, this.balances);
    this.amount = grow(this.amount, size, this.balances);
    this.balanceState = grow(this.balanceState, size, this.balances);
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number, used: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array.subarray(0, used));
  return next;
}

/** Netting terms of the layout's instruments. */
export function changeTerms(layout: BookLayout): ChangeTerms {
  const ins = layout.instruments;
  return {
    multiplier: (row) => ins.multiplier.array[row],
    isOption: (row) => ins.kind.array[row] === KIND_OPTION,
    isInverse: (row) => ins.isInverse(row),
  };
}
