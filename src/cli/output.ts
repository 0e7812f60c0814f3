/**
 * Where a command writes: stdout or `--out FILE`, streamed in ~1 MB pieces with backpressure, so a report of a
 * million accounts never becomes one string (V8 caps strings at ~512 MB) and memory stays bounded. A file is written
 * atomically (src/io/atomic-file.ts): to a temporary file beside it, renamed over it by `end()`, so a run that fails or is
 * interrupted never leaves half a file; a device or a pipe (`--out /dev/stdout`) is written in place. Ordinary trouble
 * is one clear line: a missing folder or a read-only file is an input error naming `--out`; a reader that goes away
 * (`| head`) ends the command quietly, any other failed write to stdout exits 1 (stdout.ts).
 */
import { statSync } from 'node:fs';
import { access, constants, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { type AtomicFile, openAtomic } from '../io/atomic-file.js';
import { CommandFailed, ReaderClosed } from './io.js';
import { outputStarts } from './terminal-share.js';
import { piecesLength, WriteBehind, writePieces } from '../io/write-pieces.js';

/** Bytes gathered before a write: big enough to make writes cheap, small enough to keep memory flat. */
const FLUSH_AT = 1 << 20;
/**
 * Bytes a file output may have in writes still running before writeBytes waits: the next pieces are made while the
 * earlier ones are written (a 500 MB report's pieces waited one by one spent about a second idle), memory stays bounded.
 */
const WRITE_BEHIND_BYTES = 8 << 20;

export interface Output {
  /** Appends text (written out in ~1 MB pieces). */
  write(text: string): Promise<void>;
  /**
   * Appends bytes, or pieces of bytes in order (a file takes them in one vectored write: src/io/write-pieces.ts);
   * pieces of about a megabyte or more are written as they come.
   */
  writeBytes(bytes: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /** Writes every line of `lines`, each followed by a newline. */
  lines(lines: Iterable<string>): Promise<void>;
  /** Writes out what is gathered now (a streamed table's first rows should not wait for a full megabyte). */
  flush(): Promise<void>;
  /** Flushes and closes (stdout stays open); a file appears under its name only now, whole. */
  end(): Promise<void>;
  /** Leaves a file output as it was (what was written is removed); stdout cannot take back what it was given. */
  discard(): Promise<void>;
}

/**
 * Checks, before any work, that `path` can be written (`flag` names the option in the message): its folder exists and
 * is writable, and it is not a folder nor a read-only file. Nothing is created. A command calls it first, so a typo in
 * `--out` is said at once, not after minutes of computing.
 */
export async function checkOutput(path: string | undefined, flag = '--out'): Promise<void> {
  if (path === undefined) return;
  try {
    const existing = await stat(path).catch(() => null);
    if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await access(existing ? path : dirname(path), constants.W_OK);
    if (!existing && !(await stat(dirname(path))).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new InputError([{ path: flag, message: `cannot write ${path}: ${reason(error as NodeJS.ErrnoException, path)}` }]);
  }
}

/**
 * Checks, before any work, that files can be written in the folder `dir` (created by the command when missing): it is
 * a writable folder, or the nearest folder above it that exists is. Else a CommandFailed naming `flag`.
 */
export async function checkOutputDir(dir: string, flag = '--out'): Promise<void> {
  let at = resolve(dir);
  try {
    for (;;) {
      const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' && dirname(at) !== at) return null;
        throw error;
      });
      if (found === null) {
        at = dirname(at);
        continue;
      }
      if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a folder`), { code: 'ENOTDIR' });
      await access(at, constants.W_OK);
      return;
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOTDIR' ? `${at} is not a folder` : e.code === 'EACCES' || e.code === 'EPERM' ? `permission denied in ${at}` : e.message;
    // the folder is no input problem: the command fails, saying why in one line
    throw new CommandFailed(`${flag}: cannot write in ${dir}: ${why}`);
  }
}

/** Opens `path` for writing (stdout when undefined); a path that cannot be written is an InputError at `flag`. */
export async function openOutput(path: string | undefined, onProgress?: (bytes: number) => void, flag = '--out'): Promise<Output> {
  let file: AtomicFile | null = null;
  if (path !== undefined) {
    try {
      file = namingFailures(await openAtomicOutput(path), path, flag);
    } catch (error) {
      throw new InputError([{ path: flag, message: `cannot write ${path}: ${reason(error as NodeJS.ErrnoException, path)}` }]);
    }
  }
  let pending = '';
  let written = 0;
  // a file's writes in order, behind the command; a failure is thrown by the next write that waits, or by end
  const behind = file ? new WriteBehind((bytes) => file!.write(bytes), WRITE_BEHIND_BYTES) : undefined;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending;
    pending = '';
    written += text.length;
    if (file) {
      await behind!.drain();
      await file.write(text);
    }
    else {
      outputStarts(); // a bar on the terminal the pipe's reader prints to is cleared first
      if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
    onProgress?.(written);
  };
  const output: Output = {
    async write(text) {
      pending += text;
      if (pending.length >= FLUSH_AT) await flush();
    },
    async writeBytes(bytes) {
      await flush();
      const length = bytes instanceof Uint8Array ? bytes.byteLength : piecesLength(bytes);
      written += length;
      if (behind) await behind.add(bytes, length);
      else if (!writeStdout(bytes)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      onProgress?.(written);
    },
    async lines(lines) {
      for (const line of lines) {
        pending += `${line}\n`;
        if (pending.length >= FLUSH_AT) await flush();
      }
    },
    flush,
    async end() {
      await flush();
      await behind?.drain();
      await file?.commit();
    },
    async discard() {
      pending = '';
      await behind?.drain().catch(() => undefined);
      await file?.discard();
    },
  };
  return output;
}

/** Bytes or pieces of bytes to stdout, in order; false when its buffer is full (wait for 'drain'). */
function writeStdout(bytes: Uint8Array | readonly Uint8Array[]): boolean {
  outputStarts();
  if (bytes instanceof Uint8Array) return process.stdout.write(bytes);
  let room = true;
  for (const piece of bytes) room = process.stdout.write(piece);
  return room;
}

/** Writes `text` (with a final newline) to `out` or stdout. */
export async function emit(text: string, out: string | undefined): Promise<void> {
  const output = await openOutput(out);
  await output.write(text.endsWith('\n') ? text : `${text}\n`);
  await output.end();
}

/** The temporary file for `path`, after the checks writing `path` in place would have made (a folder, a read-only file). */
async function openAtomicOutput(path: string): Promise<AtomicFile> {
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (existing) await access(path, constants.W_OK);
  // a device or a pipe (/dev/full, /dev/stdout, a FIFO) is written to, not replaced: a file renamed over it would take
  // its place (/dev/full gone, its ENOSPC never seen) and its reader would get nothing
  if (existing && !existing.isFile()) return openInPlace(path);
  return openAtomic(path);
}

/** `path` written as it is: a device or a pipe has nothing to take back, so commit and discard both just close it. */
async function openInPlace(path: string): Promise<AtomicFile> {
  const handle = await open(path, 'w');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    tempPath: path,
    // every byte, or an error (write-pieces.ts): /dev/full's ENOSPC
    write: (text) => writePieces(handle, typeof text === 'string' ? [Buffer.from(text, 'utf8')] : text instanceof Uint8Array ? [text] : text, path),
    commit: close,
    discard: () => close().catch(() => undefined),
  };
}

/**
 * `file` whose failed writes and close name it: Node's `ENOSPC: no space left on device, write` says neither the file
 * nor the option (a full disk, /dev/full, a file-size limit), so the command fails with
 * `could not write report.json (--out): ENOSPC: no space left on device`, as stdout.ts says standard output.
 */
function namingFailures(file: AtomicFile, path: string, flag: string): AtomicFile {
  const fail = (error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new ReaderClosed(`${path} (${flag}): its reader stopped reading`);
    throw new CommandFailed(`could not write ${path} (${flag}): ${writeErrorText(error as NodeJS.ErrnoException)}`);
  };
  return {
    tempPath: file.tempPath,
    write: (text) => file.write(text).catch(fail),
    commit: () => file.commit().catch(fail),
    discard: () => file.discard(),
  };
}

/** `ENOSPC: no space left on device`: without the system call and path Node appends (`, write`), whatever wrote it. */
export function writeErrorText(error: NodeJS.ErrnoException): string {
  // write-pieces.ts says a write that took nothing as `no space to write <temporary file>`: the errno's own words here
  if (error.code === 'ENOSPC') return 'ENOSPC: no space left on device';
  return (error.message ?? String(error)).replace(/, \w+( '.*')?$/, '');
}

function reason(error: NodeJS.ErrnoException, path: string): string {
  switch (error.code) {
    case 'ENOENT':
      // a folder that exists but takes no new files (/proc: the temporary file beside the target) says ENOENT too
      return folderExists(dirname(path)) ? `cannot create a file in ${dirname(path)} (${errnoText(error)})` : `the folder ${dirname(path)} does not exist`;
    case 'EISDIR':
      return 'it is a folder (give a file name)';
    case 'ENOTDIR':
      return `${dirname(path)} is not a folder`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error.message;
  }
}

function folderExists(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** `ENOENT: no such file or directory` of Node's `ENOENT: no such file or directory, open '/proc/.version.….tmp'`. */
function errnoText(error: NodeJS.ErrnoException): string {
  return error.message.replace(/, \w+ '.*$/, '');
}

/**
 * The text of `JSON.stringify(value, null, 2)` in pieces, the members of the array `value[big]` one at a time
 * (non-finite numbers become `null`, as JSON.stringify writes them). For reports: the accounts are streamed.
 */
export function* jsonChunks(value: object, big: string): Generator<string> {
  const items = (value as Record<string, unknown>)[big];
  if (!Array.isArray(items) || items.length === 0) {
    yield JSON.stringify(value, null, 2);
    return;
  }
  const marker = '\u0000margin-core:stream\u0000';
  const shell = JSON.stringify({ ...value, [big]: marker }, null, 2);
  const at = shell.indexOf(JSON.stringify(marker));
  yield `${shell.slice(0, at)}[\n`;
  for (let i = 0; i < items.length; i++) {
    yield `    ${JSON.stringify(items[i], null, 2).replace(/\n/g, '\n    ')}${i + 1 < items.length ? ',\n' : '\n  ]'}`;
  }
  yield shell.slice(at + JSON.stringify(marker).length);
}

/**
 * CSV lines (RFC 4180 quoting) for `count` rows: a non-finite number is an empty cell (documented with the report
 * fields: e.g. health without maintenance margin).
 */
export function* csvLines(header: readonly string[], count: number, row: (i: number) => ReadonlyArray<string | number | undefined>): Generator<string> {
  yield header.map(csvCell).join(',');
  yield* csvRows(count, row);
}

/** {@link csvLines} without the header: the rows of a report written a chunk at a time. */
export function* csvRows(count: number, row: (i: number) => ReadonlyArray<string | number | undefined>): Generator<string> {
  for (let i = 0; i < count; i++) yield row(i).map(csvCell).join(',');
}

function csvCell(v: string | number | undefined): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = v ?? '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
