/**
 * Writing a margin report from its columns (src/margin/columnar-report.ts): JSON and CSV a row at a time, Arrow a
 * record batch at a time (src/io/arrow/write-report.ts), so a report of a million accounts never holds its rows.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors.js';
import { marginReportJsonCounted } from '../io/report-json.js';
import type { ColumnarMarginReport } from '../margin/columnar-report.js';
import { csvLines, type Output } from './output.js';

/** The JSON report, streamed (`written(k)`: rows written so far, for the progress bar). */
export async function writeJsonReport(c: ColumnarMarginReport, output: Output, written: (rows: number) => void): Promise<void> {
  let rows = 0;
  for (const piece of marginReportJsonCounted(c, undefined, (k) => (rows = k))) {
    await output.writeBytes(piece);
    written(rows); // the rows written, counted (a byte estimate reached 100% seconds before the end)
  }
  written(c.count);
}

/** CSV of `columns` (row keys), one line per row. */
export async function writeCsvReport(c: ColumnarMarginReport, columns: readonly string[], output: Output, written: (row: number) => void): Promise<void> {
  await output.lines(csvLines(columns, c.count, (k) => {
    written(k);
    const row = c.row(k) as unknown as Record<string, string | number | undefined>;
    return columns.map((name) => row[name]);
  }));
}

/** The Arrow IPC report (file format) to `path` or stdout (refused when it is a terminal), a record batch at a time. */
export async function writeArrowReportFile(c: ColumnarMarginReport, path: string | undefined, written: (rows: number) => void): Promise<void> {
  if (path === undefined && process.stdout.isTTY) throw new InputError([{ path: '--out', message: 'an Arrow report is binary: give --out FILE (or pipe stdout)' }]);
  const { loadArrow } = await import('../io/arrow/load.js');
  const { arrowReport } = await import('../io/arrow/write-report.js');
  const A = await loadArrow();
  const { schema, batches } = arrowReport(A, c);
  const writer = new A.RecordBatchFileWriter();
  const bytes = Readable.fromWeb(writer.toDOMStream() as import('node:stream/web').ReadableStream<Uint8Array>);
  let finished: Promise<void>;
  if (path === undefined) {
    finished = new Promise((resolve, reject) => {
      bytes.on('end', resolve).on('error', reject);
      bytes.pipe(process.stdout, { end: false });
    });
  } else {
    const file = createWriteStream(path);
    finished = pipeline(bytes, file).catch((error: Error) => {
      throw new InputError([{ path: '--out', message: `cannot write ${path}: ${error.message}` }]);
    });
  }
  writer.reset(undefined, schema);
  let rows = 0;
  for (const batch of batches()) {
    writer.write(batch);
    written((rows += batch.numRows));
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the bytes flow out before the next batch
  }
  writer.finish();
  await finished;
}
