/**
 * `margin-core liquidate`'s report written as the plan is made (src/liquidation/engine.ts liquidateChunks): each chunk
 * of ended accounts is written and dropped before the next is planned, so a book whose plan has tens of millions of
 * steps is liquidated in bounded memory. The bytes are those of the report written whole: JSON as jsonChunks writes
 * it (the accounts streamed between the report's head and its ADL fills and totals), CSV a row per step; a table keeps
 * each account's line (its cells, not its steps) until the end, where its columns are aligned and the totals follow.
 */
import type { LiquidationChunk } from '../liquidation/engine.js';
import type { AccountLiquidation, LiquidationReport } from '../liquidation/report.js';
import { liquidationTableOf, liquidationTableRow } from '../report/liquidation-text.js';
import { csvLines, csvRows, type Output } from './output.js';

export const STEP_COLUMNS = [
  'account', 'step', 'kind', 'id', 'quantity', 'markPrice', 'fillPrice', 'bankruptcyPrice', 'notional',
  'market', 'insuranceFund', 'adl', 'uncovered', 'feeToLiquidator', 'feeToFund', 'fundChange', 'healthBefore', 'healthAfter',
] as const;

export type LiquidationFormat = 'json' | 'csv' | 'table';

/** What was written: the report (its `accounts` empty: they were written) and the accounts that ended in error. */
export interface WrittenLiquidation {
  report: LiquidationReport;
  errors: { id: string; status: string }[];
}

const MARKER = '\u0000margin-core:stream\u0000';

/** Writes the report of `chunks` (driven to its end here) to `output` in `format`; the caller ends the output. */
export async function writeLiquidationChunks(chunks: Generator<LiquidationChunk, LiquidationReport>, output: Output, format: LiquidationFormat): Promise<WrittenLiquidation> {
  const errors: WrittenLiquidation['errors'] = [];
  const tableRows: string[][] = [];
  let written = 0;
  if (format === 'csv') await output.lines(csvLines(STEP_COLUMNS, 0, () => []));
  for (let next = chunks.next(); ; next = chunks.next()) {
    if (next.done) {
      const report = next.value;
      if (format === 'json') await output.write(`${jsonTail(report, written > 0)}\n`);
      else if (format === 'table') await output.lines(liquidationTableOf(tableRows, report));
      return { report, errors };
    }
    const { head, plan } = next.value;
    const accounts = plan.accountList();
    for (const a of accounts) if (a.after.status === 'error') errors.push({ id: a.id, status: a.after.status });
    if (format === 'json') {
      let text = '';
      for (const a of accounts) text += `${written++ === 0 ? jsonHead(head) : ',\n'}    ${JSON.stringify(a, null, 2).replace(/\n/g, '\n    ')}`;
      await output.write(text);
    } else if (format === 'csv') await output.lines(stepRows(accounts));
    else for (const a of accounts) tableRows.push(liquidationTableRow(a));
  }
}

/** The report's text up to its accounts' first item (as jsonChunks writes it: JSON.stringify with 2 spaces). */
function jsonHead(head: LiquidationChunk['head']): string {
  const shell = JSON.stringify({ ...head, accounts: MARKER }, null, 2);
  return `${shell.slice(0, shell.indexOf(JSON.stringify(MARKER)))}[\n`;
}

/** The report's text after its accounts (all of it when none was written). */
function jsonTail(report: LiquidationReport, accountsWritten: boolean): string {
  if (!accountsWritten) return JSON.stringify(report, null, 2);
  const shell = JSON.stringify({ ...report, accounts: MARKER }, null, 2), marker = JSON.stringify(MARKER);
  return `\n  ]${shell.slice(shell.indexOf(marker) + marker.length)}`;
}

/** The CSV rows of `accounts`' steps, one a step, numbered within the account from 1. */
function stepRows(accounts: readonly AccountLiquidation[]): Generator<string> {
  const rows = accounts.flatMap((a) => a.steps.map((s, k) => ({ a, s, k })));
  return csvRows(rows.length, (i) => {
    const { a, s, k } = rows[i];
    return [a.id, k + 1, s.kind, s.id, s.quantity, s.markPrice, s.fillPrice, s.bankruptcyPrice ?? undefined, s.notional,
      s.routes.market, s.routes.insuranceFund, s.routes.adl, s.routes.uncovered, s.feeToLiquidator, s.feeToFund, s.fundChange, s.healthBefore, s.healthAfter];
  });
}
