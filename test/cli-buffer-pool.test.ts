/**
 * The book reader's buffer pool (src/cli/buffer-pool.ts): a copy goes into the smallest shared buffer given back that
 * holds it, or into a new shared one with an eighth to spare (whole 64 KiB), so the next chunks, a little larger, fit
 * it too; at most 16 are kept, the largest.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/cli/buffer-pool.js';

const KIB = 1024;

describe('BufferPool', () => {
  it('copies into a new shared buffer with room to spare when none is given back', () => {
    const pool = new BufferPool();
    const view = Float64Array.from({ length: 10_000 }, (_, k) => k / 3);
    const copy = pool.copy(view.subarray(1, 9_001));
    expect(Array.from(copy)).toEqual(Array.from(view.subarray(1, 9_001)));
    expect(copy.byteOffset).toBe(0);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer); // crosses to the command's thread without being moved
    // 72,000 bytes + an eighth = 81,000, rounded up to whole 64 KiB
    expect(copy.buffer.byteLength).toBe(128 * KIB);
    const ints = pool.copy(Int32Array.from([5, -7, 9]));
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([5, -7, 9]);
    expect(ints.buffer.byteLength).toBe(64 * KIB);
  });

  it('lends the smallest buffer given back that holds the copy, once', () => {
    const pool = new BufferPool();
    const [small, middle, large] = [new SharedArrayBuffer(64 * KIB), new SharedArrayBuffer(192 * KIB), new SharedArrayBuffer(512 * KIB)];
    pool.give([large, small, middle]);
    const view = new Float64Array(20_000).fill(2.5); // 160,000 bytes: fits middle and large
    const first = pool.copy(view);
    expect(first.buffer).toBe(middle);
    expect(first.length).toBe(20_000);
    expect(first.every((x) => x === 2.5)).toBe(true);
    expect(pool.copy(view).buffer).toBe(large);
    const third = pool.copy(view); // none left that holds it: a new one
    expect([small, middle, large]).not.toContain(third.buffer);
    expect(pool.copy(new Int32Array(100)).buffer).toBe(small);
    expect(pool.size).toBe(0);
  });

  it('keeps the 16 largest', () => {
    const pool = new BufferPool();
    pool.give(Array.from({ length: 20 }, (_, k) => new SharedArrayBuffer((k + 1) * KIB)));
    expect(pool.size).toBe(16);
    // the four smallest were let go: a copy of 4 KiB, which the 4 KiB buffer would have held, takes the 5 KiB one
    expect(pool.copy(new Int32Array(1024)).buffer.byteLength).toBe(5 * KIB);
  });
});
