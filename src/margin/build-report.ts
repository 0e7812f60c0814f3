import type { BackendName } from '../kernels/backend-name.js';
import { type MarginColumns, weighted } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import { usdPerUnitOf } from '../layout/coin-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { type MarginOutputs, marginColumnMap, marginViews } from './outputs.js';
import type { ParamLayout } from './param-layout.js';
import type { AccountMargin, CollateralMargin, MarginMethod, MarginReport, MarginTotals, PositionMargin, ProfileTag } from './report.js';
import { type FigureModel, figureModel, withDerived } from './figure-model.js';
import { STATUS, STATUS_ERROR } from './status.js';
import { addAccount, columnSums, newTotalSums, totalsOfSums, type TotalSums } from './exact-totals.js';
import type { MarginKernels } from '../kernels/backend.js';
import { pooledStatusReason } from './status-reason.js';
import { compactBytes, compactColumns, joinedReasons, type LentRows, reportWithSummaryRows, type RowBlock, type SummaryRows } from './summary-rows.js';
import { withCurrency } from './currency-view.js';

export interface ReportInputs {
  layout: BookLayout;
  market: MarketLayout;
  params: ParamLayout;
  out: MarginOutputs;
  methodName: MarginMethod;
  /** The methodology profile the run's method and params came from, if any (src/profiles/). */
  profile?: ProfileTag | undefined;
  backend: BackendName;
  breakdown: boolean;
  /** What the method adds: its error reasons and, with breakdown, its explain. */
  method: MethodReporting;
  /** Each account's master by layout index (absent: no account has one), for the rows' `master`. */
  masters?: readonly (string | undefined)[] | undefined;
  /**
   * Accounts the run set aside (not live while it lasts: coin-margined accounts under a USD-only method), by layout
   * index, with why: each is a row in status error, its figures not computed (NaN).
   */
  setAside?: ReadonlyMap<number, string> | undefined;
  /** The kernels that sum the totals (absent: the JS twin; the same bits). */
  kernels?: (() => MarginKernels) | undefined;
}

/** What a method adds to the report rows (src/methods/method.ts: a prepared run implements it). */
export interface MethodReporting {
  /** Why account a has status `error`, when the method knows (else the generic reason). */
  errorOf(a: number): string | undefined;
  /** With breakdown: adds the method's explain to the row, e.g. `row.var`, or the isolated allocation of each position row. */
  explain(row: AccountMargin, a: number): void;
  /** Why account a has its status, when the method's rule is not the pooled one (e.g. isolated: the worst position); never empty. */
  statusReason?(a: number): string | undefined;
}

/**
 * Turns the kernels' output columns into the report (and, with breakdown, the per-row detail). Summary rows (no
 * breakdown; a subaccount's row carries its master) are copied out as columns and built into row objects when `report.accounts` is first read
 * (summary-rows.ts); the totals are summed here, from the kernels' columns. `into`: an earlier report's summary rows of
 * the same accounts (session.marginInto), whose columns and ids the new report's rows are written into when they fit.
 */
export function buildReport(r: ReportInputs, into?: LentRows): MarginReport {
  const { layout } = r;
  const c = marginViews(marginColumnMap(layout, r.market, r.params, r.out));
  const head = { method: r.methodName, ...(r.profile ? { profile: r.profile } : {}), valuationTime: r.market.valuationTime, backend: r.backend };
  if (!r.breakdown) {
    const reused = into !== undefined && into.block.count === liveRows(layout.accountIds, c.live, layout.accountCount, r.setAside) ? into : undefined;
    reused?.lend(); // before its columns are written: the earlier report no longer reads them
    const columns = buildSummaryColumns(r, 0, Infinity, undefined, reused?.block);
    const ids = reused !== undefined && sameIds(reused.rows.ids, layout.accountIds, c.live, layout.accountCount, r.setAside)
      ? reused.rows.ids as string[]
      : rowIds(layout.accountIds, c.live, layout.accountCount, r.setAside);
    const rows = summaryRowsOf(columns, ids);
    // every account a row, in layout order: the ids' bytes as read are the rows' (a writer's id column: IdText)
    if (layout.idText !== undefined && ids.length === layout.accountCount) rows.idText = layout.idText;
    if (r.masters) rows.masters = mastersByRow(layout, c, r.masters, ids.length);
    const sums = buildTotalSums(r);
    return reportWithSummaryRows(head, rows, totalsOfSums(sums), sums);
  }
  const accounts: AccountMargin[] = [];
  for (let a = 0; a < layout.accountCount; a++) {
    if (layout.accountIds[a] === null) continue;
    if (c.live[a] !== 0) accounts.push(rowOf(r, c, a));
    else if (r.setAside?.has(a)) accounts.push(setAsideRow(r, a));
  }
  return { ...head, accounts, totals: buildTotals(r) };
}

