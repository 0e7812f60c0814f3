/**
 * The live cluster (docs/live-cluster.md) against issue 54's targets, mode `live-cluster` of bench/modes.ts. Every
 * process is started from the built CLI as a user starts it (bench/live-cluster-procs.ts): a durable redis-server,
 * two `live-shard` processes and a `live-gateway`, on the generated `accounts` × `positions` book.arrow; WASM and the
 * JS twin (`--backend`) in the same run, and the single-process `serve` on the same book as the baseline.
 *
 * - durable fills: clients send batches of FILL_BATCH fills of random accounts, FILLS_IN_FLIGHT requests at a time,
 *   for `seconds`: fills acknowledged per second, acknowledgement p50 / p99 (each request's send to its 200); then at
 *   each point of FILL_CURVE (requests in flight × batch size), the rate against the latency (Little's law: in flight
 *   × batch = fills/s × mean latency, so fewer in flight trade rate for latency, and bigger batches buy rate back);
 *   the target's verdict is the best point measured (the rate and the p99 of one run, never of two);
 * - what-if: open loop at WHAT_IF_RATE requests/s for `seconds`, a BTC-PERP trade on a random account, latency from
 *   when each request was due (through the gateway; against serve directly for the baseline); the generator sleeps on
 *   a timer between sends (Node's timers fire up to about 1 ms late, which counts in the latencies: a generator that
 *   polled the clock instead would take one of the two cores from the processes it measures);
 * - kill -9 of a shard: the gateway's GET /ready polled every 10 ms from the SIGKILL until every partition is served
 *   again (the lease, `--lease-ms` LEASE_MS, then the other shard's recovery of the dead one's partitions);
 * - growth: one shard on books of growth/10, 3·growth/10 and growth accounts, WASM, killed with kill -9 after a
 *   checkpoint and GROWTH_FILLS fills, and started again: time to ready split into the process start (book file read
 *   and checked, up to its listening line) and the partitions' recovery (checkpoint read + log replay, from its
 *   `ready` log lines), the checkpoint bytes and the resident memory per account.
 *
 * `node dist/bench.js live-cluster [accounts] [positions] [seconds] [growth]`; quick: `live-cluster 2000 5 1 3000`.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTITION_COUNT, partitionOf } from '../src/durable/partitions.js';
import { sampleStream } from '../src/sample/generate.js';
import { type BenchTable, fixed, type HeadlineRow } from './harness.js';
import { Client, closedLoop, generatedBook, type LoadResult, memoryMiB, openLoop, type Proc, startCli, startRedis, until } from './live-cluster-procs.js';

const FILL_BATCH = 50;
const FILLS_IN_FLIGHT = 16;
/** Points of the fills curve (with FILLS_IN_FLIGHT × FILL_BATCH's run): where the rate and the latency meet. */
const FILL_CURVE = [
  { inFlight: 1, batch: FILL_BATCH }, { inFlight: 4, batch: FILL_BATCH }, { inFlight: 1, batch: 100 }, { inFlight: 2, batch: 100 }, { inFlight: 1, batch: 200 }, { inFlight: 2, batch: 200 },
] as const;
const WHAT_IF_RATE = 5_000;
const LEASE_MS = 1_000;
const GROWTH_FILLS = 2_000;
const CLUSTER = 'bench';

export interface BackendRun {
  backend: 'wasm' | 'js' | 'serve';
  /** Batches of random accounts (over ~35 partitions each). */
  fills: LoadResult;
  /** Batches of one partition's accounts. */
  partitionFills: LoadResult;
  /** Batches of random accounts at each point of FILL_CURVE (absent in older results; batch absent: FILL_BATCH). */
  fillCurve?: FillPoint[];
  whatIf: LoadResult;
  /** kill -9 of one shard to the gateway's /ready, ms (absent for serve). */
  killToReadyMs?: number;
  /** The surviving shard's recovery of the dead one's partitions (sum of their replay times), ms. */
  takeoverRecoveryMs?: number;
  /** Resident memory of the processes holding the accounts (both shards, or serve), MiB. */
  rssMiB: number;
}

