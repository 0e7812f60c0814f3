/**
 * Price scan ranges of a SPAN run, per instrument: each commodity's range (`priceScanRange`, or `priceScanRate` ×
 * price), or the range of the instrument's month when the commodity lists `monthScanRanges`. Instruments sharing an
 * asset and a range form one scan group: one "underlying" of the risk-array kernel, whose spot moves by the scenario's
 * fraction of that range, so every month moves by its own USD amount in the same direction. Also the expiry tier of
 * each instrument. Units: USD per unit of the underlying; days ACT/365.
 */
import { InputError } from '../../errors.js';
import type { BookLayout } from '../../layout/book-layout.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import { keyPath } from '../../model/checks.js';
import type { SpanCommodity, SpanParams } from './params.js';

/** Days per year (ACT/365, as every time in margin-core). */
export const DAYS_PER_YEAR = 365;

export interface ScanGroups {
  /** Per asset: the commodity's own range (the explain's priceScanRange). */
  readonly commodityRange: Float64Array;
  /** Per scan group: its asset and its range. */
  readonly asset: Int32Array;
  readonly range: Float64Array;
  /** Per instrument: its scan group, and its expiry tier (0-based) in its commodity. */
  readonly groupOf: Int32Array;
  readonly tier: Int32Array;
}

/** The first of `bounds` whose upToDays `days` does not exceed (the last when none: it is open). */
function boundIndex(bounds: readonly { upToDays: number | null }[], days: number): number {
  for (let t = 0; t < bounds.length; t++) {
    const bound = bounds[t].upToDays;
    if (bound === null || days <= bound) return t;
  }
  return bounds.length - 1;
}

/**
 * Scan groups of the run. Throws an InputError at the parameter's path when a range is at least price / extremeMove:
 * the extreme scenario (−extremeMove × the range) would take the price to zero or below.
 */
export function scanGroups(layout: BookLayout, market: MarketLayout, params: SpanParams, commodity: readonly SpanCommodity[]): ScanGroups {
  const U = layout.assets.length, n = layout.instruments.count;
  const commodityRange = new Float64Array(U);
  const firstGroup = new Int32Array(U + 1);
  const problems: { path: string; message: string }[] = [];
  const groupAsset: number[] = [], groupRange: number[] = [];
  layout.assets.forEach((symbol, u) => {
    const c = commodity[u], price = market.price.array[u];
    const key = keyPath('params.span.commodities', Object.hasOwn(params.commodities, symbol) ? symbol : 'default');
    commodityRange[u] = c.priceScanRange === null ? c.priceScanRate * price : c.priceScanRange;
    const fixed = c.monthScanRanges.length > 0
      ? c.monthScanRanges.map((m, k) => ({ range: m.priceScanRange, path: `${key}.monthScanRanges[${k}].priceScanRange` }))
      : c.priceScanRange === null ? [] : [{ range: c.priceScanRange, path: `${key}.priceScanRange` }];
    for (const f of fixed) {
      if (!(c.extremeMove * f.range < price)) {
        problems.push({
          path: f.path,
          message: `${f.range} USD is at least the ${symbol} price (${price}) / ${c.extremeMove}: the extreme scenarios (−${c.extremeMove} × the scan range) would take the price to zero or below`,
        });
      }
    }
    firstGroup[u] = groupAsset.length;
    const ranges = c.monthScanRanges.length > 0 ? c.monthScanRanges.map((m) => m.priceScanRange) : [commodityRange[u]];
    for (const r of ranges) {
      groupAsset.push(u);
      groupRange.push(r);
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  const groupOf = new Int32Array(n), tier = new Int32Array(n);
  const underlying = layout.instruments.underlying.array, expiryYears = market.expiryYears.array;
  for (let i = 0; i < n; i++) {
    const u = underlying[i], c = commodity[u];
    const days = expiryYears[i] * DAYS_PER_YEAR; // perpetuals and spot: 0
    tier[i] = boundIndex(c.tiers, days);
    groupOf[i] = firstGroup[u] + (c.monthScanRanges.length > 0 ? boundIndex(c.monthScanRanges, days) : 0);
  }
  return { commodityRange, asset: Int32Array.from(groupAsset), range: Float64Array.from(groupRange), groupOf, tier };
}
