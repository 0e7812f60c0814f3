/**
 * One end-to-end run of `margin-core margin`, phase by phase, in a process of its own (its peak RSS is the run's):
 * the CLI's own steps (src/cli/io.ts reading, engine.openBook with the CLI's layout options, prepare, the kernels, the
 * columnar report, the writers of src/cli/report-output.ts), each timed, from the book file to the written report.
 * `node dist/bench.js e2e-run BOOK MARKET OUT FORMAT METHOD BACKEND` prints one JSON line (E2eRun).
 */
import { stat } from 'node:fs/promises';
import { createEngine } from '../src/engine.js';
import { readValidInputs } from '../src/cli/io.js';
import { openOutput } from '../src/cli/output.js';
import { writeArrowReportFile, writeJsonReport } from '../src/cli/report-output.js';
import { columnarReport } from '../src/margin/columnar-report.js';
import type { PreparedRun } from '../src/session/prepared-run.js';

export interface E2eRun {
  book: string;
  format: 'json' | 'arrow';
  method: string;
  backend: string;
  accounts: number;
  /** ms per phase, in order; `kernels` is the method's run() (the kernels' own time). */
  phases: { read: number; layout: number; prepare: number; kernels: number; report: number; write: number };
  /** ms, file to written report. */
  total: number;
  /** ms of CPU (user + system) for the whole run, and per phase (the machine is shared: CPU time is the steadier figure). */
  cpu: number;
  cpuPhases: { read: number; layout: number; prepare: number; kernels: number; report: number; write: number };
  /** MB, the process's peak resident set. */
  peakRssMb: number;
  bookBytes: number;
  reportBytes: number;
}

export async function e2eRun(book: string, market: string, out: string, format: 'json' | 'arrow', method: string, backend: 'wasm' | 'js'): Promise<E2eRun> {
  const engine = await createEngine({ backend });
  const cpu0 = process.cpuUsage();
  const cpuAt: number[] = [];
  const mark = () => {
    const u = process.cpuUsage(cpu0);
    cpuAt.push((u.user + u.system) / 1000);
    return performance.now();
  };
  const t0 = mark();
  let inputs: Awaited<ReturnType<typeof readValidInputs>> | undefined = await readValidInputs(book, market, {});
  const t1 = mark();
  const validMarket = inputs.market;
  const session = engine.openBook(inputs.book, { positionSlack: 0, collateralSlack: 0, headroom: 0 });
  const accounts = session.layout.accountCount;
  inputs = undefined;
  const t2 = mark();
  const run = session.prepare(validMarket, { method }) as PreparedRun;
  const t3 = mark();
  run.run();
  const t4 = mark();
  const c = columnarReport(run.report());
  const t5 = mark();
  if (format === 'arrow') await writeArrowReportFile(c, out, () => {});
  else {
    const output = await openOutput(out);
    await writeJsonReport(c, output, () => {});
    await output.end();
  }
  const t6 = mark();
  run.release();
  session.release();
  const cpu = process.cpuUsage(cpu0);
  return {
    book, format, method, backend: engine.backend, accounts,
    phases: { read: t1 - t0, layout: t2 - t1, prepare: t3 - t2, kernels: t4 - t3, report: t5 - t4, write: t6 - t5 },
    total: t6 - t0, cpu: (cpu.user + cpu.system) / 1000,
    cpuPhases: { read: cpuAt[1] - cpuAt[0], layout: cpuAt[2] - cpuAt[1], prepare: cpuAt[3] - cpuAt[2], kernels: cpuAt[4] - cpuAt[3], report: cpuAt[5] - cpuAt[4], write: cpuAt[6] - cpuAt[5] }, peakRssMb: process.resourceUsage().maxRSS / 1024,
    bookBytes: (await stat(book)).size, reportBytes: (await stat(out)).size,
  };
}
