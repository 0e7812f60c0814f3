/**
 * The one what-if of a prepared run ({@link AccountTrial}): live what-ifs, pre-trade checks, liquidation's sizing and
 * optimisation all ask it, whatever the method offers. It answers through the method's own trial
 * (MethodRun.trial, src/methods/method.ts) where the method has one and equities are not adjusted after the kernel
 * (collateral by location, which the method's fast paths do not know), and otherwise by the default every method
 * has: write the change into the layout, re-margin, read, put the account back. Both give the bits a re-margin of the
 * changed account gives.
 */
import { InputError } from '../errors.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { BookLayout } from '../layout/book-layout.js';
import { LayoutAccount } from '../margin/layout-account.js';
import { STATUS } from '../margin/status.js';
import { type AccountRequirement, healthOf } from '../margin/what-if.js';
import { type AccountTerms, HoldingsTerms, type MarginOf } from '../methods/account-terms.js';
import type { AccountHoldings, HoldingsMargin, MethodContext, MethodRun, MethodTrial } from '../methods/method.js';
import { HoldingsCopy, readPositionFigures, writeHoldings } from './trial-holdings.js';

/**
 * What-ifs on one account of a run: the account's figures under changes (fills, transfers, cash), its terms as a value
 * (src/methods/account-terms.ts: figures under other holdings), and where an order's requirement changes slope.
 * Nothing it answers changes the run, except that the default terms' figures stay written into the layout until
 * {@link end}. Results of withChanges may be records the next call rewrites.
 */
export interface AccountTrial {
  /** Account a's margin if `changes` were applied in order (MethodTrial.withChanges); InputError naming a refused change. */
  withChanges(a: number, changes: readonly AccountChange[]): AccountRequirement;
  /**
   * Account a's terms made from `holdings` (MethodTrial.terms, or the default: written, re-margined, read). `reuse`:
   * terms the caller gives up, made again in place when of the same kind.
   */
  terms(a: number, holdings: AccountHoldings, reuse?: AccountTerms): AccountTerms;
  /** Sizes where an order's requirement changes slope (MethodTrial.sizeBreakpoints), or undefined: search by bisection. */
  sizeBreakpoints(a: number, instrument: number, direction: 1 | -1): number[] | undefined;
  /** Ends the trials on account a: puts back holdings the default terms wrote and re-margins it. True when it had written. */
  end(a: number): boolean;
}

/**
 * A coin-margined account's requirement as its report row states it (src/margin/build-report.ts rowOf): its cash is
 * its balance of the margin asset, so its collateral value, and `marginCurrency` names the asset every figure is in;
 * it has no USD cash. A USD account's requirement is returned as it is.
 */
function inMarginCurrency(r: AccountRequirement, layout: BookLayout, a: number): AccountRequirement {
  if (layout.marginAsset.array[a] < 0) return r;
  r.collateralValue = r.cashUsd;
  r.cashUsd = 0;
  r.marginCurrency = layout.marginCurrencyOf(a);
  return r;
}

/** What the trial needs of its prepared run (src/session/prepared-run.ts). */
export interface TrialHost {
  readonly methodRun: MethodRun;
  readonly context: MethodContext;
  /** True when each position has its own equity (isolated margin): figures by holdings carry per-position figures. */
  readonly positionsOwnEquity: boolean;
  remarginIndex(a: number): void;
}

/** {@link AccountTrial} of a prepared run: the method's trial where it has one, the session's default otherwise. */
export class SessionTrial implements AccountTrial {
  /** The account whose holdings a trial wrote into the layout (−1: none), and its holdings before. */
  private written = -1;
  // made on first use: most runs are prepared for one margin call and never asked (perf: die-young, docs/performance.md)
  private base: HoldingsCopy | null = null;
  private figures: HoldingsMargin | null = null;
  /** The default terms' margin and breakpoints (one function object each, so that terms of this kind can be reused). */
  private readonly byRemargin: MarginOf = (a, h) => this.holdingsByRemargin(a, h);
  private readonly breaksByLayout = (a: number, instrument: number, direction: 1 | -1): readonly number[] | undefined => {
    this.settle(); // as the account is held, not as a trial wrote it
    return this.sizeBreakpoints(a, instrument, direction);
  };

  constructor(
    private readonly host: TrialHost,
    /** True when equities are adjusted after the kernel (collateral by location): the method's trial does not know it. */
    private readonly adjusted: boolean,
  ) {}

