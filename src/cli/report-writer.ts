/**
 * A streamed report written on a worker thread (report-stream.ts's sinks, run there): the command margins the next
 * chunk while the one before is formatted and written, so writing (a 1,000,000-account JSON report is 490 MB of text,
 * its ten million figures each formatted as the shortest decimal that reads back) leaves the command's thread, as
 * reading the book already does (read-ahead.ts; the worker is the CLI bundle itself, started with workerData naming
 * its work).
 *
 * Each chunk crosses as its report's columns (report-chunk.ts), in order; at most IN_FLIGHT chunks are sent and not
 * yet written (memory: a few chunks' rows, not the report's). A failure on the writer's side (the output cannot be
 * written, the disk is full) removes what it wrote and comes back as the same error class (thread-errors.ts), thrown
 * by the command's next call; the writer's temporary file is also known to the command's thread, which removes it if
 * the process is interrupted. Only a report to a file goes this way ({@link writesOnThread}: an Arrow report only with
 * a core to spare), and only when a book comes in several chunks (the sink opens at the second): a small book, or a
 * report to stdout, is written in the command's thread.
 */
import { unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { MarginReport } from '../margin/report.js';
import type { OptionalKey } from '../margin/columnar-report.js';
import { forgetPendingFile, notePendingFile, watchPendingFiles } from '../io/atomic-file.js';
import { openOutput } from './output.js';
import { reportChunkOf, type ReportChunk, reportOfChunk } from './report-chunk.js';
import { arrowSink, jsonSink, type ReportSink } from './report-stream.js';
import { errorOf, type SentError, sentError } from './thread-errors.js';
import { Wakeup } from './wakeup.js';

/** The key of workerData that makes a thread of the CLI bundle a report writer (main.ts checks it). */
export const REPORT_WRITER = 'margin-core:report-writer';
/** Chunks sent to the writer and not yet written. */
const IN_FLIGHT = 2;

/** What the writer writes: the report's format and file (a file: stdout stays with the command's thread). */
export interface WriterSpec {
  format: 'json' | 'arrow';
  path: string;
  /** Arrow: bytes of record batches kept in memory before the rest spill to a temporary file (report-stream.ts). */
  keptBytes?: number | undefined;
}

type ToWriter =
  | { kind: 'rows'; chunk: ReportChunk }
  | { kind: 'end'; report: Omit<MarginReport, 'accounts'>; optional: readonly OptionalKey[] }
  | { kind: 'discard' };

type FromWriter =
  | { kind: 'taken' }
  | { kind: 'written'; rows: number }
  | { kind: 'temp'; path: string; open: boolean }
  | { kind: 'ended' }
  | { kind: 'discarded' }
  | { kind: 'error'; error: SentError };

/**
 * Whether a report in `format` is written on a writer thread: JSON always (formatting its figures is most of a chunk's
 * time: a 1,000,000-account report's writing moved 4 s of CPU off the command's thread); Arrow, whose record batches
 * are views of the report's columns (0.4 s of the command's thread at 1,000,000 accounts), only when there is a core
 * for a third thread: on two cores the thread's start and the chunks' crossing cost about what it takes off.
 */
export function writesOnThread(format: 'json' | 'arrow', cores = availableParallelism()): boolean {
  return format === 'json' || cores >= 3;
}

/** Whether this thread was started as a report writer (then {@link serveReportWriter} is its whole work). */
export function isReportWriterThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[REPORT_WRITER] !== undefined;
}

/**
 * A sink (report-stream.ts) whose rows are written by a worker thread running `workerFile` (the CLI bundle, which
 * serves it when {@link isReportWriterThread}); `written(rows)` as an Arrow report's rows are written at the end.
 */
