/**
 * `margin-core liquidate`'s report written as the plan is made (src/liquidation/engine.ts liquidateChunks): each chunk
 * of ended accounts is written and dropped before the next is planned, so a book whose plan has tens of millions of
 * steps is liquidated in bounded memory. The bytes are those of the report written whole: JSON as jsonChunks writes
 * it (the accounts streamed between the report's head and its ADL fills and totals), CSV a row per step; a table keeps
 * each account's line (its figures, not its steps: src/report/liquidation-lines.ts) until the end, where its columns
 * are aligned and the totals follow.
 */
import type { LiquidationChunk } from '../liquidation/engine.js';
import type { PlanColumns } from '../liquidation/plan-columns.js';
import type { AccountLiquidation, LiquidationReport } from '../liquidation/report.js';
import { liquidationTableOf } from '../report/liquidation-text.js';
import { LiquidationLines } from '../report/liquidation-lines.js';
import { csvLines, csvRows, type Output } from './output.js';

export const STEP_COLUMNS = [
  'account', 'step', 'kind', 'id', 'quantity', 'markPrice', 'fillPrice', 'bankruptcyPrice', 'notional',
  'market', 'insuranceFund', 'adl', 'uncovered', 'feeToLiquidator', 'feeToFund', 'fundChange', 'healthBefore', 'healthAfter',
  'marginCurrency',
] as const;

export type LiquidationFormat = 'json' | 'csv' | 'table';

/** What was written: the report (its `accounts` empty: they were written) and the accounts that ended in error. */
export interface WrittenLiquidation {
  report: LiquidationReport;
  errors: { id: string; status: string }[];
}

const MARKER = '\u0000margin-core:stream\u0000', FILL_MARKER = '\u0000margin-core:fills\u0000';

/**
 * Writes the report of `chunks` (driven to its end here) to `output` in `format`; the caller ends the output.
 * `fillSlice`: ADL fills built and written at a time (JSON); `accountSlice`: accounts built and written at a time.
 */
export async function writeLiquidationChunks(chunks: Generator<LiquidationChunk, LiquidationReport>, output: Output, format: LiquidationFormat, fillSlice = FILL_SLICE, accountSlice = ACCOUNT_SLICE): Promise<WrittenLiquidation> {
  const errors: WrittenLiquidation['errors'] = [];
  const tableRows = new LiquidationLines();
  let written = 0, plan: PlanColumns | undefined;
  if (format === 'csv') await output.lines(csvLines(STEP_COLUMNS, 0, () => []));
  for (let next = chunks.next(); ; next = chunks.next()) {
    if (next.done) {
      const report = next.value, fills = plan?.fillCount ?? 0;
      // the ADL fills (kept as the plan's columns: none without a chunk) are built a slice at a time
      if (format === 'json') await writeJsonTail(output, report, written > 0, plan, fillSlice);
      else if (format === 'table') await output.lines(liquidationTableOf(tableRows, report, fills));
      return { report, errors };
    }
    const head = next.value.head;
    plan = next.value.plan;
    // the chunk's accounts as objects a slice at a time: the last chunk holds every account ADL took from
    for (let first = 0; first < plan.accountCount; first += accountSlice) {
      const accounts = plan.accountList(first, Math.min(first + accountSlice, plan.accountCount));
      for (const a of accounts) if (a.after.status === 'error') errors.push({ id: a.id, status: a.after.status });
      if (format === 'json') {
        let text = '';
        for (const a of accounts) text += `${written++ === 0 ? jsonHead(head) : ',\n'}    ${JSON.stringify(a, null, 2).replace(/\n/g, '\n    ')}`;
        await output.write(text);
      } else if (format === 'csv') await output.lines(stepRows(accounts));
      else for (const a of accounts) tableRows.push(a);
    }
  }
}

/**
 * Accounts built as objects and written at a time: a slice's objects (~11,000 steps) are dropped before the young
 * generation is next collected, so they never reach the old one (4,096 at a time raised the peak RSS of a 300,000-account
 * book's table by about 100 MB).
 */
const ACCOUNT_SLICE = 256;

/** The report's text up to its accounts' first item (as jsonChunks writes it: JSON.stringify with 2 spaces). */
function jsonHead(head: LiquidationChunk['head']): string {
  const shell = JSON.stringify({ ...head, accounts: MARKER }, null, 2);
  return `${shell.slice(0, shell.indexOf(JSON.stringify(MARKER)))}[\n`;
}

/** Fills built and written at a time. */
const FILL_SLICE = 16_384;

/**
 * The report's text after its accounts (all of it when none was written), its ADL fills built from `plan`'s columns
 * a slice at a time, in JSON.stringify's layout (2 spaces).
 */
async function writeJsonTail(output: Output, report: LiquidationReport, accountsWritten: boolean, plan: PlanColumns | undefined, slice: number): Promise<void> {
  const fills = plan?.fillCount ?? 0;
  const marker = JSON.stringify(MARKER), fillMarker = JSON.stringify(FILL_MARKER);
  // the report's keys in order, the accounts and fills as markers (reading `adl` would build every fill)
  const shell = JSON.stringify(Object.fromEntries(Object.keys(report).map((k) => [k, k === 'accounts' ? (accountsWritten ? MARKER : []) : k === 'adl' ? FILL_MARKER : report[k as keyof LiquidationReport]])), null, 2);
  const at = shell.indexOf(fillMarker);
  const before = accountsWritten ? `\n  ]${shell.slice(shell.indexOf(marker) + marker.length, at)}` : shell.slice(0, at);
  if (fills === 0) {
    await output.write(`${before}[]${shell.slice(at + fillMarker.length)}\n`);
    return;
  }
  await output.write(`${before}[\n`);
  for (let from = 0; from < fills; from += slice) {
    let text = '';
    for (const fill of plan!.fillList(from, Math.min(from + slice, fills))) text += `${text === '' && from === 0 ? '' : ',\n'}    ${JSON.stringify(fill, null, 2).replace(/\n/g, '\n    ')}`;
    await output.write(text);
  }
  await output.write(`\n  ]${shell.slice(at + fillMarker.length)}\n`);
}

/** The CSV rows of `accounts`' steps, one a step, numbered within the account from 1. */
function stepRows(accounts: readonly AccountLiquidation[]): Generator<string> {
  const rows = accounts.flatMap((a) => a.steps.map((s, k) => ({ a, s, k })));
  return csvRows(rows.length, (i) => {
    const { a, s, k } = rows[i];
    return [a.id, k + 1, s.kind, s.id, s.quantity, s.markPrice, s.fillPrice, s.bankruptcyPrice ?? undefined, s.notional,
      s.routes.market, s.routes.insuranceFund, s.routes.adl, s.routes.uncovered, s.feeToLiquidator, s.feeToFund, s.fundChange, s.healthBefore, s.healthAfter,
      a.marginCurrency];
  });
}
