/** The portfolio run's per-instrument risk-array inputs and per-account add-on totals, filled at prepare. */
import type { RiskArrayColumns } from '../../../kernels/js/scenario/risk-arrays.js';
import { KIND_LINEAR, KIND_OPTION as RA_OPTION } from '../../../kernels/js/scenario/risk-arrays.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import { KIND_OPTION } from '../../../layout/codes.js';
import type { MarketLayout } from '../../../layout/market-layout.js';
import type { PortfolioRule } from './params.js';
import { padScenarioRow, type Scenario, volScaleOf } from './scenarios.js';
import type { SettledRows } from './settled-rows.js';

// The constructor's loops over instruments and accounts, each a function of its own.
// perf: loop-alone (docs/performance.md)

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

/** The risk-array inputs per asset (spot, rate, carry, vol floor) and the linear row of each exposed asset's balance. */
export function assetRows(v: RiskArrayColumns, market: MarketLayout, rules: readonly PortfolioRule[], assetRow: Int32Array): void {
  for (let u = 0; u < rules.length; u++) {
    v.spot[u] = market.price.array[u];
    v.rate[u] = market.rate.array[u];
    v.carry[u] = market.carry.array[u];
    v.volFloor[u] = rules[u].volFloor;
    if (assetRow[u] >= 0) {
      const row = assetRow[u];
      v.kind[row] = KIND_LINEAR;
      v.underlying[row] = u;
      v.baseValue[row] = market.price.array[u];
    }
  }
}

/** Each asset's scenarios as rows of S kernel scenarios (spot move, vol shock, weight), padded after the nS real ones. */
export function scenarioColumns(scenarios: readonly Scenario[][], spotMove: Float64Array, volShock: Float64Array, weight: Float64Array, S: number, nS: number): void {
  for (let u = 0; u < scenarios.length; u++) {
    scenarios[u].forEach((sc, s) => {
      spotMove[u * S + s] = sc.spotMove;
      volShock[u * S + s] = sc.volShockValue;
      weight[u * S + s] = sc.weight;
    });
    for (const row of [spotMove, volShock, weight]) padScenarioRow(row.subarray(u * S, (u + 1) * S), nS);
  }
}

/**
 * A market move's risk-array inputs of the touched underlyings (spot, rate, carry, implied vols, linear rows' base
 * values at their mark): appends the rows to recompute to `rows` and the options to re-price to `options`.
 */
export function touchedInputs(v: RiskArrayColumns, layout: BookLayout, market: MarketLayout, marks: Float64Array, settled: SettledRows, assetRow: Int32Array, touched: Uint8Array, rows: number[], options: number[]): void {
  const ins = layout.instruments, U = layout.assets.length;
  const underlying = ins.underlying.array, kind = ins.kind.array;
  const price = market.price.array, rate = market.rate.array, carry = market.carry.array;
  const impliedVol = market.impliedVol.array;
  for (let i = 0; i < ins.count; i++) {
    if (!touched[underlying[i]]) continue;
    rows.push(i);
    if (kind[i] === KIND_OPTION) {
      v.vol[i] = impliedVol[i];
      options.push(i);
    } else v.baseValue[i] = settled.isInverse(i) ? -marks[i] : marks[i];
  }
  for (let u = 0; u < U; u++) {
    if (!touched[u]) continue;
    v.spot[u] = price[u];
    v.rate[u] = rate[u];
    v.carry[u] = carry[u];
    if (assetRow[u] >= 0) {
      v.baseValue[assetRow[u]] = price[u];
      rows.push(assetRow[u]);
    }
  }
}
