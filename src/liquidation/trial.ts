/**
 * Trying closes on one account without keeping them: {@link CloseTrial} takes the account's terms as a value
 * (src/methods/account-terms.ts, from the run's what-if: src/session/trial.ts) and answers "what would its slack and MM
 * be after this close, fee and discount included" from the terms' figures with one holding changed. The slack is the
 * account's, or under isolated margin that of what the close draws on (the position's own, or the rest of the
 * account's: a bucket). The method's terms re-add what one holding changes (cross) or margin a copy with it changed
 * (portfolio, isolated); the session's default terms write it into the layout and re-margin, until restore puts the
 * account back (the same bits whichever answers).
 */
import type { Shelf, ShelfKind } from '../memory/shelf.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { Column } from '../memory/columns.js';
import { type AccountTerms, emptyFigures, emptyHoldingChange } from '../methods/account-terms.js';
import type { AccountHoldings, LiquidationTargetSpec } from '../methods/method.js';
import { trialOf } from '../session/prepared-run.js';
import type { AccountTrial } from '../session/trial.js';
import type { EngineRun } from '../session/types.js';
import { type CloseBase, closeChange, closeOutcome, emptyOutcome, slackOf, type TrialOutcome } from './close-outcome.js';
import { type CloseEffect, type CloseEffects, discountCapped, emptyEffect, type Holding } from './close-effect.js';
import { liquidationFee, releasedShare } from './pricing.js';

export { slackOf, type TrialOutcome } from './close-outcome.js';

/** One account's holdings as saved before its trials (close-outcome.ts CloseBase), and a trial's scratch copy. */
interface SavedAccount extends CloseBase {
  a: number;
  /** The equity of the rest of the account before the trials (all of it under a pooled method): what caps a collateral discount. */
  restEquity: number;
  trial: AccountHoldings;
  /** The account's terms made from these holdings (AccountTrial.terms). */
  terms: AccountTerms | null;
}

export class CloseTrial {
  /** The account whose holdings are saved (null: none, or the account changed since). */
  private saved: SavedAccount | null = null;
  /** Scratch: a trial's change and figures, and its outcome (read before the next trial). */
  private readonly scratch = { change: emptyHoldingChange(), figures: emptyFigures() };
  private readonly outcome = emptyOutcome();
  /** True when each position has equity of its own (isolated margin): slacks are per bucket. */
  private readonly ownBacking: boolean;
  private readonly capped = emptyEffect();
  /** Scratch: one leg's effect in a slice's trial. */
  private readonly legEffect = emptyEffect();
  /** Where an account's holdings are saved: kept between runs (the engine's shelf of {@link SAVED_BUFFERS}), given back by {@link release}. */
  private readonly buffers: SavedBuffers;
  /** The run's what-if. */
  private readonly trial: AccountTrial;
  private readonly posQuantity: Column<'f64'>;
  private readonly posIsolated: Column<'f64'>;
  private readonly colAmount: Column<'f64'>;

  constructor(
    private readonly layout: BookLayout,
    private readonly run: EngineRun,
    private readonly target: LiquidationTargetSpec,
    private readonly effects: CloseEffects,
    private readonly shelf: Shelf<SavedBuffers>,
  ) {
    this.buffers = shelf.take();
    this.trial = trialOf(run);
    this.ownBacking = run.positionsOwnEquity;
    this.posQuantity = layout.positions.column<'f64'>('quantity');
    this.posIsolated = layout.positions.column<'f64'>('isolatedMargin');
    this.colAmount = layout.collateral.column<'f64'>('amount');
  }

  /** The run ended: its saved buffers are kept for the next run's trial (nothing reads them after this). */
  release(): void {
    this.saved = null;
    this.buffers.forget();
    this.shelf.give(this.buffers);
  }

  /** Amounts below which an equity is zero for this account's size (double rounding), as its figures read now. */
  tolerance(a: number): number {
    const c = this.run.accountColumns();
    return 1e-9 * (Math.abs(c.grossNotional[a]) + Math.abs(c.equity[a]) + 1);
  }

  /** An equity as a surplus over bankruptcy: what is within rounding of 0 is 0 (no fee of 3e-11 USD). */
  surplus(a: number, equity: number): number {
    return equity > this.tolerance(a) ? equity : 0;
  }

  /** The account's holdings changed (a step, an ADL fill): the next trial saves them again. */
  changed(a: number): void {
    if (this.saved?.a === a) this.saved = null;
  }