/** Durable fills at one operating point: `inFlight` requests at a time, each of `batch` fills of random accounts. */
export interface FillPoint {
  inFlight: number;
  batch?: number;
  fills: LoadResult;
}

export interface GrowthRow {
  accounts: number;
  bookMiB: number;
  /** Spawn to the listening line: the book file read and checked. */
  startMs: number;
  /** Sum over the 64 partitions of their recovery (checkpoint read, log replayed). */
  recoveryMs: number;
  /** kill -9 to every partition ready (process start, book, recovery). */
  killToReadyMs: number;
  checkpointMiB: number;
  entriesReplayed: number;
  rssMiB: number;
}

export interface LiveClusterResult {
  accounts: number;
  positions: number;
  seconds: number;
  runs: BackendRun[];
  growth: GrowthRow[];
}

/** The book's account ids, in order (the generator's, without keeping the accounts). */
function accountIds(accounts: number): string[] {
  const ids: string[] = [];
  for (const a of sampleStream({ accounts, seed: 7 }).accounts()) ids.push(a.id);
  return ids;
}

function loads(client: Client, base: string, ids: string[], seconds: number) {
  let rnd = 7;
  const next = () => (rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0);
  const pick = () => ids[next() % ids.length];
  const byPartition = Array.from({ length: PARTITION_COUNT }, () => [] as string[]);
  for (const id of ids) byPartition[partitionOf(id)].push(id);
  const fill = (account: string, i: number) => ({ account, instrument: 'BTC-PERP', quantity: i % 2 === 0 ? 0.01 : -0.01, price: 88_000 + (i % 7) });
  const spread = (batch: number) => ({ fills: Array.from({ length: batch }, (_, i) => fill(pick(), i)) });
  // a batch of one partition's accounts (a venue's gateway per partition): one append, no fan-out
  const onePartition = (k: number) => {
    const own = byPartition[k % PARTITION_COUNT].length > 0 ? byPartition[k % PARTITION_COUNT] : ids;
    return { fills: Array.from({ length: FILL_BATCH }, (_, i) => fill(own[next() % own.length], i)) };
  };
  return {
    fills: (inFlight: number = FILLS_IN_FLIGHT, batch: number = FILL_BATCH) => closedLoop(inFlight, seconds, () => client.send(base, 'POST', '/fills', spread(batch))),
    partitionFills: () => closedLoop(FILLS_IN_FLIGHT, seconds, (k) => client.send(base, 'POST', '/fills', onePartition(k))),
    whatIf: () => openLoop(WHAT_IF_RATE, seconds, (k) => client.send(base, 'POST', '/what-if', { account: pick(), trades: [{ instrument: 'BTC-PERP', quantity: k % 2 === 0 ? 0.1 : -0.1 }] })),
  };
}

/** Fills then what-ifs on `base`, scaled back to fills per second (each request carries its batch). */
async function measure(client: Client, base: string, ids: string[], seconds: number) {
  const load = loads(client, base, ids, seconds);
  await load.whatIf(); // warm: connections, caches, JIT
  const fills = await load.fills();
  const fillCurve: FillPoint[] = [];
  for (const { inFlight, batch } of FILL_CURVE) fillCurve.push({ inFlight, batch, fills: await load.fills(inFlight, batch) });
  const partitionFills = await load.partitionFills();
  const whatIf = await load.whatIf();
  const perFill = (r: LoadResult, batch: number = FILL_BATCH) => ({ ...r, perSecond: r.perSecond * batch });
  return { fills: perFill(fills), partitionFills: perFill(partitionFills), whatIf, fillCurve: fillCurve.map((c) => ({ ...c, fills: perFill(c.fills, c.batch) })) };
}

async function serveBaseline(files: { book: string; market: string }, ids: string[], seconds: number): Promise<BackendRun> {
  const serve = await startCli(['serve', '--book', files.book, '--market', files.market, '--method', 'cross', '--backend', 'wasm', '--port', '0', '--log-level', 'silent'], 'serve');
  const client = new Client();
  try {
    const m = await measure(client, serve.url, ids, seconds);
    return { backend: 'serve', ...m, rssMiB: (await memoryMiB(serve.child.pid!)).rss };
  } finally {
    client.close();
    await serve.stop();
  }
}

