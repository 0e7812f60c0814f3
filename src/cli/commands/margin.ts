import { type Command, Option } from 'commander';
import { stat } from 'node:fs/promises';
import { createEngine } from '../../engine.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../../margin/report.js';
import { rollupLines } from '../../report/subaccount-text.js';
import type { MarginOptions } from '../../session/types.js';
import { count, efficiency, money, tableLines } from '../table.js';
import { AccountsInError, checkAccountErrors, isArrowBook, namingFiles, readJson, readsInChunks, readValidInputs, STREAMED_JSON_BYTES } from '../io.js';
import { begunNow, bookChunksAhead, cliBundleFile, readerBundleFile } from '../read-ahead.js';
import type { BookChunk } from '../../model/book-columns.js';
import { arrowSink, jsonSink, marginChunksInto } from '../report-stream.js';
import { writerSink, writesOnThread } from '../report-writer.js';
import { NeedsWholeBook } from '../../io/book-stream.js';
import { ONE_SHOT_LAYOUT } from '../../layout/book-layout.js';
import { marginChunks } from '../margin-chunks.js';
import { CSV_COLUMNS, parseStatuses, RowSelector, type Selection, selectionLine, SORT_KEYS, type SortKey, TABLE_ALIGN, TABLE_HEADER, tableRow } from '../margin-rows.js';
import { streamMargin } from '../margin-stream.js';
import {
  backendOption, type BackendChoice, bookOption, chosenMethod, formatOption, type InputFlags, inputPaths, marketOption, methodOption, positiveWholeNumber, profileOption, sampleOption,
} from '../options.js';
import { csvLines, type Output, openOutput } from '../output.js';
import { Progress } from '../progress.js';
import { writeArrowReportFile, writeCsvReport, writeJsonReport } from '../report-output.js';
import { type ColumnarMarginReport, columnarReport } from '../../margin/columnar-report.js';
import { STATUS_ERROR } from '../../margin/status.js';
import { coverageLabel } from '../../report/summary.js';
import { LENIENT_HELP, printWarnings, REPAIR_HELP, type ValidationFlags, validationOptions } from '../warnings.js';
import { reportWritten } from '../written.js';

type MarginFlags = InputFlags & ValidationFlags & {
  params?: string | undefined; method: MarginMethod; profile?: string | undefined; format: string; breakdown?: boolean | undefined; out?: string | undefined; backend: BackendChoice;
  status?: Selection['status'] | undefined; sort?: SortKey | undefined; top?: number | undefined; chunkAccounts?: number | undefined;
};

