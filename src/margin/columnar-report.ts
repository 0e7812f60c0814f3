/**
 * A margin report read as columns: each summary figure a typed array in report order (account-columns.ts, the same
 * bits as the rows), the totals and the head of the row report, and any row built alone on demand. What the CLI and
 * the Arrow and JSON writers (src/io/) read a report through: a million accounts are written without a million rows
 * held at once. The row report stays one property away (`report`); its `accounts` are built on their first read.
 */
import { describeValue } from '../errors.js';
import { type AccountColumns, accountColumns, isMarginReport } from './account-columns.js';
import type { AccountMargin, MarginReport, MarginTotals } from './report.js';
import { summaryRow, summaryRowsOfReport } from './summary-rows.js';
import { type PooledFigures, POOLED_REASON_MAX_BYTES, pooledStatusReason, writePooledReasonOf } from './status-reason.js';
import { STATUS } from './status.js';

export interface ColumnarMarginReport {
  /** The row report: method, valuation time, backend, totals and the rest as `engine.margin` returns them. */
  readonly report: MarginReport;
  /** Row k's figures, status, id and cash at index k of each column. */
  readonly columns: AccountColumns;
  /** The report's totals (the row report's own object: summed once, by the same function). */
  readonly totals: MarginTotals;
  /** Rows in the report. */
  readonly count: number;
  /** Row k, built alone (equal to `report.accounts[k]`, without building the others). */
  row(k: number): AccountMargin;
  /**
   * The optional keys some row has ({@link OPTIONAL_KEYS}): the columns a table of the rows needs beside the summary
   * figures. Found without building a row when the rows are still columns.
   */
  readonly optionalKeys: readonly OptionalKey[];
  /** Row k's status reason (its `statusReason`), without building the row. */
  statusReason(k: number): string;
  /** {@link statusReason} written as UTF-8 into `out`: a pooled reason's bytes straight from the figures, making no string. */
  writeStatusReason(k: number, out: Utf8Out): void;
  /** {@link writeStatusReason} of rows [from, from + n), one after another: row from + i's end (`out.length` after it) at ends[i]. */
  writeStatusReasons(from: number, n: number, out: Utf8Out, ends: Int32Array): void;
  /** Row k's optional key `key` (undefined where the row has none), without building the row. */
  value(k: number, key: OptionalKey): string | number | undefined;
}

/** Where text goes as UTF-8 bytes (src/io/byte-text.ts ByteText is one). */
export interface Utf8Out {
  /** Any text, as TextEncoder writes it. */
  utf8(text: string): void;
  /** Bytes written so far: where the next ones go in the buffer {@link open} returns. */
  readonly length: number;
  /** Room for `bytes` more: the buffer to write them into, from {@link length} on. */
  open(bytes: number): Uint8Array;
  /** The end of what was written into the buffer {@link open} returned. */
  advanceTo(end: number): void;
}

/**
 * The optional columns, each present when some row has it: a row's own keys, and for a coin-margined row its
 * `marginCurrency` and `usdPrice` (its `usd.price`: USD per unit of the coin its money figures are in).
 */
export const OPTIONAL_KEYS = ['master', 'method', 'cashUsd', 'backstopUsd', 'error', 'marginCurrency', 'usdPrice'] as const;
export type OptionalKey = (typeof OPTIONAL_KEYS)[number];

/** Row `row`'s optional key `key` (usdPrice: its USD view's price). */
function optionalOf(row: AccountMargin, key: OptionalKey): string | number | undefined {
  return key === 'usdPrice' ? row.usd?.price : row[key];
}

/** The pooled reason of status `code` and these figures into `out`: its bytes, or the string where a figure is not a usual amount. */
function writePooledOf(code: number, equity: number, equityIm: number, equityMm: number, im: number, mm: number, out: Utf8Out): void {
  const at = out.length;
  const end = writePooledReasonOf(code, equity, equityIm, equityMm, im, mm, out.open(POOLED_REASON_MAX_BYTES), at);
  if (end >= 0) out.advanceTo(end);
  else out.utf8(pooledStatusReason(STATUS[code], { equity, equityIm, equityMm, im, mm }));
}

/** Row k's pooled reason from the columns into `out`. */
function writePooled(c: AccountColumns, k: number, out: Utf8Out): void {
  writePooledOf(c.status[k], c.equity[k], c.equityIm[k], c.equityMm[k], c.im[k], c.mm[k], out);
}

/**
 * Rows [from, from + n)'s pooled reasons, row from + i's end at ends[i]: the columns read once (perf: loop-alone,
 * docs/performance.md: a column looked up on the columns' object per row cost about as much as writing the row).
 */
function writePooledRows(c: AccountColumns, from: number, n: number, out: Utf8Out, ends: Int32Array): void {
  const { status, equity, equityIm, equityMm, im, mm } = c;
  for (let i = 0; i < n; i++) {
    const k = from + i;
    writePooledOf(status[k], equity[k], equityIm[k], equityMm[k], im[k], mm[k], out);
    ends[i] = out.length;
  }
}

