/**
 * What a ccxt import checks of the book and market it built, before anyone writes them (docs/data-import.md, "CCXT"):
 * they pass the library's own validation (src/model/validate.ts `validateInputs`, what `margin` runs), and a refusal
 * is reported at the ccxt field the book's field was made from (`positions.json[0].contracts` for
 * `accounts[0].positions[0].quantity`), the book's path kept in the message.
 */
import { InputError, type InputProblem } from '../../errors.js';
import type { Market } from '../../model/types.js';
import { validateInputs } from '../../model/validate.js';
import type { ImportedBook } from '../types.js';

/** The ccxt field each book field of a position or balance is made from. */
const FIELD_OF: Readonly<Record<string, string>> = { quantity: 'contracts', entryPrice: 'entryPrice', amount: '' };

/**
 * Validates `book` and `market` as `margin` does; an InputError with each problem at its ccxt source when one is
 * known (`sourceOf`: a position or balance record of the book → the path it was read from), else at the book's path.
 */
export function validateCcxtBook(book: ImportedBook, market: Market, sourceOf: WeakMap<object, string>): void {
  try {
    validateInputs(book, market);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const table = new Map<string, string>();
    book.accounts.forEach((account, i) => {
      account.positions.forEach((p, j) => table.set(`accounts[${i}].positions[${j}]`, sourceOf.get(p) ?? ''));
      account.collateral.forEach((c, j) => table.set(`accounts[${i}].collateral[${j}]`, sourceOf.get(c) ?? ''));
    });
    throw new InputError(error.problems.map((p) => atSource(p, table)), error.truncated);
  }
}

function atSource(problem: InputProblem, table: ReadonlyMap<string, string>): InputProblem {
  const m = /^(accounts\[\d+\]\.(?:positions|collateral)\[\d+\])(?:\.(\w+))?/.exec(problem.path);
  const source = m ? table.get(m[1]) : undefined;
  if (!m || !source) return problem;
  const field = m[2] === undefined ? undefined : FIELD_OF[m[2]];
  return { path: field ? `${source}.${field}` : source, message: `${problem.path} of the book: ${problem.message}` };
}
