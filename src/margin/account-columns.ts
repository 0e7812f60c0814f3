/**
 * Every account's summary figures of a margin report as typed columns, in report order: how a consumer of a big book
 * reads all of it without 10^5 row objects. `report.accounts` builds its rows (and their status reasons) on first read,
 * about 1 µs a row on the reading thread; these columns are the figures the rows are made from, read where they lie.
 */
import type { MarginReport } from './report.js';
import { STATUS } from './status.js';
import { SUMMARY_FIGURES, summaryRowsOfReport, type SummaryRows } from './summary-rows.js';

/** A summary figure of an account row (`AccountMargin`), one column each in {@link AccountColumns}. */
export type SummaryFigure = (typeof SUMMARY_FIGURES)[number];

/**
 * Column k of each array is the report's row k (`report.accounts[k]`), bit for bit. The arrays may be views on the
 * report's own storage: read them, do not write them.
 */
export type AccountColumns = { readonly [F in SummaryFigure]: Float64Array } & {
  readonly count: number;
  readonly ids: readonly string[];
  /** Status codes: row k's status is `STATUS[status[k]]`. */
  readonly status: Uint8Array;
  /** Settled cash (USD), 0 where the row has no `cashUsd`. */
  readonly cashUsd: Float64Array;
  /** Row index → why its status is `error`. */
  readonly errors: ReadonlyMap<number, string>;
};

const STATUS_CODE = new Map<string, number>(STATUS.map((name, code) => [name, code]));

/**
 * The report's account figures as columns (see {@link AccountColumns}). A summary report (no breakdown, no masters)
 * is read from the columns behind its rows, built or not: views when the rows came from one run, gathered once per
 * call when they came from a sharded book's parts. Any other report (rows already objects) is read from its rows.
 */
export function accountColumns(report: MarginReport): AccountColumns {
  const rows = summaryRowsOfReport(report);
  return rows ? fromSummaryRows(rows) : fromRowObjects(report);
}

function fromSummaryRows(s: SummaryRows): AccountColumns {
  const n = s.count;
  const columns: Record<string, unknown> = { count: n, ids: s.ids, errors: s.errors };
  if (s.block === undefined && s.blocks.length <= 1) {
    // one run's rows, in order: views, no copy
    const b = s.blocks[0] ?? { count: 0, figures: new Float64Array(0), cashUsd: new Float64Array(0), status: new Uint8Array(0) };
    SUMMARY_FIGURES.forEach((name, f) => (columns[name] = b.figures.subarray(f * n, (f + 1) * n)));
    columns.status = b.status.subarray(0, n);
    columns.cashUsd = b.cashUsd.subarray(0, n);
    return columns as AccountColumns;
  }
  // a sharded book's parts, each row found through its block and index
  const block = s.block as Int32Array, at = s.at as Int32Array;
  const status = new Uint8Array(n), cashUsd = new Float64Array(n);
  const figures = SUMMARY_FIGURES.map(() => new Float64Array(n));
  for (let k = 0; k < n; k++) {
    const b = s.blocks[block[k]], i = at[k], m = b.count;
    status[k] = b.status[i];
    cashUsd[k] = b.cashUsd[i];
    for (let f = 0; f < figures.length; f++) figures[f][k] = b.figures[f * m + i];
  }
  SUMMARY_FIGURES.forEach((name, f) => (columns[name] = figures[f]));
  columns.status = status;
  columns.cashUsd = cashUsd;
  return columns as AccountColumns;
}

function fromRowObjects(report: MarginReport): AccountColumns {
  const accounts = report.accounts, n = accounts.length;
  const status = new Uint8Array(n), cashUsd = new Float64Array(n);
  const figures = SUMMARY_FIGURES.map(() => new Float64Array(n));
  const errors = new Map<number, string>();
  for (let k = 0; k < n; k++) {
    const row = accounts[k];
    status[k] = STATUS_CODE.get(row.status) as number;
    cashUsd[k] = row.cashUsd ?? 0;
    for (let f = 0; f < figures.length; f++) figures[f][k] = row[SUMMARY_FIGURES[f]];
    if (row.error !== undefined) errors.set(k, row.error);
  }
  const columns: Record<string, unknown> = { count: n, ids: accounts.map((row) => row.id), status, cashUsd, errors };
  SUMMARY_FIGURES.forEach((name, f) => (columns[name] = figures[f]));
  return columns as AccountColumns;
}
