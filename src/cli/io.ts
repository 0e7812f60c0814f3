import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { count as grouped } from '../report/format.js';
import { wasSetAside } from '../margin/currency-view.js';
import { BUILT_IN_REGISTRY } from '../methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { validateInputs, validateMarket, type ValidationOptions } from '../model/validate.js';
import { NeedsWholeBook } from '../io/book-stream.js';
import { type JsonBookOptions, readJsonBookChunks, readJsonBookFile } from '../io/json-book/read.js';
import { accountIdsOf, bookColumnsOf, type BookChunk } from '../model/book-columns.js';
import { JsonSyntaxError, parseJsonObjectFile } from '../io/json-stream.js';
import { checkUtf8 } from '../io/utf8-check.js';
import type { BytesRead } from '../io/file-chunks.js';
import { swappedInputsProblem } from '../model/input-kind.js';
import { parseJsonText } from '../model/json-text.js';

/** Files at least this big are read streamed (src/io/json-stream.ts): a string cannot hold more than ~512 MB. */
export const STREAMED_JSON_BYTES = 64 << 20;

/**
 * Exit codes: 0 ok; 1 input error (bad files or values, every problem on stderr with its path) or a failed run;
 * 2 usage error; 3 the report was written but some accounts ended in status `error` (their margin could not be
 * computed: never reported as zero).
 */
export const EXIT = { ok: 0, input: 1, failed: 1, usage: 2, accountErrors: 3 } as const;

/** A command that ran and failed on its own terms (not the input's fault, not a usage error). */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

/**
 * The reader of `--out` stopped reading (a pipe or FIFO closed: `--out /dev/stdout | head`): main ends the command
 * quietly with 0, as for standard output (stdout.ts): the reader has what it wanted.
 */
export class ReaderClosed extends Error {
  override readonly name = 'ReaderClosed';
}

/** The output is complete, but some accounts have status `error`: main exits with EXIT.accountErrors and says which. */
export class AccountsInError extends Error {
  override readonly name = 'AccountsInError';
  /** `count`: how many accounts (a streamed report keeps the first few ids only). */
  constructor(readonly ids: readonly string[], count = ids.length) {
    const first = ids.slice(0, 3).join(', ');
    super(`${grouped(count)} account${count === 1 ? '' : 's'} ended in status error (${first}${count > 3 ? ', …' : ''}): their margin could not be computed; see each account's "error"`);
  }
}

/** Throws AccountsInError after a complete report when any of its accounts has status `error`. */
export function checkAccountErrors(accounts: readonly { id: string; status: string; error?: string | undefined; marginCurrency?: string | undefined }[]): void {
  const aside = accounts.filter((a) => wasSetAside(a));
  noteSetAside(aside.map((a) => a.id), aside.map((a) => a.marginCurrency), 'a method that margins accounts in USD only', 'status error');
  const ids = accounts.filter((a) => a.status === 'error' && !wasSetAside(a)).map((a) => a.id);
  if (ids.length > 0) throw new AccountsInError(ids);
}

/**
 * Names on stderr the accounts margined in another currency than USD that a USD-only method set aside
 * (docs/coin-margined.md): a documented limit of the method, not a failed computation, so a note and not an exit code.
 * `currencies[k]`: the margin currency of `ids[k]`; `by`: what set them aside; `outcome`: what the report made of them
 * (`status error`, left out of a liquidation).
 */
export function noteSetAside(ids: readonly string[], currencies: readonly (string | undefined)[], by: string, outcome: string): void {
  if (ids.length === 0) return;
  process.stderr.write(`margin-core: note: ${grouped(ids.length)} ${setAsideKind(ids.length, currencies)} not margined by ${by} (${outcome}): ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}\n`);
}

/**
 * What `count` set-aside accounts are, by their margin currencies: `BTC-margined accounts` when they share one (a
 * USDC account is no coin-margined one), else `accounts margined in currencies other than USD (BTC, USDC)`.
 */
export function setAsideKind(count: number, currencies: readonly (string | undefined)[]): string {
  const plural = count === 1 ? '' : 's';
  const named = [...new Set(currencies)].filter((c): c is string => c !== undefined);
  if (named.length === 1 && !currencies.includes(undefined)) return `${named[0]}-margined account${plural}`;
  const which = named.length > 0 ? ` (${named.join(', ')})` : '';
  return `account${plural} margined in ${count === 1 ? 'a currency' : 'currencies'} other than USD${which}`;
}

