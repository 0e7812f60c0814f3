/**
 * A file read front to back in blocks with the next block's read in flight while the caller works on the one before.
 * A read from the page cache is a copy made on libuv's thread pool: awaited after each scan it left a book's reader
 * waiting about a second per 2 GB of book.json; read ahead, it happens beside the scan. Two buffers, reused (no new
 * memory per block): a block is valid until the next call.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Utf8Check } from './utf8-check.js';

export class BlockReader {
  private readonly buffers: [Uint8Array, Uint8Array];
  private turn = 0;
  /** The read into buffers[turn], started by the call before (undefined before the first call). */
  private pending: Promise<number> | undefined;
  private position = 0;
  private ended = false;

  /** `utf8`: the file is a text, each block checked before it is handed out (src/io/utf8-check.ts). */
  constructor(private readonly file: FileHandle, blockBytes: number, private readonly utf8?: Utf8Check) {
    this.buffers = [new Uint8Array(blockBytes), new Uint8Array(blockBytes)];
  }

  /** The next block of the file (empty at its end), a view valid until the next call. */
  async next(): Promise<Uint8Array> {
    if (this.ended) return this.buffers[0].subarray(0, 0);
    const buffer = this.buffers[this.turn];
    const pending = this.pending ?? this.readInto(buffer);
    this.pending = undefined;
    const n = await pending;
    if (n === 0) {
      this.ended = true;
      this.utf8?.end();
      return buffer.subarray(0, 0);
    }
    this.utf8?.push(buffer.subarray(0, n));
    this.turn ^= 1;
    this.pending = this.readInto(this.buffers[this.turn]);
    // a read whose block is never asked for (the caller stopped) must not reject unhandled; next() still sees its error
    this.pending.catch(() => undefined);
    return buffer.subarray(0, n);
  }

  /** Waits for a read still in flight (before the file is closed), its outcome ignored. */
  async settle(): Promise<void> {
    await this.pending?.catch(() => undefined);
    this.pending = undefined;
  }

  private async readInto(buffer: Uint8Array): Promise<number> {
    const { bytesRead } = await this.file.read(buffer, 0, buffer.length, this.position);
    this.position += bytesRead;
    return bytesRead;
  }
}
