/**
 * Typed columns that kernels read and write in place.
 *
 * A column is a run of f64 / i32 / u8 elements at a byte offset (`ptr`) in some ArrayBuffer: WASM
 * linear memory for the WASM backend (so kernels take the pointer and the façade keeps a view), or a
 * plain ArrayBuffer for the JS backend. Growing WASM memory detaches every view, so a column never
 * hands out a view it cached across a growth: `array` re-derives it whenever the buffer changed.
 */

export type ColumnType = 'f64' | 'i32' | 'u8';

export interface ColumnArrays {
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
}

export const BYTES_PER_ELEMENT: Readonly<Record<ColumnType, number>> = { f64: 8, i32: 4, u8: 1 };

/** Where columns live. `buffer` may change when the allocator grows; views must then be re-derived. */
export interface ColumnAllocator {
  /** True when columns live in WASM linear memory (their `ptr` can be passed to a kernel). */
  readonly linear: boolean;
  /** The buffer that currently backs the reservation at `ptr` (changes when linear memory grows). */
  bufferOf(ptr: number): ArrayBuffer;
  /** Byte offset of the reservation `ptr` inside {@link bufferOf}. */
  offsetOf(ptr: number): number;
  /**
   * Reserves `byteLength` bytes aligned to 16 and returns the byte offset; contents are zeroed, or with `cleared` false
   * unspecified (what the last user of the bytes left: for a kernel's outputs it writes before anything reads them).
   */
  reserve(byteLength: number, cleared?: boolean): number;
  /** Returns a reservation made by {@link reserve} to the allocator. */
  release(ptr: number, byteLength: number): void;
  /** Bytes currently reserved (for memory accounting). */
  readonly bytesInUse: number;
}

/** A typed column: `length` elements of `type` at byte offset `ptr` of the allocator's buffer. */
export class Column<K extends ColumnType = ColumnType> {
  private cachedBuffer: ArrayBuffer | null = null;
  private cachedView: ColumnArrays[K] | null = null;
  private released = false;

  /** Whether {@link release} ran (its memory is given back, perhaps to another column). */
  get isReleased(): boolean {
    return this.released;
  }

  constructor(
    readonly allocator: ColumnAllocator,
    readonly type: K,
    readonly length: number,
    readonly ptr: number,
  ) {}

  /**
   * Allocates a zeroed column; with `cleared` false its contents are unspecified (a kernel's output, written in full
   * before it is read: clearing a reused block costs about as much as writing it).
   */
  static allocate<K extends ColumnType>(allocator: ColumnAllocator, type: K, length: number, cleared = true): Column<K> {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`column length must be a non-negative integer, got ${length}`);
    const ptr = allocator.reserve(Math.max(length * BYTES_PER_ELEMENT[type], 16), cleared);
    return new Column(allocator, type, length, ptr);
  }

  /** A view over the column, valid until the allocator next grows; re-read it rather than keep it. */
  get array(): ColumnArrays[K] {
    // Fast path: the view is good while its buffer is attached; growing linear memory detaches the old buffer, and a
    // view over a detached buffer has length 0 (perf: column-view, docs/performance.md). A heap column's buffer never
    // changes. Release clears the cache, so a released column takes the slow path, as does a column of length 0.
    const cached = this.cachedView;
    if (cached !== null && cached.length !== 0) return cached as ColumnArrays[K];
    if (this.released) throw new Error('column used after release');
    const buffer = this.allocator.bufferOf(this.ptr);
    if (buffer !== this.cachedBuffer) {
      this.cachedBuffer = buffer;
      this.cachedView = makeView(buffer, this.type, this.allocator.offsetOf(this.ptr), this.length);
    }
    return this.cachedView as ColumnArrays[K];
  }

  /** Size in bytes. */
  get byteLength(): number {
    return this.length * BYTES_PER_ELEMENT[this.type];
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.allocator.release(this.ptr, Math.max(this.byteLength, 16));
    this.cachedBuffer = null;
    this.cachedView = null;
  }
}

function makeView<K extends ColumnType>(buffer: ArrayBuffer, type: K, ptr: number, length: number): ColumnArrays[K] {
  switch (type) {
    case 'f64':
      return new Float64Array(buffer, ptr, length) as ColumnArrays[K];
    case 'i32':
      return new Int32Array(buffer, ptr, length) as ColumnArrays[K];
    default:
      return new Uint8Array(buffer, ptr, length) as ColumnArrays[K];
  }
}
