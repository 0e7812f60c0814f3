/** The JS backend's column memory: released big buffers are handed out again, cleared, to columns they fit; and lent, as left, to a run's arrays. */
import { describe, expect, it } from 'vitest';
import { HeapAllocator, sizeClass } from '../../src/memory/allocators.js';
import { ArrayLease } from '../../src/memory/array-lease.js';
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

  it('rounds a big buffer up to an eighth of its power of two, so the next chunk\'s slightly longer column fits it', () => {
    expect(sizeClass(1_000)).toBe(1_000); // small: as asked
    expect(sizeClass(65_536)).toBe(65_536);
    expect(sizeClass(65_537)).toBe(73_728); // 64 KiB + 8 KiB
    expect(sizeClass(10_668_768)).toBe(11_534_336); // 2^23 + 3 × 2^20
    const heap = new HeapAllocator();
    const chunk1 = Column.allocate(heap, 'f64', 1_333_596);
    const buffer = heap.bufferOf(chunk1.ptr);
    chunk1.release();
    const chunk2 = Column.allocate(heap, 'f64', 1_333_640); // 352 bytes more
    expect(heap.bufferOf(chunk2.ptr)).toBe(buffer);
    expect(heap.bytesInUse).toBe(buffer.byteLength);
  });

  it('take hands a kept buffer out as it was left; an ArrayLease gives all it lent back at once', () => {
    const heap = new HeapAllocator();
    const lease = new ArrayLease(heap);
    const slots = lease.f64(100_000), rows = lease.i32(100_000);
    slots.fill(2.5);
    rows.fill(-1);
    expect(heap.bytesInUse).toBeGreaterThanOrEqual(1_200_000);
    lease.release();
    expect(heap.bytesInUse).toBe(0);
    const again = new ArrayLease(heap);
    const reused = again.f64(100_000);
    expect(reused.buffer).toBe(slots.buffer); // the same memory, not cleared: its user writes it whole
    expect(reused[0]).toBe(2.5);
    expect(again.i32(100_000).buffer).toBe(rows.buffer);
    // without a heap: plain zeroed arrays, nothing to give back
    const plain = new ArrayLease();
    expect(plain.u8(10)).toEqual(new Uint8Array(10));
    plain.release();
  });
});
