/**
 * Pooled (cross) rule-based account terms (src/methods/account-terms.ts, MethodTrial.terms): one account's figures from
 * its holdings, asked mostly with one holding changed (AccountTerms.figuresWith): what liquidation asks when it probes
 * every holding of an account, then sizes one close.
 *
 * The kernel sums the per-slot terms in slot order from 0 (src/kernels/js/margin.ts marginAccounts): IM, MM, P&L and
 * notional over positions, value and the IM-/MM-weighted values over balances. Here the base's running sums are kept
 * before every slot (prefix[k] = the sum of slots 0..k−1, the kernel's own partial sums), so a trial on slot k starts
 * from prefix[k], adds its new term, then the base terms of slots k+1.., in the kernel's order: the same additions on
 * the same numbers, so the same bits as a re-margin of the changed holdings, at the cost of the slots after k and no
 * comparison of unchanged slots. The untouched kind's sums (balances for a position trial) are the base's totals.
 */
import { type MarginColumns, positionTerms, weighted } from '../../../kernels/js/margin.js';
import { pooledFigures } from './holdings-margin.js';
import { type AccountTerms, copyFigures, type HoldingChange } from '../../account-terms.js';
import type { AccountChange, AccountHoldings, HoldingsMargin } from '../../method.js';
import { applyChange, type ChangeTerms, type EditableAccount } from '../../../margin/account-changes.js';

/** Per-slot terms and running sums: 4 per position (IM, MM, P&L, notional, USD), 3 per balance (value, IM-, MM-weighted, USD). */
const P = 4, B = 3;

/** What a run's terms read, made once per prepare (its identity says "the same run"). */
export interface PooledSource {
  /** The run's column views now (instrument terms prepared), re-read by every trial. */
  readonly columns: () => MarginColumns;
  /** The epoch of those columns' terms: a new run or market move starts a new one. */
  readonly epochOf: () => number;
  /** Where an order's requirement changes slope given the quantity held (what-if.ts ruleBasedBreakpointsAt). */
  readonly breaksAt: (instrument: number, held: number, side: 1 | -1) => number[];
  /** The book's netting terms, for fills (src/margin/account-draft.ts changeTerms). */
  readonly netting: ChangeTerms;
}

export class PooledTerms implements AccountTerms {
  /** The columns, account and its first position and balance slots the base was laid out on. */
  private c: MarginColumns | null = null;
  private a = -1;
  /** The USD cash held. */
  private cash = 0;
  private p0 = 0;
  private k0 = 0;
  private n = 0;
  private m = 0;
  /** The epoch of the columns' terms the base was computed in (see {@link stale}). */
  private epoch = -1;
  /** Base quantities and amounts, copied (the caller may reuse its arrays), and the instrument, entry and asset each slot's terms were computed with. */
  private quantity = new Float64Array(0);
  private amount = new Float64Array(0);
  private instrument = new Int32Array(0);
  private entry = new Float64Array(0);
  private asset = new Int32Array(0);
  /** Base terms per slot, and the running sums before each slot (n + 1 and m + 1 entries: the last is the total). */
  private posTerms = new Float64Array(0);
  private posPrefix = new Float64Array(P);
  private balTerms = new Float64Array(0);
  private balPrefix = new Float64Array(B);
  /** One slot's new terms. */
  private readonly one = new Float64Array(P);
  /** The result, rewritten by every call (read it before the next). */
  private readonly result: HoldingsMargin = { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0, positions: undefined };

  /** Each position's requirement is nondecreasing in its size (the schedules' rates are ≥ 0) and the account's is their sum. */
  readonly requirementGrowsWithSize = true;

  /** What the run's terms read (null: before the first reset). */
  private source: PooledSource | null = null;
  /** True once a fill gave a position an entry of these terms' own (the columns' no longer apply to it). */
  private ownEntries = false;
  /** These terms as the change rule edits an account (src/margin/account-changes.ts), made on the first fill. */
  private editable: EditableAccount | null = null;

  get account(): number {
    return this.a;
  }

  /** Drops the run's columns and source (AccountTerms.forget): the next reset computes everything again. */
  forget(): void {
    this.c = null;
    this.source = null;
    this.editable = null;
    this.epoch = -1;
    this.a = -1;
  }

