/**
 * Pieces of bytes written to a file in order with one vectored write (writev), not gathered into one buffer first:
 * an Arrow writer hands a record batch as tens of views of the batch's own columns, and copying ~10 MB per batch
 * into a fresh buffer cost the command's thread the copy and the new pages' first touch (2 µs a page on a VM).
 */
import type { FileHandle } from 'node:fs/promises';

/** The pieces' bytes in total. */
export function piecesLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const piece of pieces) n += piece.byteLength;
  return n;
}

/**
 * Writes every byte of `pieces` to `handle` at its position, or throws: a write may take only part of them (a file size
 * limit, a full disk) and say so only in its count, so what is left is written on, and a write that takes nothing is
 * ENOSPC (`name` in the message).
 */
export async function writePieces(handle: FileHandle, pieces: readonly Uint8Array[], name: string): Promise<void> {
  const total = piecesLength(pieces);
  if (total === 0) return;
  let done = (await handle.writev(pieces as Uint8Array[])).bytesWritten;
  if (done === total) return;
  for (const piece of pieces) {
    if (done >= piece.byteLength) {
      done -= piece.byteLength;
      continue;
    }
    for (let at = done; at < piece.byteLength;) {
      const { bytesWritten } = await handle.write(piece, at, piece.byteLength - at);
      if (bytesWritten === 0) throw Object.assign(new Error(`no space to write ${name}`), { code: 'ENOSPC' });
      at += bytesWritten;
    }
    done = 0;
  }
}

/**
 * Writes run one after another behind their caller, so the next pieces are made while the earlier ones are written:
 * `add` waits only once more than `limitBytes` are being written. A failed write is thrown by a later `add` that waits,
 * or by `drain`; the writes after it do not run.
 */
export class WriteBehind {
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly write: (pieces: Uint8Array | readonly Uint8Array[]) => Promise<void>, private readonly limitBytes: number) {}

  /** Queues `pieces` (`length` bytes in all) after the writes before them. */
  async add(pieces: Uint8Array | readonly Uint8Array[], length: number): Promise<void> {
    this.inFlight += length;
    this.writing = this.writing.then(async () => {
      await this.write(pieces);
      this.inFlight -= length;
    });
    this.writing.catch(() => undefined); // handled: thrown where it is awaited next
    if (this.inFlight > this.limitBytes) await this.writing;
  }

  /** Every write queued so far done (or the first failure thrown). */
  drain(): Promise<void> {
    return this.writing;
  }
}