/** The accounts a USD-only method sets aside: their ids, their margin currencies (same order), and the methods. */
export interface SetAside {
  ids: string[];
  currencies: string[];
  usdOnly: string[];
}

/**
 * The accounts of `book` margined in another currency than USD that `methods` set aside, and which of them do (the
 * built-in methods that margin accounts in USD only): a liquidation or a stress cascade leaves them out, with no row
 * to say so in its report.
 */
export function setAsideAccounts(book: ValidatedBook, methods: readonly string[]): SetAside {
  const usdOnly = methods.filter((m) => BUILT_IN_REGISTRY.get(m)?.coinMargin !== true);
  if (usdOnly.length === 0) return { ids: [], currencies: [], usdOnly };
  // a columnar book by its columns: its object view (~2.2 GB for 1M × 20) would also keep liquidate's releasePositions from letting go
  const columns = bookColumnsOf(book);
  const margined = columns ? columns.marginCurrencies : book.accounts.map((a) => a.marginCurrency);
  const accountIds = accountIdsOf(book), ids: string[] = [], currencies: string[] = [];
  if (margined) {
    for (let a = 0; a < margined.length; a++) {
      const currency = margined[a];
      if (currency === undefined) continue; // a USD account
      ids.push(accountIds[a]);
      currencies.push(currency);
    }
  }
  return { ids, currencies, usdOnly };
}

/** {@link noteSetAside} of the accounts {@link setAsideAccounts} found: `outcome` what became of them. */
export function noteSetAsideBy(aside: SetAside, outcome: string): void {
  const one = aside.usdOnly.length === 1;
  noteSetAside(aside.ids, aside.currencies, `${aside.usdOnly.join(', ')}, which margin${one ? 's' : ''} accounts in USD only`, outcome);
}

/**
 * Reads and parses a JSON file; unreadable or malformed files are input errors naming the file. A member name given
 * twice or a number that underflows is one at its path (src/model/json-strict.ts), under the prefix the file's
 * validator gives its paths: none for the book (`accounts[3].id`), the option's name for the others (`market.assets.BTC`).
 */
export async function readJson(path: string, what: string, onBytes?: BytesRead): Promise<unknown> {
  const base = /^(--)?book$/.test(what) ? '' : what.replace(/^--/, '');
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size >= STREAMED_JSON_BYTES) {
    try {
      return await parseJsonObjectFile(path, undefined, onBytes, base);
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (error instanceof JsonSyntaxError) throw new InputError([{ path: what, message: `${path} is not valid JSON: ${error.message}` }]);
      throw new InputError([{ path: what, message: `cannot read ${path}: ${(error as Error).message}` }]);
    }
  }
  return parseJsonText(await readTextFile(path, what), path, what, base); // a UTF-8 byte-order mark (editors on Windows add one) is fine
}

/**
 * A text file (JSON, CSV) read whole; unreadable, or not UTF-8, an InputError at `what`. Decoding would put U+FFFD where
 * a byte is not UTF-8: an id in the report that is not the file's (src/io/utf8-check.ts).
 */
