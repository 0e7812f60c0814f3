/**
 * `margin --format json|arrow` on a big book, in flat memory: each chunk of accounts (an Arrow book's record batches,
 * a book.json's accounts as they stream in) is margined (margin-chunks.ts `marginChunk`) and its rows written out
 * before the next chunk is read, so nothing of an account is kept past its chunk but its rows in the report being
 * written. What is kept across chunks is bounded: the totals' exact sums (src/margin/exact-totals.ts: the same bits as
 * a whole-book report, whatever the grouping), the warnings (deduplicated, capped by validation), the number of
 * accounts in status error with the first few ids, and the report's optional columns seen so far.
 *
 * JSON: the report's keys before `accounts` come from the first chunk, its rows follow as they are margined, and the
 * totals and warnings (keys after `accounts`) are written last: the bytes of the whole-book report. Arrow: the totals
 * live in the schema's metadata, which an IPC file writes first, and which columns the report has (cashUsd, error, …)
 * is known only at the end; so the rows go as record batches with every optional column to a temporary file beside
 * the output, which is read back a batch at a time into the report once the totals are known (the columns the rows
 * have; the table of the whole-book report). A book of one chunk is returned whole: the caller writes it as before.
 * A report to a file has its sink run on a writer thread (report-writer.ts), which the chunks' reports cross to.
 */
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Arrow } from '../io/arrow/load.js';
import type { Engine } from '../engine.js';
import type { InputProblem } from '../errors.js';
import { ByteText } from '../io/byte-text.js';
import { IpcChunks } from '../io/arrow/ipc-chunks.js';
import { piecesLength, WriteBehind } from '../io/write-pieces.js';
import { JSON_ROWS_END, JsonRows, jsonShell } from '../io/report-json.js';
import { type ColumnarMarginReport, columnarReport, OPTIONAL_KEYS, type OptionalKey } from '../margin/columnar-report.js';
import { mergeTotalSums, newTotalSums, sumsOfRows, totalsOfSums } from '../margin/exact-totals.js';
import type { MarginReport, MarginTotals } from '../margin/report.js';
import { STATUS_ERROR } from '../margin/status.js';
import { reportSums, summaryRowsOfReport } from '../margin/summary-rows.js';
import type { BookChunk } from '../model/book-columns.js';
import type { ValidationOptions } from '../model/validate.js';
import { withWarnings } from '../model/warnings.js';
import type { MarginOptions } from '../session/types.js';
import { type AtomicFile, openAtomic } from '../io/atomic-file.js';
import { wasSetAside } from '../margin/currency-view.js';
import { marginChunk } from './margin-chunks.js';
import type { Output } from './output.js';
import { writeArrowFile } from './report-output.js';

/** Where a streamed report's rows go, a chunk at a time, and its head and totals at the end. */
export interface ReportSink {
  rows(c: ColumnarMarginReport): Promise<void>;
  /** `report`: the report without its rows (head, totals, warnings in their key order); `optional`: the optional columns some row has. */
  end(report: Omit<MarginReport, 'accounts'>, optional: readonly OptionalKey[]): Promise<void>;
  /** Nothing written (a temporary file removed; a file output left as it was). */
  discard(): Promise<void>;
}

/** A report written as it was margined: what the command says after it. */
export interface StreamedReport {
  report: Omit<MarginReport, 'accounts'>;
  /** Accounts in status error (not set aside): how many, and the first few ids. */
  errors: { count: number; ids: string[] };
}

/** Ids of accounts in error kept for the message (the count is exact). */
const ERROR_IDS_KEPT = 3;

/**
 * Margins `chunks` in book order into the sink `openSink` opens when a second chunk comes; a book of one chunk comes
 * back whole (`{ whole }`, nothing written).
 */
export async function marginChunksInto(chunks: AsyncIterable<BookChunk>, marketJson: unknown, engine: Engine, options: MarginOptions, validation: ValidationOptions,
  openSink: () => Promise<ReportSink>, onEnd?: (accounts: number) => void): Promise<{ whole: MarginReport } | StreamedReport> {
  const stream = new ReportStream(openSink);
  try {
    for await (const chunk of chunks) await stream.add(marginChunk(chunk, marketJson, engine, options, validation));
    return await stream.end(onEnd);
  } catch (error) {
    await stream.discard();
    throw error;
  }
}

/** The chunks' reports, in book order, written into a sink as they come (see {@link marginChunksInto}). */
export class ReportStream {
  private first: MarginReport | undefined;
  private sink: ReportSink | undefined;
  private readonly state = new StreamState();

  constructor(private readonly openSink: () => Promise<ReportSink>) {}

  /** The next chunk's report: written (the first once a second comes). */
  async add(report: MarginReport): Promise<void> {
    if (this.first === undefined) {
      this.first = report; // written once a second chunk shows the book is more than one
      return;
    }
    if (this.sink === undefined) {
      this.sink = await this.openSink();
      await this.state.add(this.first, this.sink);
    }
    await this.state.add(report, this.sink);
  }

