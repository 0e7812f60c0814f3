/**
 * Portfolio (scenario-grid) margin as a method: every instrument revalued once per scenario (risk arrays), each
 * account's worst weighted loss per underlying, aggregated, plus contingency add-ons (docs/portfolio-margin.md).
 */
import type { AccountHoldings, MarginMethodPlugin } from '../method.js';
import { HoldingsTerms } from '../account-terms.js';
import { explainAccount } from './explain.js';
import type { PortfolioParams } from '../engines/scenario-grid/params.js';
import { PortfolioRun, SPLIT_MIN_INSTRUMENTS } from '../engines/scenario-grid/run.js';
import { requireCorrelationMatrix } from '../../model/validate-market.js';
import { checkPortfolioParams } from './validate.js';
import { PortfolioWhatIf } from './what-if.js';
import { PortfolioHoldingsMargin } from './holdings-margin.js';
import { portfolioRequirementModel } from './requirement-model.js';
import { runColumns } from '../run-columns.js';
import { afterRuleBased } from '../after-rule-based.js';
import { portfolioDynamic } from './dynamic.js';
import { portfolioSchema } from './schema.js';
import './types.js';

export const portfolioMethod: MarginMethodPlugin<PortfolioParams> = {
  name: 'portfolio',
  description: 'scenario grid: worst loss over spot moves × vol shocks per underlying, plus add-ons',
  section: 'portfolio',
  assetKeys: { keyed: ['assets'], named: ['stableAssets'] },
  calibration: {
    target: 'the worst loss over spot ±16% (17 steps) × vol up 50% / down 30%, plus dampened tail moves to -66% and +500%',
    source: 'Deribit portfolio margin (price range 0.16, vol range up 0.5; the `deribit` profile pins Deribit\'s own values)',
  },
  coinMargin: true,
  needs: { capabilities: ['scenario-grid', 'rule-based'] },
  schema: portfolioSchema,
  dynamic: portfolioDynamic,
  validateParams: (section, problems) => checkPortfolioParams(section, problems),
  prepare(ctx, params) {
    if (params.aggregation === 'correlation') requireCorrelationMatrix(ctx.snapshot, 'portfolio margin with aggregation "correlation"');
    const run = PortfolioRun.prepare(ctx.layout, ctx.market, params, ctx.allocator, ctx.out.value, ctx.heap, ctx.kernels());
    const whatIf = new PortfolioWhatIf(ctx, run);
    const columns = runColumns(ctx); // the run's rule-based columns, for the equities of its account terms and unionMargin
    const holdings = new PortfolioHoldingsMargin(ctx, run, columns);
    const marginWith = (a: number, h: AccountHoldings) => holdings.marginWith(a, h);
    const steps = afterRuleBased(ctx, run);
    return {
      run() {
        whatIf.clear();
        holdings.clear();
        steps.run();
      },
      remargin(a) {
        whatIf.drop(a);
        steps.remargin(a);
      },
      liquidation: {
        remarginList(accounts) {
          // each loop in a function of its own: perf: loop-alone (docs/performance.md)
          dropEach(whatIf, accounts);
          steps.remarginList(accounts);
        },
      },
      trial: {
        withChanges: (a, changes) => whatIf.whatIf(a, changes),
        // scenario maxima: no breakpoints (liquidation searches a close as one piece)
        terms: (a, h, reuse) => (reuse instanceof HoldingsTerms && reuse.marginsWith(marginWith) ? reuse.reset(a, h) : new HoldingsTerms(a, h, marginWith, () => undefined)),
      },
      pools: { unionMargin: (unions) => holdings.unionMargins(unions) },
      optimize: { requirementModel: (a, instruments, which) => portfolioRequirementModel(run, a, instruments, which) },
      live: {
        marketMoved(move) {
          whatIf.clear();
          holdings.clear();
          ctx.ruleBased(0, { list: move.accounts });
          run.marketMoved(ctx.kernels(), ctx.out, move);
          ctx.restatusList(move.accounts);
        },
      },
      errorOf: () => 'a scenario P&L, requirement or equity is not finite: a quantity, amount or price is too large for double precision',
      explain: (row, a) => (row.portfolio = explainAccount(run, a)),
      release: () => run.release(),
      scale: { instrumentTable: run.table(() => ctx.kernels()) },
    };
  },
  splitsInstrumentWork: (_section, instruments) => instruments >= SPLIT_MIN_INSTRUMENTS,
};

function dropEach(whatIf: PortfolioWhatIf, accounts: readonly number[] | Int32Array): void {
  for (let k = 0; k < accounts.length; k++) whatIf.drop(accounts[k]);
}
