/**
 * A method prepared on the session's book and a market (src/session/session.ts `prepare`): runs it, re-margins
 * changed accounts, answers what-ifs, builds the report. It also keeps what the live layer (src/live/) needs to
 * bring the run up to a market changed in place: the method, its parameters and the context it was prepared on.
 */
import { InputError } from '../errors.js';
import type { BackendName } from '../kernels/backend.js';
import type { AccountChange } from '../margin/account-changes.js';
import { accountRow, buildReport, type ReportInputs } from '../margin/build-report.js';
import { LayoutAccount } from '../margin/layout-account.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../margin/report.js';
import { STATUS } from '../margin/status.js';
import { type AccountRequirement, healthOf } from '../margin/what-if.js';
import type { MarginMethodPlugin, MethodContext, MethodRun } from '../methods/method.js';

/** A margin run with its inputs in place: run the kernels, re-margin changed accounts, read the report, release. */
export interface PreparedMarginRun {
  /** Runs the method over every account. */
  run(): void;
  /**
   * Re-margins one account (by id) after its positions or balances were changed in place through
   * `session.layout` (setCollateral, addPosition, removePosition, or a quantity written into its column): its row
   * then has the bits a fresh run on the changed book gives. Call {@link run} once first.
   */
  remargin(accountId: string): void;
  /**
   * Account `accountId`'s margin if `changes` were applied in order (fills, transfers, USD cash, by layout index:
   * src/margin/account-changes.ts), without changing anything: the bits {@link remargin} would give after
   * applying them, plus what binds the requirement. The method's fast path (MethodRun.whatIf) when it has one,
   * else apply, remargin, read and undo. Call {@link run} once first. Throws InputError naming the first change
   * whose result overflows.
   */
  whatIf(accountId: string, changes: readonly AccountChange[]): AccountRequirement;
  /** The report of every account, as computed so far. */
  report(): MarginReport;
  /** One account's row of the report (with breakdown when the run was prepared with it). */
  account(accountId: string): AccountMargin;
  release(): void;
}

export class PreparedRun implements PreparedMarginRun {
  private released = false;

  /** Use MarginSession.prepare. */
  constructor(
    readonly method: MarginMethodPlugin,
    readonly methodParams: unknown,
    readonly context: MethodContext,
    private current: MethodRun,
    private readonly backend: () => BackendName,
    private readonly releaseContext: () => void,
  ) {}

  /** The method's prepared run (replaced by {@link reprepare}). */
  get methodRun(): MethodRun {
    return this.current;
  }

  run(): void {
    this.current.run();
  }

  remargin(accountId: string): void {
    this.remarginIndex(this.indexOf(accountId));
  }

  /** {@link remargin} by layout index (a live account). */
  remarginIndex(a: number): void {
    const layout = this.context.layout;
    this.context.out.ensureCapacity(layout.positions.slotCapacity, layout.accountCount);
    this.current.remargin(a);
  }

  whatIf(accountId: string, changes: readonly AccountChange[]): AccountRequirement {
    return this.whatIfIndex(this.indexOf(accountId), changes);
  }

  /** {@link whatIf} by layout index (a live account). */
  whatIfIndex(a: number, changes: readonly AccountChange[]): AccountRequirement {
    if (this.current.whatIf) {
      try {
        return this.current.whatIf(a, changes);
      } catch (error) {
        if (error instanceof RangeError) throw new InputError([{ path: 'changes', message: error.message }]);
        throw error;
      }
    }
    return this.whatIfByRemargin(a, changes);
  }

  /**
   * The generic what-if, for a method without a fast path: apply the changes to the layout, re-margin, read the
   * row, undo, re-margin again. Exact (remargin has the bits of a fresh run) and O(what remargin costs).
   */
  private whatIfByRemargin(a: number, changes: readonly AccountChange[]): AccountRequirement {
    const editor = new LayoutAccount(this.context.layout, a);
    try {
      const refused = editor.apply(changes);
      if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
      this.remarginIndex(a);
      const out = this.context.out;
      const equityMm = out.equityMm.array[a], mm = out.mm.array[a];
      return {
        status: STATUS[out.status.array[a]], equity: out.equity.array[a], equityIm: out.equityIm.array[a], equityMm, im: out.im.array[a], mm,
        health: healthOf(equityMm, mm), grossNotional: out.gross.array[a], collateralValue: out.collateralValue.array[a],
        cashUsd: this.context.layout.cashUsd.array[a], binding: null,
      };
    } finally {
      editor.undo();
      this.remarginIndex(a);
    }
  }

  /**
   * Prepares the method again on the same context (the market columns and instrument values changed in place)
   * and runs it: the live layer's default when the market moves for a method without `marketMoved`.
   */
  reprepare(): void {
    const next = this.method.prepare(this.context, this.methodParams);
    this.current.release();
    this.current = next;
    next.run();
  }

  report(): MarginReport {
    return buildReport(this.reportInputs());
  }

  account(accountId: string): AccountMargin {
    return accountRow(this.reportInputs(), this.indexOf(accountId));
  }

  /** {@link account} by layout index (a live account). */
  accountAt(a: number): AccountMargin {
    return accountRow(this.reportInputs(), a);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.current.release();
    this.releaseContext();
  }

  /** Layout index of a live account, or an InputError naming it. */
  indexOf(accountId: string): number {
    const a = this.context.layout.accountIndex(accountId);
    if (a < 0) throw new InputError([{ path: 'account', message: `no account ${JSON.stringify(accountId)} in the book` }]);
    return a;
  }

  private reportInputs(): ReportInputs {
    const c = this.context;
    return {
      layout: c.layout, market: c.market, params: c.rules, out: c.out, methodName: this.method.name as MarginMethod, backend: this.backend(),
      breakdown: c.breakdown, method: this.current,
    };
  }
}
