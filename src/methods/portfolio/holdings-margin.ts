/**
 * Portfolio margin of one account with its holdings replaced, without touching the run (its account terms' figures,
 * src/methods/account-terms.ts): what liquidation's sizing asks for every trial. The bits of {@link PortfolioRun.remargin} after writing the holdings
 * into the layout: equity from the rule-based kernel's JS twin on a one-account copy (as the rule-based methods'
 * account terms), then the account's slots and groups built exactly as remargin builds them (positions, then
 * non-stable non-zero balances, stably ordered by underlying), each group's P&L summed in slot order from +0 over
 * the run's risk-array rows (the values remargin copies into its own array), the kernel's scan, the aggregation and
 * the add-ons in the same order.
 *
 * A group whose slots (rows and scales) are those of the same group in the previous call is not summed again: its
 * worst loss is the previous one (the same sums of the same numbers). A liquidation's trials change one holding of
 * one account at a time, so a trial re-sums one group. That part (group-loss.ts) is also what remargin runs.
 */
import { type MarginColumns, statusOf } from '../../kernels/js/margin.js';
import type { AccountHoldings, HoldingsMargin, MethodContext, UnionHoldings } from '../method.js';
import { RuleBasedHoldingsMargin } from '../engines/rule-based/holdings-margin.js';
import type { PortfolioRun } from '../engines/scenario-grid/run.js';

export class PortfolioHoldingsMargin {
  private readonly equity: RuleBasedHoldingsMargin;

  constructor(
    private readonly ctx: MethodContext,
    private readonly run: PortfolioRun,
    private readonly columns: () => MarginColumns,
  ) {
    this.equity = new RuleBasedHoldingsMargin(run.layout.memo);
  }

  /** Forgets kept terms (a run or a market move changed prices or instrument terms). */
  clear(): void {
    this.equity.clear();
  }

  marginWith(a: number, h: AccountHoldings): HoldingsMargin {
    const base = this.equity.run(this.columns(), a, h, false);
    const run = this.run;
    const loss = run.groupLoss.loss(a, h.quantity, 0, h.amount, 0);
    const im = loss + run.addOnsWith(a, h.quantity);
    const mm = run.params.mmFactor * im;
    base.im = im;
    base.mm = mm;
    base.status = statusOf(base.equity, base.equityIm, base.equityMm, im, mm);
    return base;
  }

  /**
   * Portfolio margin of accounts in no layout (masters' pools): equity by the rule-based twin, the scenario losses by
   * one reduction kernel call over the unions' groups (PortfolioRun.unionLosses), the add-ons over their positions:
   * the bits of a run on a book holding them (the same risk rows: they depend on the instrument and the market only).
   */
  unionMargins(unions: readonly UnionHoldings[]): HoldingsMargin[] | undefined {
    const run = this.run;
    const losses = run.unionLosses(this.ctx.kernels(), unions);
    if (!losses) return undefined;
    const addOns = new Float64Array(unions.length);
    run.addOnsOfUnions(unions, addOns);
    const bases = this.equity.unions(this.columns(), unions);
    return unions.map((u, r) => {
      const base = bases[r];
      const im = losses[r] + addOns[r];
      const mm = run.params.mmFactor * im;
      base.im = im;
      base.mm = mm;
      base.status = statusOf(base.equity, base.equityIm, base.equityMm, im, mm);
      return base;
    });
  }
}
