/**
 * VaR / ES margin as a method: the account's loss quantile (or expected shortfall) over the horizon from the
 * market's vols and correlation, by delta-normal, delta-gamma, Monte Carlo or historical simulation, floored
 * (docs/var-margin.md).
 */
import type { MarginMethodPlugin } from '../method.js';
import type { VarParams } from './params.js';
import { VarRun } from './run.js';
import { riskFactors } from './covariance.js';
import { requireCorrelationMatrix } from '../../model/validate-market.js';
import { checkVarParams, usesMarketCorrelation } from './validate.js';
import { VarWhatIf } from './what-if.js';
import { varRequirementModel } from './requirement-model.js';
import { RuleBasedHoldingsMargin } from '../engines/rule-based/holdings-margin.js';
import { runColumns } from '../run-columns.js';
import { statusOf } from '../../kernels/js/margin.js';
import { varDynamic } from './dynamic.js';
import { varSchema } from './schema.js';
import './types.js';

export const varMethod: MarginMethodPlugin<VarParams> = {
  name: 'var',
  description: 'VaR / ES over the correlation matrix: delta-normal, delta-gamma, Monte Carlo or historical',
  section: 'var',
  assetKeys: { named: ['returns.assets'] },
  calibration: {
    target: '99% 1-day value at risk, delta-normal on the market\'s vols and correlation, at least 1% of gross notional',
    source: 'RiskMetrics (J.P. Morgan, 1996): 99%, 1 day; EMIR RTS 153/2013 art. 24 sets 99% for exchange-traded derivatives',
  },
  needs: { capabilities: ['rule-based'] },
  schema: varSchema,
  dynamic: varDynamic,
  validateParams: (section, problems) => checkVarParams(section, problems),
  prepare(ctx, params) {
    // one risk factor correlates with itself only: a book on one risky asset needs no market correlation
    if (usesMarketCorrelation(params) && riskFactors(ctx.layout, ctx.market).asset.length > 1) requireCorrelationMatrix(ctx.snapshot, 'the var method');
    const run = new VarRun(ctx.layout, ctx.market, params, ctx.allocator, ctx.breakdown);
    const whatIf = new VarWhatIf(ctx, run);
    const equity = new RuleBasedHoldingsMargin(ctx.layout.memo);
    const columns = runColumns(ctx); // the run's rule-based columns, for the equities of unionMargin
    const runAll = () => {
      whatIf.clear();
      ctx.ruleBased(0);
      run.run(ctx.kernels(), ctx.out);
      ctx.restatus();
    };
    return {
      run: runAll,
      remargin(a) {
        whatIf.drop(a);
        ctx.ruleBased(0, { first: a, last: a + 1 });
        run.remargin(ctx.kernels(), a, ctx.out);
        ctx.restatus(a, a + 1);
      },
      trial: { withChanges: (a, changes) => whatIf.whatIf(a, changes) },
      optimize: { requirementModel: (a, instruments, which) => varRequirementModel(ctx, run, a, instruments, which) },
      pools: {
        unionMargin(unions) {
          // equity by the rule-based kernel's twin, then the requirement as require() writes it, and the status
          const figures = equity.unions(columns(), unions);
          const req = run.unionRequirements(ctx.kernels(), unions, figures.map((f) => f.grossNotional));
          if (!req) return undefined;
          figures.forEach((f, r) => {
            f.im = req[r];
            f.mm = params.mmFactor * req[r];
            f.status = statusOf(f.equity, f.equityIm, f.equityMm, f.im, f.mm);
          });
          return figures;
        },
      },
      // Nothing of the market is kept from prepare (factors, Greeks, Σ and scenarios are the run's), so a move
      // is a run on the changed columns: no new prepare.
      live: { marketMoved: runAll, everyAccount: true },
      errorOf: (a) => run.errorOf(a),
      explain: (row, a) => (row.var = run.explain(a, ctx.out.gross.array)),
      release: () => run.release(),
      scale: { instrumentTable: run.table(() => ctx.kernels()) },
    };
  },
  // the simulation models' risk array (instruments + assets × scenarios) is their per-instrument work
  splitsInstrumentWork: (section) => {
    const model = typeof section === 'object' && section !== null ? (section as { model?: unknown }).model : undefined;
    return model === 'monte-carlo' || model === 'historical';
  },
};
