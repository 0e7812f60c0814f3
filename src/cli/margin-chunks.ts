/**
 * A big book margined a chunk of accounts at a time (an Arrow book's record batches, src/io/arrow/read-book.ts; a
 * book.json's accounts as they stream in, src/io/book-stream.ts): each chunk is validated against the market, laid
 * out, margined and released before the next is read, so memory holds one chunk's positions, not the book's. What is
 * kept of each chunk is its report's summary rows as columns (~100 bytes an account: figures, status, id), merged into
 * one report (src/margin/summary-rows.ts, the mechanism the sharded report uses) whose rows, totals and warnings are
 * those of the whole-book report, bit for bit: every method margins an account from its own holdings and the book's
 * instruments (which every chunk holds whole), and the totals are exact sums, whatever the grouping.
 */
import type { Engine } from '../engine.js';
import { InputError, type InputProblem } from '../errors.js';
import { mergeTotalSums, newTotalSums, totalsOfSums } from '../margin/exact-totals.js';
import type { MarginReport } from '../margin/report.js';
import { reportSums, reportWithSummaryRows, type RowBlock, summaryRowsOfReport, type SummaryRows } from '../margin/summary-rows.js';
import type { BookChunk } from '../model/book-columns.js';
import { ONE_SHOT_LAYOUT } from '../layout/book-layout.js';
import { validateMarket, type ValidationOptions } from '../model/validate.js';
import { withWarnings } from '../model/warnings.js';
import type { MarginOptions } from '../session/types.js';


/** Margins every chunk of `chunks` (in book order) and returns the book's report (see the module comment). */
export async function marginChunks(chunks: AsyncIterable<BookChunk>, marketJson: unknown, engine: Engine, options: MarginOptions, validation: ValidationOptions): Promise<MarginReport> {
  const merged = new ChunkReports();
  for await (const chunk of chunks) merged.add(marginChunk(chunk, marketJson, engine, options, validation));
  return merged.finish();
}

/** One chunk's report: checked against the market, laid out, margined, released; problems at the book's paths. */
export function marginChunk({ book, first }: BookChunk, marketJson: unknown, engine: Engine, options: MarginOptions, validation: ValidationOptions): MarginReport {
  // the market against each chunk: its assets, and the bounds on what each of its accounts is worth
  const market = withOffset(first, () => validateMarket(marketJson, book, validation));
  // one run, no edits: no room reserved for inserted positions
  const session = engine.openBook(book, ONE_SHOT_LAYOUT);
  try {
    return withOffset(first, () => session.margin(market, options));
  } finally {
    session.release();
  }
}

/** Runs `work`; an InputError's account paths (`accounts[17]…`) are moved to the book's numbering (chunk offset added). */
export function withOffset<T>(offset: number, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof InputError) || offset === 0) throw error;
    const moved = error.problems.map((p) => ({ ...p, path: p.path.replace(/^accounts\[(\d+)\]/, (_m, k: string) => `accounts[${offset + Number(k)}]`) }));
    throw new InputError(moved, error.truncated);
  }
}

/** The chunks' reports, merged as they come: their rows' blocks kept, everything else dropped. */
export class ChunkReports {
  private first: MarginReport | undefined;
  /** A report kept as it is (rows built as objects, or a book with subaccounts, which comes as one chunk). */
  private whole: MarginReport | undefined;
  private readonly blocks: RowBlock[] = [];
  private readonly ids: string[] = [];
  /** Per chunk: its first row, its rows. */
  private readonly starts: number[] = [];
  private readonly parts: SummaryRows[] = [];
  private readonly errors = new Map<number, string>();
  private readonly currencies = new Map<number, { currency: string; price: number }>();
  private readonly sums = newTotalSums();
  private readonly warnings: InputProblem[] = [];

  add(report: MarginReport): void {
    if (this.whole !== undefined) throw new Error('margin-core: a chunk after a report kept whole');
    this.first ??= report;
    const rows = summaryRowsOfReport(report);
    if (rows === undefined || rows.masters !== undefined || rows.backstops !== undefined || report.subaccounts !== undefined) {
      if (this.parts.length > 0) throw new Error('margin-core: a report kept whole after other chunks');
      this.whole = report;
      return;
    }
    const offset = this.ids.length;
    this.starts.push(offset);
    this.parts.push(rows);
    for (const block of rows.blocks) this.blocks.push(block);
    for (let k = 0; k < rows.count; k++) this.ids.push(rows.ids[k]);
    for (const [k, message] of rows.errors) this.errors.set(offset + k, message);
    if (rows.currencies) for (const [k, currency] of rows.currencies) this.currencies.set(offset + k, currency);
    mergeTotalSums(this.sums, reportSums(report, rows));
    this.warnings.push(...(report.warnings ?? []));
  }

  finish(): MarginReport {
    if (this.whole !== undefined) return this.whole;
    const first = this.first!;
    if (this.parts.length === 1) return first; // one chunk: its report is the book's
    const head = { method: first.method, ...(first.profile ? { profile: first.profile } : {}), valuationTime: first.valuationTime, backend: first.backend };
    const rows: SummaryRows = { count: this.ids.length, ids: this.ids, blocks: this.blocks, ...this.placement(), errors: this.errors };
    if (this.currencies.size > 0) rows.currencies = this.currencies;
    if (this.parts.some((p) => p.ownReason !== undefined)) rows.ownReason = (k) => this.ownReason(k);
    return withWarnings(reportWithSummaryRows(head, rows, totalsOfSums(this.sums)), this.warnings);
  }

  /** Row k's block and place in it: each chunk's rows in its own blocks, as its report placed them. */
  private placement(): { block: Int32Array; at: Int32Array } {
    const block = new Int32Array(this.ids.length), at = new Int32Array(this.ids.length);
    let base = 0;
    this.parts.forEach((rows, c) => {
      const offset = this.starts[c];
      for (let k = 0; k < rows.count; k++) {
        block[offset + k] = base + (rows.block ? rows.block[k] : 0);
        at[offset + k] = rows.at ? rows.at[k] : k;
      }
      base += rows.blocks.length;
    });
    return { block, at };
  }

  private ownReason(k: number): string | undefined {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    return this.parts[lo].ownReason?.(k - this.starts[lo]);
  }
}