  /**
   * The slack of `bucket` (undefined: the account; under isolated margin a position slot, or −1 for the rest of the
   * account) and the account's MM if `effect` were applied at the market with its fee (a record the next trial
   * rewrites). Collateral conversions have their discount capped by the surplus over bankruptcy; a position's fee is
   * capped by the surplus of the part closed (pricing.ts liquidationFee), known once the close's MM is: the fee comes
   * off the slack of the close tried without it (fees are cash, counted in full by every equity).
   */
  tryClose(a: number, h: Holding, effect: CloseEffect, bucket?: number): TrialOutcome {
    const s = this.save(a);
    if (h.kind === 'collateral') effect = discountCapped(effect, this.surplus(a, s.restEquity), this.capped);
    const nominal = h.kind === 'position' ? this.effects.nominalFee(h, effect) : 0;
    const terms = s.terms as AccountTerms, out = closeOutcome(terms, s, h, effect, nominal, this.target, bucket, this.scratch, this.outcome);
    // a position's close on terms whose requirement grows with its size: its cost lets the search bound its pieces
    if (h.kind === 'position' && terms.requirementGrowsWithSize === true) out.executionCost = effect.cost;
    return out;
  }

  /**
   * What `count` closes made together at the market leave (a slice of the account: slice.ts): `quantities[j]` of
   * `holdings[legs[j]]`. The slice is one close of part of the account: its fee is the legs' nominal fees summed,
   * capped by the surplus of the part closed (the equity times the share of MM the slice releases, less the legs'
   * slippage: pricing.ts liquidationFee), and comes off the slack. A pooled method's: `slack`, `mm`, `fee`,
   * `nominalFee` and `share` of the outcome are set. The terms stay as they were (a fork takes the closes).
   */
  trySlice(a: number, holdings: readonly Holding[], legs: Int32Array, quantities: Float64Array, count: number): TrialOutcome {
    const s = this.save(a), terms = (s.terms as AccountTerms).fork(), change = this.scratch.change, out = this.outcome;
    let cash = s.cash, nominal = 0, cost = 0;
    for (let j = 0; j < count; j++) {
      const h = holdings[legs[j]], e = this.effects.effect(h, quantities[j], this.legEffect);
      nominal += this.effects.nominalFee(h, e);
      cost += e.cost;
      cash += e.cashAtFill;
      closeChange(s, h, e, change).cashUsd = cash;
      terms.apply(change);
    }
    const after = terms.figures(this.scratch.figures);
    out.mm = after.mm;
    out.share = releasedShare(s.mm, after.mm);
    out.nominalFee = nominal;
    out.fee = liquidationFee(nominal, s.restEquity, out.share, cost);
    out.slack = slackOf(after, this.target) - out.fee; // fees are cash, counted in full by every equity
    return out;
  }

  /**
   * True when account a's requirement grows with what it holds (its terms' `requirementGrowsWithSize`: rule-based pooled
   * terms), so the slack of a holding's whole step plus its costs bounds the slack of every smaller close of it
   * (smallest-root.ts costFreeBound). Under a method that nets positions a hedge leg's smaller close can release more.
   */
  growsWithSize(a: number): boolean {
    return (this.save(a).terms as AccountTerms).requirementGrowsWithSize === true;
  }

  /**
   * Sizes (contracts, > 0, ascending) of a close of position h (now `size`) where account a's requirement changes slope
   * (AccountTerms.breakpoints of its terms), or undefined when the method does not say.
   */
  sizeBreakpoints(a: number, h: Holding, size: number): readonly number[] | undefined {
    return h.kind === 'position' ? (this.save(a).terms as AccountTerms).breakpoints(h.index, size > 0 ? -1 : 1) : undefined;
  }

  /** Puts the account back as it was before the trials, re-margined when a trial wrote into the layout. */
  restore(a: number): void {
    if (this.saved?.a !== a) return;
    if (this.trial.end(a)) this.saved = null;
    // else nothing was written: the saved holdings stay the account's until a step changes it
  }

