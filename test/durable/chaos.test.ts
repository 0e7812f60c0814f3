/**
 * Chaos with a history checker (src/durable/history.ts): two shards and a gateway on a durable redis-server take
 * fills from concurrent clients while a seeded loop injects one fault per run — kill -9 of a shard (started again),
 * of the gateway (started again), of redis-server (started again on its AOF), SIGSTOP of a shard past its lease
 * (then SIGCONT: its late writes must be fenced), CLIENT PAUSE … WRITE. A client resends an op under its
 * Idempotency-Key until an answer settles it (200, or a 4xx), as the docs tell clients to. Every op's outcome is recorded; at the end
 * every partition's whole log (the shards run with --no-trim) is checked: lost = duplicated = unexpected = 0, every op
 * settled, each
 * instrument's quantities sum to 0 (every op is both sides of a trade within one partition), and the gateway's report
 * totals equal one engine.live session fed the logged entries and ticks, bit for bit.
 *
 * 20 runs here (about a minute); more with MARGIN_CORE_CHAOS_RUNS=200 (and MARGIN_CORE_CHAOS_SEED to vary them):
 *   MARGIN_CORE_CHAOS_RUNS=200 npx vitest run test/durable/chaos.test.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { History, type LoggedEntry, outcomeOf } from '../../src/durable/history.js';
import { PartitionLog, TickLog } from '../../src/durable/log.js';
import { LogKeys, PARTITION_COUNT, partitionOfAccount } from '../../src/durable/partitions.js';
import { createEngine } from '../../src/index.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis/connect.js';
import { firstDifference } from '../support/bits.js';
import { call, type LiveProcess, restartableRedis, type RestartableRedis, startGateway, startShard, TOKEN, until } from '../support/live-cluster.js';
import { mulberry32 } from '../support/random.js';
import { freePort } from '../support/redis.js';
import { scratchDir } from '../support/scratch-dir.js';
import { instrumentsFor, venueBook, venueMarket } from '../support/venue-book.js';
import { wire } from '../support/wire.js';

const RUNS = Number(process.env.MARGIN_CORE_CHAOS_RUNS ?? 20);
const SEED = Number(process.env.MARGIN_CORE_CHAOS_SEED ?? 1);
const LEASE_MS = 900;
/** Tries of one op (its first and the resends under its key), 100 ms apart. */
const RESENDS = 60;
const CLUSTER = 'chaos';
const dir = scratchDir('mc-live-chaos-');
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const book = venueBook(mulberry32(SEED), 160, true);
const masterOf = new Map(book.accounts.flatMap((a) => ('master' in a && a.master ? [[a.id, a.master as string] as [string, string]] : [])));
const SHARD_ARGS = ['--lease-ms', String(LEASE_MS), '--checkpoint-every', '1', '--no-trim', '--attempts', '40', '--durability', 'strict'];

// USD accounts by partition: an op trades between two of one partition, so it is one log entry
const byPartition = new Map<number, string[]>();
for (const a of book.accounts) {
  if ('marginCurrency' in a && a.marginCurrency !== undefined) continue;
  const p = partitionOfAccount(a.id, (x) => masterOf.get(x));
  byPartition.set(p, [...(byPartition.get(p) ?? []), a.id]);
}
const pairs = [...byPartition.values()].filter((ids) => ids.length >= 2);
const USD = instrumentsFor(undefined).filter((id) => !id.includes('-C') && !id.includes('-P') || id.endsWith('PERP'));

let redis: RestartableRedis;
let client: RedisClient;
const shards: LiveProcess[] = [];
let gateway: LiveProcess;

