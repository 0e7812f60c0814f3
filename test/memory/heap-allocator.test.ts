/** The JS backend's column memory: released big buffers are handed out again, cleared, to columns they fit. */
import { describe, expect, it } from 'vitest';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { Column } from '../../src/memory/columns.js';

describe('HeapAllocator', () => {
  it('hands a released buffer of 64 KiB or more to the next column it fits (up to twice its size), cleared', () => {
    const heap = new HeapAllocator();
    const first = Column.allocate(heap, 'f64', 100_000); // 800,000 bytes
    first.array.fill(7);
    const buffer = heap.bufferOf(first.ptr);
    first.release();
    expect(heap.bytesInUse).toBe(0);
    const tooSmall = Column.allocate(heap, 'f64', 40_000); // 320,000 bytes: the kept buffer is more than twice that
    expect(heap.bufferOf(tooSmall.ptr)).not.toBe(buffer);
    const fits = Column.allocate(heap, 'i32', 150_000); // 600,000 bytes
    expect(heap.bufferOf(fits.ptr)).toBe(buffer);
    expect(fits.array.length).toBe(150_000);
    expect(fits.array.every((v) => v === 0)).toBe(true);
    const next = Column.allocate(heap, 'f64', 100_000); // the buffer is taken: a new one
    expect(heap.bufferOf(next.ptr)).not.toBe(buffer);
  });

  it('keeps no small buffer; gives the buffers of a released layout to the next one', () => {
    const heap = new HeapAllocator();
    const small = Column.allocate(heap, 'u8', 1_000);
    const smallBuffer = heap.bufferOf(small.ptr);
    small.release();
    expect(heap.bufferOf(Column.allocate(heap, 'u8', 1_000).ptr)).not.toBe(smallBuffer);
    // two columns in use at once, then released: both kept for the next two
    const a = Column.allocate(heap, 'f64', 20_000), b = Column.allocate(heap, 'f64', 20_000);
    const kept = [heap.bufferOf(a.ptr), heap.bufferOf(b.ptr)];
    a.release();
    b.release();
    const again = [Column.allocate(heap, 'f64', 20_000), Column.allocate(heap, 'f64', 20_000)];
    const buffers = again.map((c) => heap.bufferOf(c.ptr));
    expect(buffers.every((buffer) => kept.includes(buffer)) && buffers[0] !== buffers[1]).toBe(true);
  });
});
