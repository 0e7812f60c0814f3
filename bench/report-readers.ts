/**
 * How a benchmark's consumer reads a margin report after the call: not at all, every row object (`report.accounts`,
 * built on first read), or every account's figures as typed columns (`accountColumns`, no row object). Shared by the
 * scale-out benches, so their "+ reading" rows time the same reads.
 */
import { accountColumns } from '../src/margin/account-columns.js';
import type { MarginReport } from '../src/margin/report.js';

export type Read = 'none' | 'rows' | 'columns';

/** Reads every field of every row, as a consumer printing or forwarding the report would: builds `report.accounts`. */
function readEveryRow(report: MarginReport): number {
  let sum = 0;
  for (const row of report.accounts) sum += row.im + row.mm + row.equity + row.health + row.statusReason.length + row.id.length + row.status.length;
  return sum;
}

/** The same figures of every account through `accountColumns` (no row object): what a consumer of a big book reads. */
function readEveryColumn(report: MarginReport): number {
  const c = accountColumns(report);
  let sum = 0;
  for (let k = 0; k < c.count; k++) sum += c.im[k] + c.mm[k] + c.equity[k] + c.health[k] + c.status[k] + c.ids[k].length;
  return sum;
}

export const READERS: Record<Read, (report: MarginReport) => number> = { none: () => 0, rows: readEveryRow, columns: readEveryColumn };
export const READ_LABEL: Record<Read, string> = { none: '', rows: ' + reading every row', columns: ' + reading every account as columns' };