/**
 * The row of an account the run set aside: status error, why, no figure (NaN: null in JSON; the derived ones from
 * those by the report's own functions, as a compact block of rows derives them). It keeps the account's identity, as
 * any error row does: its master and its margin currency (with the USD view's price, its figures none).
 */
function setAsideRow(r: ReportInputs, a: number): AccountMargin {
  const reason = r.setAside!.get(a)!;
  const model = figureModel();
  const figures = withDerived(model.derived, new Float64Array(model.names.length).fill(NaN));
  const row = model.row(r.layout.accountIds[a] as string, r.masters?.[a], 'error', figures, 1, 0);
  if (r.layout.marginAsset.array[a] >= 0) withCurrency(row, r.layout.marginCurrencyOf(a), usdPerUnitOf(r.layout.marginAsset.array, r.market.price.array, a));
  row.error = reason;
  // the reason of every row in status error (the why is in `error`), as the summary rows state it
  row.statusReason = pooledStatusReason('error', row);
  return row;
}

/** USD per unit of account a's margin currency (coin-layout.ts usdPerUnitOf), at the run's market. */
function usdPerUnit(layout: BookLayout, c: MarginColumns, a: number): number {
  return usdPerUnitOf(layout.marginAsset.array, c.price, a);
}

/**
 * Each row's master (rows: the live accounts in layout order), from the masters by layout index: that same array when
 * every layout slot is a row (a book as opened, nothing removed).
 */
function mastersByRow(layout: BookLayout, c: MarginColumns, masters: readonly (string | undefined)[], rows: number): readonly (string | undefined)[] {
  if (rows === layout.accountCount && masters.length === rows) return masters;
  const byRow: (string | undefined)[] = [];
  for (let a = 0; a < layout.accountCount; a++) if (layout.accountIds[a] !== null && c.live[a] !== 0) byRow.push(masters[a]);
  return byRow;
}

/** Summary rows over columns built by {@link buildSummaryColumns} for the accounts `ids` (in row order). */
export function summaryRowsOf(columns: SummaryColumns, ids: readonly string[]): SummaryRows {
  const { count, figures, cashUsd, hasCash, status, reasons, reasonEnds } = columns;
  if (ids.length !== count) throw new Error(`margin-core: ${ids.length} ids for ${count} summary rows`);
  const rows: SummaryRows = { count, ids, blocks: [{ count, figures, cashUsd, hasCash, status, ...(columns.compact ? { compact: true } : {}) }], errors: new Map(columns.errors) };
  if (reasons !== undefined && reasonEnds !== undefined) rows.ownReason = joinedReasons(reasons, reasonEnds);
  if (columns.currencies !== undefined) rows.currencies = new Map(columns.currencies.map(([k, currency, price]) => [k, { currency, price }]));
  return rows;
}

/** The report's totals alone, from the columns (no rows built), in USD: what callers that need only the totals ask for. */
export function buildTotals(r: ReportInputs): MarginTotals {
  return totalsOfSums(buildTotalSums(r));
}

/**
 * The exact sums behind the totals over the live accounts [first, last) (all by default), unrounded: what a shard
 * sends its coordinator to merge (src/margin/exact-totals.ts). Accounts in status error count in byStatus only, as
 * do the accounts the run set aside; a coin-margined account's figures count in USD at its coin's index.
 */
