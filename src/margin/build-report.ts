import type { BackendName } from '../engine.js';
import { bsmGreeksJs } from '../kernels/js/bsm.js';
import { KIND_OPTION_CODE, type MarginColumns, marginAccounts, prepareInstruments, weighted } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { MarginOutputs, marginColumnMap, marginViews } from './buffers.js';
import type { ParamLayout } from './param-layout.js';
import type { AccountMargin, CollateralMargin, MarginMethod, MarginReport, MarginTotals, PositionMargin } from './report.js';
import { STATUS, STATUS_ERROR } from './status.js';

interface ReportInputs {
  layout: BookLayout;
  market: MarketLayout;
  params: ParamLayout;
  out: MarginOutputs;
  method: MarginMethod;
  backend: BackendName;
  breakdown: boolean;
  /** A method that brings its own requirements (not rule-based): its error reasons and explain. */
  hook?: MethodHook;
}

/** What a non-rule-based method adds to the report. */
export interface MethodHook {
  /** Why account a has status `error`, when the method knows (else the generic reason). */
  errorOf(a: number): string | undefined;
  /** With breakdown: attach the method's explain to the row (e.g. `row.var`). */
  attach(row: AccountMargin, a: number): void;
}

/** Turns the kernels' output columns into the report (and, with breakdown, the per-row detail). */
export function buildReport(r: ReportInputs): MarginReport {
  const { layout, out } = r;
  const c = marginViews(marginColumnMap(layout, r.market, r.params, out));
  const byStatus = Object.fromEntries(STATUS.map((s) => [s, 0])) as MarginTotals['byStatus'];
  const totals: MarginTotals = { accounts: 0, byStatus, equity: 0, im: 0, mm: 0, grossNotional: 0, efficiency: 0 };
  const accounts: AccountMargin[] = [];
  let grossWithIm = 0; // Σ gross notional of accounts with IM > 0: totals.efficiency's numerator
  for (let a = 0; a < layout.accountCount; a++) {
    const id = layout.accountIds[a];
    if (id === null || c.live[a] === 0) continue;
    const status = STATUS[c.status[a]];
    const row: AccountMargin = {
      id,
      status,
      equity: c.equity[a],
      equityIm: c.equityIm[a],
      equityMm: c.equityMm[a],
      im: c.im[a],
      mm: c.mm[a],
      health: healthOf(c.equityMm[a], c.mm[a]),
      excessOverMm: c.equityMm[a] - c.mm[a],
      grossNotional: c.gross[a],
      efficiency: c.im[a] > 0 ? c.gross[a] / c.im[a] : Infinity,
      collateralValue: c.collateralValue[a],
    };
    if (c.cashUsd[a] !== 0) row.cashUsd = c.cashUsd[a];
    if (c.status[a] === STATUS_ERROR) {
      row.error = r.hook?.errorOf(a) ?? 'a requirement or equity is not finite: a quantity, amount or price is too large for double precision';
    }
    if (r.breakdown) {
      row.positions = positionRows(layout, c, a, r.method === 'isolated');
      row.collateral = collateralRows(layout, c, a);
      // Liquidation prices re-run the rule-based kernel: meaningless for a method with its own requirements.
      const liquidation = r.hook ? undefined : liquidationPrice(layout, r.market, c, a);
      if (liquidation) row.liquidationPrice = liquidation;
      r.hook?.attach(row, a);
    }
    accounts.push(row);
    totals.accounts++;
    byStatus[status]++;
    if (c.status[a] !== STATUS_ERROR) {
      totals.equity += row.equity;
      totals.im += row.im;
      totals.mm += row.mm;
      totals.grossNotional += row.grossNotional;
      if (row.im > 0) grossWithIm += row.grossNotional;
    }
  }
  totals.efficiency = totals.im > 0 ? grossWithIm / totals.im : Infinity;
  return { method: r.method, valuationTime: r.market.valuationTime, backend: r.backend, accounts, totals };
}

function positionRows(layout: BookLayout, c: MarginColumns, a: number, isolated: boolean): PositionMargin[] {
  const rows: PositionMargin[] = [];
  for (let p = c.posStart[a]; p < c.posEnd[a]; p++) {
    const row: PositionMargin = {
      instrument: layout.instruments.ids[c.posInstrument[p]],
      quantity: c.quantity[p],
      notional: c.posNotional[p],
      markToMarket: c.posMtm[p],
      im: c.posIm[p],
      mm: c.posMm[p],
    };
    if (isolated) {
      row.allocated = c.posAlloc[p];
      row.status = STATUS[c.posStatus[p]];
    }
    rows.push(row);
  }
  return rows;
}

function collateralRows(layout: BookLayout, c: MarginColumns, a: number): CollateralMargin[] {
  const rows: CollateralMargin[] = [];
  for (let k = c.colStart[a]; k < c.colEnd[a]; k++) {
    const asset = c.colAsset[k];
    const value = c.amount[k] * c.price[asset];
    rows.push({
      asset: layout.assets[asset],
      amount: c.amount[k],
      value,
      imValue: weighted(c, asset, value, c.hairCumIm, c.hairIm, c.liabIm[asset]),
      mmValue: weighted(c, asset, value, c.hairCumMm, c.hairMm, c.liabMm[asset]),
    });
  }
  return rows;
}

/**
 * For an account whose positions all sit on one underlying U, the prices of U (nearest below and
 * above the current one) at which equityMm = mm, moving U alone: linear marks scale with U, options
 * are revalued at the new spot, balances of U are revalued with their haircuts. Found by scanning a
 * geometric grid (×0.99 steps, to 1/1000 and 1000× the price) for a sign change, then bisecting.
 */
function liquidationPrice(layout: BookLayout, market: MarketLayout, c: MarginColumns, a: number): AccountMargin['liquidationPrice'] | undefined {
  if (c.posStart[a] === c.posEnd[a]) return undefined;
  const u = c.underlying[c.posInstrument[c.posStart[a]]];
  for (let p = c.posStart[a]; p < c.posEnd[a]; p++) if (c.underlying[c.posInstrument[p]] !== u) return undefined;
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
  // Leave the shared output columns as the kernels wrote them for this account.
  surplus(spot);
  return result;
}

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

/** equityMm / mm; with no maintenance margin, +∞ while equityMm ≥ 0 and −∞ below (a borrowing-only account underwater). */
function healthOf(equityMm: number, mm: number): number {
  if (mm > 0) return equityMm / mm;
  return equityMm >= 0 ? Infinity : -Infinity;
}
