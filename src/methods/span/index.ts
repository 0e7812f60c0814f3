/**
 * CME SPAN as a margin method: 16-scenario risk arrays per combined commodity (an underlying asset), Black-76 full
 * revaluation, composite deltas, intra-commodity spread charges by tier, inter-commodity spread credits, the short
 * option minimum; MM = the SPAN requirement, IM = initialToMaintenance × MM (docs/span-margin.md). What-if and market
 * moves use the session's defaults (re-margin, re-prepare), which give a fresh run's bits.
 */
import type { MarginMethodPlugin } from '../method.js';
import { afterRuleBased } from '../after-rule-based.js';
import { spanSchema } from './schema.js';
import type { SpanParams } from './params.js';
import { SpanRun } from './run.js';
import { checkSpanParams } from './validate.js';
import './types.js';

export const spanMethod: MarginMethodPlugin<SpanParams> = {
  name: 'span',
  description: 'CME SPAN: 16-scenario risk arrays per commodity, calendar spread charges, inter-commodity credits, short option minimum',
  section: 'span',
  assetKeys: { keyed: ['commodities'], named: ['interSpreads[].legs[].commodity', 'scanSpreads[].legs[].commodity'] },
  calibration: {
    target: 'CME SPAN: 16 risk-array scenarios over a price scan range of 10% of the price and a vol scan range of 25% of each implied vol',
    source: 'CME SPAN methodology (risk arrays, spreads, short option minimum); the scan ranges are margin-core\'s (CME sets them per product)',
  },
  schema: spanSchema,
  validateParams: (section, problems) => checkSpanParams(section, problems),
  prepare(ctx, params) {
    const run = new SpanRun(ctx.layout, ctx.market, params, ctx.allocator);
    const steps = afterRuleBased(ctx, run);
    return {
      run: steps.run,
      remargin: steps.remargin,
      errorOf: () => 'a SPAN scenario loss is not finite: a quantity, amount or price is too large for double precision',
      explain: (row, a) => (row.span = run.explain(a, ctx.out)),
      release: () => run.release(),
    };
  },
};