const shardArgs = (redis: string, files: { book: string; market: string }, dir: string, backend: string, id: string, extra: string[] = [], leaseMs: number = LEASE_MS) => [
  'live-shard', '--redis', redis, '--cluster', CLUSTER, '--book', files.book, '--market', files.market, '--checkpoint-dir', join(dir, 'ckpt'),
  '--method', 'cross', '--backend', backend, '--port', '0', '--lease-ms', String(leaseMs), '--shard-id', id, '--log-level', 'warn', ...extra,
];

async function ready(client: Client, gateway: string, ms: number): Promise<number> {
  return until(async () => (await client.send(gateway, 'GET', '/ready')).status === 200, ms, 'every partition served');
}

interface PartitionStatus {
  partition: number;
  state: string;
  lastFillSeq: number | null;
  lastTickId: string | null;
  replaySeconds: number;
}

/** A shard's partitions (its GET /status). */
async function partitionsOf(client: Client, shard: string): Promise<PartitionStatus[]> {
  const a = await client.send(shard, 'GET', '/status');
  if (a.status !== 200) throw new Error(`${shard}/status answered ${a.status}`);
  return (JSON.parse(a.body) as { partitions: PartitionStatus[] }).partitions;
}

async function clusterRun(backend: 'wasm' | 'js', files: { book: string; market: string }, ids: string[], seconds: number): Promise<BackendRun> {
  const dir = await mkdtemp(join(tmpdir(), 'mc-live-bench-'));
  const redis = await startRedis(join(dir, 'redis'));
  const procs: Proc[] = [redis];
  const client = new Client();
  try {
    const shards = [await startCli(shardArgs(redis.url, files, dir, backend, 's0'), 'live-shard')];
    procs.push(shards[0]);
    shards.push(await startCli(shardArgs(redis.url, files, dir, backend, 's1'), 'live-shard'));
    procs.push(shards[1]);
    const gateway = await startCli(['live-gateway', '--redis', redis.url, '--cluster', CLUSTER, '--port', '0', '--log-level', 'warn'], 'live-gateway');
    procs.push(gateway);
    await ready(client, gateway.url, 600_000);
    const m = await measure(client, gateway.url, ids, seconds);
    const rssMiB = (await memoryMiB(shards[0].child.pid!)).rss + (await memoryMiB(shards[1].child.pid!)).rss;
    // s0 dies; s1 takes its partitions once their leases ran out, and recovers them
    const held = new Set((await partitionsOf(client, shards[1].url)).map((p) => p.partition));
    const killed = performance.now();
    await shards[0].kill();
    await new Promise((r) => setTimeout(r, 50)); // the gateway's cached owners still name s0: let /ready see it gone
    await ready(client, gateway.url, 600_000);
    const killToReadyMs = performance.now() - killed;
    const taken = (await partitionsOf(client, shards[1].url)).filter((p) => !held.has(p.partition));
    return { backend, ...m, killToReadyMs, takeoverRecoveryMs: taken.reduce((t, p) => t + p.replaySeconds * 1000, 0), rssMiB };
  } finally {
    client.close();
    for (const p of procs.reverse()) await p.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, f))).size;
  return total;
}

