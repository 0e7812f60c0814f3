import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import { validateInputs, type ValidationOptions } from '../model/validate.js';
import { JsonSyntaxError, parseJsonObjectFile } from '../io/json-stream.js';
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

/** The output is complete, but some accounts have status `error`: main exits with EXIT.accountErrors and says which. */
export class AccountsInError extends Error {
  override readonly name = 'AccountsInError';
  constructor(readonly ids: readonly string[]) {
    const first = ids.slice(0, 3).join(', ');
    super(`${ids.length} account${ids.length === 1 ? '' : 's'} ended in status error (${first}${ids.length > 3 ? ', …' : ''}): their margin could not be computed; see each account's "error"`);
  }
}

/** Throws AccountsInError after a complete report when any of its accounts has status `error`. */
export function checkAccountErrors(accounts: readonly { id: string; status: string }[]): void {
  const ids = accounts.filter((a) => a.status === 'error').map((a) => a.id);
  if (ids.length > 0) throw new AccountsInError(ids);
}

/** Reads and parses a JSON file; unreadable or malformed files are input errors naming the file. */
export async function readJson(path: string, what: string): Promise<unknown> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size >= STREAMED_JSON_BYTES) {
    try {
      return await parseJsonObjectFile(path);
    } catch (error) {
      if (error instanceof JsonSyntaxError) throw new InputError([{ path: what, message: `${path} is not valid JSON: ${error.message}` }]);
      throw new InputError([{ path: what, message: `cannot read ${path}: ${(error as Error).message}` }]);
    }
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError([{ path: what, message: `cannot read ${path}: ${(error as Error).message}` }]);
  }
  return parseJsonText(text, path, what); // a UTF-8 byte-order mark (editors on Windows add one) is fine
}

export { emit } from './output.js';

/**
 * Reads and validates a book and a market file. The parsed JSON is dropped as soon as the validated copies exist: on
 * a book of millions of positions it is gigabytes that every later garbage collection would otherwise walk again.
 */
export async function readValidInputs(bookPath: string, marketPath: string, options: ValidationOptions, onRead?: () => void): Promise<{ book: ValidatedBook; market: ValidatedMarket }> {
  const json = { book: await readJson(bookPath, '--book') as unknown, market: await readJson(marketPath, '--market') as unknown };
  const swapped = swappedInputsProblem(json.book, json.market, { book: '--book', market: '--market' });
  if (swapped) throw new InputError([swapped]);
  onRead?.();
  try {
    return validateInputs(json.book, json.market, options);
  } finally {
    json.book = json.market = undefined;
  }
}

/** The bundled sample (data/sample/) next to the package, from the bundle (dist/) or the sources (src/cli/). */
export function sampleDir(): string {
  return bundledDir('sample', 'book.json');
}

/** The bundled example shocks (data/shocks/): `margin-core stress --shock btc-crash`. */
export function shocksDir(): string {
  return bundledDir('shocks', 'btc-crash.json');
}

function bundledDir(name: string, probe: string): string {
  for (const relative of [`../data/${name}/`, `../../data/${name}/`]) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}${probe}`)) return dir;
  }
  throw new Error(`the bundled data (data/${name}/${probe}) is missing from this installation`);
}
