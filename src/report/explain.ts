/**
 * The breakdown of chosen accounts, computed on a book holding only those accounts: every method
 * margins accounts independently (requirements, haircuts and scenarios are per account; instruments
 * are valued once per book), so the numbers are those of the full run, without paying for the
 * breakdown (per-position rows, liquidation-price search) of every other account.
 */
import type { Engine } from '../engine.js';
import { describeValue, InputError } from '../errors.js';
import { MARGIN_METHODS } from '../methods/registry.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../margin/report.js';
import type { Status } from '../margin/status.js';
import { subBook } from '../model/sub-book.js';

export { subBook };
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';

/** Account `id`'s row of a report (InputError at `account` when absent). */
export function rowOf(report: MarginReport, id: string): AccountMargin {
  const row = report.accounts.find((a) => a.id === id);
  if (!row) throw new InputError([{ path: 'account', message: `no account ${describeValue(id)} in the report` }]);
  return row;
}

/** The margin report of accounts `ids` only, with the breakdown (positions, collateral, the method's explain). */
export function explainAccounts(
  engine: Engine, book: ValidatedBook, market: ValidatedMarket, ids: readonly string[], method: MarginMethod, params?: unknown,
  options: { lenient?: boolean | undefined; profile?: string | undefined } = {},
): MarginReport {
  return engine.margin(subBook(book, ids), market, { method, profile: options.profile, params, breakdown: true, lenient: options.lenient });
}

/** One account explained under one method. */
export function explainAccount(
  engine: Engine, book: ValidatedBook, market: ValidatedMarket, id: string, method: MarginMethod, params?: unknown,
): AccountMargin {
  return rowOf(explainAccounts(engine, book, market, [id], method, params), id);
}

export interface MethodMargin {
  method: MarginMethod;
  status: Status;
  im: number;
  mm: number;
  equityIm: number;
  equityMm: number;
}

/**
 * One account's requirement under every method this build implements that takes its book (for the page's bars): a
 * method the params refuse for it (isolated margin for a pooled master under the cross policy) is left out.
 */
export function marginByMethod(
  engine: Engine, book: ValidatedBook, market: ValidatedMarket, id: string, params?: unknown, methods: readonly MarginMethod[] = MARGIN_METHODS,
): MethodMargin[] {
  const single = subBook(book, [id]);
  const out: MethodMargin[] = [];
  let refused: InputError | undefined;
  for (const method of methods) {
    let a: AccountMargin;
    try {
      a = rowOf(engine.margin(single, market, { method, params }), id);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      refused ??= error; // the others still answer; none answering, the first refusal is the answer
      continue;
    }
    out.push({ method, status: a.status, im: a.im, mm: a.mm, equityIm: a.equityIm, equityMm: a.equityMm });
  }
  if (out.length === 0 && refused) throw refused;
  return out;
}