export function buildTotalSums(r: ReportInputs, first = 0, last = r.layout.accountCount): TotalSums {
  const { layout, out } = r;
  if (!hasCoinOrSetAside(r, first, last)) {
    return columnSums({ live: layout.live, status: out.status, equity: out.equity, im: out.im, mm: out.mm, gross: out.gross }, first, last, r.kernels?.());
  }
  // account by account (the sums are exact: the same bits as the kernels' in any order)
  const t = newTotalSums();
  const live = layout.live.array, margin = layout.marginAsset.array, price = r.market.price.array, status = out.status.array;
  const equity = out.equity.array, im = out.im.array, mm = out.mm.array, gross = out.gross.array;
  for (let a = first; a < last; a++) {
    if (live[a] === 0) {
      if (r.setAside?.has(a)) t.counts[STATUS_ERROR]++;
      continue;
    }
    const p = margin[a] >= 0 ? price[margin[a]] : 1;
    addAccount(t, status[a], equity[a] * p, im[a] * p, mm[a] * p, gross[a] * p);
  }
  return t;
}

/** True when accounts [first, last) hold a coin-margined account or one the run set aside. */
function hasCoinOrSetAside(r: ReportInputs, first: number, last: number): boolean {
  const margin = r.layout.marginAsset.array;
  for (let a = first; a < last; a++) if (margin[a] >= 0 || r.setAside?.has(a)) return true;
  return false;
}

/** The report row of live account a alone, or of an account the run set aside (what {@link buildReport} lists for it). */
export function accountRow(r: ReportInputs, a: number): AccountMargin {
  if (r.setAside?.has(a)) return setAsideRow(r, a);
  return rowOf(r, marginViews(marginColumnMap(r.layout, r.market, r.params, r.out)), a);
}

function rowOf(r: ReportInputs, c: MarginColumns, a: number): AccountMargin {
  const model = figureModel();
  const coin = r.layout.marginAsset.array[a] >= 0;
  const figures = accountFigures(model, c, a, coin, new Float64Array(model.names.length));
  const row = model.row(r.layout.accountIds[a] as string, r.masters?.[a], STATUS[c.status[a]], figures, 1, 0);
  // a coin-margined account: its cash is its balance of the margin asset, its collateral (in its figures above)
  if (coin) withCurrency(row, r.layout.marginCurrencyOf(a), usdPerUnit(r.layout, c, a));
  else if (c.cashUsd[a] !== 0) row.cashUsd = c.cashUsd[a];
  row.statusReason = r.method.statusReason?.(a) ?? pooledStatusReason(row.status, row, row.marginCurrency);
  if (c.status[a] === STATUS_ERROR) row.error = errorMessageOf(r, a);
  if (r.breakdown) {
    row.positions = positionRows(r.layout, c, a);
    row.collateral = collateralRows(r.layout, c, a);
    r.method.explain(row, a);
  }
  return row;
}

/**
 * Account a's figures into `v` (summary order): the stored ones from their kernel columns (a coin-margined account's
 * cash where the table says so), the derived ones from them.
 */
function accountFigures(model: FigureModel, c: MarginColumns, a: number, coin: boolean, v: Float64Array): Float64Array {
  const { columns, storedAt } = model;
  // a row in status error has no figures (docs/domain.md), whatever its columns hold
  const error = c.status[a] === STATUS_ERROR;
  for (let s = 0; s < columns.length; s++) v[storedAt[s]] = error ? NaN : c[columns[s]][a];
  if (coin && !error) for (const s of model.coinCash) v[storedAt[s]] = c.cashUsd[a];
  return withDerived(model.derived, v);
}

/** Why account a (status error) has no figures: the method's reason, else the generic one. */
function errorMessageOf(r: ReportInputs, a: number): string {
  return r.method.errorOf(a) ?? 'a requirement or equity is not finite: a quantity, amount or price is too large for double precision';
}

