import { describe, expect, it } from 'vitest';
import { LogKeys, PARTITION_COUNT, partitionOf, partitionOfAccount } from '../../src/durable/partitions.js';

/**
 * Redis Cluster's key → slot map, written from the cluster specification (https://redis.io/docs/reference/cluster-spec/,
 * "Keys distribution model" and "Hash tags"): CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection) of the
 * key, or of the text between the first `{` and the next `}` when that text is not empty; slot = crc mod 16,384.
 */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % 16384;
  }
  return crc16(key) % 16384;
}

describe('the cluster slot function used to check the keys', () => {
  it('matches the specification’s check value and known slots', () => {
    expect(crc16('123456789')).toBe(0x31c3); // the spec's CRC16 check value
    expect(keySlot('foo')).toBe(12182); // CLUSTER KEYSLOT foo on any Redis Cluster
    expect(keySlot('{foo}.bar')).toBe(12182); // the hash tag alone decides
    expect(keySlot('{}foo')).toBe(crc16('{}foo') % 16384); // an empty tag: the whole key
  });
});

describe('LogKeys', () => {
  const keys = new LogKeys('venue-1');

  it('names the keys as the contract says', () => {
    expect(keys.fills(17)).toBe('mc:{live:venue-1:17}:fills');
    expect(keys.epoch(17)).toBe('mc:{live:venue-1:17}:epoch');
    expect(keys.owner(17)).toBe('mc:{live:venue-1:17}:owner');
    expect(keys.checkpoint(17)).toBe('mc:{live:venue-1:17}:ckpt');
    expect(keys.ticks).toBe('mc:{live:venue-1}:ticks');
    expect(keys.shards).toBe('mc:{live:venue-1}:shards');
    expect(keys.masters).toBe('mc:{live:venue-1}:masters');
    expect(keys.credential).toBe('mc:{live:venue-1}:credential');
  });

  it('puts every key of one partition in one cluster slot', () => {
    for (let p = 0; p < PARTITION_COUNT; p++) {
      const slots = new Set([keys.fills(p), keys.epoch(p), keys.owner(p), keys.checkpoint(p)].map(keySlot));
      expect(slots.size, `partition ${p}`).toBe(1);
    }
    const shared = new Set([keys.ticks, keys.shards, keys.masters, keys.credential].map(keySlot));
    expect(shared.size).toBe(1);
  });

  it('spreads the partitions over the slots (no two of a cluster’s 64 tags in one slot here)', () => {
    const slots = new Set(Array.from({ length: PARTITION_COUNT }, (_, p) => keySlot(keys.fills(p))));
    expect(slots.size).toBe(PARTITION_COUNT);
  });

  it('refuses a bad cluster name or partition', () => {
    expect(() => new LogKeys('')).toThrow(/cluster must be/);
    expect(() => new LogKeys('a}b')).toThrow(/cluster must be/);
    expect(() => new LogKeys('x'.repeat(65))).toThrow(/cluster must be/);
    expect(() => keys.fills(64)).toThrow(/partition must be an integer from 0 to 63, got 64/);
    expect(() => keys.owner(-1)).toThrow(RangeError);
    expect(() => keys.epoch(1.5)).toThrow(RangeError);
  });
});

describe('partitionOf', () => {
  it('is FNV-1a 32 of the id modulo 64', () => {
    // FNV-1a 32 reference values (http://www.isthe.com/chongo/tech/comp/fnv/ test vectors): "a" → 0xe40c292c,
    // "foobar" → 0xbf9cf968; modulo 64 keeps the low six bits: 0x2c = 44, 0x68 & 63 = 40.
    expect(partitionOf('a')).toBe(44);
    expect(partitionOf('foobar')).toBe(40);
    expect(partitionOf('')).toBe(0x811c9dc5 % 64); // the offset basis: 5
  });

  it('spreads 64,000 account ids evenly enough over the 64 partitions', () => {
    const counts = new Array<number>(PARTITION_COUNT).fill(0);
    for (let i = 0; i < 64_000; i++) counts[partitionOf(`acct-${i}`)]++;
    // 1,000 expected per partition; a binomial's standard deviation is ≈ 31, so ±20 % is > 6 σ
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('keeps a family together: a subaccount goes to its master’s partition', () => {
    const masters = new Map([['sub-1', 'foobar'], ['sub-2', 'foobar']]);
    const masterOf = (id: string) => masters.get(id);
    expect(partitionOfAccount('sub-1', masterOf)).toBe(40);
    expect(partitionOfAccount('sub-2', masterOf)).toBe(40);
    expect(partitionOfAccount('foobar', masterOf)).toBe(40);
    expect(partitionOfAccount('a', masterOf)).toBe(44); // no master: its own
    expect(partitionOf('sub-1')).not.toBe(40); // so the rule, not luck, put it there
  });
});
