/**
 * Public validation entry points. Each turns untrusted JSON into new, typed, defaulted objects, or
 * throws one {@link InputError} listing every problem with its path. Book paths start at the book
 * (`accounts[17].positions[3].quantity`), market paths at `market` (`market.assets.BTC.price`).
 */

import { describeValue, InputError, type InputProblem, ProblemList } from '../errors.js';
import { checkOptions, type OptionKinds } from './options-check.js';
import { instanceProblem, swappedInputsProblem, wrongKindProblem } from './input-kind.js';
import { certifyBook, certifyMarket, instrumentRowsOf, isValidatedBook } from './brand.js';
import {
  ANNOTATION_KEYS,
  checkFields,
  countDefined,
  isFiniteNumber,
  isNonEmptyString,
  isRecord,
  knownFields,
  notFiniteMessage,
  notObjectMessage,
  notStringMessage,
} from './checks.js';
import { BALANCE_FIELDS, InstrumentRows, readAccount, readAccounts, readInstrument, readInstruments, readPosition } from './validate-book.js';
import { type MarketParts, readMarket, type ValidationOptions } from './validate-market.js';
import { type InstrumentTerms, instrumentTermsOf } from './netting.js';
import { checkSettlementsPriced, isInverseInstrument, settlementTermsOf } from './settlement.js';
import { DOMAIN, domainProblem } from './domain.js';
import type {
  ValidatedAccount,
  ValidatedBook,
  ValidatedCollateral,
  ValidatedInstrument,
  ValidatedMarket,
  ValidatedPosition,
} from './types.js';

export type { MarketValidationOptions, ValidationOptions } from './validate-market.js';
export { isValidatedBook, isValidatedMarket } from './brand.js';

const BOOK_FIELDS = knownFields('instruments', 'accounts', ...ANNOTATION_KEYS);

/**
 * Checks a book on its own (asset references need the market: see {@link validateMarket}).
 * `options.lenient` turns unknown fields into `warnings` on the result.
 */
export function validateBook(json: unknown, options: ValidationOptions = {}): ValidatedBook {
  checkOptions(options, VALIDATION_OPTION_KINDS);
  return validateBookWith(json, new ProblemList(options));
}

/** {@link validateBook} collecting into `problems` (its options: src/session/book-now.ts takes emptied accounts). */
export function validateBookWith(json: unknown, problems: ProblemList): ValidatedBook {
  const book = readBook(json, problems);
  problems.throwIfAny();
  return book as ValidatedBook;
}

/**
 * Checks a market snapshot; with `book`, also that every underlying and collateral asset is priced,
 * every option has an implied vol, and nothing in the book expired before the valuation time (an expiry at it
 * is admitted: valued at intrinsic).
 * `options.repairCorrelation` opts in to replacing a non-PSD correlation, `options.lenient` to
 * accepting unknown fields (both reported in `warnings` on the result).
 */
export function validateMarket(json: unknown, book?: ValidatedBook, options: ValidationOptions = {}): ValidatedMarket {
  checkOptions(options, VALIDATION_OPTION_KINDS);
  // the book the market is checked against is one validateBook returned: raw JSON would be read as validated
  if (book !== undefined && !isValidatedBook(book)) throw new InputError([{ path: 'book', message: `expected a book validateBook() returned, or none, got ${describeValue(book)} (validate it first, or call validateInputs with both)` }]);
  const problems = new ProblemList(options);
  const parts = readMarket(json, book, options, problems);
  problems.throwIfAny();
  return certifyValidatedMarket(parts as MarketParts, problems);
}

/**
 * Both at once, so one error lists the book's and the market's problems together. Each result keeps
 * its own `warnings` (book: unknown fields under `lenient`; market: those and the correlation's).
 */
export function validateInputs(
  bookJson: unknown,
  marketJson: unknown,
  options: ValidationOptions = {},
): { book: ValidatedBook; market: ValidatedMarket } {
  checkOptions(options, VALIDATION_OPTION_KINDS);
  const swapped = swappedInputsProblem(bookJson, marketJson);
  if (swapped) throw new InputError([swapped]);
  const problems = new ProblemList(options);
  checkSettlementsPriced(bookJson, marketJson, problems); // the cause, before the book's positions echo it
  const book = readBook(bookJson, problems);
  // Cross-checks against a half-valid book would report echoes of its own problems: skip them.
  const parts = readMarket(marketJson, problems.size === 0 ? (book ?? undefined) : undefined, options, problems);
  problems.throwIfAny();
  return { book: book as ValidatedBook, market: certifyValidatedMarket(parts as MarketParts, problems) };
}

