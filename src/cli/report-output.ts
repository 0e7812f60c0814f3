/**
 * Writing a margin report from its columns (src/margin/columnar-report.ts): JSON and CSV a row at a time, Arrow a
 * record batch at a time (src/io/arrow/write-report.ts), so a report of a million accounts never holds its rows.
 */
import { InputError } from '../errors.js';
import { marginReportJsonCounted } from '../io/report-json.js';
import type { ColumnarMarginReport } from '../margin/columnar-report.js';
import { csvLines, openOutput, type Output } from './output.js';
import type { RecordBatch, Schema } from 'apache-arrow';

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
  const { loadArrow } = await import('../io/arrow/load.js');
  const { arrowReport } = await import('../io/arrow/write-report.js');
  const { schema, batches } = arrowReport(await loadArrow(), c);
  await writeArrowFile(schema, batches(), path, written);
}

/**
 * Record batches of `schema` as an Arrow IPC file to `path` (written whole or not at all: output.ts) or stdout (refused
 * when it is a terminal), one batch at a time: each batch's bytes are written out before the next batch is made, so
 * memory holds one batch whatever the report's size.
 */
export async function writeArrowFile(schema: Schema, batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>, path: string | undefined, written: (rows: number) => void): Promise<void> {
  if (path === undefined && process.stdout.isTTY) throw new InputError([{ path: '--out', message: 'an Arrow report is binary: give --out FILE (or pipe stdout)' }]);
  const { loadArrow } = await import('../io/arrow/load.js');
  const A = await loadArrow();
  const output = await openOutput(path);
  const writer = new A.RecordBatchFileWriter();
  // the writer queues its bytes in small pieces (views of the batch's columns), taken on microtasks: gathered after a
  // turn and written together, uncopied (src/io/write-pieces.ts)
  const queued: Uint8Array[] = [];
  const collected = (async () => {
    for await (const bytes of writer) queued.push(bytes);
  })();
  const flush = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (queued.length > 0) await output.writeBytes(queued.splice(0));
  };
  try {
    writer.reset(undefined, schema);
    let rows = 0;
    for await (const batch of batches) {
      writer.write(batch);
      await flush();
      written((rows += batch.numRows));
    }
    writer.finish();
    await collected;
    await flush();
    await output.end();
  } catch (error) {
    await output.discard();
    throw error;
  }
}
