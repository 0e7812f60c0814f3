import type { BackendName } from '../kernels/backend-name.js';
import { type MarginColumns, weighted } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { type MarginOutputs, marginColumnMap, marginViews } from './outputs.js';
import type { ParamLayout } from './param-layout.js';
import type { AccountMargin, CollateralMargin, MarginMethod, MarginReport, MarginTotals, PositionMargin, ProfileTag } from './report.js';
import { STATUS, STATUS_ERROR } from './status.js';
import { pooledStatusReason } from './status-reason.js';

export interface ReportInputs {
  layout: BookLayout;
  market: MarketLayout;
  params: ParamLayout;
  out: MarginOutputs;
  methodName: MarginMethod;
  /** The methodology profile the run's method and params came from, if any (src/profiles/). */
  profile?: ProfileTag;
  backend: BackendName;
  breakdown: boolean;
  /** What the method adds: its error reasons and, with breakdown, its explain. */
  method: MethodReporting;
  /** Each account's master by layout index (absent: no account has one), for the rows' `master`. */
  masters?: readonly (string | undefined)[];
}

/** What a method adds to the report rows (src/methods/method.ts: a prepared run implements it). */
export interface MethodReporting {
  /** Why account a has status `error`, when the method knows (else the generic reason). */
  errorOf(a: number): string | undefined;
  /** With breakdown: adds the method's explain to the row, e.g. `row.var`, or the isolated allocation of each position row. */
  explain(row: AccountMargin, a: number): void;
  /** Why account a has its status, when the method's rule is not the pooled one (e.g. isolated: the worst position). */
  statusReason?(a: number): string | undefined;
}

/** Turns the kernels' output columns into the report (and, with breakdown, the per-row detail). */
export function buildReport(r: ReportInputs): MarginReport {
  const { layout } = r;
  const c = marginViews(marginColumnMap(layout, r.market, r.params, r.out));
  const accounts: AccountMargin[] = [];
  for (let a = 0; a < layout.accountCount; a++) if (layout.accountIds[a] !== null && c.live[a] !== 0) accounts.push(rowOf(r, c, a));
  return { method: r.methodName, ...(r.profile ? { profile: r.profile } : {}), valuationTime: r.market.valuationTime, backend: r.backend, accounts, totals: totalsOf(layout, c) };
}

/** The report's totals alone, from the columns (no rows built): what callers that need only the totals ask for. */
export function buildTotals(r: ReportInputs): MarginTotals {
  return totalsOf(r.layout, marginViews(marginColumnMap(r.layout, r.market, r.params, r.out)));
}

/** Totals over the live accounts in book order; accounts in status error count in byStatus only. */
function totalsOf(layout: BookLayout, c: MarginColumns): MarginTotals {
  const byStatus = Object.fromEntries(STATUS.map((s) => [s, 0])) as MarginTotals['byStatus'];
  const totals: MarginTotals = { accounts: 0, byStatus, equity: 0, im: 0, mm: 0, grossNotional: 0, efficiency: 0 };
  let grossWithIm = 0; // Σ gross notional of accounts with IM > 0: totals.efficiency's numerator
  for (let a = 0; a < layout.accountCount; a++) {
    if (layout.accountIds[a] === null || c.live[a] === 0) continue;
    totals.accounts++;
    byStatus[STATUS[c.status[a]]]++;
    if (c.status[a] !== STATUS_ERROR) {
      totals.equity += c.equity[a];
      totals.im += c.im[a];
      totals.mm += c.mm[a];
      totals.grossNotional += c.gross[a];
      if (c.im[a] > 0) grossWithIm += c.gross[a];
    }
  }
  totals.efficiency = totals.im > 0 ? grossWithIm / totals.im : Infinity;
  return totals;
}

/** The report row of live account a alone (what {@link buildReport} lists for it). */
export function accountRow(r: ReportInputs, a: number): AccountMargin {
  return rowOf(r, marginViews(marginColumnMap(r.layout, r.market, r.params, r.out)), a);
}

function rowOf(r: ReportInputs, c: MarginColumns, a: number): AccountMargin {
  const master = r.masters?.[a];
  const row = master === undefined ? plainRow(r, c, a) : subaccountRow(r, c, a, master);
  if (c.cashUsd[a] !== 0) row.cashUsd = c.cashUsd[a];
  row.statusReason = r.method.statusReason?.(a) ?? pooledStatusReason(row.status, row);
  if (c.status[a] === STATUS_ERROR) {
    row.error = r.method.errorOf(a) ?? 'a requirement or equity is not finite: a quantity, amount or price is too large for double precision';
  }
  if (r.breakdown) {
    row.positions = positionRows(r.layout, c, a);
    row.collateral = collateralRows(r.layout, c, a);
    r.method.explain(row, a);
  }
  return row;
}

/** A subaccount's row: `master` in the literal (set afterwards on 10⁵ rows, it would cost a property store each). */
function subaccountRow(r: ReportInputs, c: MarginColumns, a: number, master: string): AccountMargin {
  return {
    id: r.layout.accountIds[a] as string,
    master,
    status: STATUS[c.status[a]],
    statusReason: '', // set by rowOf, from the figures
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
}

function plainRow(r: ReportInputs, c: MarginColumns, a: number): AccountMargin {
  return {
    id: r.layout.accountIds[a] as string,
    status: STATUS[c.status[a]],
    statusReason: '', // set by rowOf, from the figures
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
}

function positionRows(layout: BookLayout, c: MarginColumns, a: number): PositionMargin[] {
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

/** equityMm / mm; with no maintenance margin, +∞ while equityMm ≥ 0 and −∞ below (a borrowing-only account underwater). */
function healthOf(equityMm: number, mm: number): number {
  if (mm > 0) return equityMm / mm;
  return equityMm >= 0 ? Infinity : -Infinity;
}
