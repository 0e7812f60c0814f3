/**
 * The cluster's token check (docs/live-cluster.md "Starting it"): nothing joins a live cluster or changes its state
 * without the cluster's token. Against a real redis-server: a `live-shard` started with another token exits 1 with
 * one line naming the cause, before it claims a partition, registers or writes anything, and the clients holding the
 * right token keep being served; a gateway with another token does not start; the right token still joins. The
 * record in Redis is a salted fingerprint, never the token, and expires unless refreshed, so a stopped cluster takes
 * a new token once it has expired.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterCredential, CredentialError } from '../../src/durable/credential.js';
import { LogKeys, PARTITION_COUNT, partitionOf } from '../../src/durable/partitions.js';
import { CLI } from '../support/cli.js';
import { call, CLUSTER_MARKET, clusterFixture, startGateway, startShard, TOKEN, until } from '../support/live-cluster.js';
import { scratchDir } from '../support/scratch-dir.js';

const dir = scratchDir('mc-live-credential-');
const CLUSTER = 'cred';
const WRONG = 'wrong-token-0123456789abcdef';
const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json'), checkpoints: join(dir, 'ckpt') };
const IDS = Array.from({ length: 200 }, (_, i) => `acc${i}`);
const BOOK = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [
    ...IDS.map((id) => ({ id, positions: [], collateral: [{ asset: 'USDC', amount: 1_000_000 }] })),
    { id: 'm0', positions: [], collateral: [{ asset: 'USDC', amount: 1_000_000 }] },
    { id: 'm0-s1', master: 'm0', positions: [], collateral: [{ asset: 'USDC', amount: 1_000 }] },
  ],
};
const MARKET = CLUSTER_MARKET;
const SHARD_ARGS = ['--durability', 'relaxed', '--lease-ms', '2000', '--checkpoint-every', '3600'];
const keys = new LogKeys(CLUSTER);

const fx = clusterFixture(files, BOOK, MARKET);

/** The built CLI with `token`: its exit code and output, or `started` once it printed its url (then it is killed). */
function runWith(token: string, args: string[]): Promise<{ code: number | null; started: boolean; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, MARGIN_CORE_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve) => {
    const read = (d: Buffer) => {
      output += d.toString();
      if (/listening on http/.test(output)) child.kill('SIGKILL');
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => resolve({ code, started: /listening on http/.test(output), output }));
  });
}

const shardArgs = (id: string) => ['live-shard', '--redis', fx.server.url, '--cluster', CLUSTER, '--book', files.book, '--market', files.market, '--checkpoint-dir', files.checkpoints, '--port', '0', '--log-level', 'warn', ...SHARD_ARGS, '--shard-id', id];

async function ownersByShard(): Promise<(string | null)[]> {
  const raw = await Promise.all(Array.from({ length: PARTITION_COUNT }, (_, p) => fx.redis.get(keys.owner(p))));
  return raw.map((r) => (r === null ? null : (JSON.parse(r) as { shard: string }).shard));
}

describe('a live cluster and a process with another token', () => {
  it('refuses a shard with another token before it claims a partition; the right token still serves and joins', async () => {
    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's0']));
    const gateway = await startGateway(fx.server.url, CLUSTER);
    fx.running.push(gateway);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 'the gateway to be ready');
    const mastersBefore = await fx.redis.hgetall(keys.masters);
    await fx.redis.hdel(keys.masters, 'm0-s1'); // a wrong shard's book must not write it back

    const wrong = await runWith(WRONG, shardArgs('intruder'));
    expect(wrong.started, wrong.output).toBe(false);
    expect(wrong.code).toBe(1);
    const lines = wrong.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^margin-core: cluster "cred" runs with another token/);
    expect(lines[0]).not.toContain(WRONG);
    // it joined nothing and changed nothing
    expect(await fx.redis.hexists(keys.shards, 'intruder')).toBe(0);
    expect((await ownersByShard()).filter((o) => o !== 's0')).toEqual([]);
    expect(await fx.redis.hexists(keys.masters, 'm0-s1')).toBe(0);
    await fx.redis.hset(keys.masters, mastersBefore);
    // the right token's clients are still served
    for (const id of IDS.slice(0, 20)) expect((await call(gateway.url, 'GET', `/accounts/${id}`)).status, id).toBe(200);

    fx.running.push(await startShard(fx.server.url, CLUSTER, files, [...SHARD_ARGS, '--shard-id', 's1']));
    await until(async () => (await ownersByShard()).includes('s1'), 20_000, 's1 to take partitions');
    const held = await ownersByShard();
    const onS1 = IDS.find((id) => held[partitionOf(id)] === 's1')!;
    await until(async () => (await call(gateway.url, 'GET', `/accounts/${onS1}`)).status === 200, 20_000, 'an account of s1 to be served');
  }, 90_000);

  it('refuses a gateway with another token, or with none', async () => {
    for (const [token, extra] of [[WRONG, []], [TOKEN, ['--no-auth']]] as const) {
      const gateway = await runWith(token, ['live-gateway', '--redis', fx.server.url, '--cluster', CLUSTER, '--port', '0', '--log-level', 'warn', ...extra]);
      expect(gateway.started, gateway.output).toBe(false);
      expect(gateway.code).toBe(1);
      expect(gateway.output).toMatch(/^margin-core: cluster "cred" runs with another token/);
    }
  }, 30_000);
});

