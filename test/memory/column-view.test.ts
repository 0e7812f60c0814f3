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
