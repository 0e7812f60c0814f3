/**
 * VaR / ES margin as a method: the account's loss quantile (or expected shortfall) over the horizon from the
 * market's vols and correlation, by delta-normal, delta-gamma, Monte Carlo or historical simulation, floored
 * (docs/var-margin.md).
 */
import type { MarginMethodPlugin } from '../method.js';
import type { VarParams } from './params.js';
import { VarRun } from './run.js';
import { requireCorrelationMatrix } from '../../model/validate-market.js';
import { checkVarParams, usesMarketCorrelation } from './validate.js';
import './types.js';

export const varMethod: MarginMethodPlugin<VarParams> = {
  name: 'var',
  description: 'VaR / ES over the correlation matrix: delta-normal, delta-gamma, Monte Carlo or historical',
  section: 'var',
  validateParams: (section, problems) => checkVarParams(section, problems),
  prepare(ctx, params) {
    if (usesMarketCorrelation(params)) requireCorrelationMatrix(ctx.snapshot, 'the var method');
    const run = new VarRun(ctx.layout, ctx.market, params, ctx.allocator, ctx.breakdown);
    return {
      run() {
        ctx.ruleBased(0);
        run.run(ctx.kernels(), ctx.out);
        ctx.restatus();
      },
      remargin(a) {
        ctx.ruleBased(0, { first: a, last: a + 1 });
        run.remargin(ctx.kernels(), a, ctx.out);
        ctx.restatus(a, a + 1);
      },
      errorOf: (a) => run.errorOf(a),
      explain: (row, a) => (row.var = run.explain(a, ctx.out.gross.array)),
      release: () => run.release(),
    };
  },
};
