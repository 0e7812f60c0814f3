/**
 * The liquidation price an explain shows for rule-based margin: for an account whose positions all sit on one
 * underlying, where moving that underlying alone brings equity for MM down to MM.
 */
import { bsmGreeksJs } from '../../kernels/js/bsm.js';
import { KIND_OPTION_CODE, type MarginColumns, marginAccounts, prepareInstruments } from '../../kernels/js/margin.js';
import type { BookLayout } from '../../layout/book-layout.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { AccountMargin } from '../../margin/report.js';

/**
 * For an account whose positions all sit on one underlying U, the prices of U (nearest below and
 * above the current one) at which equityMm = mm, moving U alone: linear marks scale with U, options
 * are revalued at the new spot, balances of U are revalued with their haircuts. Found by scanning a
 * geometric grid (×0.99 steps, to 1/1000 and 1000× the price) for a sign change, then bisecting.
 */
export function liquidationPrice(layout: BookLayout, market: MarketLayout, c: MarginColumns, a: number): AccountMargin['liquidationPrice'] | undefined {
  if (c.posStart[a] === c.posEnd[a]) return undefined;
  const u = c.underlying[c.posInstrument[c.posStart[a]]];
  for (let p = c.posStart[a]; p < c.posEnd[a]; p++) if (c.underlying[c.posInstrument[p]] !== u) return undefined;
  // The search margins the account in cross mode into the shared output columns: keep what the run wrote there
  // (an isolated run's status and allocations included), so a report can be built again from them.
  const saved = ACCOUNT_OUTPUTS.map((k) => c[k][a]);
  const p0 = c.posStart[a], p1 = c.posEnd[a];
  const savedPositions = POSITION_OUTPUTS.map((k) => c[k].slice(p0, p1));
  const spot = c.price[u];
  const price = Float64Array.from(c.price);
  const value = Float64Array.from(c.value);
  // Own copies of what the search changes: prices, values and the instrument terms derived from them.
  const trial: MarginColumns = { ...c, price, value, instrumentTerms: Float64Array.from(c.instrumentTerms) };
  const held = new Set<number>();
  for (let p = c.posStart[a]; p < c.posEnd[a]; p++) held.add(c.posInstrument[p]);
  const surplus = (s: number): number => {
    price[u] = s;
    for (const i of held) {
      if (c.kind[i] !== KIND_OPTION_CODE) value[i] = (c.value[i] * s) / spot;
      else value[i] = optionValue(market, c, i, s);
      prepareInstruments(trial, i, i + 1);
    }
    marginAccounts(trial, a, a + 1, false, false);
    return trial.equityMm[a] - trial.mm[a];
  };
  const here = surplus(spot);
  const search = (step: number, limit: number): number | null => {
    let s0 = spot;
    let f0 = here;
    for (let s1 = spot * step; step < 1 ? s1 >= spot * limit : s1 <= spot * limit; s1 *= step) {
      const f1 = surplus(s1);
      if (f0 > 0 !== f1 > 0) {
        let lo = s0, hi = s1, flo = f0;
        for (let k = 0; k < 60; k++) {
          const mid = 0.5 * (lo + hi);
          const fm = surplus(mid);
          if (fm > 0 === flo > 0) [lo, flo] = [mid, fm];
          else hi = mid;
        }
        return 0.5 * (lo + hi);
      }
      [s0, f0] = [s1, f1];
    }
    return null;
  };
  const result = { underlying: layout.assets[u], below: search(0.99, 1e-3), above: search(1 / 0.99, 1e3) };
  ACCOUNT_OUTPUTS.forEach((k, j) => (c[k][a] = saved[j]));
  POSITION_OUTPUTS.forEach((k, j) => c[k].set(savedPositions[j], p0));
  return result;
}

const ACCOUNT_OUTPUTS = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'gross', 'collateralValue', 'status'] as const;
const POSITION_OUTPUTS = ['posIm', 'posMm', 'posMtm', 'posNotional', 'posAlloc', 'posStatus'] as const;

function optionValue(market: MarketLayout, c: MarginColumns, i: number, spot: number): number {
  const u = c.underlying[i];
  const one = (x: number) => Float64Array.of(x);
  const out = { price: one(0), delta: one(0), gamma: one(0), vega: one(0), theta: one(0), rho: one(0) };
  bsmGreeksJs(
    {
      isCall: Uint8Array.of(c.isCall[i]), spot: one(spot), strike: one(c.strike[i]), expiryYears: one(market.expiryYears.array[i]),
      vol: one(market.impliedVol.array[i]), rate: one(market.rate.array[u]), carry: one(market.carry.array[u]), ...out,
    },
    0,
    1,
  );
  return out.price[0];
}
