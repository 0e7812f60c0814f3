import { describe, expect, it } from 'vitest';
import { Random } from '../../src/sample/random.js';

describe('Random (xoshiro128**)', () => {
  it('repeats its stream for a seed and differs across seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const streamA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it('draws uniform floats in [0, 1) with mean 1/2 and normals with mean 0, variance 1', () => {
    const rng = new Random(1);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.float();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
    }
    expect(s1 / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(1, 1);
  });

  it('draws integers over the whole inclusive range', () => {
    const rng = new Random(5);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.int(1, 6)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
