/**
 * A chunk's report as it crosses to the report writer thread (src/cli/report-chunk.ts), the crossing done here by
 * structuredClone with the same buffers moved, as postMessage does: the report made again on the other side is written
 * as the same JSON bytes (`JSON.stringify(report, null, 2)`, the reference) and the same Arrow table as the original,
 * by every method, on a venue book of every account kind (masters, coin-margined rows, rows in error, a method's own
 * status reasons) and with backstop moves; the original's columns are left as they were (copies move, not them), and
 * no row of it is built (the crossing reads its columns).
 */
import * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { reportChunkOf, reportOfChunk } from '../../src/cli/report-chunk.js';
import { marginReportJsonBytes } from '../../src/io/report-json.js';
import { writeArrowReport } from '../../src/io/arrow/write-report.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';
import { unbuiltSummaryRows } from '../../src/margin/summary-rows.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const engine = await createEngine({ backend: 'js' });

/** The report after the crossing, read as columns. */
function crossed(report: MarginReport) {
  return reportOfChunk(structuredClone(reportChunkOf(columnarReport(report))));
}

const json = (report: MarginReport) => `${JSON.stringify(report, null, 2)}\n`;
const jsonOf = (c: ReturnType<typeof crossed>) => Buffer.concat([...marginReportJsonBytes(c, 16_384)]).toString('utf8');
const table = async (c: ReturnType<typeof crossed>) => {
  const t = A.tableFromIPC(await writeArrowReport(c));
  return { metadata: t.schema.metadata, rows: t.toArray().map((row) => row.toJSON()) };
};

describe('a chunk\'s report crossing to the writer thread', () => {
  it('every method on a venue book of every account kind: the same JSON bytes and Arrow table', async () => {
    const book = venueBook(mulberry32(7), 60, true);
    for (const method of engine.methods) {
      const options = { method, lenient: true };
      const report = engine.margin(book, venueMarket(), options);
      const c = crossed(report);
      expect(c.count, method).toBe(report.totals.accounts);
      expect(jsonOf(c), method).toBe(json(engine.margin(book, venueMarket(), options)));
      expect(await table(c), method).toEqual(await table(columnarReport(engine.margin(book, venueMarket(), options))));
    }
  });

  it('masters with backstop moves and accounts with cash: the same bytes; the original report still reads its own columns', () => {
    const grouped = generateSample({ accounts: 40, seed: 9, accountsPerMaster: 4 });
    const accounts = grouped.book.accounts.map((a, i) => (i === 3 ? { ...a, cashUsd: -1250.5 } : a));
    const options = { method: 'cross', lenient: true, params: { subaccounts: { policy: 'backstop' } } };
    const report = engine.margin({ ...grouped.book, accounts }, grouped.market, options);
    const original = columnarReport(report);
    const c = crossed(report);
    expect(unbuiltSummaryRows(report)).toBeDefined(); // crossing read the columns, built no row
    expect(report.accounts.some((a) => a.backstopUsd !== undefined)).toBe(true);
    expect(jsonOf(c)).toBe(json(report));
    expect(jsonOf(original)).toBe(json(report));
  });
});
