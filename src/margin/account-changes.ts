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
 *   a position with an isolated allocation (isolated margin) takes what the fill moves through the cash, realized P&L
 *   and premium, into its allocation too, as a liquidation's close does ({@link allocationAfter}): one position's
 *   loss never reaches another's allocation; closed in full or flipped to the other side, it gives what is left of its
 *   allocation back to the account (pro rata again: Binance returns a closed isolated position's margin to the
 *   wallet), unless that is below 0 (a loss beyond its allocation stays the position's deficit, a fill re-opening the
 *   position starting from it);
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
  /** Position k's isolated allocation (the account's margin currency); NaN: pro rata, as for every method but isolated. */
  positionAllocation(k: number): number;
  setPositionAllocation(k: number, allocation: number): void;
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
    // what the fill moves through the cash, in the same additions its position's allocation takes them (as a close
    // adds one amount to both: a difference of the cash would carry the rounding of a large balance)
    let realized = 0, premium = 0;
    if (slot >= 0) {
      const held = { quantity: account.positionQuantity(slot), entryPrice: account.positionEntry(slot) };
      const net = netHeldRow(held, { quantity: change.quantity, entryPrice: change.price }, multiplier, !option, terms.isInverse?.(row) === true);
      quantity = net.quantity;
      entry = net.entryPrice;
      realized = net.realizedUsd;
      cash = cash + realized;
    }
    if (option) {
      premium = -(change.quantity * multiplier * change.price);
      cash = cash + premium;
    }
    // the book stays within the domain (src/model/domain.ts), which also keeps every figure finite
    // an inverse contract's entry is bounded as quoted, USD per coin (−1/x; a flat position's entry is 0 either way)
    const quoted = terms.isInverse?.(row) === true && entry !== 0 ? -1 / entry : entry;
    const allocation = slot >= 0 ? allocationAfterFill(account.positionAllocation(slot), realized, premium, account.positionQuantity(slot), quantity) : NaN;
    const wrong = outside(DOMAIN.quantity, quantity, 'the position') ?? outside(DOMAIN.entryPrice, quoted, 'its average entry') ?? outside(DOMAIN.cashUsd, cash, 'the account cash') ??
      (Number.isNaN(allocation) ? undefined : outside(DOMAIN.isolatedMargin, allocation, 'its isolated allocation'));
    if (wrong !== undefined) return wrong;
    if (slot >= 0) {
      account.setPosition(slot, quantity, entry);
      if (!Object.is(allocation, account.positionAllocation(slot))) account.setPositionAllocation(slot, allocation);
    } else account.appendPosition(row, quantity, entry);
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

/**
 * An isolated allocation after its position realizes `cash` (NaN: no explicit allocation, unchanged). It takes the
 * whole of it, below 0 too: a loss realized beyond the allocation while the rest of the position is in profit (an ADL
 * fill at the bankruptcy price, a fill beyond the entry) is backed by that profit, as an isolated wallet balance plus
 * unrealized P&L is (Binance, Bybit). Clamped at 0, the excess would be charged to the rest of the account.
 */
export function allocationAfter(allocation: number, cash: number): number {
  return Number.isNaN(allocation) ? allocation : allocation + cash;
}

/**
 * A position's isolated allocation after a fill that realized `realized` and moved `premium` (an option's, signed as
 * cash: paid < 0) through the cash, from `held` contracts to `quantity`: {@link allocationAfter} of each, as the cash
 * took them; closed in full, or flipped to the other side (closed, then opened anew), a non-negative rest goes back to
 * the account (NaN: pro rata, as any position a fill opens); a negative one stays the position's deficit.
 */
function allocationAfterFill(allocation: number, realized: number, premium: number, held: number, quantity: number): number {
  const after = allocationAfter(allocationAfter(allocation, realized), premium);
  const closed = quantity === 0 || (held > 0 ? quantity < 0 : held < 0 && quantity > 0);
  return closed ? allocationOfClosed(after) : after;
}

/**
 * The allocation a position closed in full by a fill or an ADL fill keeps: none (NaN, pro rata: a flat row's share is
 * 0) when what is left is ≥ 0, which goes back to the account (Binance returns a closed isolated position's margin to
 * the wallet); a negative rest stays the position's deficit. (A liquidation's own close keeps what it ends with: 0 at
 * its bankruptcy price, the fee cap's floor.)
 */
export function allocationOfClosed(after: number): number {
  return after >= 0 ? Number.NaN : after;
}

/** {@link allocationAfter} for an ADL fill that leaves `sizeAfter` contracts: taken whole, {@link allocationOfClosed}. */
export function allocationAfterClose(allocation: number, cash: number, sizeAfter: number): number {
  const after = allocationAfter(allocation, cash);
  return sizeAfter === 0 ? allocationOfClosed(after) : after;
}

/** Why `what` would leave the domain at `value` (`the position would be …: 2e12 is above …`), or undefined. */
function outside(bound: MagnitudeBound, value: number, what: string): string | undefined {
  if (!Number.isFinite(value)) return `${what} would overflow double precision`;
  const wrong = domainProblem(bound, value);
  return wrong === null ? undefined : `${what} would leave the domain: ${wrong}`;
}