  /**
   * The report's end written (totals, warnings; an Arrow report's rows read back), or the one chunk's report when there
   * was only one. `onEnd(accounts)` as the end is being written.
   */
  async end(onEnd?: (accounts: number) => void): Promise<{ whole: MarginReport } | StreamedReport> {
    if (this.first === undefined) throw new Error('margin-core: a book of no chunks');
    if (this.sink === undefined) return { whole: this.first };
    const report = this.state.report(this.first);
    onEnd?.(report.totals.accounts);
    await this.sink.end(report, this.state.optional());
    return { report, errors: this.state.errors };
  }

  /** Nothing written (after a failure). */
  async discard(): Promise<void> {
    await this.sink?.discard();
  }
}

/** What is kept across chunks (bounded: see the module comment). */
class StreamState {
  private readonly sums = newTotalSums();
  private readonly warnings: InputProblem[] = [];
  private readonly seenWarnings = new Set<string>();
  private readonly keys = new Set<OptionalKey>();
  readonly errors = { count: 0, ids: [] as string[] };

  async add(report: MarginReport, sink: ReportSink): Promise<void> {
    const rows = summaryRowsOfReport(report);
    mergeTotalSums(this.sums, rows ? reportSums(report, rows) : sumsOfRows(report.accounts));
    for (const w of report.warnings ?? []) {
      const key = `${w.path}\n${w.message}`;
      if (!this.seenWarnings.has(key)) this.seenWarnings.add(key), this.warnings.push(w);
    }
    const c = columnarReport(report);
    for (const key of c.optionalKeys) this.keys.add(key);
    for (let k = 0; k < c.count; k++) {
      if (c.columns.status[k] !== STATUS_ERROR) continue;
      const row = c.row(k);
      if (wasSetAside(row)) continue;
      if (this.errors.count++ < ERROR_IDS_KEPT) this.errors.ids.push(row.id);
    }
    await sink.rows(c);
  }

  /** The book's report without its rows: the first chunk's head, the totals of every chunk, the warnings. */
  report(first: MarginReport): Omit<MarginReport, 'accounts'> {
    const totals: MarginTotals = totalsOfSums(this.sums);
    return withWarnings({ ...headOf(first), totals }, this.warnings);
  }

  optional(): OptionalKey[] {
    return OPTIONAL_KEYS.filter((key) => this.keys.has(key));
  }
}

/** The report's keys before `accounts`, in order (without reading `accounts`, which would build the rows). */
function headOf(report: MarginReport): Pick<MarginReport, 'method' | 'profile' | 'valuationTime' | 'backend'> {
  return { method: report.method, ...(report.profile ? { profile: report.profile } : {}), valuationTime: report.valuationTime, backend: report.backend };
}

/** The JSON report's rows into `output` as they come (see the module comment). */
export function jsonSink(output: Output & { discard(): Promise<void> }): ReportSink {
  const out = new ByteText(1 << 20);
  const rows = new JsonRows();
  let before: string | undefined;
  let written = 0;
  return {
    async rows(c) {
      // the text before the rows: the keys before `accounts`, the same for every chunk's report
      before ??= jsonShell({ ...headOf(c.report), accounts: [] }).before;
      if (written === 0) out.text(before);
      for (let k = 0; k < c.count; k++) {
        if (written++ > 0) out.ascii(',\n');
        rows.writeAt(out, c, k);
        if (out.length >= (1 << 20) - 4096) await output.writeBytes(out.take());
      }
      await output.writeBytes(out.take());
    },
    async end(report) {
      const { totals, warnings, ...head } = report;
      const { before: expected, after } = jsonShell({ ...head, accounts: [], totals, ...(warnings ? { warnings } : {}) });
      if (expected !== before) throw new Error('margin-core: a streamed report\'s head changed between chunks');
      out.ascii(JSON_ROWS_END);
      out.text(after);
      await output.writeBytes(out.take());
      await output.end();
    },
    discard: () => output.discard(),
  };
}

/**
 * Report bytes an Arrow report keeps in memory as built record batches before the rest go to a temporary file: a
 * million-account report (~150 MB) is written straight from memory; a bigger one keeps this much and spills the rest,
 * so memory stays flat whatever the book's size.
 */
export const ARROW_KEPT_BYTES = 256 * 2 ** 20;

/**
 * The Arrow report's rows as record batches with every optional column: kept in memory up to `keptBytes`, the rest
 * written to a temporary file beside the output as they come; at the end the kept batches and then the file's are
 * made into the report at `path` (stdout: undefined) with the columns some row has.
 */