async function growthRow(accounts: number, positions: number): Promise<GrowthRow> {
  const files = await generatedBook(accounts, positions);
  const ids = accountIds(accounts);
  const dir = await mkdtemp(join(tmpdir(), 'mc-live-growth-'));
  const redis = await startRedis(join(dir, 'redis'));
  const client = new Client();
  let shard: Proc | null = null, gateway: Proc | null = null;
  try {
    // the restarted shard takes its partitions back at once (same id): the lease plays no part, so the default one
    const args = shardArgs(redis.url, files, dir, 'wasm', 'g0', ['--checkpoint-every', '3600'], 3_000);
    gateway = await startCli(['live-gateway', '--redis', redis.url, '--cluster', CLUSTER, '--port', '0', '--log-level', 'warn'], 'live-gateway');
    shard = await startCli(args, 'live-shard');
    await ready(client, gateway.url, 900_000);
    // a tick, so that every partition has changed since it opened from the book and SIGTERM checkpoints each one
    const tick = await client.send(gateway.url, 'POST', '/tick', { assets: { BTC: { price: 88_100 } } });
    if (tick.status !== 200) throw new Error(`POST /tick answered ${tick.status}: ${tick.body.slice(0, 300)}`);
    const { tickId } = JSON.parse(tick.body) as { tickId: string };
    const at = shard.url;
    await until(async () => (await partitionsOf(client, at)).every((p) => p.lastTickId === tickId), 60_000, 'the tick in every partition');
    if ((await shard.stop()) !== 0) throw new Error(`live-shard did not exit 0 on SIGTERM: ${shard.output().slice(-2_000)}`); // a checkpoint of every partition
    const checkpointBytes = await dirBytes(join(dir, 'ckpt', CLUSTER));
    shard = await startCli(args, 'live-shard');
    await ready(client, gateway.url, 900_000);
    let rnd = 11;
    for (let sent = 0; sent < GROWTH_FILLS; sent += FILL_BATCH) {
      const fills = Array.from({ length: FILL_BATCH }, (_, i) => ({ account: ids[(rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0) % ids.length], instrument: 'BTC-PERP', quantity: i % 2 === 0 ? 0.01 : -0.01, price: 88_000 }));
      const a = await client.send(gateway.url, 'POST', '/fills', { fills });
      if (a.status !== 200) throw new Error(`POST /fills answered ${a.status}: ${a.body.slice(0, 300)}`);
    }
    await shard.kill();
    const killed = performance.now();
    shard = await startCli(args, 'live-shard');
    const startMs = performance.now() - killed;
    await ready(client, gateway.url, 900_000);
    const killToReadyMs = performance.now() - killed;
    const parts = await partitionsOf(client, shard.url);
    return {
      accounts, bookMiB: (await stat(files.book)).size / 2 ** 20, startMs, recoveryMs: parts.reduce((t, p) => t + p.replaySeconds * 1000, 0), killToReadyMs,
      // the checkpoints are of seq 0 (taken before any fill): every entry of the log was replayed
      checkpointMiB: checkpointBytes / 2 ** 20, entriesReplayed: parts.reduce((t, p) => t + (p.lastFillSeq ?? 0), 0), rssMiB: (await memoryMiB(shard.child.pid!)).rss,
    };
  } finally {
    client.close();
    for (const p of [shard, gateway, redis]) await p?.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function liveClusterBench(accounts: number, positions: number, seconds: number, growth: number): Promise<LiveClusterResult> {
  const files = await generatedBook(accounts, positions);
  const ids = accountIds(accounts);
  const runs = [await serveBaseline(files, ids, seconds)];
  for (const backend of ['wasm', 'js'] as const) runs.push(await clusterRun(backend, files, ids, seconds));
  return { accounts, positions, seconds, runs, growth: await growthRows(growth, positions) };
}

/** The growth rows alone (mode `live-growth`): books of growth/10, 3·growth/10 and growth accounts. */
export async function growthRows(growth: number, positions: number): Promise<GrowthRow[]> {
  const rows: GrowthRow[] = [];
  for (const n of [...new Set([Math.round(growth / 10), Math.round((3 * growth) / 10), growth])]) rows.push(await growthRow(n, positions));
  return rows;
}

const miB = (x: number) => fixed(x, 0);

export function liveClusterTables(r: LiveClusterResult): BenchTable[] {
  const n = r.accounts.toLocaleString('en-US');
  return [
    {
      caption: `Live cluster (redis-server appendfsync always, 2 shards, gateway) against serve, ${n} × ${r.positions} book.arrow, cross: fills in batches of ${FILL_BATCH} (of random accounts, then of one partition's), ${FILLS_IN_FLIGHT} requests in flight, ${r.seconds} s; what-if open loop at ${WHAT_IF_RATE.toLocaleString('en-US')}/s, ${r.seconds} s (paced by a timer: its lateness, up to about 1 ms, counts in the latencies); kill -9 of a shard with --lease-ms ${LEASE_MS}`,
      rows: r.runs.map((x) => ({
        '': x.backend === 'serve' ? 'serve (one process, baseline)' : `cluster, ${x.backend === 'wasm' ? 'WASM' : 'JS twin'}`,
        'fills/s': fixed(x.fills.perSecond, 0), 'ack p50 ms': fixed(x.fills.p50Ms, 2), 'ack p99 ms': fixed(x.fills.p99Ms, 2), 'fill errors': x.fills.errors,
        'one-partition fills/s': fixed(x.partitionFills.perSecond, 0), 'its ack p99 ms': fixed(x.partitionFills.p99Ms, 2),
        'what-if/s': fixed(x.whatIf.perSecond, 0), 'what-if p50 ms': fixed(x.whatIf.p50Ms, 2), 'what-if p99 ms': fixed(x.whatIf.p99Ms, 2), 'what-if errors': x.whatIf.errors,
        'kill -9 → ready s': x.killToReadyMs === undefined ? '' : fixed(x.killToReadyMs / 1000, 2), 'takeover recovery s': x.takeoverRecoveryMs === undefined ? '' : fixed(x.takeoverRecoveryMs / 1000, 2),
        'RSS MiB': miB(x.rssMiB), 'bytes/account': fixed((x.rssMiB * 2 ** 20) / r.accounts, 0),
      })),
    },
    ...fillCurveTables(r),
    growthTable(r.growth, r.positions),
  ];
}

/** Every operating point of a run's fills, the main run's among them, by batch then requests in flight. */
function fillPoints(x: BackendRun): FillPoint[] {
  return [...(x.fillCurve ?? []), { inFlight: FILLS_IN_FLIGHT, batch: FILL_BATCH, fills: x.fills }]
    .sort((a, b) => (a.batch ?? FILL_BATCH) - (b.batch ?? FILL_BATCH) || a.inFlight - b.inFlight);
}

/** Issue 54's fills target, by one run's own rate and p99 (with no error). */
function meetsFillTarget(r: LoadResult): boolean {
  return r.perSecond >= 20_000 && r.p99Ms <= 15 && r.errors === 0;
}

/** The point that meets the target with the lowest p99, else the one nearest to it (the highest rate per ms of p99). */
function bestFillPoint(x: BackendRun): FillPoint {
  const points = fillPoints(x), meeting = points.filter((c) => meetsFillTarget(c.fills));
  if (meeting.length > 0) return meeting.reduce((a, b) => (b.fills.p99Ms < a.fills.p99Ms ? b : a));
  const score = (c: FillPoint) => Math.min(c.fills.perSecond / 20_000, 1) * Math.min(15 / c.fills.p99Ms, 1);
  return points.reduce((a, b) => (score(b) > score(a) ? b : a));
}

/** Durable fills' rate against their latency by requests in flight (results that carry the curve). */
function fillCurveTables(r: LiveClusterResult): BenchTable[] {
  const rows = r.runs.flatMap((x) => {
    if (x.fillCurve === undefined) return [];
    const name = x.backend === 'serve' ? 'serve' : `cluster, ${x.backend === 'wasm' ? 'WASM' : 'JS twin'}`;
    return fillPoints(x).map((c) => ({
      '': name, 'in flight': c.inFlight, batch: c.batch ?? FILL_BATCH, 'fills/s': fixed(c.fills.perSecond, 0), 'ack p50 ms': fixed(c.fills.p50Ms, 2), 'ack p99 ms': fixed(c.fills.p99Ms, 2),
      // Little's law: the mean time a batch is in flight
      'in flight × batch ÷ rate ms': fixed((1000 * c.inFlight * (c.batch ?? FILL_BATCH)) / Math.max(c.fills.perSecond, 1e-9), 2), errors: c.fills.errors,
      'meets ≥ 20,000/s, p99 ≤ 15 ms': meetsFillTarget(c.fills) ? '✓' : '✗',
    }));
  });
  if (rows.length === 0) return [];
  return [{
    caption: `Durable fills by requests in flight and batch size (fills of random accounts, ${r.seconds} s each, closed loop): the rate against the acknowledgement latency; a batch's mean time in flight is requests in flight × batch ÷ rate (Little's law), so the latency at a rate is what each batch costs the processes' cores, not the disk`,
    rows,
  }];
}

/** Recovery and memory as the book grows (its model in the caption: docs/live-cluster.md "Recovery time and memory"). */
export function growthTable(growth: readonly GrowthRow[], positions: number): BenchTable {
  return {
    caption: `Recovery as the book grows: one shard (WASM), × ${positions} book.arrow, killed with kill -9 after a checkpoint of every partition and ${GROWTH_FILLS.toLocaleString('en-US')} fills, started again (every partition has a checkpoint: the book file is not read). Model: ready = process start + Σ partitions (checkpoint read and checked + layout + first margin run + state hash, each linear in the partition's positions; + log entries / replay rate)`,
    rows: growth.map((g) => ({
      accounts: g.accounts, 'book MiB': fixed(g.bookMiB, 1), 'start s': fixed(g.startMs / 1000, 2), 'recovery s': fixed(g.recoveryMs / 1000, 2),
      'kill -9 → ready s': fixed(g.killToReadyMs / 1000, 2), 'checkpoint MiB': fixed(g.checkpointMiB, 1), 'read MiB/s': fixed(g.checkpointMiB / (g.recoveryMs / 1000), 0),
      'µs/account': fixed((g.recoveryMs * 1000) / g.accounts, 1),
      'entries replayed': g.entriesReplayed, 'RSS MiB': miB(g.rssMiB), 'bytes/account': fixed((g.rssMiB * 2 ** 20) / g.accounts, 0),
      dominant: g.startMs >= g.recoveryMs ? 'process start' : 'partition recovery',
    })),
  };
}

export function liveClusterHeadline(r: LiveClusterResult): HeadlineRow[] {
  const wasm = r.runs.find((x) => x.backend === 'wasm'), js = r.runs.find((x) => x.backend === 'js');
  if (!wasm || !js) return [];
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const big = r.growth.at(-1);
  const point = (x: BackendRun) => {
    const c = bestFillPoint(x);
    return `${n(c.fills.perSecond)}/s, ${c.fills.p99Ms.toFixed(1)} ms (${c.inFlight} × ${c.batch ?? FILL_BATCH})`;
  };
  const rows: HeadlineRow[] = [
    { work: 'live cluster: durable fills/s, ack p99, at the best point measured (requests in flight × batch)', wasm: point(wasm), js: point(js), target: '≥ 20,000/s, p99 ≤ 15 ms', met: meetsFillTarget(bestFillPoint(wasm).fills) },
    { work: `live cluster: what-if through the gateway at ${n(WHAT_IF_RATE)}/s, p50 / p99`, wasm: `${wasm.whatIf.p50Ms.toFixed(2)} / ${wasm.whatIf.p99Ms.toFixed(2)} ms`, js: `${js.whatIf.p50Ms.toFixed(2)} / ${js.whatIf.p99Ms.toFixed(2)} ms`, target: 'p50 ≤ 0.5 ms, p99 ≤ 2 ms', met: wasm.whatIf.p50Ms <= 0.5 && wasm.whatIf.p99Ms <= 2 && wasm.whatIf.errors === 0 },
    { work: `live cluster: kill -9 of a shard to ready, ${n(r.accounts)} × ${r.positions}`, wasm: `${(wasm.killToReadyMs! / 1000).toFixed(2)} s`, js: `${(js.killToReadyMs! / 1000).toFixed(2)} s`, target: r.accounts >= 100_000 ? '≤ 2 s at 100,000 × 20' : '≤ 2 s (at 100,000 × 20)', met: r.accounts >= 100_000 && r.positions >= 20 ? wasm.killToReadyMs! <= 2_000 : undefined },
  ];
  if (big) rows.push({ work: `live cluster: kill -9 of a lone shard to ready, ${n(big.accounts)} × ${r.positions}`, wasm: `${(big.killToReadyMs / 1000).toFixed(2)} s`, js: '', target: '≤ 10 s at 1,000,000', met: big.accounts >= 1_000_000 ? big.killToReadyMs <= 10_000 : undefined });
  return rows;
}
