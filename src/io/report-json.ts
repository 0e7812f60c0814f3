/**
 * A margin report as JSON text, streamed from its columns (src/margin/columnar-report.ts): the bytes of
 * `JSON.stringify(report, null, 2)` and a final newline, in pieces of a few hundred rows, each row built alone and
 * written without the generic stringifier (a summary row is flat: its keys and their numbers and strings). So a report
 * of any size is written without holding its rows, or one string of it (V8 caps strings at ~512 MB).
 */
import type { ColumnarMarginReport } from '../margin/columnar-report.js';
import type { AccountMargin } from '../margin/report.js';

/** Rows per piece. */
const ROWS_PER_PIECE = 512;
const MARKER = '\u0000margin-core:rows\u0000';

/** The report's JSON text in pieces (see the module comment). */
export function* marginReportJson(c: ColumnarMarginReport): Generator<string> {
  const report = c.report;
  if (c.count === 0) {
    yield `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  // the report's keys in order, its rows replaced by a marker, without reading `accounts` (which would build them)
  const shell: Record<string, unknown> = {};
  for (const key of Object.keys(report)) shell[key] = key === 'accounts' ? MARKER : (report as unknown as Record<string, unknown>)[key];
  const text = JSON.stringify(shell, null, 2);
  const at = text.indexOf(JSON.stringify(MARKER));
  let piece = `${text.slice(0, at)}[\n`;
  for (let k = 0; k < c.count; k++) {
    piece += rowText(c.row(k));
    piece += k + 1 < c.count ? ',\n' : '\n  ]';
    if ((k + 1) % ROWS_PER_PIECE === 0) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}${text.slice(at + JSON.stringify(MARKER).length)}\n`;
}

/** A row as `JSON.stringify(row, null, 2)` writes it inside the report's array (indented 4 more spaces). */
export function rowText(row: AccountMargin): string {
  let text = '    {';
  let first = true;
  const fields = row as unknown as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    let json: string;
    if (typeof value === 'number') json = Number.isFinite(value) ? String(value) : 'null';
    else if (typeof value === 'string') json = JSON.stringify(value);
    else if (typeof value === 'boolean') json = String(value);
    else return `    ${JSON.stringify(row, null, 2).replace(/\n/g, '\n    ')}`; // nested (a breakdown row): the generic form
    text += `${first ? '\n' : ',\n'}      ${JSON.stringify(key)}: ${json}`;
    first = false;
  }
  return first ? '    {}' : `${text}\n    }`;
}