/**
 * The summary rows {@link buildReport} would list (no breakdown), as columns and without a row object (a row's
 * master, when it has one, is not a column: buildReport carries it beside them):
 * what a shard sends its coordinator (src/scale/packed-rows.ts) and what a summary report holds (summary-rows.ts),
 * built here so each figure and error comes from the same code as the row's. `figures` holds
 * a column of `count` per summary figure (figureModel().names), figure after figure. Status reasons are made from the figures when
 * a row is built (the pooled rule), except the method's own (isolated margin's worst position), carried in `reasons`.
 */
export interface SummaryColumns {
  count: number;
  /** A column of `count` per summary figure (figures.ts), figure after figure (`compact`: per stored figure, summary-rows.ts). */
  figures: Float64Array;
  /** True: a compact block's columns (summary-rows.ts `compactColumns`). */
  compact?: true | undefined;
  /** `cashUsd` of the rows that have one (0 where `hasCash` is 0). */
  cashUsd: Float64Array;
  /** 1 where the row has `cashUsd`. */
  hasCash: Uint8Array;
  status: Uint8Array;
  /** [row index, margin asset, USD per unit] of coin-margined rows (absent: none); their collateralValue is their cash. */
  currencies?: [number, string, number][] | undefined;
  /**
   * The method's own status reasons, one after another ({@link ReasonJoiner}): row a's is `reasons.slice(reasonEnds[a −
   * 1] ?? 0, reasonEnds[a])`, empty for a row whose reason is the pooled one (never empty otherwise). Absent when every
   * row's is pooled (every method but isolated margin).
   */
  reasons?: string | undefined;
  reasonEnds?: Uint32Array | undefined;
  /** [row index, message] of rows in status error. */
  errors: [number, string][];
}

/**
 * The summary rows as columns (see {@link SummaryColumns}), all of them or rows [from, to) of the report (row
 * indices, not layout indices); not for a breakdown.
 * `compact`: the columns of a compact block (the stored figures, no derived one: summary-rows.ts), in one buffer of
 * `compactBytes(count)` bytes: `compact.buffer` when it is given and that size (a buffer reused call after call: every
 * byte is written), else a new one.
 */
export function buildSummaryColumns(r: ReportInputs, from = 0, to = Infinity, compact?: { buffer?: ArrayBuffer | undefined }, into?: RowBlock): SummaryColumns {
  if (r.breakdown) throw new Error('margin-core: summary columns carry no breakdown');
  const { layout } = r;
  const c = marginViews(marginColumnMap(layout, r.market, r.params, r.out));
  const rows = liveRows(layout.accountIds, c.live, layout.accountCount, r.setAside);
  const first = Math.min(from, rows), n = Math.min(to, rows) - first;
  if (n < 0) throw new RangeError(`rows ${from}…${to} of ${rows}`);
  let figures: Float64Array, cashUsd: Float64Array, hasCash: Uint8Array, status: Uint8Array;
  if (compact) {
    const buffer = compact.buffer?.byteLength === compactBytes(n) ? compact.buffer : new ArrayBuffer(compactBytes(n));
    ({ figures, cashUsd, hasCash, status } = compactColumns(buffer, n));
  } else if (into !== undefined && into.compact !== true && into.count === n && into.figures.length === figureModel().names.length * n) {
    // an earlier report's columns of as many rows (session.marginInto): every entry is written below
    // perf: reuse-report (docs/performance.md)
    ({ figures, cashUsd, hasCash, status } = into);
  } else {
    figures = new Float64Array(figureModel().names.length * n);
    cashUsd = new Float64Array(n);
    hasCash = new Uint8Array(n);
    status = new Uint8Array(n);
  }
  const out: RowsOut = { figures, cashUsd, hasCash, status, errors: [], reasons: undefined, currencies: undefined };
  fillSummaryRows(r, c, first, n, compact !== undefined, out);
  return {
    count: n, figures, cashUsd, hasCash, status, ...(compact ? { compact: true } : {}), ...out.reasons?.finish(), errors: out.errors,
    ...(out.currencies ? { currencies: out.currencies } : {}),
  };
}

/** The summary rows' columns {@link fillSummaryRows} writes, and the reasons and errors it collects. */
interface RowsOut {
  figures: Float64Array;
  cashUsd: Float64Array;
  hasCash: Uint8Array;
  status: Uint8Array;
  errors: [number, string][];
  reasons: ReasonJoiner | undefined;
  currencies: [number, string, number][] | undefined;
}

