/**
 * A chunk's report as a message to the report writer thread (report-writer.ts) and made a report again there: its
 * summary rows as columns (figures, statuses, cash copied out into shared buffers, not cloned again: the chunk's run
 * may reuse its buffers; shared rather than moved, which would detach them on the command's thread and slow its JS
 * kernels: docs/performance.md, no-detach), its ids, errors, masters, backstops and currencies cloned, a method's own status reasons as a map
 * (the report holds them behind a function), and the keys around the rows. A chunk whose rows are objects (accounts
 * naming their own method) crosses as its row objects. On the other side the report reads as columns
 * (columnarReport) exactly as the one it was made from: the writers write the same bytes from either.
 */
import { columnarReport, type ColumnarMarginReport } from '../margin/columnar-report.js';
import { sharedCopy } from './buffer-pool.js';
import type { AccountMargin, MarginReport, MarginTotals } from '../margin/report.js';
import { reportWithSummaryRows, type RowBlock, summaryRowsOfReport, type SummaryRows } from '../margin/summary-rows.js';

/** The report's keys before `accounts` (method, profile, valuation time, backend). */
type Head = Omit<MarginReport, 'accounts' | 'totals' | 'warnings'>;
/** The report's keys after `accounts`, in order (totals, warnings, the subaccounts' roll-up, …). */
type Tail = [string, unknown][];

export type ReportChunk =
  | { kind: 'summary'; head: Head; tail: Tail; rows: Omit<SummaryRows, 'ownReason'>; ownReasons?: Map<number, string> | undefined }
  | { kind: 'objects'; head: Head; tail: Tail; accounts: AccountMargin[] };

/** `c`'s report as a message (its columns copied into shared buffers: the report's own may be reused). */
export function reportChunkOf(c: ColumnarMarginReport): ReportChunk {
  const report = c.report;
  const head: Record<string, unknown> = {}, tail: Tail = [];
  const keys = Object.keys(report), rowsAt = keys.indexOf('accounts');
  // every key but `accounts`, which is never read: reading it would build the rows
  const valueOf = (key: string) => (report as unknown as Record<string, unknown>)[key];
  keys.forEach((key, i) => {
    if (i < rowsAt) head[key] = valueOf(key);
    else if (i > rowsAt) tail.push([key, valueOf(key)]);
  });
  const rows = summaryRowsOfReport(report);
  if (rows === undefined) return { kind: 'objects', head: head as Head, tail, accounts: report.accounts };
  const blocks = rows.blocks.map((b): RowBlock => ({
    count: b.count, figures: sharedCopy(b.figures), cashUsd: sharedCopy(b.cashUsd), hasCash: sharedCopy(b.hasCash), status: sharedCopy(b.status), ...(b.compact === true ? { compact: true } : {}),
  }));
  const { ownReason, ...rest } = rows;
  let ownReasons: Map<number, string> | undefined;
  if (ownReason !== undefined) {
    ownReasons = new Map();
    for (let k = 0; k < rows.count; k++) {
      const reason = ownReason(k);
      if (reason !== undefined) ownReasons.set(k, reason);
    }
  }
  const sent: Omit<SummaryRows, 'ownReason'> = { ...rest, blocks, ...(rows.block ? { block: sharedCopy(rows.block) } : {}), ...(rows.at ? { at: sharedCopy(rows.at) } : {}) };
  return { kind: 'summary', head: head as Head, tail, rows: sent, ...(ownReasons ? { ownReasons } : {}) };
}

/** The report a {@link ReportChunk} was made from, read as columns. */
export function reportOfChunk(chunk: ReportChunk): ColumnarMarginReport {
  const rest = Object.fromEntries(chunk.tail);
  if (chunk.kind === 'objects') return columnarReport({ ...chunk.head, accounts: chunk.accounts, ...rest } as MarginReport);
  const reasons = chunk.ownReasons;
  const rows: SummaryRows = { ...chunk.rows, ...(reasons ? { ownReason: (k: number) => reasons.get(k) } : {}) };
  const report = reportWithSummaryRows(chunk.head, rows, rest.totals as MarginTotals);
  delete (report as Partial<MarginReport>).totals; // then every key after the rows in the original's order
  return columnarReport(Object.assign(report, rest));
}
