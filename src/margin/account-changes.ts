/**
 * Changes to one account — fills, collateral transfers, USD cash — and the one rule that applies them, written
 * once over an abstract account so that a what-if (on a scratch copy, src/margin/account-draft.ts) and a live
 * fill (in place in the layout, src/live/) can never disagree about the book they produce:
 *
 * - a fill `{ instrument, quantity, price }` nets into the account's position on that instrument by the book's
 *   netting rule (src/model/netting.ts: quantities add, average-cost entry, P&L realized by closing a linear
 *   position goes to cashUsd), or opens a new position (appended after the account's others) at `price`;
 *   an option fill also pays its premium, quantity × multiplier × price, out of cashUsd (received when
 *   selling): option entries never enter equity, so without it a bought option would create equity;
 * - a transfer `{ asset, amount }` adds `amount` (signed: deposit > 0, withdrawal < 0) to the balance of
 *   `asset`, or opens a balance (appended) when the account has none;
 * - `{ cashUsd }` adds USD to the account's settled cash.
 *
 * Quantities in contracts, prices in USD per unit of the underlying, amounts in units of the asset.
 * A change whose result is not finite is refused with a reason (nothing is written for it).
 */
import { DOMAIN, domainProblem, type MagnitudeBound } from '../model/domain.js';
import { netHeldRow } from '../model/netting.js';

/** One change to an account, by layout index (instrument row, asset index). */
export type AccountChange = FillChange | TransferChange | CashChange;

/** A trade filled for the account: signed contracts of instrument row `instrument` at `price` USD per unit. */
export interface FillChange {
  readonly instrument: number;
  readonly quantity: number;
  readonly price: number;
}

/** A deposit (amount > 0) or withdrawal (< 0) of layout asset `asset`, in units of the asset. */
export interface TransferChange {
  readonly asset: number;
  readonly amount: number;
}

/** USD added to (or, negative, taken from) the account's settled cash. */
export interface CashChange {
  readonly cashUsd: number;
}

export function isFill(change: AccountChange): change is FillChange {
  return (change as FillChange).instrument !== undefined;
}

export function isTransfer(change: AccountChange): change is TransferChange {
  return (change as TransferChange).asset !== undefined;
}

/** An account's positions, balances and cash as the change rule reads and writes them (slot k: the k-th). */
export interface EditableAccount {
  positionCount(): number;
  positionInstrument(k: number): number;
  positionQuantity(k: number): number;
  positionEntry(k: number): number;
  setPosition(k: number, quantity: number, entryPrice: number): void;
  /** Appends a position (isolated allocation: none, i.e. pro rata). */
  appendPosition(instrument: number, quantity: number, entryPrice: number): void;
  balanceCount(): number;
  balanceAsset(k: number): number;
  balanceAmount(k: number): number;
  setBalance(k: number, amount: number): void;
  appendBalance(asset: number, amount: number): void;
  cash(): number;
  setCash(usd: number): void;
}

/** What netting needs of an instrument row: units per contract, whether it is an option, whether it is inverse. */
export interface ChangeTerms {
  multiplier(row: number): number;
  isOption(row: number): boolean;
  /** An inverse contract: its layout prices are x = −1/F (docs/coin-margined.md); absent: none is. */
  isInverse?(row: number): boolean;
}

/**
 * Applies one change to `account`; returns undefined, or why it was refused (then nothing was written).
 * The arithmetic is the book's: BookLayout.addPosition's netting, plus the option premium.
 */
export function applyChange(account: EditableAccount, change: AccountChange, terms: ChangeTerms): string | undefined {
  if (isFill(change)) {
    const row = change.instrument;
    const multiplier = terms.multiplier(row);
    const option = terms.isOption(row);
    let slot = -1;
    for (let k = 0; k < account.positionCount(); k++) {
      if (account.positionInstrument(k) === row) {
        slot = k;
        break;
      }
    }
    let quantity = change.quantity, entry = change.price, cash = account.cash();
    if (slot >= 0) {
      const held = { quantity: account.positionQuantity(slot), entryPrice: account.positionEntry(slot) };
      const net = netHeldRow(held, { quantity: change.quantity, entryPrice: change.price }, multiplier, !option, terms.isInverse?.(row) === true);
      quantity = net.quantity;
      entry = net.entryPrice;
      cash = cash + net.realizedUsd;
    }
    if (option) cash = cash - change.quantity * multiplier * change.price;
    // the book stays within the domain (src/model/domain.ts), which also keeps every figure finite
    // an inverse contract's entry is bounded as quoted, USD per coin (−1/x; a flat position's entry is 0 either way)
    const quoted = terms.isInverse?.(row) === true && entry !== 0 ? -1 / entry : entry;
    const wrong = outside(DOMAIN.quantity, quantity, 'the position') ?? outside(DOMAIN.entryPrice, quoted, 'its average entry') ?? outside(DOMAIN.cashUsd, cash, 'the account cash');
    if (wrong !== undefined) return wrong;
    if (slot >= 0) account.setPosition(slot, quantity, entry);
    else account.appendPosition(row, quantity, entry);
    account.setCash(cash);
    return undefined;
  }
  if (isTransfer(change)) {
    let slot = -1;
    for (let k = 0; k < account.balanceCount(); k++) {
      if (account.balanceAsset(k) === change.asset) {
        slot = k;
        break;
      }
    }
    const amount = slot >= 0 ? account.balanceAmount(slot) + change.amount : change.amount;
    const wrong = outside(DOMAIN.amount, amount, 'the balance');
    if (wrong !== undefined) return wrong;
    if (slot >= 0) account.setBalance(slot, amount);
    else account.appendBalance(change.asset, amount);
    return undefined;
  }
  const cash = account.cash() + change.cashUsd;
  const wrong = outside(DOMAIN.cashUsd, cash, 'the account cash');
  if (wrong !== undefined) return wrong;
  account.setCash(cash);
  return undefined;
}

/** Why `what` would leave the domain at `value` (`the position would be …: 2e12 is above …`), or undefined. */
function outside(bound: MagnitudeBound, value: number, what: string): string | undefined {
  if (!Number.isFinite(value)) return `${what} would overflow double precision`;
  const wrong = domainProblem(bound, value);
  return wrong === null ? undefined : `${what} would leave the domain: ${wrong}`;
}