/** `margin-core margin`: the margin of every account of a book on a market snapshot, by the chosen method. */
export function registerMarginCommand(program: Command): Command {
  return program
    .command('margin')
    .description('margin for every account by the chosen method: equity, IM, MM, health, status')
    .addOption(bookOption()).addOption(marketOption()).addOption(sampleOption())
    .option('--params <file>', 'risk parameters JSON, merged over the defaults')
    .addOption(methodOption())
    .addOption(profileOption())
    .addOption(formatOption(['table', 'json', 'csv', 'arrow']))
    .option('--status <list>', 'table and csv: only accounts in these statuses (healthy, margin_call, liquidatable, bankrupt, error; comma-separated)', parseStatuses)
    .addOption(new Option('--sort <key>', 'table and csv: health or excess (lowest first), im, mm or equity (largest first), id').choices([...SORT_KEYS]))
    .option('--top <n>', 'table and csv: at most N accounts (after --status and --sort)', positiveWholeNumber)
    .option('--breakdown', 'per-position and per-collateral rows and the method\'s explain (with --format json only)')
    .option('--out <file>', 'write to a file instead of stdout')
    .addOption(backendOption())
    // the size of a big book's chunks (the readers' own by default): tests make small books come in several
    .addOption(new Option('--chunk-accounts <n>').argParser(positiveWholeNumber).hideHelp())
    .option('--lenient', LENIENT_HELP)
    .option('--repair-correlation', REPAIR_HELP)
    .addHelpText('after', '\nExamples:\n  margin-core margin --sample --method portfolio\n  margin-core margin --book book.json --market market.json --status liquidatable,bankrupt --sort health --top 20\n' +
      '  margin-core margin --book big/book.json --market big/market.json | head -20    (a book over 64 MB is margined and printed chunk by chunk)')
    .action(async (opts: MarginFlags, command: Command) => {
      const files = inputPaths(opts, command);
      const selection: Selection = { status: opts.status, sort: opts.sort, top: opts.top };
      if (opts.format === 'json' && (opts.status || opts.sort || opts.top !== undefined)) {
        command.error('error: --status, --sort and --top select table or csv rows; the JSON report holds every account (filter it with jq)', { exitCode: 2 });
      }
      // what goes where, checked before any work: a wrong pairing is said at once, not after minutes of margining
      if (opts.breakdown && opts.format !== 'json') command.error(`error: --breakdown is written with --format json only (the ${opts.format} report holds one summary row per account)`, { exitCode: 2 });
      if (opts.format === 'arrow' && opts.out === undefined && process.stdout.isTTY) command.error('error: --format arrow is binary: give --out FILE (or pipe stdout)', { exitCode: 2 });
      if (opts.format === 'arrow' && (opts.status || opts.sort || opts.top !== undefined)) {
        command.error('error: an Arrow report holds every account: --status, --sort and --top select table or csv rows', { exitCode: 2 });
      }
      const method = chosenMethod(opts, command) as MarginMethod;
      const options: MarginOptions = { method, profile: opts.profile, breakdown: opts.breakdown === true, lenient: opts.lenient === true };
      const size = await stat(files.book).then((s) => s.size, () => 0);
      const read = (opts.format === 'table' || opts.format === 'csv') && !files.book.endsWith('.arrow') && size >= STREAMED_JSON_BYTES ? await marginStreamed(files, options, selection, opts) : undefined;
      if (read !== true) await marginWhole(files, options, selection, opts, read);
    });
}

/**
 * A big book chunk by chunk (margin-stream.ts): true when done; else the book must be margined whole after all (nothing
 * written yet): the whole book as one chunk when it was read so, undefined when it must be read again.
 */
async function marginStreamed(files: { book: string; market: string }, options: MarginOptions, selection: Selection, opts: MarginFlags): Promise<true | BookChunk | undefined> {
  const marketJson = await readJson(files.market, '--market');
  options.params = opts.params ? await readJson(opts.params, '--params') : undefined;
  const engine = await createEngine({ backend: opts.backend });
  const output = await openOutput(opts.out);
  // the rows are the progress when they go to the terminal; otherwise a bar moves with the bytes read
  const bar = new Progress('margin', 1, opts.out === undefined && process.stdout.isTTY ? { write: () => undefined } : process.stderr);
  let result: Awaited<ReturnType<typeof streamMargin>>;
  try {
    result = await streamMargin({
      bookPath: files.book, marketJson, engine, options, validation: validationOptions(opts), format: opts.format as 'table' | 'csv',
      selector: new RowSelector(selection), top: selection.top, output, scanner: opts.backend, onBytes: (done, total) => bar.bytes(0, done, total, `reading and margining (${options.method})`),
      outputTakesBack: opts.out !== undefined,
    });
  } catch (error) {
    await output.discard(); // what was written goes, and its file is closed now, not by the garbage collector
    throw namingFiles(error, files); // the files its problems are in (a market's, a book's accounts)
  } finally {
    bar.finish();
  }
  if ('whole' in result) {
    await output.discard(); // the rows a file was given go: the whole book's report is written in their place
    return result.chunk; // the whole book when it was read already
  }
  const { report } = result;
  if (result.selected) await writeRows(output, opts.format, result.selected);
  if (opts.format === 'table') {
    const shown = result.selected?.length ?? result.printed;
    const chosen = selectionLine(selection, shown, report.totals.accounts);
    if (chosen) await output.write(`${chosen}\n`);
    await output.write(`${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${marginSummary(report)}\n`);
  }
  await output.end();
  await reportWritten(opts.out, `${count(report.totals.accounts, 'account')} (streamed), ${report.method} margin, ${opts.format}`);
  printWarnings(result.warnings);
  if (result.errorIds.length > 0) throw new AccountsInError(result.errorIds);
  return true;
}

