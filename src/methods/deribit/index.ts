/**
 * Deribit's 2024 portfolio margin model as a method (docs/profiles.md, "Deribit"): the portfolio run's grid and
 * extended table per currency pair, in each account's margin currency, with the extended dampener, the roll shock and
 * the delta shock (run.ts). The `deribit` profile (src/profiles/deribit.ts) runs it with Deribit's published values.
 */
import type { MarginMethodPlugin } from '../method.js';
import { afterRuleBased } from '../after-rule-based.js';
import { deribitSchema } from './schema.js';
import { checkDeribitParams, type DeribitParams } from './params.js';
import { type DeribitExplain, DeribitRun } from './run.js';
import { SPLIT_MIN_INSTRUMENTS } from '../engines/scenario-grid/run.js';

export type { DeribitExplain };

export const deribitMethod: MarginMethodPlugin<DeribitParams> = {
  name: 'deribit',
  description: "Deribit's 2024 portfolio margin: ±range grid × vol shocks by term, dampened extended table, roll and delta shocks, in each account's currency",
  section: 'deribit',
  assetKeys: { keyed: ['pairs', 'currencies'], named: ['stableAssets'] },
  calibration: {
    target: 'Deribit\'s 2024 portfolio margin model at its BTC values: the worst loss over spot ±16% (9 moves) × vol up 50% / down 25%, dampened extended moves from -66% to +500%, plus roll and delta shocks; MM 80% of IM',
    source: 'Deribit `private/pme/simulate` model_params (API reference example, 2024-06-17; docs/profiles.md, "Deribit")',
  },
  needs: { capabilities: ['scenario-grid'] },
  schema: deribitSchema,
  coinMargin: true,
  validateParams: (section, problems) => checkDeribitParams(section, problems),
  prepare(ctx, params) {
    const run = DeribitRun.prepare(ctx.layout, ctx.market, params, ctx.allocator, ctx.out.value, ctx.heap, ctx.kernels());
    const steps = afterRuleBased(ctx, run);
    return {
      run: steps.run,
      remargin: steps.remargin,
      liquidation: { remarginList: steps.remarginList },
      errorOf: () => 'a scenario P&L, shock, requirement or equity is not finite: a quantity, amount or price is too large for double precision',
      explain: (row, a) => (row.deribit = run.explain(a)),
      release: () => run.release(),
      scale: { instrumentTable: run.portfolio.table(() => ctx.kernels()) },
    };
  },
  splitsInstrumentWork: (_section, instruments) => instruments >= SPLIT_MIN_INSTRUMENTS,
};

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** Deribit's 2024 portfolio margin model (docs/profiles.md). */
    deribit: DeribitParams;
  }
  interface AccountMargin {
    /** Method `deribit` with breakdown: worst case per underlying, roll and delta shocks, in the account's currency. */
    deribit?: DeribitExplain | undefined;
  }
}
