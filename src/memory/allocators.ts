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

  reserve(byteLength: number): number {
    const size = alignUp(byteLength, ALIGN);
    let ptr = this.freeList.take(size, ALIGN);
    if (ptr < 0) {
      ptr = this.freeList.takeTail(this.top); // extend a free block that ends at the top
      this.top = ptr + size;
      this.ensureCapacity(this.top);
    }
    // Columns start zeroed. Memory above every byte ever handed out is still as grow() made it (zero), so only the
    // part of the block that was used before needs clearing: a fresh 600 MB arena is not written twice.
    const dirtyEnd = Math.min(ptr + size, this.everHandedOut);
    if (dirtyEnd > ptr) this.bytes().fill(0, ptr, dirtyEnd);
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
 * Columns in ordinary ArrayBuffers, for the JS backend: one buffer per column (`ptr` is its id), never detached. A
 * released buffer of 64 KiB or more is kept and handed out again, cleared, for a column it fits (up to twice its size):
 * a book margined chunk after chunk, or session after session, writes the same memory again instead of touching new
 * memory each time. Like the WASM arena, it keeps at most what it once had in use.
 */
export class HeapAllocator implements ColumnAllocator {
  readonly linear = false;
  private readonly buffers = new Map<number, ArrayBuffer>();
  private readonly spare: ArrayBuffer[] = [];
  private spareBytes = 0;
  private mostInUse = 0;
  private nextId = 1;
  private inUse = 0;

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

  reserve(byteLength: number): number {
    const size = alignUp(byteLength, ALIGN);
    const id = this.nextId++;
    this.buffers.set(id, this.spareFor(size) ?? new ArrayBuffer(size));
    this.inUse += size;
    this.mostInUse = Math.max(this.mostInUse, this.inUse);
    return id;
  }

  release(ptr: number, byteLength: number): void {
    const buffer = this.buffers.get(ptr);
    if (!buffer) return;
    this.buffers.delete(ptr);
    this.inUse -= alignUp(byteLength, ALIGN);
    if (buffer.byteLength >= SPARE_MIN_BYTES && this.spareBytes + buffer.byteLength <= this.mostInUse) {
      this.spare.push(buffer);
      this.spareBytes += buffer.byteLength;
    }
  }

  /** The smallest kept buffer of `size` to `2 × size` bytes, cleared, or undefined. */
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
    new Uint8Array(buffer).fill(0); // columns start zeroed
    return buffer;
  }
}