function certifyValidatedMarket(parts: MarketParts, problems: ProblemList): ValidatedMarket {
  return certifyMarket({ ...parts, warnings: problems.takeWarnings() });
}

/**
 * The book `book` with only `accounts` (validated accounts of it, in the order given), keeping its
 * warnings: for reports on some accounts of a validated book (e.g. explain).
 */
export function selectAccounts(book: ValidatedBook, accounts: readonly ValidatedAccount[]): ValidatedBook {
  // validated accounts: one that holds nothing (a master of `cashUsd: 0`, which validation writes without it) was taken
  const sub = validateBookWith({ instruments: book.instruments, accounts }, new ProblemList({ emptyAccounts: true }));
  return certifyBook(bookWithWarnings(sub.instruments, sub.accounts, book.warnings), instrumentRowsOf(sub));
}

/**
 * The validated book object. `warnings` is not enumerable: it describes the validation, not the book,
 * so a validated book still serialises, and validates again, as the book it is.
 */
function bookWithWarnings(instruments: readonly ValidatedInstrument[], accounts: readonly ValidatedAccount[], warnings: readonly InputProblem[]): object {
  return Object.defineProperty({ instruments, accounts }, 'warnings', { value: warnings, enumerable: false });
}

/** Validates one instrument for adding to a laid-out book; paths start at `instrument`. */
export function validateInstrument(json: unknown): ValidatedInstrument {
  const problems = new ProblemList();
  const instrument = readInstrument(json, 'instrument', problems);
  problems.throwIfAny();
  return instrument as ValidatedInstrument;
}

/**
 * Validates one account for adding to a laid-out book; paths start at `account`. Its rows on one
 * instrument are netted with `terms` (the layout's instruments, by row).
 */
export function validateAccount(json: unknown, knownInstrument: ReadonlyMap<string, number>, terms: InstrumentTerms): ValidatedAccount {
  const problems = new ProblemList();
  const account = readAccount(json, 'account', knownInstrument, problems, null, terms);
  problems.throwIfAny();
  return account as ValidatedAccount;
}

function readBook(json: unknown, problems: ProblemList): ValidatedBook | null {
  // an instance (a Map, a session) is said as what it is, before the plain-object check refuses it
  const instance = typeof json === 'object' && json !== null && !Array.isArray(json) ? instanceProblem(json as Record<string, unknown>, 'book') : null;
  if (instance !== null) {
    problems.add('book', instance);
    return null;
  }
  if (!isRecord(json)) {
    problems.add('book', `expected an object with instruments and accounts, got ${json === null ? 'null' : Array.isArray(json) ? 'an Array' : typeof json}`);
    return null;
  }
  const misplaced = wrongKindProblem(json, 'book', 'book');
  if (misplaced) {
    problems.add(misplaced.path, misplaced.message);
    return null;
  }
  const before = problems.size;
  checkFields(json, BOOK_FIELDS, countDefined(json, BOOK_FIELDS.names), '', problems);
  const instruments = readInstruments(json.instruments, problems);
  const readable = Array.isArray(json.instruments);
  const terms = readable ? nettingTerms(instruments.list, instruments.indexById, (json.instruments as unknown[]).length) : null;
  return readAccountsOn(instruments.list, readable ? instruments.indexById : null, terms, json.accounts, problems, before);
}

/** A book's accounts read on its instruments (read before, `before` problems ago): the validated book, or null. */
function readAccountsOn(
  list: readonly ValidatedInstrument[], indexById: ReadonlyMap<string, number> | null, terms: InstrumentTerms | null, json: unknown, problems: ProblemList, before: number,
): ValidatedBook | null {
  const rows = new InstrumentRows();
  const accounts = readAccounts(json, indexById, problems, rows, terms);
  if (problems.size > before) return null;
  return certifyBook(bookWithWarnings(list, accounts, problems.takeWarnings()), rows.toArray());
}

/** A book's instruments validated once ({@link validatedInstruments}), for books of other accounts on them ({@link validateBookOn}). */
export interface InstrumentTable {
  readonly list: readonly ValidatedInstrument[];
  readonly indexById: ReadonlyMap<string, number>;
  readonly terms: InstrumentTerms;
}

/** Validates a book's `instruments` array on its own (paths `instruments[i]…`), for {@link validateBookOn}. */
export function validatedInstruments(json: unknown): InstrumentTable {
  const problems = new ProblemList();
  const { list } = readInstruments(json, problems);
  problems.throwIfAny();
  return instrumentTable(list);
}

