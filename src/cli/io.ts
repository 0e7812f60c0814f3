import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { JsonSyntaxError, parseJsonObjectFile } from '../io/json-stream.js';

/** Files at least this big are read streamed (src/io/json-stream.ts): a string cannot hold more than ~512 MB. */
export const STREAMED_JSON_BYTES = 64 << 20;

/** Exit codes: 0 ok, 1 input error (bad files or values) or a failed run, 2 usage. */
export const EXIT = { ok: 0, input: 1, failed: 1, usage: 2 } as const;

/** A command that ran and failed on its own terms (not the input's fault, not a usage error). */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
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
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError([{ path: what, message: `${path} is not valid JSON: ${(error as Error).message}` }]);
  }
}

/** Writes to `--out` when given, else stdout. */
export async function emit(text: string, out: string | undefined): Promise<void> {
  if (out) await writeFile(out, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** The bundled sample (data/sample/) next to the package, from the bundle (dist/) or the sources (src/cli/). */
export function sampleDir(): string {
  for (const relative of ['../data/sample/', '../../data/sample/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}book.json`)) return dir;
  }
  throw new Error('the bundled sample (data/sample/book.json) is missing from this installation');
}

/** JSON for reports: JSON has no Infinity, so health and efficiency without a requirement become "Infinity". */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}
