/**
 * `margin` on a big book, streamed: the book is read a chunk of accounts at a time into columns (src/io/json-book/), and
 * every chunk is validated, margined and written while the rest of the file is still being read, so `margin | head -20` prints
 * its first rows in about a second instead of after the whole book. Accounts are margined independently by every
 * method (their requirements, haircuts and scenarios are per account; instruments are valued per chunk, identically),
 * so each row is the row of a whole-book run, and the totals are the exact sums of the whole-book report.
 *
 * It falls back to reading the book whole (the caller's path) when it cannot stream: the instruments come after the
 * accounts in the file, or the first chunk has subaccounts (a master is margined with its pool, which may be anywhere).
 * Coin-margined accounts are margined in their chunks like the others.
 * Table columns take their widths from the first rows printed; a wider cell later pushes its row to the right.
 * An input problem in a later chunk stops the command (exit 1) after the rows before it, naming the account's path.
 */
import type { BytesRead } from '../io/file-chunks.js';
import type { Engine } from '../engine.js';
import { InputError, type InputProblem } from '../errors.js';
import { NeedsWholeBook } from '../io/book-stream.js';
import { type JsonBookOptions, readJsonBookChunks } from '../io/json-book/read.js';
import { JsonSyntaxError } from '../io/json-stream.js';
import { accountCountOf, accountMastersOf, type BookChunk, bookColumnsOf } from '../model/book-columns.js';
import type { AccountMargin, MarginReport, MarginTotals } from '../margin/report.js';
import type { ValidationOptions } from '../model/validate.js';
import { marginChunk } from './margin-chunks.js';
import { STATUS } from '../margin/status.js';
import { addAccount, newTotalSums, totalsOfSums } from '../margin/exact-totals.js';
import type { MarginOptions } from '../session/types.js';
import { CommandFailed } from './io.js';
import { CSV_COLUMNS, type RowSelector, TABLE_ALIGN, TABLE_HEADER, tableRow } from './margin-rows.js';
import { MAX_COLUMN_WIDTH } from './table.js';
import { csvLines, type Output } from './output.js';

/**
 * Accounts margined per chunk: big enough that a chunk's fixed costs (instrument valuation, layout) are small. The
 * first chunks are smaller (FIRST_CHUNK_ACCOUNTS, doubling up to this), so the first rows come out early.
 */
export const CHUNK_ACCOUNTS = 16_384;
const FIRST_CHUNK_ACCOUNTS = 512;

export interface StreamedMargin {
  /** Report-like head for the summary line: method, backend, valuation time, profile, the whole book's totals. */
  report: Pick<MarginReport, 'method' | 'backend' | 'valuationTime' | 'profile' | 'totals'>;
  /** Rows the selection kept when it needed every row first (a sort); undefined when they were printed as they came. */
  selected?: AccountMargin[] | undefined;
  printed: number;
  warnings: InputProblem[];
  /** Accounts that ended in status `error` (their margin is unknown, never zero). */
  errorIds: string[];
}

/**
 * The book must be margined whole instead (nothing reached the user; what a file was given is taken back): `chunk`, the
 * whole book when its first chunk held it (subaccounts there, or its accounts before its instruments), else undefined:
 * the caller reads it again.
 */
export interface WholeBook {
  whole: true;
  chunk?: BookChunk | undefined;
}

interface StreamArgs {
  bookPath: string;
  marketJson: unknown;
  engine: Engine;
  options: MarginOptions;
  validation: ValidationOptions;
  format: 'table' | 'csv';
  selector: RowSelector;
  top?: number | undefined;
  output: Output;
  chunkAccounts?: number | undefined;
  /** The accounts scanner (src/io/json-book/): default `auto`. */
  scanner?: JsonBookOptions['scanner'] | undefined;
  /** Told as the book's bytes are read (a progress bar). */
  onBytes?: BytesRead | undefined;
  /** True when what `output` was given can be taken back (a file): a late subaccount then reads the book again, whole. */
  outputTakesBack?: boolean | undefined;
}

