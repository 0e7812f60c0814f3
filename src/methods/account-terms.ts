/**
 * An account's margin terms as a value (house issue 51): what a run's trial hands out for one account and its
 * holdings, adjusted by changes, asked for figures and copied, never written into the run. In the spirit of Mango v4's
 * HealthCache (a what-if is a value you clone and adjust, `cache_after_swap`) and Drift's MarginCalculation (one value
 * carries an account's requirement, read by every caller). Liquidation sizes its closes on such values
 * (src/liquidation/trial.ts); a method offers its own through MethodTrial.terms, and the session's default (write,
 * re-margin, read, put back) is one more implementation (src/session/trial.ts). The interfaces are declared with the
 * method seam (src/methods/method.ts: AccountTerms, HoldingChange); here, what implements and fills them.
 */
import type { AccountChange, AccountHoldings, AccountTerms, HoldingChange, HoldingsMargin } from './method.js';
import { applyChange, type EditableAccount, isFill, isTransfer } from '../margin/account-changes.js';

export type { AccountTerms, HoldingChange } from './method.js';

/** An empty {@link HoldingChange} to write changes into (a per-trial caller keeps one). */
export function emptyHoldingChange(): HoldingChange {
  return { kind: 'position', local: 0, size: 0, cashUsd: 0, isolatedMargin: undefined };
}

/** A figures record with every field 0 (per-position figures absent). */
export function emptyFigures(): HoldingsMargin {
  return { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0, positions: undefined };
}

/** `from` copied into `into` (a new record by default), per-position figures into arrays of their own. */
export function copyFigures(from: HoldingsMargin, into: HoldingsMargin = emptyFigures()): HoldingsMargin {
  into.equity = from.equity;
  into.equityIm = from.equityIm;
  into.equityMm = from.equityMm;
  into.im = from.im;
  into.mm = from.mm;
  into.grossNotional = from.grossNotional;
  into.status = from.status;
  const p = from.positions;
  if (p === undefined) {
    into.positions = undefined;
    return into;
  }
  const n = p.allocated.length;
  let q = into.positions;
  if (q === undefined) q = into.positions = { allocated: sized(null, n), markToMarket: sized(null, n), im: sized(null, n), mm: sized(null, n) };
  else if (q.allocated.length !== n) {
    q.allocated = sized(q.allocated, n);
    q.markToMarket = sized(q.markToMarket, n);
    q.im = sized(q.im, n);
    q.mm = sized(q.mm, n);
  }
  q.allocated.set(p.allocated);
  q.markToMarket.set(p.markToMarket);
  q.im.set(p.im);
  q.mm.set(p.mm);
  return into;
}

/**
 * An array of n entries on `was`'s memory when it has room (a record copied into account after account, of varying
 * sizes, allocates a few times: perf: no-alloc-per-step), else on new memory of twice the room.
 */
function sized(was: Float64Array | null, n: number): Float64Array {
  if (was !== null && was.buffer.byteLength >= 8 * n) return new Float64Array(was.buffer, 0, n);
  return new Float64Array(new ArrayBuffer(8 * Math.max(n, 2 * (was?.length ?? 0))), 0, n);
}

/** Holdings as the change rule's account with nothing but cash (fills and transfers are refused before). */
function cashOnly(h: AccountHoldings): EditableAccount {
  const none = (): never => {
    throw new RangeError('account terms over whole holdings take cash changes only');
  };
  return {
    positionCount: () => 0, positionInstrument: none, positionQuantity: none, positionEntry: none, setPosition: none, appendPosition: none, positionAllocation: none, setPositionAllocation: none,
    balanceCount: () => 0, balanceAsset: none, balanceAmount: none, setBalance: none, appendBalance: none,
    cash: () => h.cashUsd,
    setCash: (usd) => {
      h.cashUsd = usd;
    },
  };
}

/** The change rule's netting terms for a cash change: never read. */
const NO_NETTING = { multiplier: () => 1, isOption: () => false };