async function marginWhole(files: { book: string; market: string }, options: MarginOptions, selection: Selection, opts: MarginFlags, whole?: BookChunk): Promise<void> {
  const bar = new Progress('margin', 4);
  try {
    const chunked = !options.breakdown && (await readsInChunks(files.book));
    let report: MarginReport | undefined;
    // the whole book, read once already (its first chunk held it): margined as it is, not read again
    if (whole !== undefined) report = await marginByChunks(files, options, opts, bar, whole);
    // a report written as it is margined, in flat memory; a book.json that turns out to need margining whole (a
    // subaccount after its first chunk) is read again, so its report goes to a file that can be taken back, not stdout
    else if (chunked && (opts.format === 'json' || opts.format === 'arrow') && (isArrowBook(files.book) || opts.out !== undefined)) {
      const streamed = await marginIntoReport(files, options, opts, bar);
      if (streamed === 'written') return;
      report = streamed;
    } else if (chunked) report = await marginByChunks(files, options, opts, bar);
    report ??= await marginAtOnce(files, options, opts, bar);
    bar.advance(1, 'writing');
    // every writer reads the report's columns: no row is built unless printed (or selected)
    const c = columnarReport(report);
    const progress = (k: number) => bar.setFraction(3 + k / Math.max(1, c.count), 'writing');
    if (opts.format === 'arrow') {
      await writeArrowReportFile(c, opts.out, progress);
    } else {
      const output = await openOutput(opts.out);
      const all = selection.status === undefined && selection.sort === undefined && selection.top === undefined;
      const columns = report.subaccounts ? [...CSV_COLUMNS, 'master' as const] : CSV_COLUMNS; // each row's master last
      if (opts.format === 'json') await writeJsonReport(c, output, progress);
      else if (all && opts.format === 'csv') await writeCsvReport(c, columns, output, (k) => (k & 4095) === 0 && progress(k));
      else {
        const rows = all ? undefined : selectedRows(c, new RowSelector(selection));
        const count = rows?.length ?? c.count;
        const rowAt = rows ? (k: number) => rows[k] : (k: number) => c.row(k);
        const written = (k: number) => (k & 4095) === 0 && progress(k);
        if (opts.format === 'csv') await output.lines(csvLines(columns, count, (k) => (written(k), columns.map((name) => rowAt(k)[name]))));
        else await output.lines(marginTableLines(report, c.count, count, rowAt, selection, written));
      }
      await output.end();
    }
    bar.advance(1);
    bar.finish();
    await reportWritten(opts.out, `${count(c.count, 'account')}, ${report.method} margin, ${opts.format}`);
    printWarnings(report.warnings);
    checkReportErrors(c);
  } finally {
    bar.finish();
  }
}

/**
 * The book's chunks, read ahead on the reader thread by the accounts scanner on the engine's backend (src/io/json-book/)
 * and begun now: the reader reads while the market is read and the kernels compiled ({@link chunkedRunInputs}).
 * Progress moves with the bytes read, as `phase`. Give them back (`return()`) on every path.
 */
function chunksBegun(files: { book: string }, opts: MarginFlags, bar: Progress, phase: string): ReturnType<typeof begunNow<BookChunk>> {
  const read = (done: number, total: number) => bar.bytes(1, done, total, phase);
  return begunNow(bookChunksAhead(files.book, { ...validationOptions(opts), scanner: opts.backend }, read, opts.chunkAccounts, readerBundleFile()));
}

/** A book read whole already, as the chunks of a chunked run. */
async function* oneChunk(whole: BookChunk): AsyncGenerator<BookChunk, void> {
  yield whole;
}