  /**
   * Takes `h` as the base holdings of account a (copied; entries as the layout holds them) and computes its terms and
   * running sums, on what `source` reads.
   */
  reset(source: PooledSource, a: number, h: AccountHoldings): this {
    const c = source.columns();
    const p0 = c.posStart[a], n = c.posEnd[a] - p0, k0 = c.colStart[a], m = c.colEnd[a] - k0;
    if (h.quantity.length !== n || h.amount.length !== m) throw new RangeError(`holdings of account ${a}: expected ${n} positions and ${m} balances`);
    this.a = a;
    this.cash = h.cashUsd;
    // the same account on the same columns and terms (the next step of a liquidation): only what changed is redone
    if (source === this.source && c === this.c && source.epochOf() === this.epoch && p0 === this.p0 && n === this.n && k0 === this.k0 && m === this.m) {
      this.update(c, h);
      this.ownEntries = false;
      return this;
    }
    this.source = source;
    this.ownEntries = false;
    if (this.quantity.length < n || this.amount.length < m) {
      const nCap = this.quantity.length < n ? Math.max(n, 2 * this.quantity.length) : this.quantity.length;
      this.allocate(nCap, this.amount.length < m ? Math.max(m, 2 * this.amount.length) : this.amount.length);
    }
    this.p0 = p0;
    this.k0 = k0;
    this.n = n;
    this.m = m;
    for (let k = 0; k < n; k++) this.quantity[k] = h.quantity[k];
    for (let k = 0; k < m; k++) this.amount[k] = h.amount[k];
    this.compute(c);
    return this;
  }

  /**
   * A holding change, or a fill, transfer or cash change by the book's change rule (src/margin/account-changes.ts) on
   * what the account holds: RangeError for a change the rule refuses, or a fill or transfer that would open a slot.
   */
  apply(change: HoldingChange | AccountChange): this {
    const c = this.current();
    if (!('kind' in change)) {
      const refused = applyChange((this.editable ??= this.editor()), change, (this.source as PooledSource).netting);
      if (refused !== undefined) throw new RangeError(refused);
      return this;
    }
    const k = change.local;
    if (change.kind === 'position') {
      this.quantity[k] = change.size;
      this.termsAt(c, k);
      this.positionSums(k);
    } else {
      this.amount[k] = change.size;
      this.balanceTermsAt(c, k);
      this.balanceSums(k);
    }
    this.cash = change.cashUsd;
    return this;
  }

  figures(into?: HoldingsMargin): HoldingsMargin {
    this.current();
    const b = this.balPrefix, t = B * this.m, p = this.posPrefix, u = P * this.n;
    return copyFigures(this.finish(b[t], b[t + 1], b[t + 2], p[u], p[u + 1], p[u + 2], p[u + 3], this.cash), into);
  }

  figuresWith(change: HoldingChange, into?: HoldingsMargin): HoldingsMargin {
    const w = change.kind === 'position' ? this.position(change.local, change.size, change.cashUsd) : this.balance(change.local, change.size, change.cashUsd);
    return copyFigures(w, into);
  }

  breakpoints(instrument: number, side: 1 | -1): number[] {
    this.current();
    let held = 0;
    for (let k = 0; k < this.n; k++) if (this.instrument[k] === instrument) held = this.quantity[k];
    return (this.source as PooledSource).breaksAt(instrument, held, side);
  }

  fork(): PooledTerms {
    const h: AccountHoldings = { quantity: this.quantity.slice(0, this.n), isolatedMargin: new Float64Array(this.n).fill(Number.NaN), amount: this.amount.slice(0, this.m), cashUsd: this.cash };
    const copy = new PooledTerms().reset(this.source as PooledSource, this.a, h);
    if (this.ownEntries) {
      // entries a fill gave: the copy's terms from them
      copy.entry.set(this.entry.subarray(0, this.n));
      copy.ownEntries = true;
      copy.compute(copy.current(), true);
    }
    return copy;
  }

