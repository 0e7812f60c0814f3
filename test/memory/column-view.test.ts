/**
 * A column's view over WASM memory (src/memory/columns.ts): kept while its buffer is attached, derived again after
 * memory grew (growing detaches the old buffer: its views read length 0), the same for a column of length 0, and
 * refused once the column is released.
 */
import { expect, test } from 'vitest';
import { LinearMemoryAllocator } from '../../src/memory/allocators.js';
import { Column } from '../../src/memory/columns.js';

function arena(): { memory: WebAssembly.Memory; allocator: LinearMemoryAllocator } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  return { memory, allocator: new LinearMemoryAllocator(memory, 0) };
}

test('a column keeps its view until memory grows, then reads its values through a new one', () => {
  const { memory, allocator } = arena();
  const prices = Column.allocate(allocator, 'f64', 4);
  const view = prices.array;
  view.set([1.5, -2, 3.25, 1e300]);
  expect(prices.array).toBe(view);
  memory.grow(1);
  expect(view.length).toBe(0); // the old buffer was detached
  const again = prices.array;
  expect(again === view).toBe(false);
  expect([...again]).toEqual([1.5, -2, 3.25, 1e300]);
  expect(prices.array).toBe(again);
});

test('a column of length 0 gives an empty view before and after growth', () => {
  const { memory, allocator } = arena();
  const empty = Column.allocate(allocator, 'i32', 0);
  expect(empty.array.length).toBe(0);
  expect(empty.array).toBe(empty.array);
  memory.grow(1);
  expect(empty.array.length).toBe(0);
  expect(empty.array.buffer).toBe(memory.buffer);
});

test('a released column refuses to give a view', () => {
  const { allocator } = arena();
  const flags = Column.allocate(allocator, 'u8', 8);
  expect(flags.array.length).toBe(8);
  flags.release();
  expect(() => flags.array).toThrow('column used after release');
});

test('a reservation memory cannot grow to is refused and leaves the arena as it was: the next ones still fit', () => {
  const { memory, allocator } = arena(); // at most 64 pages: 4 MiB
  const kept = Column.allocate(allocator, 'f64', 1_000);
  const freed = Column.allocate(allocator, 'f64', 10_000);
  freed.release(); // a free block at the top, which the refused reservation would have extended
  const top = allocator.highWater;
  expect(() => Column.allocate(allocator, 'f64', 1_000_000)).toThrow(RangeError); // 8 MB > 4 MiB
  expect(allocator.highWater).toBe(top);
  // the arena still serves what fits: from the free block, and above the top
  const again = Column.allocate(allocator, 'f64', 10_000);
  const more = Column.allocate(allocator, 'f64', 100_000);
  more.array.fill(1);
  expect(more.array.length).toBe(100_000);
  expect(kept.array.length).toBe(1_000);
  again.release();
  more.release();
  expect(memory.buffer.byteLength).toBeLessThanOrEqual(64 * 65_536);
});