  private save(a: number): SavedAccount {
    if (this.saved?.a === a) return this.saved;
    const pos = this.layout.positions, col = this.layout.collateral;
    const p0 = pos.start.array[a], p1 = pos.end.array[a], c0 = col.start.array[a], c1 = col.end.array[a];
    const s = this.buffers.views(a, p1 - p0, c1 - c0);
    // element by element, no subarray view per column and step: perf: no-alloc-per-step (docs/performance.md)
    const qty = this.posQuantity.array, isolated = this.posIsolated.array, amount = this.colAmount.array, t = s.trial;
    for (let k = 0; k < p1 - p0; k++) {
      t.quantity[k] = s.qty[k] = qty[p0 + k];
      t.isolatedMargin[k] = s.isolated[k] = isolated[p0 + k];
    }
    for (let k = 0; k < c1 - c0; k++) t.amount[k] = s.amount[k] = amount[c0 + k];
    s.p0 = p0;
    s.c0 = c0;
    s.cash = this.layout.cashUsd.array[a];
    const columns = this.run.accountColumns();
    s.mm = columns.mm[a];
    let held = 0;
    for (let slot = p0; slot < p1; slot++) held += s.backing[slot - p0] = this.run.positionEquity(a, slot);
    s.ownBacking = this.ownBacking;
    s.restEquity = this.ownBacking ? columns.equity[a] - held : columns.equity[a];
    const terms = (s.terms = this.buffers.spareTerms = this.trial.terms(a, t, this.buffers.spareTerms));
    if (this.ownBacking) {
      const now = terms.figures(this.scratch.figures).positions;
      for (let k = 0; k < p1 - p0; k++) s.positionMm[k] = now ? now.mm[k] : s.mm;
    }
    this.saved = s;
    return s;
  }
}

/**
 * Grow-only buffers for {@link SavedAccount}, owned by one run's {@link AccountTrial}: a liquidation of thousands of
 * accounts allocates them a few times. The views are kept per account shape (positions × balances): an account of a
 * shape seen before gets them again (one saved account at a time).
 */
export class SavedBuffers {
  private positions = 0;
  private balances = 0;
  private buffers: ReturnType<SavedBuffers['allocate']> | null = null;
  private readonly byShape = new Map<number, SavedAccount>();

  /**
   * The last terms made: given back to the run's trial to be made again for the next account (perf: no-alloc-per-step),
   * and to the next run's when they can forget their run (AccountTerms.forget).
   */
  spareTerms: AccountTerms | undefined = undefined;

  /** Drops the terms the views hold, and what the spare terms read of their run (a kept buffer holds nothing of an ended run). */
  forget(): void {
    for (const views of this.byShape.values()) views.terms = null;
    if (this.spareTerms?.forget) this.spareTerms.forget();
    else this.spareTerms = undefined;
  }

  views(a: number, positions: number, balances: number): SavedAccount {
    const key = positions * 0x100000 + balances;
    const known = this.byShape.get(key);
    if (known !== undefined) {
      known.a = a;
      known.p0 = known.c0 = 0;
      known.restEquity = known.mm = 0;
      known.cash = 0;
      known.terms = null;
      return known;
    }
    if (this.buffers === null || positions > this.positions || balances > this.balances) {
      this.buffers = this.allocate(Math.max(positions, 2 * this.positions, 1), Math.max(balances, 2 * this.balances, 1));
      this.byShape.clear(); // views on the old buffers
    }
    const b = this.buffers, p = (x: Float64Array) => x.subarray(0, positions), c = (x: Float64Array) => x.subarray(0, balances);
    const views: SavedAccount = {
      a, p0: 0, c0: 0, restEquity: 0, mm: 0, ownBacking: false, positionMm: p(b.positionMm), qty: p(b.qty), isolated: p(b.isolated), amount: c(b.amount), cash: 0, backing: p(b.backing),
      trial: { quantity: p(b.trialQty), isolatedMargin: p(b.trialIsolated), amount: c(b.trialAmount), cashUsd: 0 }, terms: null,
    };
    this.byShape.set(key, views);
    return views;
  }

  private allocate(positions: number, balances: number) {
    this.positions = positions;
    this.balances = balances;
    // one buffer for the eight arrays
    const all = new Float64Array(6 * positions + 2 * balances);
    let at = 0;
    const take = (n: number) => all.subarray(at, (at += n));
    return {
      qty: take(positions), isolated: take(positions), backing: take(positions), positionMm: take(positions), trialQty: take(positions), trialIsolated: take(positions),
      amount: take(balances), trialAmount: take(balances),
    };
  }
}

/** The kind of a trial's saved buffers, on an engine's shelves (RunRetention.shelf): a one-account liquidation is a run per call. */
export const SAVED_BUFFERS: ShelfKind<SavedBuffers> = { make: () => new SavedBuffers() };
