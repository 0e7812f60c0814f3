/**
 * One end-to-end run of `margin-core margin`, phase by phase, in a process of its own (its peak RSS is the run's):
 * the CLI's own steps from the book file to the written report. The book is read a chunk of accounts at a time
 * (src/cli/io.ts bookChunks: an Arrow book's record batches, a book.json as it streams), and each chunk validated
 * against the market, laid out (engine.openBook with the CLI's layout options), prepared, run (the kernels) and
 * reported, as the CLI does; each phase's time is summed over the
 * chunks; each chunk's rows written into the report as it comes (src/cli/report-stream.ts), charged to `write`.
 * `node dist/bench.js e2e-run BOOK MARKET OUT FORMAT METHOD BACKEND` prints one JSON line (E2eRun).
 */
import { stat } from 'node:fs/promises';
import { createEngine } from '../src/engine.js';
import { bookChunks, readJson } from '../src/cli/io.js';
import { readBookChunks } from '../src/io/book-stream.js';
import { withOffset } from '../src/cli/margin-chunks.js';
import { arrowSink, jsonSink, ReportStream } from '../src/cli/report-stream.js';
import { openOutput } from '../src/cli/output.js';
import { writeArrowReportFile, writeJsonReport } from '../src/cli/report-output.js';
import { columnarReport } from '../src/margin/columnar-report.js';
import { validateMarket } from '../src/model/validate.js';
import type { PreparedRun } from '../src/session/prepared-run.js';

type Phases = { read: number; layout: number; prepare: number; kernels: number; report: number; write: number };

export interface E2eRun {
  book: string;
  format: E2eFormat;
  method: string;
  backend: string;
  accounts: number;
  /** Chunks the book was read in. */
  chunks: number;
  /** ms per phase, summed over the chunks; `read` includes validation against the market; `kernels` is the method's run(). */
  phases: Phases;
  /** ms, file to written report. */
  total: number;
  /** ms of CPU (user + system) for the whole run, and per phase (the machine is shared: CPU time is the steadier figure). */
  cpu: number;
  cpuPhases: Phases;
  /** MB, the process's peak resident set. */
  peakRssMb: number;
  bookBytes: number;
  reportBytes: number;
}

/**
 * The book's formats and readers: `json` is book.json read by the accounts scanner on the run's backend (WASM or its
 * JS twin: src/io/json-book/, what `margin` does), `json-general` the same file by the general reader it replaced
 * (src/io/book-stream.ts: JSON.parse per ~1 MB of accounts, the validator per account), `arrow` book.arrow.
 */
export type E2eFormat = 'json' | 'json-general' | 'arrow';

export async function e2eRun(book: string, market: string, out: string, format: E2eFormat, method: string, backend: 'wasm' | 'js'): Promise<E2eRun> {
  const engine = await createEngine({ backend });
  const wall: Phases = { read: 0, layout: 0, prepare: 0, kernels: 0, report: 0, write: 0 };
  const cpu: Phases = { ...wall };
  const cpu0 = process.cpuUsage();
  const cpuNow = () => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1000;
  };
  let t = performance.now(), c = cpuNow();
  /** Charges the time since the last mark to `phase`. */
  const mark = (phase: keyof Phases) => {
    const t1 = performance.now(), c1 = cpuNow();
    wall[phase] += t1 - t;
    cpu[phase] += c1 - c;
    t = t1;
    c = c1;
  };
  const start = t;
  const marketJson = await readJson(market, '--market');
  // the report written as the chunks are margined (src/cli/report-stream.ts), as the CLI does with --format json|arrow --out
  const stream = new ReportStream(async () => (format === 'arrow' ? arrowSink(out) : jsonSink(await openOutput(out))));
  let accounts = 0, chunks = 0;
  const source = format === 'json-general' ? readBookChunks(book, {}) : bookChunks(book, { scanner: backend });
  for (;;) {
    const next = await source.next();
    if (next.done) break;
    const { book: chunk, first } = next.value;
    const validMarket = withOffset(first, () => validateMarket(marketJson, chunk, {}));
    mark('read');
    const session = engine.openBook(chunk, { positionSlack: 0, collateralSlack: 0, headroom: 0 });
    accounts += session.layout.accountCount;
    chunks++;
    mark('layout');
    const run = session.prepare(validMarket, { method }) as PreparedRun;
    mark('prepare');
    run.run();
    mark('kernels');
    const report = run.report();
    run.release();
    session.release();
    mark('report');
    await stream.add(report);
    mark('write');
  }
  const ended = await stream.end();
  mark('write');
  if ('whole' in ended) {
    // a book of one chunk: written whole, as the CLI does
    const report = columnarReport(ended.whole);
    if (format === 'arrow') await writeArrowReportFile(report, out, () => {});
    else {
      const output = await openOutput(out);
      await writeJsonReport(report, output, () => {});
      await output.end();
    }
    mark('write');
  }
  return {
    book, format, method, backend: engine.backend, accounts, chunks, phases: wall, total: t - start, cpu: cpuNow(), cpuPhases: cpu,
    peakRssMb: process.resourceUsage().maxRSS / 1024, bookBytes: (await stat(book)).size, reportBytes: (await stat(out)).size,
  };
}