export async function arrowSink(path: string | undefined, written: (rows: number) => void = () => undefined, keptBytes = ARROW_KEPT_BYTES): Promise<ReportSink> {
  const { loadArrow } = await import('../io/arrow/load.js');
  const { reportBatch, reportSchema, ROWS_PER_BATCH, REPORT_KEY, statusNames } = await import('../io/arrow/write-report.js');
  const A = await loadArrow();
  const names = statusNames(A);
  // every optional column, in the order reportSchema puts them; the report keeps those some row has
  const wide = reportSchema(A, {}, OPTIONAL_KEYS);
  const kept: RecordBatch[] = [];
  let keptSoFar = 0;
  let spill: SpillFile | undefined;
  return {
    async rows(c) {
      for (let from = 0; from < c.count; from += ROWS_PER_BATCH) {
        const to = Math.min(c.count, from + ROWS_PER_BATCH);
        if (!spill) {
          // kept batches own their figures (the chunk's columns may be reused by the next chunk)
          const batch = reportBatch(A, wide, c, from, to, names, true);
          if (keptSoFar + batch.data.byteLength <= keptBytes) {
            kept.push(batch);
            keptSoFar += batch.data.byteLength;
            continue;
          }
          spill = await SpillFile.open(A, wide, path);
        }
        spill.write(reportBatch(A, wide, c, from, to, names));
      }
      await spill?.flush();
    },
    async end(report, optional) {
      const fields = wide.fields.filter((f) => !(OPTIONAL_KEYS as readonly string[]).includes(f.name) || optional.includes(f.name as OptionalKey));
      const schema = new A.Schema(fields, new Map([[REPORT_KEY, JSON.stringify(report)]]));
      // the status column's dictionary is the one `names` vector (a file refuses a dictionary replaced between batches)
      const child = (batch: RecordBatch, f: (typeof fields)[number]) => {
        const data = batch.getChild(f.name)!.data[0];
        return f.name === 'status' ? A.makeData({ type: f.type, length: data.length, data: data.values, dictionary: names } as never) : data;
      };
      const narrowed = (batch: RecordBatch) => new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: batch.numRows, children: fields.map((f) => child(batch, f)) }));
      const spilled = spill;
      try {
        await spilled?.finish();
        const batches = (async function* (): AsyncGenerator<RecordBatch> {
          while (kept.length > 0) yield narrowed(kept.shift()!); // each kept batch let go once written
          if (spilled) for await (const batch of spilled.batches()) yield narrowed(batch);
        })();
        await writeArrowFile(schema, batches, path, written);
      } finally {
        await spilled?.discard();
      }
    },
    async discard() {
      kept.length = 0;
      await spill?.discard();
    },
  };
}

/** Spilled bytes whose writes may still be running before the next flush waits for them (the rows margined meanwhile). */
const SPILL_BEHIND_BYTES = 32 << 20;

/**
 * Record batches written to a temporary file beside the output as they come (behind the margining: at most
 * {@link SPILL_BEHIND_BYTES} not yet written), and read back in order at the end, a batch at a time (ipc-chunks.ts).
 */
class SpillFile {
  private readonly queued: Uint8Array[] = [];
  private readonly collected: Promise<void>;
  /** The writes in order, behind the margining; a failure is thrown by the next flush that waits, or by finish. */
  private readonly behind: WriteBehind;

  private constructor(
    private readonly A: Arrow,
    private readonly temp: AtomicFile,
    private readonly writer: InstanceType<Arrow['RecordBatchStreamWriter']>,
  ) {
    this.collected = (async () => {
      for await (const bytes of writer) this.queued.push(bytes);
    })();
    this.behind = new WriteBehind((pieces) => temp.write(pieces), SPILL_BEHIND_BYTES);
  }

  static async open(A: Arrow, schema: Schema, path: string | undefined): Promise<SpillFile> {
    const temp = await openAtomic(path ?? join(tmpdir(), 'margin-core-report.arrow'));
    const writer = new A.RecordBatchStreamWriter();
    writer.reset(undefined, schema);
    return new SpillFile(A, temp, writer);
  }

  write(batch: RecordBatch): void {
    this.writer.write(batch);
  }

  /**
   * A batch's bytes are taken on microtasks: gathered after a turn, then written together (src/sample/write-arrow.ts),
   * behind: waited for only once more than {@link SPILL_BEHIND_BYTES} are being written.
   */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.queued.length === 0) return;
    const pieces = this.queued.splice(0);
    await this.behind.add(pieces, piecesLength(pieces));
  }

  async finish(): Promise<void> {
    this.writer.finish();
    await this.collected;
    await this.flush();
    await this.behind.drain();
  }

  /** The spilled batches in order, each read alone into memory of its own (the final writes may still hold the one before). */
  async *batches(): AsyncGenerator<RecordBatch> {
    const file = await open(this.temp.tempPath, 'r');
    try {
      const ipc = await IpcChunks.open(this.A, file);
      for await (const table of ipc.tables(1, false)) yield* table.batches;
    } finally {
      await file.close();
    }
  }

  async discard(): Promise<void> {
    this.writer.finish();
    await this.collected.catch(() => undefined);
    await this.behind.drain().catch(() => undefined);
    await this.temp.discard();
  }
}
