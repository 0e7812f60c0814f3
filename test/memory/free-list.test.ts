import { describe, expect, it } from 'vitest';
import { FreeList } from '../../src/memory/free-list.js';

// Offsets worked out by hand from first fit over sorted, coalesced [start, end) blocks.
describe('FreeList', () => {
  it('takes from the front of an aligned block, first fit, and coalesces what is freed', () => {
    const f = new FreeList();
    f.free(0, 64);
    expect(f.take(16, 16)).toBe(0); // [16, 64) left
    expect(f.take(16, 16)).toBe(16); // [32, 64)
    expect(f.take(32, 16)).toBe(32); // the block used up exactly: nothing left
    expect(f.take(16, 16)).toBe(-1);
    f.free(16, 32);
    f.free(48, 64);
    f.free(32, 48); // joins both neighbours: [16, 64)
    expect(f.take(48, 16)).toBe(16);
    expect(f.take(16, 16)).toBe(-1);
  });

  it('keeps the unaligned head of a block free', () => {
    const f = new FreeList();
    f.free(8, 64);
    expect(f.take(16, 16)).toBe(16); // [8, 16) and [32, 64) left
    expect(f.take(8, 8)).toBe(8);
    expect(f.take(32, 16)).toBe(32);
    expect(f.take(8, 8)).toBe(-1);
  });

  it('skips blocks too small and shrinks the first that fits', () => {
    const f = new FreeList();
    f.free(0, 16);
    f.free(32, 96);
    expect(f.take(32, 16)).toBe(32); // [0, 16) and [64, 96) left
    expect(f.take(16, 16)).toBe(0);
    expect(f.take(16, 16)).toBe(64);
    expect(f.take(16, 16)).toBe(80);
    expect(f.take(16, 16)).toBe(-1);
    expect(() => f.free(64, 80)).not.toThrow();
    expect(() => f.free(70, 72)).toThrow(/double free/);
  });
});
