/**
 * A margin report as JSON, streamed from its columns (src/margin/columnar-report.ts): the bytes of
 * `JSON.stringify(report, null, 2)` and a final newline, UTF-8, in pieces of about a megabyte, each row built alone and
 * written without the generic stringifier (a summary row is flat: its keys and their numbers and strings) straight into
 * bytes (byte-text.ts). So a report of any size is written without holding its rows, or one string of it (V8 caps
 * strings at ~512 MB).
 */
import { asColumnar, type ColumnarMarginReport } from '../margin/columnar-report.js';
import { figureModel } from '../margin/figure-model.js';
import type { AccountMargin, MarginReport } from '../margin/report.js';
import { STATUS } from '../margin/status.js';
import { type RowBlock, summaryRowsOfReport, type SummaryRows } from '../margin/summary-rows.js';
import { ByteText } from './byte-text.js';

/** Bytes per piece. */
const PIECE_BYTES = 1 << 20;
const MARKER = '\u0000margin-core:rows\u0000';
const decoder = new TextDecoder();

/** The report's JSON as UTF-8 bytes, in pieces of about `pieceBytes` (see the module comment): what the CLI writes. */
export function* marginReportJsonBytes(c: ColumnarMarginReport | MarginReport, pieceBytes = PIECE_BYTES): Generator<Uint8Array> {
  yield* marginReportJsonCounted(asColumnar(c, 'marginReportJsonBytes'), pieceBytes);
}

/** {@link marginReportJsonBytes}, telling `rowsIn` how many rows are in the text so far before each piece (a progress bar). */
export function* marginReportJsonCounted(c: ColumnarMarginReport, pieceBytes = PIECE_BYTES, rowsIn?: (rows: number) => void): Generator<Uint8Array> {
  if (!Number.isSafeInteger(pieceBytes) || pieceBytes < 1) throw new RangeError(`marginReportJson: pieceBytes is a whole number of bytes ≥ 1, got ${typeof pieceBytes === 'string' ? JSON.stringify(pieceBytes) : String(pieceBytes)}`);
  const out = new ByteText(pieceBytes);
  const report = c.report;
  if (c.count === 0) {
    out.text(`${JSON.stringify(report, null, 2)}\n`);
    yield out.take();
    return;
  }
  const { before, after } = jsonShell(report);
  out.text(before);
  const rows = new JsonRows();
  for (let k = 0; k < c.count; k++) {
    rows.writeAt(out, c, k);
    out.ascii(k + 1 < c.count ? ',\n' : JSON_ROWS_END);
    if (out.length >= pieceBytes - 4096) {
      rowsIn?.(k + 1); // the rows in the piece about to be written, for a progress bar
      yield out.take();
    }
  }
  out.text(after);
  yield out.take();
}

/** What ends the rows' array (after the last row). */
export const JSON_ROWS_END = '\n  ]';

/**
 * The report's JSON before its first row (up to `[` and a newline) and after the rows' array (`]` excluded, final
 * newline included), from the report's keys in order without reading `accounts` (which would build the rows): the
 * text before depends only on the keys before `accounts` (method, profile, valuation time, backend).
 */
export function jsonShell(report: object): { before: string; after: string } {
  const shell: Record<string, unknown> = {};
  for (const key of Object.keys(report)) shell[key] = key === 'accounts' ? MARKER : (report as Record<string, unknown>)[key];
  const text = JSON.stringify(shell, null, 2);
  const at = text.indexOf(JSON.stringify(MARKER));
  return { before: `${text.slice(0, at)}[\n`, after: `${text.slice(at + JSON.stringify(MARKER).length)}\n` };
}

/** Writes rows as the report's array holds them (each without its separator: `,\n` between rows, {@link JSON_ROWS_END} after the last). */
export class JsonRows {
  private readonly keys = new KeyBytes();
  private columnsOf: ColumnarMarginReport | undefined;
  private columns: SummaryColumnsText | null = null;

  write(out: ByteText, row: AccountMargin): void {
    writeRow(out, row, this.keys);
  }

  /**
   * Row k of `c`: written from the report's summary columns where the row is one (its figures, status, reason and
   * optional keys straight into bytes, no row object: the same bytes, a third less time on a million rows), else
   * from the row built ({@link write}): a coin-margined row's USD view, a sharded report's gathered blocks.
   */
  writeAt(out: ByteText, c: ColumnarMarginReport, k: number): void {
    if (this.columnsOf !== c) {
      this.columnsOf = c;
      this.columns = SummaryColumnsText.of(c);
    }
    if (this.columns === null || !this.columns.write(out, c, k)) writeRow(out, c.row(k), this.keys);
  }
}

/** Key bytes as {@link writeRow} writes them after the first key: `,\n      "key": `. */
const keyAfter = (key: string) => encoder.encode(`,\n      ${JSON.stringify(key)}: `);
const encoder = new TextEncoder();
const ID_KEY = encoder.encode('    {\n      "id": ');
const MASTER_KEY = keyAfter('master'), STATUS_KEY = keyAfter('status'), REASON_KEY = keyAfter('statusReason');
const CASH_KEY = keyAfter('cashUsd'), BACKSTOP_KEY = keyAfter('backstopUsd'), ERROR_KEY = keyAfter('error');
const STATUS_TEXT = STATUS.map((name) => encoder.encode(JSON.stringify(name)));

