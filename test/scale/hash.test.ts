import { describe, expect, test } from 'vitest';
import { fnv1a32, shardOf } from '../../src/scale/hash.js';

describe('shard hash', () => {
  // Published FNV-1a 32-bit test vectors (http://www.isthe.com/chongo/src/fnv/test_fnv.c): ASCII ids hash as bytes.
  test.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('fnv1a32(%j) is the published value', (id, expected) => {
    expect(fnv1a32(id)).toBe(expected);
  });

  test('the shard is the hash modulo the shard count', () => {
    // 0xbf9cf968 = 3,214,735,720 = 7 × 459,247,960 (remainder 0); its digits sum to 34, so mod 3 it is 1
    expect(shardOf('foobar', 7)).toBe(0);
    expect(shardOf('foobar', 3)).toBe(1);
    // 0xe40c292c = 3,826,002,220: ends in 0, so mod 5 it is 0
    expect(shardOf('a', 5)).toBe(0);
  });
});