  /** The method's trial, when it may answer. */
  private own(): MethodTrial | undefined {
    return this.adjusted ? undefined : this.host.methodRun.trial;
  }

  withChanges(a: number, changes: readonly AccountChange[]): AccountRequirement {
    if (this.written >= 0) this.end(this.written);
    const own = this.own();
    const layout = this.host.context.layout;
    if (own === undefined) return withoutFigures(inMarginCurrency(this.changesByRemargin(a, changes), layout, a));
    try {
      return withoutFigures(inMarginCurrency(own.withChanges(a, changes), layout, a));
    } catch (error) {
      if (error instanceof RangeError) throw new InputError([{ path: 'changes', message: error.message }]);
      throw error;
    }
  }

  terms(a: number, holdings: AccountHoldings, reuse?: AccountTerms): AccountTerms {
    const own = this.own();
    if (own?.terms !== undefined) return own.terms(a, holdings, reuse);
    // the default: terms whose figures write the holdings into the layout and re-margin
    if (reuse instanceof HoldingsTerms && reuse.marginsWith(this.byRemargin)) return reuse.reset(a, holdings);
    return new HoldingsTerms(a, holdings, this.byRemargin, this.breaksByLayout);
  }

  sizeBreakpoints(a: number, instrument: number, direction: 1 | -1): number[] | undefined {
    // where the requirement changes slope: location adjustments move equity, not the requirement's pieces
    return this.host.methodRun.trial?.sizeBreakpoints?.(a, instrument, direction);
  }

  end(a: number): boolean {
    if (this.written !== a) return false;
    this.written = -1;
    (this.base as HoldingsCopy).writeTo(this.host.context.layout, a);
    this.host.remarginIndex(a);
    return true;
  }

  /** Ends whatever trial is written (before a run, a new prepare, or a trial on another account). */
  settle(): void {
    if (this.written >= 0) this.end(this.written);
  }

  /**
   * The default what-if by changes: apply them to the layout, re-margin, read the row, undo, re-margin again. Exact
   * (remargin has the bits of a fresh run) and O(what remargin costs).
   */
  private changesByRemargin(a: number, changes: readonly AccountChange[]): AccountRequirement {
    const context = this.host.context;
    const editor = new LayoutAccount(context.layout, a);
    try {
      const refused = editor.apply(changes);
      if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
      this.host.remarginIndex(a);
      const out = context.out;
      const equityMm = out.equityMm.array[a], mm = out.mm.array[a];
      return {
        status: STATUS[out.status.array[a]], equity: out.equity.array[a], equityIm: out.equityIm.array[a], equityMm, im: out.im.array[a], mm,
        health: healthOf(equityMm, mm), grossNotional: out.gross.array[a], collateralValue: out.collateralValue.array[a],
        cashUsd: context.layout.cashUsd.array[a], binding: null,
      };
    } finally {
      editor.undo();
      this.host.remarginIndex(a);
    }
  }

  /**
   * The default terms' figures: the holdings written into the layout and re-margined, left there until {@link end} (a
   * caller trying many holdings on one account pays one re-margin per trial and one to put it back).
   */
  private holdingsByRemargin(a: number, h: AccountHoldings): HoldingsMargin {
    const layout = this.host.context.layout;
    if (this.written !== a) {
      this.settle();
      (this.base ??= new HoldingsCopy()).readFrom(layout, a);
      this.written = a;
    }
    writeHoldings(layout, a, h);
    this.host.remarginIndex(a);
    const out = this.host.context.out, f = (this.figures ??= { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0 });
    f.equity = out.equity.array[a];
    f.equityIm = out.equityIm.array[a];
    f.equityMm = out.equityMm.array[a];
    f.im = out.im.array[a];
    f.mm = out.mm.array[a];
    f.grossNotional = out.gross.array[a];
    f.status = out.status.array[a];
    if (this.host.positionsOwnEquity) f.positions = readPositionFigures(this.host.context, a, f.positions);
    return f;
  }
}

/** A what-if in status error has no figures (docs/domain.md), as a report row in error: each NaN, nothing binding. */
function withoutFigures(r: AccountRequirement): AccountRequirement {
  if (r.status !== 'error') return r;
  r.equity = r.equityIm = r.equityMm = r.im = r.mm = r.health = r.grossNotional = r.collateralValue = Number.NaN;
  r.binding = null;
  return r;
}
