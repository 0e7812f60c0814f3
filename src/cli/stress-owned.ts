/**
 * `engine.stress` on a book the command read and owns (`margin-core stress` on one thread): the same report, with the
 * book's positions let go once a single method's session has laid them out (src/model/book-columns.ts
 * releasePositions), so a big book is not held twice while its cascades run. Under `--method all` each method lays
 * the book out afresh, and the book is kept.
 */
import { type Engine, stressValidated } from '../engine.js';
import { releasePositions } from '../model/book-columns.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import type { StressReport } from '../stress/report.js';
import type { StressOptions } from '../stress/stress.js';

export function stressOwnedBook(engine: Engine, book: ValidatedBook, market: ValidatedMarket, shock: unknown, options: StressOptions): StressReport {
  return stressValidated(engine, book, market, shock, options, (stressed, profiled) => {
    if ((profiled.method ?? 'cross') !== 'all') releasePositions(stressed);
  });
}