export async function streamMargin(args: StreamArgs): Promise<StreamedMargin | WholeBook> {
  const full = args.chunkAccounts ?? CHUNK_ACCOUNTS;
  const chunkSize = (k: number) => Math.min(full, FIRST_CHUNK_ACCOUNTS * 2 ** Math.min(k, 30));
  const state = new ChunkState(args);
  try {
    // accounts naming their own method are margined in any chunk (each chunk's rows are written as they come)
    const options: JsonBookOptions = { ...args.validation, methodsInChunks: true, ...(args.scanner ? { scanner: args.scanner } : {}), onBytes: args.onBytes };
    for await (const chunk of readJsonBookChunks(args.bookPath, options, chunkSize)) {
      // subaccounts in the first chunk (the book then comes as one), or accounts before instruments: margined whole
      // (that chunk is the whole book, read once: handed on, not read again)
      if (state.chunks === 0 && (bookColumnsOf(chunk.book) === undefined || accountMastersOf(chunk.book) !== undefined)) return { whole: true, chunk };
      await state.process(chunk);
    }
    return state.finish();
  } catch (error) {
    // the rows margined so far reach the output before the error is said ("… accounts already printed" is then true;
    // a file output is taken back whole anyway): up to a megabyte of them was still gathered
    await args.output.flush().catch(() => undefined);
    if (error instanceof NeedsWholeBook) {
      // nothing reached the user yet (rows held for a sort, or a file that is taken back): the book is read again, whole
      if (args.selector.needsAll || args.outputTakesBack === true) return { whole: true };
      throw new CommandFailed(`accounts[${error.account}] names a master: a book with subaccounts is margined whole, ` +
        `and this one has its first beyond the first ${state.written.toLocaleString('en-US')} accounts already printed; write to a file with --out (it is read again, whole), put the masters and their subaccounts first, or use --format json`);
    }
    if (error instanceof JsonSyntaxError) throw new InputError([{ path: '--book', message: `${args.bookPath} is not valid JSON: ${error.message}` }]);
    throw error;
  }
}

/** What the chunks share: the market (checked against each), the rows so far, the table's widths. */
class ChunkState {
  chunks = 0;
  /** Accounts margined and written so far. */
  written = 0;
  private readonly totals = new RunningTotals();
  private head: StreamedMargin['report'] | undefined;
  private widths: number[] | undefined;
  private printed = 0;
  private readonly warnings = new Map<string, InputProblem>();
  private readonly errorIds: string[] = [];

  constructor(private readonly args: StreamArgs) {}

  /** Margins and writes one chunk of the book (validated by the reader, problems at the book's paths). */
  async process(chunk: BookChunk): Promise<void> {
    const { marketJson, engine, options, validation } = this.args;
    const report = marginChunk(chunk, marketJson, engine, options, validation);
    for (const w of report.warnings ?? []) this.warnings.set(`${w.path}\u0000${w.message}`, w);
    this.head ??= { method: report.method, backend: report.backend, valuationTime: report.valuationTime, ...(report.profile ? { profile: report.profile } : {}), totals: report.totals };
    for (const a of report.accounts) {
      this.totals.add(a);
      if (a.status === 'error') this.errorIds.push(a.id);
    }
    await this.write(report.accounts);
    this.written += accountCountOf(chunk.book);
    this.chunks++;
  }

  finish(): StreamedMargin {
    const totals = this.totals.result();
    const selector = this.args.selector;
    return {
      report: { ...this.head!, totals },
      ...(selector.needsAll ? { selected: selector.result() } : {}),
      printed: this.printed,
      warnings: [...this.warnings.values()],
      errorIds: this.errorIds,
    };
  }

  private async write(rows: readonly AccountMargin[]): Promise<void> {
    const { selector, output, format, top } = this.args;
    if (selector.needsAll) {
      for (const r of rows) selector.offer(r);
      return;
    }
    const shown = rows.filter((r) => selector.matches(r)).slice(0, top === undefined ? undefined : Math.max(0, top - this.printed));
    if (format === 'csv') {
      const lines = [...csvLines(CSV_COLUMNS, shown.length, (i) => CSV_COLUMNS.map((c) => shown[i][c]))];
      await output.lines(this.chunks === 0 ? lines : lines.slice(1));
    } else {
      const cells = shown.map(tableRow);
      if (this.widths === undefined && (cells.length > 0 || this.chunks === 0)) {
        this.widths = TABLE_HEADER.map((h, c) => Math.min(MAX_COLUMN_WIDTH, cells.reduce((w, row) => Math.max(w, row[c].length), h.length)));
        await output.lines([line(TABLE_HEADER, this.widths), this.widths.map((w) => '─'.repeat(w)).join('  ')]);
      }
      await output.lines(cells.map((row) => line(row, this.widths!)));
    }
    if (this.chunks < 4) await output.flush(); // the first rows now; later chunks in ~1 MB writes
    this.printed += shown.length;
  }
}

function line(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, c) => (TABLE_ALIGN[c] === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
}


/**
 * The report's totals summed exactly across chunks (src/margin/exact-totals.ts): exact sums do not depend on the
 * order or the grouping of the additions, so the same bits as the whole-book report
 * (test/cli-margin-stream.test.ts compares them), without keeping a million rows.
 */
class RunningTotals {
  private readonly sums = newTotalSums();

  add(row: AccountMargin): void {
    const f = row.usd ?? row; // a coin-margined row counts in USD at its coin's index, as in the whole-book report
    addAccount(this.sums, STATUS.indexOf(row.status), f.equity, f.im, f.mm, f.grossNotional);
  }

  result(): MarginTotals {
    return totalsOfSums(this.sums);
  }
}