export function writerSink(workerFile: string, spec: WriterSpec, written: (rows: number) => void = () => undefined): ReportSink {
  const worker = new Worker(workerFile, { workerData: { [REPORT_WRITER]: spec }, argv: [], stdout: false, stderr: false });
  let inFlight = 0;
  let failure: Error | undefined;
  let finished: 'ended' | 'discarded' | undefined;
  const arrivals = new Wakeup();
  const temps = new Set<string>();
  worker.on('message', (m: FromWriter) => {
    if (m.kind === 'taken') inFlight--;
    else if (m.kind === 'written') written(m.rows);
    else if (m.kind === 'temp') {
      // the writer's temporary file, removed by this thread's exit and signal handlers too (a worker gets no signals)
      if (m.open) temps.add(m.path), notePendingFile(m.path);
      else temps.delete(m.path), forgetPendingFile(m.path);
    } else if (m.kind === 'error') failure ??= errorOf(m.error);
    else finished = m.kind;
    arrivals.notify();
  });
  worker.on('error', (error) => {
    failure ??= error;
    arrivals.notify();
  });
  worker.on('exit', (code) => {
    failure ??= finished === undefined ? new Error(`the report writer thread stopped (exit code ${code})`) : undefined;
    arrivals.notify();
  });
  const until = async (done: () => boolean) => {
    while (!done() && failure === undefined) await arrivals.next();
    if (!done()) throw failure!;
  };
  const stop = async () => {
    await worker.terminate();
    for (const path of temps) forgetPendingFile(path);
  };
  return {
    async rows(c) {
      if (failure) throw failure;
      worker.postMessage({ kind: 'rows', chunk: reportChunkOf(c) } satisfies ToWriter);
      inFlight++;
      await until(() => inFlight < IN_FLIGHT);
    },
    async end(report, optional) {
      worker.postMessage({ kind: 'end', report: { ...report }, optional } satisfies ToWriter);
      try {
        await until(() => finished === 'ended');
      } finally {
        await stop();
      }
    },
    async discard() {
      worker.postMessage({ kind: 'discard' } satisfies ToWriter);
      try {
        await until(() => finished === 'discarded').catch(() => undefined);
      } finally {
        const left = [...temps]; // a writer that stopped before discarding: its temporary file removed here
        await stop();
        await Promise.all(left.map((path) => unlink(path).catch(() => undefined)));
      }
    },
  };
}

/** The worker's side: opens the sink, writes each chunk's rows in order, then the end or nothing. */
export async function serveReportWriter(): Promise<void> {
  const port = parentPort!;
  const spec = (workerData as Record<string, WriterSpec>)[REPORT_WRITER];
  const post = (m: FromWriter) => port.postMessage(m);
  watchPendingFiles((path, open) => post({ kind: 'temp', path, open }));
  const inbox: ToWriter[] = [];
  const arrivals = new Wakeup();
  port.on('message', (m: ToWriter) => {
    inbox.push(m);
    arrivals.notify();
  });
  const next = async (): Promise<ToWriter> => {
    while (inbox.length === 0) await arrivals.next();
    return inbox.shift()!;
  };
  let sink: ReportSink | undefined;
  let failed = false;
  for (;;) {
    const m = await next();
    if (m.kind === 'discard') {
      await sink?.discard().catch(() => undefined);
      post({ kind: 'discarded' });
      break;
    }
    if (failed) {
      if (m.kind === 'rows') post({ kind: 'taken' });
      continue; // the failure was said; the command discards
    }
    try {
      sink ??= spec.format === 'json' ? jsonSink(await openOutput(spec.path)) : await arrowSink(spec.path, (rows) => post({ kind: 'written', rows }), spec.keptBytes);
      if (m.kind === 'rows') {
        await sink.rows(reportOfChunk(m.chunk));
        post({ kind: 'taken' });
      } else {
        await sink.end(m.report, m.optional);
        post({ kind: 'ended' });
        break;
      }
    } catch (error) {
      failed = true;
      await sink?.discard().catch(() => undefined);
      post({ kind: 'error', error: sentError(error) });
    }
  }
  port.close();
}