  /** These terms as the change rule's account: positions and balances in slot order, no slot added. */
  private editor(): EditableAccount {
    const refuse = (what: string) => {
      throw new RangeError(`account terms take changes to what the account holds: ${what} needs a what-if by changes (MethodTrial.withChanges)`);
    };
    return {
      positionCount: () => this.n,
      positionInstrument: (k) => this.instrument[k],
      positionQuantity: (k) => this.quantity[k],
      positionEntry: (k) => this.entry[k],
      setPosition: (k, quantity, entryPrice) => {
        this.quantity[k] = quantity;
        this.entry[k] = entryPrice;
        this.ownEntries = true;
        this.termsAt(this.current(), k);
        this.positionSums(k);
      },
      appendPosition: () => refuse('a fill on an instrument not held'),
      // cross margin pools every position: no allocation to move
      positionAllocation: () => Number.NaN,
      setPositionAllocation: () => refuse('an isolated allocation'),
      balanceCount: () => this.m,
      balanceAsset: (k) => this.asset[k],
      balanceAmount: (k) => this.amount[k],
      setBalance: (k, amount) => {
        this.amount[k] = amount;
        this.balanceTermsAt(this.current(), k);
        this.balanceSums(k);
      },
      appendBalance: () => refuse('a transfer of an asset not held'),
      cash: () => this.cash,
      setCash: (usd) => {
        this.cash = usd;
      },
    };
  }

  /** The figures with position `local` at `quantity` (contracts) and USD cash `cashUsd`, the rest as the base. */
  private position(local: number, quantity: number, cashUsd: number): HoldingsMargin {
    const c = this.current();
    const n = this.n, T = this.posTerms, pre = this.posPrefix, one = this.one;
    if (this.ownEntries) positionTerms(c, this.instrument[local], this.entry[local], quantity, one, 0);
    else positionTerms(c, c.posInstrument[this.p0 + local], c.entryPrice[this.p0 + local], quantity, one, 0);
    const o = P * local;
    let im = pre[o] + one[0];
    let mm = pre[o + 1] + one[1];
    let mtm = pre[o + 2] + one[2];
    let gross = pre[o + 3] + one[3];
    for (let k = local + 1; k < n; k++) {
      im = im + T[P * k];
      mm = mm + T[P * k + 1];
      mtm = mtm + T[P * k + 2];
      gross = gross + T[P * k + 3];
    }
    const b = this.balPrefix, t = B * this.m;
    return this.finish(b[t], b[t + 1], b[t + 2], im, mm, mtm, gross, cashUsd);
  }

  /** The figures with balance `local` at `amount` (units of its asset) and USD cash `cashUsd`, the rest as the base. */
  private balance(local: number, amount: number, cashUsd: number): HoldingsMargin {
    const c = this.current();
    const m = this.m, T = this.balTerms, pre = this.balPrefix;
    const asset = c.colAsset[this.k0 + local];
    const value = amount * c.price[asset];
    const o = B * local;
    let raw = pre[o] + value;
    let wIm = pre[o + 1] + weighted(c, asset, value, c.hairCumIm, c.hairIm, c.liabIm[asset]);
    let wMm = pre[o + 2] + weighted(c, asset, value, c.hairCumMm, c.hairMm, c.liabMm[asset]);
    for (let k = local + 1; k < m; k++) {
      raw = raw + T[B * k];
      wIm = wIm + T[B * k + 1];
      wMm = wMm + T[B * k + 2];
    }
    const p = this.posPrefix, t = P * this.n;
    return this.finish(raw, wIm, wMm, p[t], p[t + 1], p[t + 2], p[t + 3], cashUsd);
  }

  /**
   * Buffers for `n` positions and `m` balances, in one f64 and one i32 allocation (a one-account liquidation makes
   * one terms value: its allocations cost as much as its trials). Contents unspecified: the caller recomputes.
   */
  private allocate(n: number, m: number): void {
    const f = new Float64Array(2 * n + P * n + P * (n + 1) + m + B * m + B * (m + 1)), ints = new Int32Array(n + m);
    let at = 0;
    const take = (k: number) => f.subarray(at, (at += k));
    this.quantity = take(n);
    this.entry = take(n);
    this.posTerms = take(P * n);
    this.posPrefix = take(P * (n + 1));
    this.amount = take(m);
    this.balTerms = take(B * m);
    this.balPrefix = take(B * (m + 1));
    this.instrument = ints.subarray(0, n);
    this.asset = ints.subarray(n, n + m);
  }

  /** The columns, with the base recomputed first when they or their terms changed since it was taken. */
  private current(): MarginColumns {
    const source = this.source;
    if (source === null) throw new Error('account terms used before reset');
    const c = source.columns();
    if (c !== this.c || source.epochOf() !== this.epoch) this.compute(c, this.ownEntries);
    return c;
  }