/** Holdings copied into arrays of their own. */
export function copyHoldings(h: AccountHoldings): AccountHoldings {
  return { quantity: Float64Array.from(h.quantity), isolatedMargin: Float64Array.from(h.isolatedMargin), amount: Float64Array.from(h.amount), cashUsd: h.cashUsd };
}

/** Account a's figures if it held `h` (the record may be rewritten by the next call). */
export type MarginOf = (a: number, h: AccountHoldings) => HoldingsMargin;

/**
 * Terms by margining whole holdings: the value keeps the holdings and asks `marginOf` for their figures (a method
 * that margins an account from any holdings: portfolio, isolated rule-based; the session's default writes them and
 * re-margins). `marginOf`'s record may be rewritten by its next call: it is copied out at once.
 */
export class HoldingsTerms implements AccountTerms {
  private readonly holdings: AccountHoldings;
  private a: number;

  constructor(
    account: number,
    holdings: AccountHoldings,
    private readonly marginOf: MarginOf,
    private readonly breaksOf: (a: number, instrument: number, side: 1 | -1) => readonly number[] | undefined,
  ) {
    this.a = account;
    this.holdings = copyHoldings(holdings);
  }

  get account(): number {
    return this.a;
  }

  /**
   * These terms made again for account a from `holdings` (copied into the arrays they have when the sizes match): a
   * caller that gives up its terms for new ones (liquidation, step after step) allocates nothing. perf: no-alloc-per-step
   */
  reset(a: number, holdings: AccountHoldings): this {
    const h = this.holdings, n = holdings.quantity.length, m = holdings.amount.length;
    if (h.quantity.length !== n) {
      h.quantity = sized(h.quantity, n);
      h.isolatedMargin = sized(h.isolatedMargin, n);
    }
    if (h.amount.length !== m) h.amount = sized(h.amount, m);
    h.quantity.set(holdings.quantity);
    h.isolatedMargin.set(holdings.isolatedMargin);
    h.amount.set(holdings.amount);
    h.cashUsd = holdings.cashUsd;
    this.a = a;
    return this;
  }

  /** True when these terms margin through `marginOf` (a caller's terms to reuse are of the same kind). */
  marginsWith(marginOf: MarginOf): boolean {
    return this.marginOf === marginOf;
  }

  apply(change: HoldingChange | AccountChange): this {
    const h = this.holdings;
    if (!('kind' in change)) {
      if (isFill(change) || isTransfer(change)) throw new RangeError('account terms over whole holdings take holding changes and cash: a fill or a transfer needs a what-if by changes (MethodTrial.withChanges)');
      const refused = applyChange(cashOnly(h), change, NO_NETTING);
      if (refused !== undefined) throw new RangeError(refused);
      return this;
    }
    if (change.kind === 'position') {
      h.quantity[change.local] = change.size;
      if (change.isolatedMargin !== undefined) h.isolatedMargin[change.local] = change.isolatedMargin;
    } else h.amount[change.local] = change.size;
    h.cashUsd = change.cashUsd;
    return this;
  }

  figures(into?: HoldingsMargin): HoldingsMargin {
    return copyFigures(this.marginOf(this.account, this.holdings), into);
  }

  figuresWith(change: HoldingChange, into?: HoldingsMargin): HoldingsMargin {
    const h = this.holdings, k = change.local, cash = h.cashUsd;
    if (change.kind === 'position') {
      const quantity = h.quantity[k], isolated = h.isolatedMargin[k];
      this.apply(change);
      try {
        return this.figures(into);
      } finally {
        h.quantity[k] = quantity;
        h.isolatedMargin[k] = isolated;
        h.cashUsd = cash;
      }
    }
    const amount = h.amount[k];
    this.apply(change);
    try {
      return this.figures(into);
    } finally {
      h.amount[k] = amount;
      h.cashUsd = cash;
    }
  }

  breakpoints(instrument: number, side: 1 | -1): readonly number[] | undefined {
    return this.breaksOf(this.account, instrument, side);
  }

  fork(): HoldingsTerms {
    return new HoldingsTerms(this.account, this.holdings, this.marginOf, this.breaksOf);
  }
}
