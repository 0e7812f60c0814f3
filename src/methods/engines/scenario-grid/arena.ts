/**
 * Typed arrays carved one after another from a single zeroed ArrayBuffer (f64 views first, so every view is aligned):
 * `reuse` when it is large enough (zeroed again), else a new one.
 */
export class Arena {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  constructor(bytes: number, reuse?: ArrayBufferLike) {
    if (reuse instanceof ArrayBuffer && reuse.byteLength >= bytes) {
      new Uint8Array(reuse, 0, bytes).fill(0);
      this.buffer = reuse;
    } else this.buffer = new ArrayBuffer(bytes);
  }

  f64(n: number): Float64Array {
    const view = new Float64Array(this.buffer, this.offset, n);
    this.offset += n * 8;
    return view;
  }

  i32(n: number): Int32Array {
    const view = new Int32Array(this.buffer, this.offset, n);
    this.offset += n * 4;
    return view;
  }
}