  /** Every slot's terms and the running sums, from scratch; `own`: from the entries of these terms, not the columns'. */
  private compute(c: MarginColumns, own = false): void {
    this.c = c;
    this.epoch = (this.source as PooledSource).epochOf();
    this.posPrefix.fill(0.0, 0, P);
    this.balPrefix.fill(0.0, 0, B);
    for (let k = 0; k < this.n; k++) {
      if (own) this.ownTermsAt(c, k);
      else this.positionTermsAt(c, k);
    }
    this.positionSums(0);
    for (let k = 0; k < this.m; k++) this.balanceTermsAt(c, k);
    this.balanceSums(0);
  }

  /**
   * New base holdings `h` of the same account on the same columns: the terms of the slots whose holding, instrument,
   * entry or asset changed (Object.is: a −0 is a change), and the running sums from the first of them on (those
   * before it are unchanged).
   */
  private update(c: MarginColumns, h: AccountHoldings): void {
    let first = this.n;
    for (let k = 0; k < this.n; k++) {
      const p = this.p0 + k;
      if (same(this.quantity[k], h.quantity[k]) && this.instrument[k] === c.posInstrument[p] && same(this.entry[k], c.entryPrice[p])) continue;
      this.quantity[k] = h.quantity[k];
      this.positionTermsAt(c, k);
      if (first > k) first = k;
    }
    this.positionSums(first);
    first = this.m;
    for (let k = 0; k < this.m; k++) {
      if (same(this.amount[k], h.amount[k]) && this.asset[k] === c.colAsset[this.k0 + k]) continue;
      this.amount[k] = h.amount[k];
      this.balanceTermsAt(c, k);
      if (first > k) first = k;
    }
    this.balanceSums(first);
  }

  /** Slot k's terms: from its own entry once a fill gave it one, else as the columns hold it. */
  private termsAt(c: MarginColumns, k: number): void {
    if (this.ownEntries) this.ownTermsAt(c, k);
    else this.positionTermsAt(c, k);
  }

  /** Slot k's terms from the instrument and entry these terms hold. */
  private ownTermsAt(c: MarginColumns, k: number): void {
    positionTerms(c, this.instrument[k], this.entry[k], this.quantity[k], this.posTerms, P * k);
  }

  /** Slot k's terms from its instrument and entry as the columns hold them (kept). */
  private positionTermsAt(c: MarginColumns, k: number): void {
    const instrument = c.posInstrument[this.p0 + k], entry = c.entryPrice[this.p0 + k];
    this.instrument[k] = instrument;
    this.entry[k] = entry;
    positionTerms(c, instrument, entry, this.quantity[k], this.posTerms, P * k);
  }

  private balanceTermsAt(c: MarginColumns, k: number): void {
    const T = this.balTerms, asset = c.colAsset[this.k0 + k];
    this.asset[k] = asset;
    const value = this.amount[k] * c.price[asset];
    T[B * k] = value;
    T[B * k + 1] = weighted(c, asset, value, c.hairCumIm, c.hairIm, c.liabIm[asset]);
    T[B * k + 2] = weighted(c, asset, value, c.hairCumMm, c.hairMm, c.liabMm[asset]);
  }

  /** The running sums after position slots from..n−1 (those up to `from` are kept), in slot order as the kernel adds. */
  private positionSums(from: number): void {
    const T = this.posTerms, pre = this.posPrefix;
    for (let k = from; k < this.n; k++) for (let j = 0; j < P; j++) pre[P * (k + 1) + j] = pre[P * k + j] + T[P * k + j];
  }

  private balanceSums(from: number): void {
    const T = this.balTerms, pre = this.balPrefix;
    for (let k = from; k < this.m; k++) for (let j = 0; j < B; j++) pre[B * (k + 1) + j] = pre[B * k + j] + T[B * k + j];
  }

  /** The kernel's account figures from the sums (the same operations as src/kernels/js/margin.ts, pooled). */
  private finish(raw: number, wIm: number, wMm: number, im: number, mm: number, mtm: number, gross: number, cash: number): HoldingsMargin {
    return pooledFigures(this.result, raw, wIm, wMm, im, mm, mtm, gross, cash);
  }
}


/** Object.is for numbers: +0 and −0 differ, NaN is NaN. */
function same(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y;
}