/** Rows [from, from + n)'s reasons, each by `write`, row from + i's end at ends[i]. */
function eachReason(write: (k: number, out: Utf8Out) => void, from: number, n: number, out: Utf8Out, ends: Int32Array): void {
  for (let i = 0; i < n; i++) {
    write(from + i, out);
    ends[i] = out.length;
  }
}

/** The report `report` read as columns (see {@link ColumnarMarginReport}); reading it builds no row. */
export function columnarReport(report: MarginReport): ColumnarMarginReport {
  if (!isMarginReport(report)) throw new TypeError(`columnarReport takes a margin report (engine.margin's), got ${describeValue(report)}`);
  const rows = summaryRowsOfReport(report);
  const columns = accountColumns(report);
  let keys: OptionalKey[];
  if (rows) {
    keys = [];
    if (rows.masters?.some((m) => m !== undefined)) keys.push('master');
    if (columns.cashUsd.some((cash) => cash !== 0)) keys.push('cashUsd');
    if (rows.backstops !== undefined && rows.backstops.size > 0) keys.push('backstopUsd');
    if (rows.errors.size > 0) keys.push('error');
    if (rows.currencies !== undefined && rows.currencies.size > 0) keys.push('marginCurrency', 'usdPrice');
  } else {
    const seen = new Set<string>();
    for (const row of report.accounts) for (const key of OPTIONAL_KEYS) if (optionalOf(row, key) !== undefined) seen.add(key);
    keys = OPTIONAL_KEYS.filter((key) => seen.has(key));
  }
  if (!rows) {
    const writeStatusReason = (k: number, out: Utf8Out) => out.utf8(report.accounts[k].statusReason);
    return {
      report, columns, totals: report.totals, count: columns.count, row: (k) => report.accounts[k], optionalKeys: keys,
      statusReason: (k) => report.accounts[k].statusReason, value: (k, key) => optionalOf(report.accounts[k], key),
      writeStatusReason, writeStatusReasons: (from, n, out, ends) => eachReason(writeStatusReason, from, n, out, ends),
    };
  }
  // the figures a pooled reason reads, from the columns (the row's own figures, the same bits)
  const figures: PooledFigures = { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0 };
  const readFigures = (k: number): PooledFigures => {
    figures.equity = columns.equity[k];
    figures.equityIm = columns.equityIm[k];
    figures.equityMm = columns.equityMm[k];
    figures.im = columns.im[k];
    figures.mm = columns.mm[k];
    return figures;
  };
  // as summary-rows.ts summaryRow: the method's own reason unless a backstop moved the row, else the pooled one
  const ownReason = (k: number) => (rows.backstops?.get(k) === undefined ? rows.ownReason?.(k) : undefined);
  // a coin-margined row's reason has its figures in its coin (the string; the bytes writer writes USD amounts)
  const coinOf = (k: number) => rows.currencies?.get(k)?.currency;
  const writeStatusReason = (k: number, out: Utf8Out) => {
    const own = ownReason(k);
    if (own !== undefined) return out.utf8(own);
    const coin = coinOf(k);
    if (coin !== undefined) return out.utf8(pooledStatusReason(STATUS[columns.status[k]], readFigures(k), coin));
    writePooled(columns, k, out);
  };
  return {
    report, columns, totals: report.totals, count: columns.count, row: (k) => summaryRow(rows, k), optionalKeys: keys,
    statusReason: (k) => ownReason(k) ?? pooledStatusReason(STATUS[columns.status[k]], readFigures(k), coinOf(k)),
    writeStatusReason,
    // every reason pooled in USD (no method's own, no backstop, no coin row): straight from the columns, no call per row
    writeStatusReasons: rows.ownReason === undefined && rows.backstops === undefined && !(rows.currencies !== undefined && rows.currencies.size > 0)
      ? (from, n, out, ends) => writePooledRows(columns, from, n, out, ends)
      : (from, n, out, ends) => eachReason(writeStatusReason, from, n, out, ends),
    value: (k, key) => {
      switch (key) {
        case 'master': return rows.masters?.[k];
        case 'cashUsd': return columns.cashUsd[k] !== 0 ? columns.cashUsd[k] : undefined;
        case 'backstopUsd': return rows.backstops?.get(k);
        case 'error': return rows.errors.get(k);
        case 'marginCurrency': return rows.currencies?.get(k)?.currency;
        case 'usdPrice': return rows.currencies?.get(k)?.price;
        default: return undefined; // summary rows carry no method of their own
      }
    },
  };
}

/**
 * What the report writers take (src/io/): a margin report, read as columns here, or its columnar view as it is. Anything
 * else is a TypeError naming the writer (a JS caller gets no stack from inside it).
 */
export function asColumnar(report: ColumnarMarginReport | MarginReport, writer: string): ColumnarMarginReport {
  const r = report as Partial<ColumnarMarginReport & MarginReport> | null;
  if (r !== null && typeof r === 'object') {
    if (typeof r.row === 'function' && r.columns !== undefined && r.report !== undefined) return report as ColumnarMarginReport;
    if (isMarginReport(r)) return columnarReport(r);
  }
  throw new TypeError(`${writer} takes a margin report (engine.margin's) or columnarReport(report), got ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}`);
}