/**
 * The rows' account ids in row order (live accounts and those set aside, in layout order): a copy of the layout's ids
 * when every slot is a row (a book as opened), one copy rather than a push per row.
 */
function rowIds(accountIds: readonly (string | null)[], live: Uint8Array, count: number, setAside?: ReadonlyMap<number, string>): string[] {
  const isRow = (a: number) => accountIds[a] !== null && (live[a] !== 0 || setAside?.has(a) === true);
  let a = 0;
  while (a < count && isRow(a)) a++;
  if (a === count) return accountIds.slice(0, count) as string[];
  const ids = accountIds.slice(0, a) as string[];
  for (; a < count; a++) if (isRow(a)) ids.push(accountIds[a] as string);
  return ids;
}

/**
 * True when `ids` are the rows' account ids in row order (what {@link rowIds} would copy): an earlier report's ids,
 * kept rather than copied again. perf: loop-alone (docs/performance.md)
 */
function sameIds(ids: readonly string[], accountIds: readonly (string | null)[], live: Uint8Array, count: number, setAside?: ReadonlyMap<number, string>): boolean {
  let k = 0;
  for (let a = 0; a < count; a++) {
    const id = accountIds[a];
    if (id === null || (live[a] === 0 && setAside?.has(a) !== true)) continue;
    if (ids[k++] !== id) return false;
  }
  return k === ids.length;
}

/** Live accounts of the layout and those set aside (the report's rows). perf: loop-alone (docs/performance.md) */
function liveRows(accountIds: readonly (string | null)[], live: Uint8Array, count: number, setAside?: ReadonlyMap<number, string>): number {
  let rows = 0;
  for (let a = 0; a < count; a++) if (accountIds[a] !== null && live[a] !== 0) rows++;
  return rows + (setAside?.size ?? 0);
}

/**
 * Rows [first, first + n) of the report into `out` (buildSummaryColumns).
 * perf: loop-alone (docs/performance.md)
 */
function fillSummaryRows(r: ReportInputs, c: MarginColumns, first: number, n: number, compact: boolean, out: RowsOut): void {
  const { layout } = r;
  const { cashUsd, hasCash, status, errors } = out;
  const ownReason = r.method.statusReason?.bind(r.method);
  // each row's account (−1: set aside); the figures are then copied column by column
  const account = new Int32Array(n);
  let row = -1, i = 0;
  for (let a = 0; a < layout.accountCount && i < n; a++) {
    if (layout.accountIds[a] === null || (c.live[a] === 0 && !r.setAside?.has(a)) || ++row < first) continue;
    if (c.live[a] === 0) {
      account[i] = -1;
      setAsideSummaryRow(r, a, i, out);
      i++;
      continue;
    }
    account[i] = a;
    // every entry written: a reused buffer holds the last call's
    const cash = c.cashUsd[a];
    const coin = layout.marginAsset.array[a] >= 0;
    cashUsd[i] = cash !== 0 && !coin ? cash : 0;
    hasCash[i] = cash !== 0 && !coin ? 1 : 0;
    if (coin) (out.currencies ??= []).push([i, layout.marginCurrencyOf(a), usdPerUnit(layout, c, a)]);
    status[i] = c.status[a];
    if (ownReason !== undefined) {
      // the method's own reasons, joined from the first row that has one ('' before it and for pooled rows)
      const own = ownReason(a);
      if (own !== undefined && out.reasons === undefined) {
        out.reasons = new ReasonJoiner(n);
        for (let k = 0; k < i; k++) out.reasons.add('');
      }
      out.reasons?.add(own ?? '');
    }
    if (c.status[a] === STATUS_ERROR) errors.push([i, errorMessageOf(r, a)]);
    i++;
  }
  summaryFigures(figureModel(), c, account, compact, out);
}

/**
 * The figures of rows [0, n) (row i: account `account[i]`, −1 for one set aside: no figure, NaN) into `out.figures`,
 * figure after figure: the stored ones copied from their kernel columns (a coin-margined row's cash where the table
 * says so), then, unless compact, the derived ones from them. perf: loop-alone (docs/performance.md)
 */