export async function readTextFile(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError([{ path: what, message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  try {
    checkUtf8(bytes);
  } catch (error) {
    throw new InputError([{ path: what, message: `${path}: ${(error as Error).message}: a text file must be UTF-8` }]);
  }
  return bytes.toString('utf8');
}

/**
 * The error with its file-level problems (at `book` or `market`, the whole file: not an Arrow file, cut short, not an
 * object) moved to the option that named the file, the file named in the message: `--book: big.arrow: not an Arrow IPC
 * file …`. Problems inside the file keep their paths (`accounts[17].positions[3].quantity`); the error then names the
 * files they are in ({@link InputErrorInFiles}: the CLI's header, `invalid input in book.json (3 problems)`). A market's
 * paths start with `market`, the book's are the rest.
 */
export function namingFiles(error: unknown, files: { book?: string | undefined; market?: string | undefined }): unknown {
  if (!(error instanceof InputError) || error instanceof InputErrorInFiles) return error;
  const flagOf = (path: string) => (path === 'book' && files.book !== undefined ? ['--book', files.book] : path === 'market' && files.market !== undefined ? ['--market', files.market] : undefined);
  const problems = error.problems.map((p) => {
    const named = flagOf(p.path);
    return named ? { path: named[0], message: `${named[1]}: ${p.message}` } : p;
  });
  const inFiles = new Set<string>();
  for (const p of problems) {
    if (p.path.startsWith('--')) continue;
    const file = /^market(?:$|[.[])/.test(p.path) ? files.market : files.book;
    if (file !== undefined) inFiles.add(file);
  }
  if (inFiles.size === 0 && problems.every((p, k) => p === error.problems[k])) return error;
  return new InputErrorInFiles(problems, error.truncated, [...inFiles]);
}

/**
 * The options naming a file whose problems' paths start with the option's name (`params.stress…`, `hedges[0]…`), the
 * market's among them: a problem a method finds in it after reading (`market.correlation: missing` under var); the
 * book's are `accounts…` and `instruments…` (one a live session finds, `accounts[0].collateral[0].location`).
 */
export const OPTION_FILES = ['params', 'shock', 'hedges', 'history', 'market', 'book'] as const;
/** The option whose file a problem's path is in: its own name, or the book's for `accounts…` and `instruments…`. */
const OPTION_FILE_PATH = /^(params|shock|hedges|history|market|accounts|instruments)(?:$|[.[])/;
const fileOption = (prefix: string) => (prefix === 'accounts' || prefix === 'instruments' ? 'book' : prefix) as (typeof OPTION_FILES)[number];

/**
 * The error naming, besides the files it names already, the option files its problems are in: `params…` the
 * --params file, `shock…` the --shock file, and so on ({@link OPTION_FILES}; given only when the option named a file
 * the command read).
 */
export function namingOptionFiles(error: InputError, files: Partial<Record<(typeof OPTION_FILES)[number], string>>): InputError {
  const named = error instanceof InputErrorInFiles ? error.files : [];
  const found = [...named];
  for (const p of error.problems) {
    const prefix = OPTION_FILE_PATH.exec(p.path)?.[1];
    const key = prefix === undefined ? undefined : fileOption(prefix);
    const file = key === undefined ? undefined : files[key];
    if (file !== undefined && !found.includes(file)) found.push(file);
  }
  return found.length === named.length ? error : new InputErrorInFiles(error.problems, error.truncated, found);
}

/** An input error with problems inside files the command read: which files (in the order their problems come). */
export class InputErrorInFiles extends InputError {
  constructor(problems: InputError['problems'], truncated: boolean, readonly files: readonly string[]) {
    super(problems, truncated);
  }
}

/**
 * Reads and validates a book and a market file. A book ending in `.arrow` is an Arrow IPC book (src/io/arrow/), read
 * batch by batch into columns; a big book.json is scanned into columns (src/io/json-book/; its coin-margined accounts
 * read by the validator). Either way no object
 * per position is kept, and the parsed JSON is dropped as soon as the validated copies exist (perf: die-young,
 * docs/performance.md).
 */
export async function readValidInputs(bookPath: string, marketPath: string, options: ValidationOptions, onRead?: () => void, onBytes?: BytesRead): Promise<{ book: ValidatedBook; market: ValidatedMarket }> {
  try {
    return await readValid(bookPath, marketPath, options, onRead, onBytes);
  } catch (error) {
    throw namingFiles(error, { book: bookPath, market: marketPath });
  }
}

async function readValid(bookPath: string, marketPath: string, options: ValidationOptions, onRead?: () => void, onBytes?: BytesRead): Promise<{ book: ValidatedBook; market: ValidatedMarket }> {
  if (await readsInChunks(bookPath)) {
    const book = isArrowBook(bookPath) ? await readArrowBookFile(bookPath, options, onBytes) : await readStreamedBook(bookPath, options, onBytes);
    const market = await readJson(marketPath, '--market');
    onRead?.();
    return { book, market: validateMarket(market, book, options) };
  }
  const json = { book: await readJson(bookPath, '--book', onBytes) as unknown, market: await readJson(marketPath, '--market') as unknown };
  const swapped = swappedInputsProblem(json.book, json.market, { book: '--book', market: '--market' });
  if (swapped) throw new InputError([swapped]);
  onRead?.();
  try {
    return validateInputs(json.book, json.market, options);
  } finally {
    json.book = json.market = undefined;
  }
}

/**
 * Whether the book is read by its columns, never as one JSON text: an Arrow book, or a book.json big enough to be
 * streamed. `margin` reads such a book in chunks ({@link bookChunks}, src/cli/margin-chunks.ts).
 */
export async function readsInChunks(bookPath: string): Promise<boolean> {
  return isArrowBook(bookPath) || (await stat(bookPath).then((s) => s.size, () => 0)) >= STREAMED_JSON_BYTES;
}

/**
 * The book in `path` a chunk of accounts at a time, validated (an Arrow book's record batches, src/io/arrow/read-book.ts;
 * a book.json scanned as it streams, src/io/json-book/read.ts, which throws NeedsWholeBook for a subaccount after the
 * first chunk). Problems are InputErrors at the book's paths, or at `--book` for a file that cannot be read or parsed.
 */
export async function* bookChunks(path: string, options: JsonBookOptions, onBytes?: BytesRead, chunkAccounts?: number): AsyncGenerator<BookChunk> {
  try {
    if (!isArrowBook(path)) {
      yield* readJsonBookChunks(path, { ...options, onBytes }, chunkAccounts);
      return;
    }
    const { open } = await import('node:fs/promises');
    const { readArrowBookChunks } = await import('../io/arrow/read-book.js');
    const file = await open(path, 'r');
    try {
      // an Arrow file's progress by its rows read, told as the share of its bytes
      const size = onBytes ? (await file.stat()).size : 0;
      yield* readArrowBookChunks(file, options, chunkAccounts, onBytes && ((rows, total) => onBytes(total > 0 ? Math.round((size * rows) / total) : size, size)));
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw namingFiles(error, { book: path });
    if (error instanceof NeedsWholeBook) throw error;
    if (error instanceof JsonSyntaxError) throw new InputError([{ path: '--book', message: `${path} is not valid JSON: ${error.message}` }]);
    throw new InputError([{ path: '--book', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
}

/** A book file in Arrow IPC format (by its extension, `.arrow` or `.arrows`). */
export function isArrowBook(path: string): boolean {
  return /\.arrows?$/i.test(path);
}

/** An Arrow book read whole a chunk at a time (src/io/arrow/read-whole-book.ts), its progress told as the share of its bytes. */
async function readArrowBookFile(path: string, options: ValidationOptions, onBytes?: BytesRead): Promise<ValidatedBook> {
  const { open } = await import('node:fs/promises');
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new InputError([{ path: '--book', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  try {
    const size = onBytes ? (await file.stat()).size : 0;
    const { readArrowBookWhole } = await import('../io/arrow/read-whole-book.js');
    return await readArrowBookWhole(file, options, onBytes && ((rows, total) => onBytes(total > 0 ? Math.round((size * rows) / total) : size, size)));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ path: '--book', message: `cannot read ${path}: ${(error as Error).message}` }]);
  } finally {
    await file.close();
  }
}

async function readStreamedBook(path: string, options: ValidationOptions, onBytes?: BytesRead): Promise<ValidatedBook> {
  try {
    return await readJsonBookFile(path, { ...options, onBytes });
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InputError([{ path: '--book', message: `${path} is not valid JSON: ${error.message}` }]);
    if (error instanceof InputError) throw error;
    throw new InputError([{ path: '--book', message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
}

/** The bundled sample (data/sample/) next to the package, from the bundle (dist/) or the sources (src/cli/). */
export function sampleDir(): string {
  return bundledDataDir('sample', 'book.json');
}

/** The bundled example shocks (data/shocks/): `margin-core stress --shock btc-crash`. */
export function shocksDir(): string {
  return bundledDataDir('shocks', 'btc-crash.json');
}

/** The package's data/ folder (its sample and shocks). */
export function bundledDataRoot(): string {
  return dirname(sampleDir());
}

/**
 * True when `path` (a file or folder to write, existing or not) is the package's data/ folder or inside it, by any
 * path (symlinks and `..` resolved: the nearest existing folder above it is compared).
 */
export async function insideBundledData(path: string): Promise<boolean> {
  const root = await realpath(bundledDataRoot()).catch(() => null);
  if (root === null) return false;
  let at = resolve(path), rest = '';
  for (;;) {
    const real = await realpath(at).catch(() => null);
    if (real !== null) {
      const full = rest === '' ? real : join(real, rest);
      return full === root || full.startsWith(root + sep);
    }
    const up = dirname(at);
    if (up === at) return false;
    rest = rest === '' ? basename(at) : join(basename(at), rest);
    at = up;
  }
}

/** The package's data/<name>/ folder, found by a file it holds (`probe`). */
export function bundledDataDir(name: string, probe: string): string {
  for (const relative of [`../data/${name}/`, `../../data/${name}/`]) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}${probe}`)) return dir;
  }
  throw new Error(`the bundled data (data/${name}/${probe}) is missing from this installation`);
}
