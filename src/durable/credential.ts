/**
 * The live cluster's token check through Redis: nothing joins a cluster, or changes anything in it, without the token
 * the cluster runs with. The first process of a cluster (gateway or shard) records a fingerprint of its token under
 * the cluster's `credential` key (partitions.ts); every later one derives its own with the stored salt and refuses to
 * start when they differ, before it writes anything. The fingerprint is scrypt (N 2^14, r 8, p 1, 32 bytes) of the
 * token with a random 16-byte salt kept beside it, never the token: reading Redis does not give the token away.
 *
 * The key expires ({@link CREDENTIAL_TTL_MS}) unless a live process refreshes it (a shard in its heartbeat round, the
 * gateway on a timer), so once every process of the cluster has stopped, a new token takes effect when it has expired.
 * A process that finds on a refresh that the cluster runs with another token now (every process was silent past the
 * TTL, a frozen machine, and one with another token recorded its own) gets the same CredentialError, and must stop.
 * A process without a token (`--no-auth`) has the empty token's fingerprint: it joins only a cluster without one.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../scale/redis/connect.js';
import type { LogKeys } from './partitions.js';

/** How long the fingerprint outlives the last process that refreshed it, ms. */
export const CREDENTIAL_TTL_MS = 30_000;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Reads of the record before giving up: another process may record its own between our read and our write. */
const CLAIMS = 3;

/** KEYS record; ARGV our record, ttl → 1 kept alive, 0 not ours (or gone). */
const KEEP = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** The token differs from the cluster's (or the record is unreadable): the process must not start. */
export class CredentialError extends Error {
  override name = 'CredentialError';
}

interface Fingerprint {
  salt: string;
  hash: string;
}

export class ClusterCredential {
  /** Our hash for the salt last seen, so that a refresh derives nothing. */
  private known: Fingerprint | null = null;

  constructor(private readonly redis: RedisClient, private readonly keys: LogKeys, private readonly token: string | null, private readonly ttlMs = CREDENTIAL_TTL_MS) {}

  /** Records our fingerprint if the cluster has none, else checks ours against it; CredentialError when they differ. */
  async check(running = false): Promise<void> {
    for (let i = 0; i < CLAIMS; i++) {
      const raw = await this.redis.get(this.keys.credential);
      if (raw === null) {
        const mine = await this.fingerprint(randomBytes(SALT_BYTES).toString('base64'));
        if ((await this.redis.set(this.keys.credential, JSON.stringify(mine), 'PX', this.ttlMs, 'NX')) !== 'OK') continue; // another process was first
        this.known = mine;
        return;
      }
      const stored = parse(raw, this.keys.credential);
      const ours = await this.fingerprint(stored.salt);
      if (!sameHash(ours.hash, stored.hash)) throw new CredentialError(this.refusal(running));
      this.known = ours;
      await this.redis.pexpire(this.keys.credential, this.ttlMs);
      return;
    }
    throw new CredentialError(`the cluster's token record ${this.keys.credential} changed under ${CLAIMS} reads in a row; check the Redis server`);
  }

  /**
   * Keeps the record alive (a live process's heartbeat) while it is ours; one that is gone, or another's (it expired
   * and a process with another token recorded its own), is checked again: CredentialError for the latter.
   */
  async refresh(): Promise<void> {
    if (this.known && (await this.redis.eval(KEEP, 1, this.keys.credential, JSON.stringify(this.known), this.ttlMs)) === 1) return;
    await this.check(true);
  }

  private async fingerprint(salt: string): Promise<Fingerprint> {
    if (this.known?.salt === salt) return this.known;
    const hash = await new Promise<Buffer>((resolve, reject) => scrypt(this.token ?? '', Buffer.from(salt, 'base64'), HASH_BYTES, (error, key) => (error ? reject(error) : resolve(key))));
    return { salt, hash: hash.toString('base64') };
  }

  private refusal(running: boolean): string {
    const outcome = running
      ? `this process stops, writing nothing more (the cluster's fingerprint went unrefreshed for ${this.ttlMs / 1000} s, and another token's was recorded)`
      : 'nothing was written';
    return `cluster ${JSON.stringify(this.keys.cluster)} runs with another token (its fingerprint is ${this.keys.credential} in Redis): ` +
      `every gateway and shard of a cluster takes the same token (--token-file or MARGIN_CORE_TOKEN, or --no-auth for all); ${outcome}. ` +
      `To change the token, stop every process of the cluster and start them again after ${this.ttlMs / 1000} s, when the fingerprint has expired`;
  }
}

function parse(raw: string, key: string): Fingerprint {
  try {
    const f = JSON.parse(raw) as Fingerprint;
    if (typeof f.salt === 'string' && typeof f.hash === 'string') return f;
  } catch {
    // said below
  }
  throw new CredentialError(`the cluster's token record ${key} is not a fingerprint this build reads; nothing was written`);
}

/** Constant time: how much of a guess matches never shows in the time taken. */
function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64'), y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}