function summaryFigures(model: FigureModel, c: MarginColumns, account: Int32Array, compact: boolean, out: RowsOut): void {
  const { figures, currencies } = out, n = account.length;
  const { columns, storedAt } = model;
  // rows of consecutive accounts (a book as opened): each column one copy
  const first = n > 0 ? account[0] : 0, consecutive = n > 0 && first >= 0 && account[n - 1] === first + n - 1 && isConsecutive(account);
  for (let s = 0; s < columns.length; s++) {
    const at = (compact ? s : storedAt[s]) * n, from = c[columns[s]];
    if (consecutive) figures.set(from.subarray(first, first + n), at);
    else copyColumn(figures, at, from, account);
  }
  if (currencies !== undefined) {
    for (const s of model.coinCash) {
      const at = (compact ? s : storedAt[s]) * n;
      for (const [i] of currencies) figures[at + i] = account[i] >= 0 ? c.cashUsd[account[i]] : NaN; // −1: set aside, no figure
    }
  }
  // a row in status error has no figures (docs/domain.md), whatever its columns hold
  for (const [i] of out.errors) for (let s = 0; s < columns.length; s++) figures[(compact ? s : storedAt[s]) * n + i] = NaN;
  if (!compact) model.deriveRows(figures, n);
}

/** True when account[i + 1] = account[i] + 1 throughout (no row set aside, no account skipped). */
function isConsecutive(account: Int32Array): boolean {
  for (let i = 1; i < account.length; i++) if (account[i] !== account[i - 1] + 1) return false;
  return true;
}

/** into[at + i] = from[account[i]], NaN where account[i] is −1. */
function copyColumn(into: Float64Array, at: number, from: Float64Array, account: Int32Array): void {
  for (let i = 0; i < account.length; i++) {
    const a = account[i];
    into[at + i] = a >= 0 ? from[a] : NaN;
  }
}

/**
 * Summary row i of account a, set aside by the run: status error with why (its figures: NaN, summaryFigures), and its
 * margin currency, as {@link setAsideRow}.
 */
function setAsideSummaryRow(r: ReportInputs, a: number, i: number, out: RowsOut): void {
  out.cashUsd[i] = 0;
  out.hasCash[i] = 0;
  out.status[i] = STATUS_ERROR;
  const layout = r.layout;
  if (layout.marginAsset.array[a] >= 0) (out.currencies ??= []).push([i, layout.marginCurrencyOf(a), usdPerUnitOf(layout.marginAsset.array, r.market.price.array, a)]);
  out.reasons?.add('');
  out.errors.push([i, r.setAside!.get(a)!]);
}

/**
 * Strings into one string and their end offsets (UTF-16 code units), joined a few hundred at a time.
 * perf: die-young (docs/performance.md)
 */
export class ReasonJoiner {
  private readonly chunks: string[] = [];
  private pending: string[] = [];
  private readonly ends: Uint32Array;
  private count = 0;
  private end = 0;

  constructor(n: number) {
    this.ends = new Uint32Array(n);
  }

  add(reason: string): void {
    this.ends[this.count++] = this.end += reason.length;
    this.pending.push(reason);
    if (this.pending.length === 256) {
      this.chunks.push(this.pending.join(''));
      this.pending = [];
    }
  }

  finish(): { reasons: string; reasonEnds: Uint32Array } {
    if (this.count !== this.ends.length) throw new Error(`margin-core: ${this.count} status reasons for ${this.ends.length} rows`);
    this.chunks.push(this.pending.join(''));
    return { reasons: this.chunks.join(''), reasonEnds: this.ends };
  }
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
  if (layout.marginAsset.array[a] >= 0) {
    // a coin-margined account's one balance, its cash, in its own asset at full weight
    const cash = c.cashUsd[a];
    if (cash !== 0) rows.push({ asset: layout.marginCurrencyOf(a), amount: cash, value: cash, imValue: cash, mmValue: cash });
    return rows;
  }
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