/** Validated instruments (a validated book's, in row order) as a table: their rows by id and netting terms. */
export function instrumentTable(list: readonly ValidatedInstrument[]): InstrumentTable {
  const indexById = new Map<string, number>();
  list.forEach((instrument, row) => indexById.set(instrument.id, row));
  return { list, indexById, terms: nettingTerms(list, indexById, list.length) };
}

/**
 * `book` (validated on `instruments`) with some accounts replaced (`replaced`: book index → the account's JSON, with
 * the same id and master), as validating the changed book would give: each is read alone, as the book's reader reads
 * each account; what the book's reader checks across accounts (ids, masters) is unchanged.
 */
export function withAccounts(book: ValidatedBook, replaced: ReadonlyMap<number, unknown>, instruments: InstrumentTable, options: ValidationOptions = {}): ValidatedBook {
  const problems = new ProblemList(options);
  const accounts = book.accounts.slice();
  for (const [k, json] of replaced) accounts[k] = readAccount(json, `accounts[${k}]`, instruments.indexById, problems, null, instruments.terms) as ValidatedAccount;
  problems.throwIfAny();
  const rows = new InstrumentRows();
  for (const a of accounts) for (const p of a.positions) rows.push(instruments.indexById.get(p.instrument) as number);
  return certifyBook(bookWithWarnings(book.instruments, accounts, problems.takeWarnings()), rows.toArray());
}

/**
 * `{ instruments, accounts }` validated as {@link validateBook} validates it, its instruments taken as validated
 * already: for books made again and again on one instrument table (a live pool's what-if, src/live/pool-trial.ts),
 * where reading the instruments would be most of the cost.
 */
export function validateBookOn(instruments: InstrumentTable, accounts: unknown, options: ValidationOptions = {}): ValidatedBook {
  const problems = new ProblemList(options);
  const book = readAccountsOn(instruments.list, instruments.indexById, instruments.terms, accounts, problems, 0);
  problems.throwIfAny();
  return book as ValidatedBook;
}

/**
 * Netting terms by instrument row (the index `indexById` gives): the multiplier, whether the instrument is linear or
 * inverse, and its settlement currency (the accounts' currency rules). Rows of instruments that failed validation get
 * NaN (the book is rejected). Every reader of a book's accounts (JSON, Arrow) reads them with these terms.
 */
export function nettingTerms(list: readonly ValidatedInstrument[], indexById: ReadonlyMap<string, number>, rows: number): InstrumentTerms {
  const multiplier = new Float64Array(rows).fill(NaN);
  const linear = new Uint8Array(rows);
  const inverse = new Uint8Array(rows);
  const settlement: (string | undefined)[] = new Array(rows).fill(undefined);
  for (const instrument of list) {
    const row = indexById.get(instrument.id) as number;
    if (!Number.isNaN(multiplier[row])) continue; // a later duplicate id: the first instrument holds the row
    multiplier[row] = instrument.multiplier;
    linear[row] = instrument.kind === 'option' ? 0 : 1;
    inverse[row] = isInverseInstrument(instrument) ? 1 : 0;
    settlement[row] = instrument.settlement;
  }
  return instrumentTermsOf(multiplier, linear, inverse, settlementTermsOf(list, (row) => settlement[row]));
}

/** Validates one position for adding to a laid-out account; paths start at `position`. */
export function validatePosition(json: unknown, knownInstrument: ReadonlyMap<string, number>): ValidatedPosition {
  const problems = new ProblemList();
  const position = readPosition(json, 'position', -1, knownInstrument, problems);
  problems.throwIfAny();
  return position as ValidatedPosition;
}

/** Validates one collateral balance (`asset`, finite `amount`); paths start at `balance`. */
export function validateBalance(json: unknown): ValidatedCollateral {
  const problems = new ProblemList();
  if (!isRecord(json)) problems.add('balance', notObjectMessage(json, 'a balance object'));
  else {
    checkFields(json, BALANCE_FIELDS, countDefined(json, BALANCE_FIELDS.names), 'balance', problems);
    if (!isNonEmptyString(json.asset)) problems.add('balance.asset', notStringMessage(json.asset, 'an asset symbol'));
    const amountWrong = isFiniteNumber(json.amount) ? domainProblem(DOMAIN.amount, json.amount) : notFiniteMessage(json.amount);
    if (amountWrong) problems.add('balance.amount', amountWrong);
  }
  problems.throwIfAny();
  const { asset, amount } = json as { asset: string; amount: number };
  return { asset, amount };
}

/** {@link ValidationOptions}' keys (src/model/options-check.ts): a misspelt `lenent` had been taken as no option. */
const VALIDATION_OPTION_KINDS: OptionKinds<ValidationOptions> = { lenient: 'boolean', repairCorrelation: 'boolean', nearestCorrelation: 'any' };
