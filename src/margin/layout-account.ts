/**
 * One account of a laid-out book as an {@link EditableAccount}: changes (src/margin/account-changes.ts) are
 * written in place into the layout's columns (positions appended through the account's CSR run, which may
 * relocate it), with an undo log, so a change can be tried and taken back exactly (the generic what-if) or kept
 * (live fills and transfers).
 */
import type { BookLayout } from '../layout/book-layout.js';
import { type AccountChange, applyChange, type EditableAccount } from './account-changes.js';
import { changeTerms } from './account-draft.js';

type Undo =
  | { kind: 'position'; k: number; quantity: number; entryPrice: number }
  | { kind: 'allocation'; k: number; allocation: number }
  | { kind: 'balance'; k: number; amount: number }
  | { kind: 'cash'; usd: number }
  | { kind: 'appendedPosition' }
  | { kind: 'appendedBalance' };

export class LayoutAccount implements EditableAccount {
  private readonly undoLog: Undo[] = [];

  constructor(
    private readonly layout: BookLayout,
    readonly account: number,
  ) {}

  /** Applies `changes` in order; stops at the first refused one (returned with its reason; earlier ones stay applied). */
  apply(changes: readonly AccountChange[]): { index: number; reason: string } | undefined {
    const terms = changeTerms(this.layout);
    for (let i = 0; i < changes.length; i++) {
      const reason = applyChange(this, changes[i], terms);
      if (reason !== undefined) return { index: i, reason };
    }
    return undefined;
  }

  /** Takes back every change applied through this object, newest first: the account's slots and cash are as before. */
  undo(): void {
    const a = this.account;
    const pos = this.layout.positions, col = this.layout.collateral;
    for (let u = this.undoLog.pop(); u !== undefined; u = this.undoLog.pop()) {
      switch (u.kind) {
        case 'position': {
          const slot = pos.start.array[a] + u.k;
          pos.column<'f64'>('quantity').array[slot] = u.quantity;
          pos.column<'f64'>('entryPrice').array[slot] = u.entryPrice;
          break;
        }
        case 'allocation':
          pos.column<'f64'>('isolatedMargin').array[pos.start.array[a] + u.k] = u.allocation;
          break;
        case 'balance':
          col.column<'f64'>('amount').array[col.start.array[a] + u.k] = u.amount;
          break;
        case 'cash':
          this.layout.cashUsd.array[a] = u.usd;
          break;
        case 'appendedPosition':
          pos.removeAt(a, pos.countOf(a) - 1);
          break;
        case 'appendedBalance':
          col.removeAt(a, col.countOf(a) - 1);
          break;
      }
    }
  }

  /** Forgets the undo log (the changes are kept). */
  commit(): void {
    this.undoLog.length = 0;
  }

  positionCount(): number {
    return this.layout.positions.countOf(this.account);
  }
  positionInstrument(k: number): number {
    return this.layout.positions.column<'i32'>('instrument').array[this.positionSlot(k)];
  }
  positionQuantity(k: number): number {
    return this.layout.positions.column<'f64'>('quantity').array[this.positionSlot(k)];
  }
  positionEntry(k: number): number {
    return this.layout.positions.column<'f64'>('entryPrice').array[this.positionSlot(k)];
  }
  setPosition(k: number, quantity: number, entryPrice: number): void {
    const slot = this.positionSlot(k);
    const q = this.layout.positions.column<'f64'>('quantity').array, e = this.layout.positions.column<'f64'>('entryPrice').array;
    this.undoLog.push({ kind: 'position', k, quantity: q[slot], entryPrice: e[slot] });
    q[slot] = quantity;
    e[slot] = entryPrice;
  }
  positionAllocation(k: number): number {
    return this.layout.positions.column<'f64'>('isolatedMargin').array[this.positionSlot(k)];
  }
  setPositionAllocation(k: number, allocation: number): void {
    const allocations = this.layout.positions.column<'f64'>('isolatedMargin').array, slot = this.positionSlot(k);
    this.undoLog.push({ kind: 'allocation', k, allocation: allocations[slot] });
    allocations[slot] = allocation;
  }
  appendPosition(instrument: number, quantity: number, entryPrice: number): void {
    const pos = this.layout.positions;
    const slot = pos.push(this.account); // may relocate the run: columns read after it
    pos.column<'i32'>('instrument').array[slot] = instrument;
    pos.column<'f64'>('quantity').array[slot] = quantity;
    pos.column<'f64'>('entryPrice').array[slot] = entryPrice;
    pos.column<'f64'>('isolatedMargin').array[slot] = NaN;
    this.undoLog.push({ kind: 'appendedPosition' });
  }
  balanceCount(): number {
    return this.layout.collateral.countOf(this.account);
  }
  balanceAsset(k: number): number {
    return this.layout.collateral.column<'i32'>('asset').array[this.balanceSlot(k)];
  }
  balanceAmount(k: number): number {
    return this.layout.collateral.column<'f64'>('amount').array[this.balanceSlot(k)];
  }
  setBalance(k: number, amount: number): void {
    const slot = this.balanceSlot(k);
    const amounts = this.layout.collateral.column<'f64'>('amount').array;
    this.undoLog.push({ kind: 'balance', k, amount: amounts[slot] });
    amounts[slot] = amount;
  }
  appendBalance(asset: number, amount: number): void {
    const col = this.layout.collateral;
    const slot = col.push(this.account);
    col.column<'i32'>('asset').array[slot] = asset;
    col.column<'f64'>('amount').array[slot] = amount;
    this.undoLog.push({ kind: 'appendedBalance' });
  }
  cash(): number {
    return this.layout.cashUsd.array[this.account];
  }
  setCash(usd: number): void {
    this.undoLog.push({ kind: 'cash', usd: this.layout.cashUsd.array[this.account] });
    this.layout.cashUsd.array[this.account] = usd;
  }

  private positionSlot(k: number): number {
    return this.layout.positions.start.array[this.account] + k;
  }

  private balanceSlot(k: number): number {
    return this.layout.collateral.start.array[this.account] + k;
  }
}

/**
 * Applies each account's changes in place (`touched` told of each account written), then `settle` (the re-margin).
 * When `settle` throws, every change is taken back, newest account first, `touched` told again, `settle` run once more
 * on the state put back, and the error thrown on; if that settle fails too, `unsettled` is called (the accounts'
 * figures are then not those of what they hold: the caller fails them closed).
 */
export function applyOrTakeBack(layout: BookLayout, accounts: readonly number[], changesOf: (a: number) => readonly AccountChange[], touched: (a: number) => void, settle: () => void, unsettled: () => void): void {
  const editors = accounts.map((a) => {
    const editor = new LayoutAccount(layout, a);
    editor.apply(changesOf(a));
    touched(a);
    return editor;
  });
  try {
    settle();
  } catch (error) {
    for (let k = editors.length - 1; k >= 0; k--) {
      editors[k].undo();
      touched(accounts[k]);
    }
    try {
      settle();
    } catch {
      unsettled(); // the first error is the one to act on
    }
    throw error;
  }
  for (const editor of editors) editor.commit();
}