describe('a running cluster whose token is no longer the cluster\'s', () => {
  it('stops its shard and its gateway: exit 1 within a couple of rounds, with one line naming the cause', async () => {
    const cluster = 'cred-taken';
    const taken = new LogKeys(cluster);
    const shard = await startShard(fx.server.url, cluster, files, [...SHARD_ARGS, '--shard-id', 't0']);
    fx.running.push(shard);
    const gateway = await startGateway(fx.server.url, cluster);
    fx.running.push(gateway);
    await until(async () => (await call(gateway.url, 'GET', '/ready')).status === 200, 20_000, 'the gateway to be ready');
    // what a process with another token records once every process of the cluster was silent past the fingerprint's TTL
    const scratch = new LogKeys('cred-scratch');
    await new ClusterCredential(fx.redis, scratch, WRONG).check();
    await fx.redis.set(taken.credential, (await fx.redis.get(scratch.credential))!, 'PX', 30_000);
    const exits = await Promise.all([shard, gateway].map((p) => Promise.race([
      new Promise<number | null>((resolve) => (p.child.exitCode !== null ? resolve(p.child.exitCode) : p.child.once('exit', (code) => resolve(code)))),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 5 s'), 5_000)),
    ])));
    expect(exits).toEqual([1, 1]);
    for (const p of [shard, gateway]) {
      const lines = p.output().trim().split('\n');
      expect(lines.at(-1), p.output()).toMatch(/^margin-core: cluster "cred-taken" runs with another token/);
      expect(lines.filter((l) => l.startsWith('margin-core: cluster')), p.output()).toHaveLength(1);
      expect(p.output()).not.toMatch(/\n\s+at /);
    }
    expect(await fx.redis.hexists(taken.shards, 't0')).toBe(1); // it wrote nothing on its way out, not even its leaving
  }, 60_000);
});

describe('ClusterCredential', () => {
  const k = new LogKeys('cred-unit');

  it('keeps a salted fingerprint with a TTL, never the token; the same token passes, another is refused', async () => {
    await new ClusterCredential(fx.redis, k, TOKEN).check();
    const stored = (await fx.redis.get(k.credential))!;
    expect(stored).not.toContain(TOKEN);
    expect(Object.keys(JSON.parse(stored)).sort()).toEqual(['hash', 'salt']);
    expect(Buffer.from(JSON.parse(stored).salt, 'base64')).toHaveLength(16);
    expect(await fx.redis.pttl(k.credential)).toBeGreaterThan(0);
    await new ClusterCredential(fx.redis, k, TOKEN).check();
    await expect(new ClusterCredential(fx.redis, k, WRONG).check()).rejects.toThrow(CredentialError);
    await expect(new ClusterCredential(fx.redis, k, null).check()).rejects.toThrow(CredentialError);
    expect(await fx.redis.get(k.credential)).toBe(stored); // a refusal writes nothing
  });

  it('lets a stopped cluster take a new token once the fingerprint expired; a refresh keeps it from expiring', async () => {
    const short = new LogKeys('cred-ttl');
    const first = new ClusterCredential(fx.redis, short, TOKEN, 300);
    await first.check();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await first.refresh();
    }
    await expect(new ClusterCredential(fx.redis, short, WRONG, 300).check()).rejects.toThrow(CredentialError); // alive after 500 ms
    await until(async () => (await fx.redis.exists(short.credential)) === 0, 5_000, 'the fingerprint to expire');
    await new ClusterCredential(fx.redis, short, WRONG, 300).check(); // every process stopped: the new token is recorded
    await expect(first.refresh()).rejects.toThrow(CredentialError); // the old one no longer joins
  });
});