beforeAll(async () => {
  writeFileSync(files.book, JSON.stringify(book));
  writeFileSync(files.market, JSON.stringify(venueMarket()));
  redis = await restartableRedis(await freePort(), dir);
  for (const id of ['s0', 's1']) shards.push(await startShard(redis.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', id]));
  gateway = await startGateway(redis.url, CLUSTER, ['--attempts', '40']);
  await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 'the cluster to be ready');
  client = await connectRedis(redis.url, { maxAttempts: 40 });
}, 60_000);

afterAll(async () => {
  await Promise.all([...shards, gateway].filter(Boolean).map((p) => p.kill()));
  client?.disconnect();
  await redis?.kill();
});

it(`keeps every acknowledged fill exactly once through ${RUNS} seeded faults`, async () => {
  const rnd = mulberry32(SEED * 7919);
  const history = new History();
  let ops = 0, stopped = false;
  const statuses = new Map<string, number>();
  const answers = new Map<string, string>(); // op id → what its client was told (for a failure's message)
  const unsettled: string[] = []; // ops still without a settling answer after every resend
  const sendOps = async (worker: number) => {
    const r = mulberry32(SEED * 100 + worker);
    while (!stopped) {
      const ids = pairs[Math.floor(r() * pairs.length)];
      const [a, b] = [ids[0], ids[1 + Math.floor(r() * (ids.length - 1))]];
      const q = 1 + Math.floor(r() * 5);
      const instrument = USD[Math.floor(r() * USD.length)];
      const price = instrument.startsWith('BTC') ? 100_000 : 3_000;
      const id = `op-${worker}-${ops++}`;
      const body = JSON.stringify({ fills: [{ account: a, instrument, quantity: q, price }, { account: b, instrument, quantity: -q, price }] });
      // sent again with its key until an answer settles it (200, or refused for its input), as a client does: the
      // cluster applies it once whatever the tries before said
      let outcome: ReturnType<typeof outcomeOf> = 'fail', status: number | null = null, unknownBefore = false;
      for (let attempt = 0; attempt < RESENDS; attempt++) {
        let inLog: string | null = null;
        status = null;
        try {
          const res = await fetch(new URL('/fills', gateway.url), {
            method: 'POST', signal: AbortSignal.timeout(5_000),
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': id },
            body,
          });
          const text = await res.text();
          status = res.status;
          answers.set(id, `${status} ${res.headers.get('x-in-log')} ${text.slice(0, 300)}`);
          if (status === 400 && process.env.MARGIN_CORE_CHAOS_VERBOSE && statuses.get('400 null') === undefined) console.log(text);
          inLog = res.headers.get('x-in-log');
        } catch (error) {
          answers.set(id, `no answer: ${String((error as { cause?: { code?: string } }).cause?.code ?? error)}`);
          // refused: the gateway is down (killed, starting again) and nothing was sent
          if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') inLog = 'false';
        }
        const said = `${status} ${inLog}`;
        statuses.set(said, (statuses.get(said) ?? 0) + 1);
        outcome = outcomeOf(status, inLog);
        if (status !== null && status >= 200 && status < 500) break;
        unknownBefore ||= outcome === 'unknown';
        await new Promise((res) => setTimeout(res, 100));
      }
      // refused after a try whose outcome was unknown: that try may have landed (no resend can unwrite it)
      if (outcome === 'fail' && unknownBefore) outcome = 'unknown';
      if (status === null || status >= 500 || status === 422) unsettled.push(id); // 422: the same body refused as another
      history.record(id, outcome);
    }
  };
  const workers = [0, 1, 2].map(sendOps);
  const tick = await call(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 97_000 } } });
  expect(tick.status).toBe(200);
  const faults: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const k = Math.floor(rnd() * 2);
    const fault = ['kill-shard', 'kill-gateway', 'kill-redis', 'stop-shard', 'pause-writes'][Math.floor(rnd() * 5)];
    faults.push(fault);
    await new Promise((r) => setTimeout(r, 100 + Math.floor(rnd() * 200)));
    if (fault === 'kill-shard') {
      await shards[k].kill();
      shards[k] = await startShard(redis.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', `s${k}`]);
    } else if (fault === 'kill-gateway') {
      await gateway.kill();
      gateway = await startGateway(redis.url, CLUSTER, ['--attempts', '40']);
    } else if (fault === 'kill-redis') {
      await redis.kill();
      await redis.start();
    } else if (fault === 'stop-shard') {
      process.kill(shards[k].child.pid!, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, LEASE_MS + 400));
      process.kill(shards[k].child.pid!, 'SIGCONT');
    } else {
      await client.call('CLIENT', 'PAUSE', '700', 'WRITE');
      await new Promise((r) => setTimeout(r, 700));
    }
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, `the cluster to be ready after ${fault} (run ${run})`);
  }
  stopped = true;
  await Promise.all(workers);

  // every partition served and caught up with its log
  const keys = new LogKeys(CLUSTER);
  const log = new PartitionLog(client, keys);
  await until(async () => {
    const text = await (await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    return /margincore_partitions\{state="ready"\} 64/.test(text) && !/margincore_log_lag_entries\{[^}]*\} [1-9]/.test(text);
  }, 20_000, 'every partition ready with no log lag');

  const entries: LoggedEntry[] = [];
  for (let p = 0; p < PARTITION_COUNT; p++) for (const e of await log.read(p, 0, 1_000_000)) entries.push({ partition: p, ...e });
  const verdict = history.check(entries);
  const summary = { faults: faults.join(' '), sent: verdict.sent, acknowledged: verdict.acknowledged, failed: verdict.failed, unknown: verdict.unknown, recovered: verdict.recovered.length, statuses: Object.fromEntries(statuses) };
  if (process.env.MARGIN_CORE_CHAOS_VERBOSE) console.log(summary);
  expect(verdict.acknowledged, JSON.stringify(summary)).toBeGreaterThan(0);
  const told = (ids: string[]) => ids.map((id) => `${id}: ${answers.get(id) ?? 'never sent'}`);
  expect({ lost: told(verdict.lost), duplicated: told(verdict.duplicated), unexpected: told(verdict.unexpected) }).toEqual({ lost: [], duplicated: [], unexpected: [] });
  // resent under their keys, every op was settled: applied once (acknowledged) or refused for its input
  expect(told(unsettled)).toEqual([]);
  for (const [instrument, net] of verdict.netQuantity) expect(net, instrument).toBe(0);

  // the state: one session fed the logged entries and the ticks has the gateway's totals, bit for bit
  const engine = await createEngine({ backend: 'auto' });
  const reference = engine.live(book, venueMarket(), { method: 'cross' });
  for (const { entry } of entries) {
    try {
      if (entry.kind === 'fills') reference.applyFills(wire(entry.fills));
    } catch {
      // rejected on apply by the shard too (the same rules)
    }
  }
  for (const t of await new TickLog(client, keys).read('0-0', 1_000)) reference.applyTick(wire(t.tick));
  const report = await call(gateway.url, 'GET', '/report');
  expect(report.status).toBe(200);
  expect(firstDifference(report.body.totals, JSON.parse(JSON.stringify(reference.report().totals)))).toBeNull();
  reference.release();
}, 60_000 + RUNS * 6_000);
