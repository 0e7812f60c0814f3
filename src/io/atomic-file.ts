/**
 * Output files written whole or not at all: the text goes to a temporary file in the same folder (same file system,
 * so the rename is atomic), renamed over the target only once every byte is written and the file closed. A run that
 * fails or is interrupted (an error, SIGINT, SIGTERM, SIGHUP) removes its temporary file and leaves the target as it
 * was: absent, or the previous run's whole file; never half a report. (SIGKILL cannot be caught: the target is still
 * untouched, and a `.NAME.*.tmp` file may be left beside it.)
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writePieces } from './write-pieces.js';

export interface AtomicFile {
  /** The temporary file being written. */
  readonly tempPath: string;
  /** Appends text (UTF-8), bytes, or pieces of bytes in order (one vectored write). */
  write(text: string | Uint8Array | readonly Uint8Array[]): Promise<void>;
  /** Flushes, closes and renames over the target. */
  commit(): Promise<void>;
  /** Closes and removes the temporary file; the target is untouched. */
  discard(): Promise<void>;
}

/** Temporary files not yet committed or discarded: removed if the process ends first. */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Removes every pending temporary file (synchronously: it runs on the way out of the process). */
export function removePendingFiles(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removePendingFiles();
  stopWatching();
  // then die of the signal, as without this handler (the exit code says which signal)
  process.kill(process.pid, signal);
}

/** Told as this thread's temporary files open and close (a worker's, so the main thread can remove them: report-writer.ts). */
let watcher: ((path: string, open: boolean) => void) | undefined;

/** Tells `listener` of every temporary file this thread opens (true) and commits or discards (false). */
export function watchPendingFiles(listener: (path: string, open: boolean) => void): void {
  watcher = listener;
}

/** Another thread's temporary file: removed with this thread's own if the process ends first. */
export function notePendingFile(path: string): void {
  pending.add(path);
  startWatching();
}

/** Another thread's temporary file, committed or discarded there. */
export function forgetPendingFile(path: string): void {
  pending.delete(path);
  if (pending.size === 0) stopWatching();
}

let watching = false;
function startWatching(): void {
  if (watching) return;
  watching = true;
  process.on('exit', removePendingFiles);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function stopWatching(): void {
  if (!watching) return;
  watching = false;
  process.off('exit', removePendingFiles);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Opens a temporary file beside `path` for writing (errors as `open` gives them: the folder missing, no permission). */
export async function openAtomic(path: string): Promise<AtomicFile> {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle: FileHandle = await open(tempPath, 'wx');
  pending.add(tempPath);
  startWatching();
  watcher?.(tempPath, true);
  let done = false;
  const finish = () => {
    done = true;
    pending.delete(tempPath);
    if (pending.size === 0) stopWatching();
    watcher?.(tempPath, false);
  };
  return {
    tempPath,
    async write(text) {
      // every byte, or an error (write-pieces.ts)
      await writePieces(handle, typeof text === 'string' ? [Buffer.from(text, 'utf8')] : text instanceof Uint8Array ? [text] : text, tempPath);
    },
    async commit() {
      if (done) return;
      try {
        await handle.sync();
        await handle.close();
        await rename(tempPath, path);
      } catch (error) {
        await handle.close().catch(() => {});
        await unlink(tempPath).catch(() => {});
        throw error;
      } finally {
        finish();
      }
    },
    async discard() {
      if (done) return;
      finish();
      await handle.close().catch(() => {});
      await unlink(tempPath).catch(() => {});
    },
  };
}
