/**
 * The durable log when the connection or the server goes away under an append: a reply lost on the way back (the
 * client resends, the entry is there once) and a kill -9 of redis-server (every acknowledged entry is back, and the
 * scripts load again on their own).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../src/durable/log.js';
import { type LogEntry, LogKeys } from '../../src/durable/partitions.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { freePort, type RedisServer, startRedis } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-durable-recovery-');
const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
let server: RedisServer;
const clients: RedisClient[] = [];

beforeAll(async () => {
  server = await startRedis(DURABLE);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

async function client(url: string): Promise<RedisClient> {
  const c = await connectRedis(url, { maxAttempts: 50, backoffMs: 20 });
  clients.push(c);
  return c;
}

const entry = (id: string): LogEntry => ({ kind: 'fills', id, fills: [{ account: 'a1', instrument: 'BTC-PERP', quantity: 1, price: 100 }] });

/** A TCP relay to Redis that, once armed, swallows the next reply and closes the client's connection. */
async function lossyRelay(port: number): Promise<{ url: string; armed: { value: boolean }; close(): Promise<void> }> {
  const armed = { value: false };
  const sockets = new Set<Socket>();
  const relay: Server = createServer((downstream) => {
    const upstream = createConnection(port, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    downstream.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (armed.value) {
        armed.value = false;
        downstream.destroy(); // the command ran in Redis; its reply never arrives
        upstream.destroy();
        return;
      }
      downstream.write(d);
    });
    const end = () => {
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const relayPort = await freePort();
  await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${relayPort}`,
    armed,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => relay.close(() => resolve()));
    },
  };
}

describe('a reply lost on the way back', () => {
  it('resolves the append the client resent after reconnecting as a duplicate, with the entry stored once', async () => {
    const relay = await lossyRelay(server.port);
    try {
      const keys = new LogKeys('lossy');
      const viaRelay = await client(relay.url), direct = await client(server.url);
      const log = new PartitionLog(viaRelay, keys);
      const epoch = (await log.acquire(3, 's', 'u', 60_000))!;
      expect(await log.append(3, 's', epoch, 1, [entry('op1')])).toBe('appended');
      relay.armed.value = true;
      expect(await log.append(3, 's', epoch, 2, [entry('op2')])).toBe('duplicate'); // first try landed, reply lost
      expect(relay.armed.value).toBe(false); // the relay did drop a reply
      expect((await direct.xrange(keys.fills(3), '-', '+')).map(([id]) => id)).toEqual(['1-0', '2-0']);
      expect(await log.append(3, 's', epoch, 3, [entry('op3')])).toBe('appended');
    } finally {
      await relay.close();
    }
  });
});

describe('a kill -9 of redis-server', () => {
  it('keeps every acknowledged entry, the lease and the epoch, and the scripts run again after the restart', async () => {
    const keys = new LogKeys('killed');
    const redis = await client(server.url);
    const log = new PartitionLog(redis, keys);
    const epoch = (await log.acquire(12, 's', 'u', 60_000))!;
    for (let seq = 1; seq <= 50; seq++) expect(await log.append(12, 's', epoch, seq, [entry(`op${seq}`)])).toBe('appended');
    await server.kill();
    server = await startRedis(DURABLE, server.port); // same port and dir: the client reconnects by itself
    expect(await log.lastSeq(12)).toBe(50);
    expect((await log.read(12, 0, 100)).map((r) => r.entry.id)).toEqual(Array.from({ length: 50 }, (_, i) => `op${i + 1}`));
    expect(await log.renew(12, 's', epoch, 60_000)).toBe(true); // the owner key and epoch came back from the file
    expect(await log.append(12, 's', epoch, 51, [entry('op51')])).toBe('appended'); // EVALSHA of a script Redis forgot
  });
});
