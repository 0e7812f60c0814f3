/**
 * Standard output that fails is said, never a silently cut report: only a reader that closes the pipe (`| head`) ends
 * the command quietly with 0 (it has what it wanted); any other failed write (a full disk, /dev/full, EIO) is one line
 * on stderr naming stdout and the cause, exit 1 (docs/cli.md, exit codes).
 */
import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Writable } from 'node:stream';
import { EXIT } from './io.js';

/** Makes every write to `stream` whole or an error, and ends the process on its first error (main.ts calls it first). */
export function guardStdout(stream: typeof process.stdout): void {
  if (writesToFile(stream.fd)) writeWhole(stream as unknown as Writable, stream.fd);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    process.stderr.write(`margin-core: could not write to standard output: ${errorText(error)}\n`);
    process.exit(EXIT.failed);
  });
}

/** `ENOSPC: no space left on device`: the error without the system call Node appends (`, write`). */
function errorText(error: Error): string {
  return error.message.replace(/, (write|writev)$/, '');
}

/** Whether `fd` is a file or a device (`> report.json`, `> /dev/full`): Node then writes it synchronously. */
function writesToFile(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return !isatty(fd) && (stats.isFile() || stats.isCharacterDevice() || stats.isBlockDevice());
  } catch {
    return false;
  }
}

/**
 * Node's stream for stdout on a file writes each chunk with one write(2) and ignores its count: a disk that fills
 * takes part of a chunk and the rest is lost with no error (the report cut at the disk's last byte, exit 0). Here the
 * rest is written on, so the full disk's ENOSPC (or a file-size limit's EFBIG) comes back as the stream's error.
 */
function writeWhole(stream: Writable, fd: number): void {
  stream._write = (chunk: Buffer | string, encoding, callback) => {
    try {
      writeAll(fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  };
}

/** Every byte of `bytes` to `fd`, or throws; a write that takes nothing is a full disk. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength;) {
    const n = writeSync(fd, bytes, at, bytes.byteLength - at);
    if (n === 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    at += n;
  }
}