/** What a chunked run needs besides the book: the market, the params (into `options`) and the engine. */
async function chunkedRunInputs(files: { market: string }, options: MarginOptions, opts: MarginFlags): Promise<{ market: unknown; engine: Awaited<ReturnType<typeof createEngine>> }> {
  const market = await readJson(files.market, '--market');
  options.params ??= opts.params ? await readJson(opts.params, '--params') : undefined;
  return { market, engine: await createEngine({ backend: opts.backend }) };
}

/**
 * A big book (Arrow, or book.json over STREAMED_JSON_BYTES) margined a chunk of accounts at a time (margin-chunks.ts):
 * memory holds one chunk's positions. Undefined when the book must be margined whole after all (a subaccount after
 * the first chunk of a book.json).
 */
async function marginByChunks(files: { book: string; market: string }, options: MarginOptions, opts: MarginFlags, bar: Progress, whole?: BookChunk): Promise<MarginReport | undefined> {
  bar.advance(1, `reading and margining (${options.method})`);
  const chunks = whole !== undefined ? begunNow(oneChunk(whole)) : chunksBegun(files, opts, bar, `reading and margining (${options.method})`);
  try {
    const { market, engine } = await chunkedRunInputs(files, options, opts);
    const report = await marginChunks(chunks, market, engine, options, validationOptions(opts));
    bar.setFraction(2); // read and margined (the bytes moved the bar to here): writing is the phase after
    return report;
  } catch (error) {
    if (error instanceof NeedsWholeBook) return undefined;
    throw namingFiles(error, files); // the market file's own problems (the book's chunks name theirs)
  } finally {
    await chunks.return();
  }
}

/**
 * A big book's JSON or Arrow report written chunk by chunk as the book is margined (src/cli/report-stream.ts): memory
 * holds one chunk, whatever the book's size. `written` when done; the report when the book was one chunk (the caller
 * writes it); undefined when the book must be margined whole after all (nothing written).
 */
async function marginIntoReport(files: { book: string; market: string }, options: MarginOptions, opts: MarginFlags, bar: Progress): Promise<'written' | MarginReport | undefined> {
  bar.advance(1, `reading and margining (${options.method})`);
  const chunks = chunksBegun(files, opts, bar, `reading, margining and writing (${options.method})`);
  try {
    return await marginChunksWritten(chunks, files, options, opts, bar);
  } finally {
    await chunks.return();
  }
}

/** {@link marginIntoReport} on its chunks. */
async function marginChunksWritten(chunks: AsyncIterable<BookChunk>, files: { book: string; market: string }, options: MarginOptions, opts: MarginFlags, bar: Progress): Promise<'written' | MarginReport | undefined> {
  // the market file's own problems name it (as marginByChunks's do)
  const { market, engine } = await chunkedRunInputs(files, options, opts).catch((error: unknown) => Promise.reject(namingFiles(error, files)));
  // the rows are written as they are margined; the end (the totals, and an Arrow report's rows read back) is the writing phase
  let accounts = 1;
  const arrowWritten = (rows: number) => bar.setFraction(3 + rows / accounts, 'writing');
  // a report to a file is written on a thread of its own while the next chunks are margined (report-writer.ts)
  const writerFile = opts.out !== undefined && writesOnThread(opts.format as 'json' | 'arrow') ? cliBundleFile() : undefined;
  const sink = async () => writerFile !== undefined && opts.out !== undefined ? writerSink(writerFile, { format: opts.format as 'json' | 'arrow', path: opts.out }, arrowWritten)
    : opts.format === 'json' ? jsonSink(await openOutput(opts.out)) : arrowSink(opts.out, arrowWritten);
  const writing = (total: number) => {
    accounts = Math.max(1, total);
    bar.setFraction(3);
    bar.note('writing'); // drawn now: a JSON report's end takes no time
  };
  let result: Awaited<ReturnType<typeof marginChunksInto>>;
  try {
    result = await marginChunksInto(chunks, market, engine, options, validationOptions(opts), sink, writing);
  } catch (error) {
    if (error instanceof NeedsWholeBook) return undefined;
    throw namingFiles(error, files);
  }
  bar.setFraction(2);
  if ('whole' in result) return result.whole;
  bar.finish();
  const { report, errors } = result;
  await reportWritten(opts.out, `${count(report.totals.accounts, 'account')} (streamed), ${report.method} margin, ${opts.format}`);
  printWarnings(report.warnings);
  if (errors.count > 0) throw new AccountsInError(errors.ids, errors.count);
  return 'written';
}

