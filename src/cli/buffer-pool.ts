/**
 * Shared buffers lent for the copies one thread hands another, and given back once that thread is done with them
 * (read-ahead.ts: a chunk's position columns, the reader's copies out of its reused buffers). A fresh buffer per
 * chunk costs its pages' first touch (page faults: about a quarter of the reader's time on a 1,000,000 × 20 book) and
 * leaves the receiving thread's GC to free it; a buffer given back is written again where it is already mapped.
 *
 * Shared, not moved: moving (transferring) a buffer back would detach it on the command's thread, and the first
 * ArrayBuffer detached in a V8 isolate makes every typed-array access of its optimised code check for detachment
 * from then on: the JS twins' kernels ran about 17 % slower on the 1,000,000 × 20 book after one detach
 * (docs/performance.md, "Never detach on the command's thread").
 */

/** Buffers kept at most: a few chunks' position columns (the reader is at most two chunks ahead). */
const KEPT = 16;
/** A new buffer's room beyond the copy it is made for (one eighth), so the next chunks, a little larger, fit it too. */
const HEADROOM = 8;
/** New buffers are whole multiples of this (bytes). */
const GRAIN = 64 * 1024;

type Copyable = Int32Array | Float64Array;

/**
 * A copy of `view` in a shared buffer of its own (`buffer`, else a new one of its length): it crosses to another
 * thread without being moved (the module comment: why never moved).
 */
export function sharedCopy<T extends Int32Array | Float64Array | Uint8Array>(view: T, buffer = new SharedArrayBuffer(view.byteLength)): T {
  const copy = new (view.constructor as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => T)(buffer, 0, view.length);
  copy.set(view as never);
  return copy;
}

export class BufferPool {
  private readonly free: SharedArrayBuffer[] = [];

  /** Buffers given back (any beyond {@link KEPT} are dropped: the smallest first). */
  give(buffers: readonly SharedArrayBuffer[]): void {
    for (const buffer of buffers) this.free.push(buffer);
    if (this.free.length > KEPT) {
      this.free.sort((x, y) => y.byteLength - x.byteLength);
      this.free.length = KEPT;
    }
  }

  /** Buffers held now (for tests). */
  get size(): number {
    return this.free.length;
  }

  /**
   * A copy of `view` at the start of a buffer of the pool (the smallest that holds it), or of a new one with room to
   * spare; the copy's buffer is the caller's to hand on until it is given back.
   */
  copy<T extends Copyable>(view: T): T {
    const bytes = view.byteLength;
    let best = -1;
    for (let k = 0; k < this.free.length; k++) {
      const size = this.free[k].byteLength;
      if (size >= bytes && (best < 0 || size < this.free[best].byteLength)) best = k;
    }
    return sharedCopy(view, best >= 0 ? this.free.splice(best, 1)[0] : new SharedArrayBuffer(Math.ceil((bytes + bytes / HEADROOM) / GRAIN) * GRAIN));
  }
}
