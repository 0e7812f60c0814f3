import { alignUp, FreeList } from './free-list.js';
import type { ColumnAllocator } from './columns.js';

const ALIGN = 16; // v128 loads want 16-byte alignment
const WASM_PAGE = 65536;

/**
 * Columns inside WASM linear memory, above the module's static data (`heapBase`). The kernels never
 * allocate: the façade owns this space. Growing memory detaches every view over it; {@link Column}
 * re-derives views, and callers size memory up front (see {@link reserveUpTo}) so hot paths never grow.
 */
export class LinearMemoryAllocator implements ColumnAllocator {
  readonly linear = true;
  private readonly freeList = new FreeList();
  private top: number;
  private inUse = 0;
  /** End of the highest block ever handed out: bytes above it have never been written since memory grew. */
  private everHandedOut = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.top = alignUp(heapBase, ALIGN);
    this.buffer = memory.buffer;
  }

  /** The memory's buffer, kept between calls: reading `memory.buffer` costs more than a column access should. */
  private buffer: ArrayBuffer;

  bufferOf(): ArrayBuffer {
    // grow() detaches the old buffer (byteLength 0), whoever grew: then take the new one
    if (this.buffer.byteLength === 0) this.buffer = this.memory.buffer;
    return this.buffer;
  }

  /** A byte view of the whole memory, kept while its buffer lives: clearing a reserved block makes no view of its own. */
  private byteView = new Uint8Array(0);

  private bytes(): Uint8Array {
    const buffer = this.bufferOf();
    if (this.byteView.buffer !== buffer) this.byteView = new Uint8Array(buffer);
    return this.byteView;
  }

  offsetOf(ptr: number): number {
    return ptr;
  }

  get bytesInUse(): number {
    return this.inUse;
  }

  /** Highest byte offset handed out so far (the arena's high-water mark). */
  get highWater(): number {
    return this.top;
  }

  reserve(byteLength: number, cleared = true): number {
    const size = alignUp(byteLength, ALIGN);
    let ptr = this.freeList.take(size, ALIGN);
    if (ptr < 0) {
      ptr = this.freeList.takeTail(this.top); // extend a free block that ends at the top
      try {
        this.ensureCapacity(ptr + size);
      } catch (error) {
        // memory cannot grow that far: the arena is left as it was (a top past the memory's end would fail every
        // later reservation that the free list cannot serve)
        if (ptr < this.top) this.freeList.free(ptr, this.top);
        throw error;
      }
      this.top = ptr + size;
    }
    // Columns start zeroed. Memory above every byte ever handed out is still as grow() made it (zero), so only the
    // part of the block that was used before needs clearing: a fresh 600 MB arena is not written twice.
    const dirtyEnd = Math.min(ptr + size, this.everHandedOut);
    if (cleared && dirtyEnd > ptr) this.bytes().fill(0, ptr, dirtyEnd);
    this.everHandedOut = Math.max(this.everHandedOut, ptr + size);
    this.inUse += size;
    return ptr;
  }

  release(ptr: number, byteLength: number): void {
    const size = alignUp(byteLength, ALIGN);
    this.freeList.free(ptr, ptr + size);
    this.inUse -= size;
  }

  /** Grows memory now so that `bytes` more can be reserved without growing later. */
  reserveUpTo(bytes: number): void {
    this.ensureCapacity(this.top + bytes);
  }

  private ensureCapacity(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    // Grow geometrically so a sequence of small reservations does not grow (and detach) every time.
    const want = Math.max(end, have * 1.5);
    this.memory.grow(Math.ceil((want - have) / WASM_PAGE));
  }
}

/** Smallest column buffer kept for reuse after release (smaller ones are cheap to make anew). */
const SPARE_MIN_BYTES = 1 << 16;

/**
 * The bytes of a new buffer for `size`: a buffer of SPARE_MIN_BYTES or more is rounded up to an eighth of its power of
 * two (at most 12.5% unused), so the next chunk's column, a few bytes longer than this one's, fits in it.
 */
export function sizeClass(size: number): number {
  if (size < SPARE_MIN_BYTES) return size;
  const step = 2 ** Math.floor(Math.log2(size)) / 8;
  return Math.ceil(size / step) * step;
}

