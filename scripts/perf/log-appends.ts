// Fenced appends to the durable log per second, on a redis-server of its own (appendonly yes, appendfsync always, a
// temp dir), for a few shapes of batching: fills per entry, entries per append, appends in flight, partitions.
// Prints appends/s, fills/s and the acknowledgement time (p50/p99) of an append; records nothing.
// Usage: npx esbuild scripts/perf/log-appends.ts --bundle --platform=node --format=esm --external:ioredis \
//          --outfile=dist/log-appends.mjs --log-level=warning && nice -n 10 node dist/log-appends.mjs [--seconds 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLog } from '../../src/durable/log.js';
import { type LogEntry, LogKeys } from '../../src/durable/partitions.js';
import { connectRedis } from '../../src/scale/redis/connect.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 3);

interface Shape { fillsPerEntry: number; entriesPerAppend: number; inFlight: number; partitions: number }
const SHAPES: Shape[] = [
  { fillsPerEntry: 1, entriesPerAppend: 1, inFlight: 1, partitions: 1 },
  { fillsPerEntry: 100, entriesPerAppend: 1, inFlight: 1, partitions: 1 },
  { fillsPerEntry: 10, entriesPerAppend: 10, inFlight: 1, partitions: 1 },
  { fillsPerEntry: 100, entriesPerAppend: 1, inFlight: 8, partitions: 1 },
  { fillsPerEntry: 1, entriesPerAppend: 100, inFlight: 8, partitions: 1 },
  { fillsPerEntry: 100, entriesPerAppend: 1, inFlight: 2, partitions: 8 },
];

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

const fill = (i: number) => ({ account: `acct-${i % 100_000}`, instrument: 'BTC-PERP', side: i % 2 ? 'buy' : 'sell', quantity: 0.25, price: 97_000.5 + (i % 100) });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-log-appends-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  try {
    const redis = await connectRedis(`redis://127.0.0.1:${port}`, { maxAttempts: 20, backoffMs: 50 });
    console.log(`redis ${port}, appendfsync ${((await redis.config('GET', 'appendfsync')) as string[])[1]}, ${seconds} s per shape`);
    console.log('fills/entry entries/append in-flight partitions |  appends/s    fills/s | ack p50 ms  p99 ms');
    let shapeNo = 0;
    for (const shape of SHAPES) {
      const keys = new LogKeys(`probe${shapeNo++}`), log = new PartitionLog(redis, keys);
      const lat: number[] = [];
      let appends = 0, n = 0;
      const stopAt = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: shape.partitions }, async (_, p) => {
        const epoch = (await log.acquire(p, 'probe', 'http://127.0.0.1:1', 60_000))!;
        await log.append(p, 'probe', epoch, 1, [{ kind: 'fills', id: 'warm-up', fills: [fill(0)] }]); // the script loaded once
        let nextSeq = 2;
        const lane = async () => {
          while (performance.now() < stopAt) {
            const entries: LogEntry[] = Array.from({ length: shape.entriesPerAppend }, () => ({ kind: 'fills', id: `op${n++}`, fills: Array.from({ length: shape.fillsPerEntry }, () => fill(n)) }));
            const first = nextSeq;
            nextSeq += entries.length; // seqs are taken in send order; one connection keeps that order in Redis
            const t0 = performance.now();
            await log.append(p, 'probe', epoch, first, entries);
            lat.push(performance.now() - t0);
            appends++;
          }
        };
        await Promise.all(Array.from({ length: shape.inFlight }, lane));
      }));
      lat.sort((a, b) => a - b);
      const fills = appends * shape.entriesPerAppend * shape.fillsPerEntry;
      const row = [shape.fillsPerEntry, shape.entriesPerAppend, shape.inFlight, shape.partitions].map((v, i) => String(v).padStart([11, 15, 9, 10][i])).join(' ');
      console.log(`${row} | ${(appends / seconds).toFixed(0).padStart(10)} ${(fills / seconds).toFixed(0).padStart(10)} | ${lat[lat.length >> 1].toFixed(2).padStart(10)} ${lat[Math.floor(lat.length * 0.99)].toFixed(2).padStart(7)}`);
    }
    redis.disconnect();
  } finally {
    process.kill(child.pid!, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
