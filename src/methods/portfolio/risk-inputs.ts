/** The portfolio run's per-instrument risk-array inputs and per-account add-on totals, filled at prepare. */
import type { RiskArrayColumns } from '../../kernels/js/scenario/risk-arrays.js';
import { KIND_LINEAR, KIND_OPTION as RA_OPTION } from '../../kernels/js/scenario/risk-arrays.js';
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_OPTION } from '../../layout/codes.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { AddOnPlan, ratesOf } from './add-on-plan.js';
import type { PortfolioRule } from './params.js';
import { volScaleOf } from './scenarios.js';
import type { SettledRows } from './settled-rows.js';

/*
 * The constructor's loops over instruments and accounts, each alone in its own function: inlined into the constructor
 * they would be optimized together with the code after them and deoptimized at the loop's end on every call.
 */

/** The risk-array inputs of the instruments' rows (`v`: fresh views); returns the option rows. */
export function instrumentRows(v: RiskArrayColumns, layout: BookLayout, market: MarketLayout, rules: readonly PortfolioRule[], marks: Float64Array, n: number, settled: SettledRows): number[] {
  const ins = layout.instruments;
  const kind = ins.kind.array, underlying = ins.underlying.array;
  const options: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = underlying[i];
    v.underlying[i] = u;
    if (kind[i] === KIND_OPTION) {
      options.push(i);
      v.kind[i] = RA_OPTION;
      v.isCall[i] = ins.isCall.array[i];
      v.strike[i] = ins.strike.array[i];
      v.expiryYears[i] = market.expiryYears.array[i];
      v.vol[i] = market.impliedVol.array[i];
      v.volScale[i] = volScaleOf(rules[u], market.expiryYears.array[i]);
    } else {
      v.kind[i] = KIND_LINEAR;
      v.baseValue[i] = settled.isInverse(i) ? -marks[i] : marks[i]; // an inverse contract: 1/F, coin per USD of face
    }
  }
  return options;
}

/** Every live account's add-ons priced on this market (add-on-plan.ts `total`). */
export function addOnTotals(into: Float64Array, plan: AddOnPlan, live: Uint8Array, accounts: number, rates: ReturnType<typeof ratesOf>, price: Float64Array, marks: Float64Array): void {
  for (let a = 0; a < accounts; a++) if (live[a] !== 0) into[a] = plan.total(a, rates, price, marks);
}
