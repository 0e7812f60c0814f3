/**
 * The gateway's subaccount → master table against a stand-in for Redis's `masters` hash that counts what it is asked:
 * a subaccount routes to its master's partition; an id not in the table (a master, a plain account) costs no Redis
 * call per request, at most one HLEN per recheck interval; a mapping written later is seen once the interval passed.
 */
import { describe, expect, it } from 'vitest';
import { MasterTable } from '../../src/durable/owners.js';
import { LogKeys, partitionOf } from '../../src/durable/partitions.js';
import type { RedisClient } from '../../src/scale/redis/connect.js';

function fakeRedis(hash: Record<string, string>) {
  const calls = { hgetall: 0, hlen: 0 };
  const client = {
    hgetall: async () => (calls.hgetall++, { ...hash }),
    hlen: async () => (calls.hlen++, Object.keys(hash).length),
  };
  return { client: client as unknown as RedisClient, calls };
}

const keys = new LogKeys('t');
// two ids whose own partitions differ, so routing by the wrong one would show
const [sub, master] = ['m0-s1', 'm0'];

describe('MasterTable', () => {
  it('routes a subaccount to its master\'s partition and a plain id to its own', async () => {
    expect(partitionOf(sub)).not.toBe(partitionOf(master));
    const { client } = fakeRedis({ [sub]: master });
    const table = new MasterTable(client, keys);
    await table.load();
    expect(await table.partitionOf(sub)).toBe(partitionOf(master));
    expect(await table.partitionsOf([sub, master, 'plain'])).toEqual([partitionOf(master), partitionOf(master), partitionOf('plain')]);
  });

  it('asks Redis nothing per request for ids not in the table, at most one HLEN per interval', async () => {
    const { client, calls } = fakeRedis({ [sub]: master });
    const table = new MasterTable(client, keys, 60_000);
    await table.load();
    for (let i = 0; i < 1_000; i++) await table.partitionOf(`plain${i}`);
    await table.partitionsOf(Array.from({ length: 50 }, (_, i) => `other${i}`));
    expect(calls).toEqual({ hgetall: 1, hlen: 0 });
  });

  it('sees a mapping written after it loaded, once the interval passed', async () => {
    const hash: Record<string, string> = {};
    const { client, calls } = fakeRedis(hash);
    const table = new MasterTable(client, keys, 0);
    await table.load();
    expect(await table.partitionOf(sub)).toBe(partitionOf(sub));
    hash[sub] = master; // a shard bootstrapped from a book with this family
    expect(await table.partitionOf(sub)).toBe(partitionOf(master));
    expect(calls.hgetall).toBe(2); // read again because it grew
    await table.partitionOf('plain');
    expect(calls.hgetall).toBe(2); // same size: not read again
  });

  it('reads a mapping written since at once when asked to reread (a shard said it knows no such account), whatever the interval', async () => {
    const hash: Record<string, string> = {};
    const { client, calls } = fakeRedis(hash);
    const table = new MasterTable(client, keys, 60_000);
    await table.load();
    expect(await table.partitionOf(sub)).toBe(partitionOf(sub));
    hash[sub] = master;
    expect(await table.partitionOf(sub)).toBe(partitionOf(sub)); // within the interval: not looked at
    await table.reread();
    expect(await table.partitionOf(sub)).toBe(partitionOf(master));
    await table.reread(); // unchanged: one HLEN, no read of the whole hash
    expect(calls).toEqual({ hgetall: 2, hlen: 2 });
  });
});