/**
 * Rows of one block of summary columns written as summary-rows.ts `summaryRow` builds them, key for key: id, master,
 * status, statusReason, the figures in the figure model's order, then cashUsd, backstopUsd, error where the row has
 * them (JSON.stringify's text of each: a non-finite figure is null).
 */
class SummaryColumnsText {
  private readonly figureKeys: Uint8Array[];

  private constructor(private readonly rows: SummaryRows, private readonly block: RowBlock) {
    this.figureKeys = figureModel().names.map(keyAfter);
  }

  /** The writer of `c`'s rows, or null when they are not one block of full summary columns in report order. */
  static of(c: ColumnarMarginReport): SummaryColumnsText | null {
    const rows = summaryRowsOfReport(c.report);
    if (rows === undefined || rows.block !== undefined || rows.at !== undefined || rows.blocks.length !== 1) return null;
    const block = rows.blocks[0];
    return block.compact === true || block.count !== rows.count ? null : new SummaryColumnsText(rows, block);
  }

  /** Writes row k; false (nothing written) for a row with a currency view, which the row object writes. */
  write(out: ByteText, c: ColumnarMarginReport, k: number): boolean {
    const rows = this.rows, b = this.block;
    if (rows.currencies?.get(k) !== undefined) return false;
    out.bytes(ID_KEY);
    out.jsonString(rows.ids[k]);
    const master = rows.masters?.[k];
    if (master !== undefined) {
      out.bytes(MASTER_KEY);
      out.jsonString(master);
    }
    out.bytes(STATUS_KEY);
    out.bytes(STATUS_TEXT[b.status[k]]);
    out.bytes(REASON_KEY);
    // the method's own reason unless a backstop moved the row (summaryRow), else the pooled one, whose text needs no escape
    const backstopUsd = rows.backstops?.get(k);
    const own = backstopUsd === undefined ? rows.ownReason?.(k) : undefined;
    if (own !== undefined) out.jsonString(own);
    else {
      out.ascii('"');
      c.writeStatusReason(k, out);
      out.ascii('"');
    }
    const f = b.figures, n = b.count, keys = this.figureKeys;
    for (let j = 0; j < keys.length; j++) {
      out.bytes(keys[j]);
      number(out, f[j * n + k]);
    }
    if (b.hasCash[k] === 1) {
      out.bytes(CASH_KEY);
      number(out, b.cashUsd[k]);
    }
    if (backstopUsd !== undefined) {
      out.bytes(BACKSTOP_KEY);
      number(out, backstopUsd);
    }
    const error = rows.errors.get(k);
    if (error !== undefined) {
      out.bytes(ERROR_KEY);
      out.jsonString(error);
    }
    out.ascii('\n    }');
    return true;
  }
}

/** A number as JSON.stringify writes it. */
function number(out: ByteText, value: number): void {
  out.ascii(Number.isFinite(value) ? String(value) : 'null');
}

/** The report's JSON text in pieces, as strings (each piece ends between rows, so each decodes on its own). */
export function* marginReportJson(c: ColumnarMarginReport | MarginReport, pieceBytes = PIECE_BYTES): Generator<string> {
  for (const piece of marginReportJsonCounted(asColumnar(c, 'marginReportJson'), pieceBytes)) yield decoder.decode(piece);
}

/** A row as `JSON.stringify(row, null, 2)` writes it inside the report's array (indented 4 more spaces). */
export function rowText(row: AccountMargin): string {
  const out = new ByteText(1024);
  writeRow(out, row, new KeyBytes());
  return decoder.decode(out.take());
}

/** Each key's `\n      "key": ` (`,` before it unless first) as UTF-8, encoded once per report. */
class KeyBytes {
  private readonly first = new Map<string, Uint8Array>();
  private readonly next = new Map<string, Uint8Array>();

  of(key: string, first: boolean): Uint8Array {
    const map = first ? this.first : this.next;
    let bytes = map.get(key);
    if (bytes === undefined) map.set(key, (bytes = new TextEncoder().encode(`${first ? '' : ','}\n      ${JSON.stringify(key)}: `)));
    return bytes;
  }
}

function writeRow(out: ByteText, row: AccountMargin, keys: KeyBytes): void {
  const start = out.length;
  const fields = row as unknown as Record<string, unknown>;
  out.ascii('    {');
  let first = true;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (typeof value === 'object' && value !== null) {
      // nested (a breakdown row): the generic form, in place of what was written of the row
      out.truncate(start);
      out.text(`    ${JSON.stringify(row, null, 2).replace(/\n/g, '\n    ')}`);
      return;
    }
    out.bytes(keys.of(key, first));
    if (typeof value === 'number') out.ascii(Number.isFinite(value) ? String(value) : 'null');
    else if (typeof value === 'string') out.jsonString(value);
    else out.ascii(String(value)); // boolean, null
    first = false;
  }
  out.ascii(first ? '}' : '\n    }');
}