/** The book read whole (validated, laid out in columns), then margined. */
async function marginAtOnce(files: { book: string; market: string }, options: MarginOptions, opts: MarginFlags, bar: Progress): Promise<MarginReport> {
  let inputs: Awaited<ReturnType<typeof readValidInputs>> | undefined = await readValidInputs(files.book, files.market, validationOptions(opts), () => bar.advance(1, 'validating'), (done, total) => bar.bytes(0, done, total));
  options.params ??= opts.params ? await readJson(opts.params, '--params') : undefined;
  bar.advance(1, `${options.method} margin`);
  const engine = await createEngine({ backend: opts.backend });
  const market = inputs.market;
  // one run, no edits: no room reserved for inserted positions (a big book's columns are the memory it takes)
  const session = engine.openBook(inputs.book, ONE_SHOT_LAYOUT);
  inputs = undefined; // the book is laid out in columns now: its objects can go (gigabytes on big books)
  try {
    return session.margin(market, options);
  } finally {
    session.release();
  }
}

/** The rows a selection keeps, offered one at a time (only kept rows stay built). */
function selectedRows(c: ColumnarMarginReport, selector: RowSelector): AccountMargin[] {
  for (let k = 0; k < c.count; k++) selector.offer(c.row(k));
  return selector.result();
}

/**
 * After a complete report: the accounts in status `error`, read from the status column (their rows built alone), as
 * checkAccountErrors says them.
 */
function checkReportErrors(c: ColumnarMarginReport): void {
  const rows: AccountMargin[] = [];
  for (let k = 0; k < c.count; k++) if (c.columns.status[k] === STATUS_ERROR) rows.push(c.row(k));
  checkAccountErrors(rows);
}

async function writeRows(output: Output, format: string, rows: readonly AccountMargin[]): Promise<void> {
  if (format === 'csv') await output.lines(csvLines(CSV_COLUMNS, rows.length, (i) => CSV_COLUMNS.map((c) => rows[i][c])));
  else await output.lines(tableLines(TABLE_HEADER, rows.length, (k) => tableRow(rows[k]), TABLE_ALIGN));
}

export function marginSummary(report: Pick<MarginReport, 'totals' | 'profile' | 'method'>): string {
  const t = report.totals;
  const statuses = Object.entries(t.byStatus).map(([s, n]) => `${s} ${count(n)}`).join(', ');
  const profile = report.profile ? ` under profile ${report.profile.name} ${report.profile.version} (${report.method})` : '';
  const over = t.complete ? 'total' : `PARTIAL totals over ${coverageLabel(t)}:`;
  return `${count(t.accounts, 'account')}${profile} (${statuses}); ${over} IM ${money(t.im)}, MM ${money(t.mm)}, equity ${money(t.equity)}; ` +
    `margin efficiency ${Number.isFinite(t.efficiency) ? efficiency(t.efficiency, '×') : 'n/a (no account requires IM)'} (gross notional / IM)`;
}

/** The account table, a line at a time (any size), then the selection and the summary line. */
function* marginTableLines(report: MarginReport, accounts: number, count: number, rowAt: (k: number) => AccountMargin, selection: Selection, written: (i: number) => void): Generator<string> {
  let i = 0;
  for (const line of tableLines(TABLE_HEADER, count, (k) => tableRow(rowAt(k)), TABLE_ALIGN)) {
    written(i++ >> 1);
    yield line;
  }
  const chosen = selectionLine(selection, count, accounts);
  if (chosen) yield chosen;
  yield `${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${marginSummary(report)}`;
  if (report.subaccounts) {
    yield '';
    yield* rollupLines(report.subaccounts, selection.top);
  }
}
