/**
 * `engine.stress` on a book the command read and owns (`margin-core stress` on one thread): the same report, with the
 * book's positions let go once a single method's session has laid them out (src/model/book-columns.ts
 * releasePositions), so a big book is not held twice while its cascades run. Under `--method all` each method lays
 * the book out afresh, and the book is kept.
 */
import type { Engine } from '../engine.js';
import { releasePositions } from '../model/book-columns.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { applyProfile } from '../profiles/profile.js';
import type { StressReport } from '../stress/report.js';
import { stress, type StressOptions } from '../stress/stress.js';
import { stressBook } from '../subaccounts/stress-book.js';

export function stressOwnedBook(engine: Engine, book: ValidatedBook, market: ValidatedMarket, shock: unknown, options: StressOptions): StressReport {
  // as engine.stress does it (src/engine.ts), with an `open` that lets the positions go after the one session
  const profiled = options.profile === undefined ? options : applyProfile(options, engine.profiles);
  const stressed = stressBook(book, profiled);
  const once = (profiled.method ?? 'cross') !== 'all';
  return stress(() => {
    const session = engine.openBook(stressed);
    if (once) releasePositions(stressed);
    return session;
  }, engine.methods, market, shock, profiled);
}