/** Buffers lent and given back (a {@link HeapAllocator}): what an ArrayLease (array-lease.ts) borrows from. */
/** `discard` is optional: a pool that does not count what it lent has nothing to take back. */
export type BufferPool = Pick<HeapAllocator, 'take' | 'give'> & Partial<Pick<HeapAllocator, 'discard'>>;

/**
 * Columns in ordinary ArrayBuffers, for the JS backend: one buffer per column (`ptr` is its id), never detached. A
 * released buffer of 64 KiB or more ({@link sizeClass}) is kept and handed out again, cleared, for a column it fits (up
 * to twice its size): a book margined chunk after chunk, or session after session, writes the same memory again instead
 * of faulting in new pages each time. Like the WASM arena, it keeps at most what it once had in use. The same buffers
 * serve the runs' own JS arrays on either backend ({@link take} and {@link give}: src/memory/array-lease.ts).
 */
export class HeapAllocator implements ColumnAllocator {
  readonly linear = false;
  private readonly buffers = new Map<number, ArrayBuffer>();
  private readonly spare: ArrayBuffer[] = [];
  private spareBytes = 0;
  private mostInUse = 0;
  private nextId = 1;
  private inUse = 0;

  /** Bytes of the buffers handed out and not yet given back (a buffer may be up to 12.5% longer than asked). */
  get bytesInUse(): number {
    return this.inUse;
  }

  bufferOf(ptr: number): ArrayBuffer {
    const buffer = this.buffers.get(ptr);
    if (!buffer) throw new Error(`no heap column at ${ptr}`);
    return buffer;
  }

  offsetOf(): number {
    return 0;
  }

  reserve(byteLength: number, cleared = true): number {
    const size = alignUp(byteLength, ALIGN);
    const id = this.nextId++;
    const kept = this.spareFor(size);
    if (kept && cleared) new Uint8Array(kept).fill(0); // columns start zeroed (a new buffer is)
    const buffer = kept ?? new ArrayBuffer(sizeClass(size));
    this.buffers.set(id, buffer);
    this.handOut(buffer);
    return id;
  }

  release(ptr: number): void {
    const buffer = this.buffers.get(ptr);
    if (!buffer) return;
    this.buffers.delete(ptr);
    this.give(buffer);
  }

  /**
   * A buffer of at least `byteLength` bytes, not cleared: a kept one holds what its last user wrote (a new one is zero).
   * For arrays whose every element is written before it is read; give it back with {@link give}.
   */
  take(byteLength: number): ArrayBuffer {
    const size = alignUp(byteLength, ALIGN);
    const buffer = this.spareFor(size) ?? new ArrayBuffer(sizeClass(size));
    this.handOut(buffer);
    return buffer;
  }

  /** Takes back a buffer of {@link take} (or a released column's), kept for reuse when it is big enough and room is left. */
  give(buffer: ArrayBuffer): void {
    this.inUse -= buffer.byteLength;
    if (buffer.byteLength >= SPARE_MIN_BYTES && this.spareBytes + buffer.byteLength <= this.mostInUse) {
      this.spare.push(buffer);
      this.spareBytes += buffer.byteLength;
    }
  }

  /** Takes back a buffer of {@link take} that is not kept: the garbage collector's now (no spare holds its pages). */
  discard(buffer: ArrayBuffer): void {
    this.inUse -= buffer.byteLength;
  }

  private handOut(buffer: ArrayBuffer): void {
    this.inUse += buffer.byteLength;
    this.mostInUse = Math.max(this.mostInUse, this.inUse);
  }

  /** The smallest kept buffer of `size` to `2 × size` bytes (as its last user left it), or undefined. */
  private spareFor(size: number): ArrayBuffer | undefined {
    if (size < SPARE_MIN_BYTES) return undefined;
    let best = -1;
    for (let k = 0; k < this.spare.length; k++) {
      const length = this.spare[k].byteLength;
      if (length >= size && length <= 2 * size && (best < 0 || length < this.spare[best].byteLength)) best = k;
    }
    if (best < 0) return undefined;
    const buffer = this.spare[best];
    this.spare[best] = this.spare[this.spare.length - 1];
    this.spare.pop();
    this.spareBytes -= buffer.byteLength;
    return buffer;
  }
}
