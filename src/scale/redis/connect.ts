/**
 * A Redis connection that says what is wrong: while Redis is unreachable it retries with exponential backoff
 * (100 ms doubling to 5 s) and reports each attempt through `onRetry`; after `maxAttempts` it gives up and every
 * command waiting on it rejects with "Redis unreachable at URL after N attempts". A caller never gets a partial
 * answer: commands queue while reconnecting and fail, all of them, when the connection is given up.
 *
 * The retry budget: attempt n waits min(100 × 2^(n−1), 5,000) ms before the next, so the default 10 attempts wait
 * 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 5 + 5 + 5 = 21.3 s in all (plus each attempt's own connect time) before giving up.
 *
 * `keepReconnecting` (the live cluster's processes, which serve requests): the budget bounds the first connection
 * only; a connection lost later is retried for as long as Redis is away, and meanwhile every command fails at once
 * ({@link redisUnreachable} says why) rather than waiting for a reconnection that may be minutes away.
 */
import type { Redis as RedisClient } from 'ioredis';
import { loadOptional } from '../../optional-dependency.js';

export interface ConnectOptions {
  /** Attempts before giving up (default 10: 21.3 s of backoff, see above). */
  maxAttempts?: number | undefined;
  /** First backoff in ms (default 100), doubled per attempt up to 5,000. */
  backoffMs?: number | undefined;
  /** Told of each failed attempt (default: nothing). */
  onRetry?: ((attempt: number, delayMs: number, reason: string) => void) | undefined;
  /** Told when a connection that was lost is ready again (default: nothing). */
  onReconnected?: (() => void) | undefined;
  /**
   * How long a connection may take from its socket's connect to ready (ms, default 5,000): past it, the attempt
   * counts as failed and the next one follows. A listener that accepts and never answers (not Redis, or a Redis
   * stopped with its socket open) would otherwise be waited on for ever.
   */
  readyTimeoutMs?: number | undefined;
  /**
   * Once connected, never give up: a lost connection is retried (backoff capped at 5 s) until Redis is back, and
   * `maxAttempts` bounds the first connection only. While the connection is down, a command fails at once, and one in
   * flight when it was lost fails too (never resent: its outcome is unknown), so that no caller waits on an outage.
   * Default false: commands wait for the reconnection, and the connection is given up after `maxAttempts`.
   */
  keepReconnecting?: boolean | undefined;
}

/**
 * Retry reports for several connections to one Redis (a worker and a coordinator hold two each: one blocks on a
 * stream): when Redis goes away they all retry on the same schedule, and the user should read one line per retry, not
 * one per connection. `report` is told of attempt n the first time any connection makes it; a reconnection ends the
 * outage (`back` told of it once, with the attempts it took), so the next one is told from attempt 1 again.
 */
export function oneReportPerAttempt(
  report: (attempt: number, delayMs: number, reason: string) => void,
  back?: (attempts: number) => void,
): Required<Pick<ConnectOptions, 'onRetry' | 'onReconnected'>> {
  let told = 0;
  return {
    onRetry: (attempt, delayMs, reason) => {
      if (attempt <= told) return;
      told = attempt;
      report(attempt, delayMs, reason);
    },
    onReconnected: () => {
      // an outage the user was told of ends with a line too (`back`): else its last line would be a retry
      if (told > 0) back?.(told);
      told = 0;
    },
  };
}

export type { RedisClient };

const givenUp = new WeakMap<RedisClient, string>();
/** Of a keepReconnecting connection: whether it is down now, and "Redis unreachable at URL (reason)". */
const outages = new WeakMap<RedisClient, { down(): boolean; why(): string }>();

/** ioredis's errors for a command refused or cut because the connection is down (not an error Redis answered). */
const CONNECTION_ERROR = /^(Stream isn't writeable|Reached the max retries per request limit|Connection is closed|Command aborted due to connection close)/;

/**
 * Of a keepReconnecting `client`: "Redis unreachable at URL (reason)" when `error` (a command's) says the connection
 * was down or cut under it, or, without an error, while it is down; null otherwise, and for any other error (Redis's
 * own answer, a bug): not an outage.
 */
export function redisUnreachable(client: RedisClient, error?: unknown): string | null {
  const outage = outages.get(client);
  if (!outage) return null;
  const cut = error === undefined ? outage.down() : error instanceof Error && (error.name === 'MaxRetriesPerRequestError' || CONNECTION_ERROR.test(error.message));
  return cut ? outage.why() : null;
}

/**
 * What to tell the user when a command on `client` failed: "Redis unreachable at URL after N attempts (reason)" once
 * the connection was given up (the command's own error then only says "Connection is closed"), else the error.
 */
export function redisFailure(client: RedisClient, error: unknown): string {
  return givenUp.get(client) ?? (error instanceof Error ? error.message : String(error));
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Backoff before retry `attempt` (1-based): 100, 200, 400 … ms, at most 5 s. */
export function backoffDelay(attempt: number, firstMs = 100): number {
  return Math.min(5000, firstMs * 2 ** (attempt - 1));
}

/** Closes a connection: QUIT (the replies pending are read first) when it is up, else at once (a retry pending cancelled). */
export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => {});
  client.disconnect();
}

/** Opens a connection and waits until it is ready, or rejects with a clear message once `maxAttempts` failed. */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<RedisClient> {
  const { Redis } = await loadOptional('ioredis', 'the Redis cluster', () => import('ioredis'));
  const maxAttempts = options.maxAttempts ?? 10;
  const forever = options.keepReconnecting === true;
  let lastReason = 'no answer';
  let gaveUp = false;
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    // a command waits for the reconnection rather than failing after 20 tries …; or, kept reconnecting, fails at once
    // while the connection is down (no offline queue) and when it is lost under it (0 retries: it is not resent)
    maxRetriesPerRequest: forever ? 0 : null,
    enableOfflineQueue: !forever,
    enableReadyCheck: true,
    // a closed connection's socket is destroyed after this (ms); ioredis's 2 s kept a stopped process alive that long
    // when the socket had already failed (Redis gone)
    disconnectTimeout: 100,
    retryStrategy: (times: number) => {
      if (times >= maxAttempts && !(forever && connected)) {
        gaveUp = true;
        return null; // … until the connection is given up: then every queued command rejects
      }
      const delay = backoffDelay(times, options.backoffMs);
      setTimeout(() => options.onRetry?.(times, delay, lastReason), 0); // after the 'error' event that says why
      return delay;
    },
  });
  client.on('error', (error: Error) => {
    lastReason = error.message;
  });
  // each attempt has until ready: ioredis's connectTimeout covers the socket's connect only, not the ready check
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  let readyTimer: ReturnType<typeof setTimeout> | undefined;
  client.on('connect', () => {
    clearTimeout(readyTimer);
    readyTimer = setTimeout(() => {
      lastReason = `connected, but no answer within ${readyTimeoutMs} ms (is it Redis, and is it running?)`;
      client.disconnect(true); // this attempt failed: the retry strategy decides on the next
    }, readyTimeoutMs);
    readyTimer.unref?.();
  });
  client.on('ready', () => clearTimeout(readyTimer));
  client.on('end', () => clearTimeout(readyTimer));
  const unreachable = () => new Error(`Redis unreachable at ${safeUrl(url)} after ${maxAttempts} attempts (${lastReason})`);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => {
        lastReason = 'connection lost';
        connected = true;
        resolve();
      });
      client.once('end', () => reject(unreachable()));
      client.connect().catch(() => {}); // failures arrive as 'error' events and retries; 'end' when given up
    });
  } catch (error) {
    client.disconnect();
    throw error;
  }
  client.on('end', () => {
    if (gaveUp) givenUp.set(client, unreachable().message);
  });
  if (forever) outages.set(client, { down: () => client.status !== 'ready', why: () => `Redis unreachable at ${safeUrl(url)} (${lastReason})` });
  client.on('ready', () => {
    lastReason = 'connection lost'; // why the next retry happens when Redis closes the connection without an error
    options.onReconnected?.();
  });
  return client;
}

/**
 * Watches a connection that is up for a Redis that stopped answering with its socket open (a frozen process: a blocked
 * read or any command would wait for ever): a PING goes out every quarter of `timeoutMs` when none is in flight, and
 * one unanswered for `timeoutMs` drops the connection, which then reconnects as when Redis went away (each attempt
 * failing after the ready timeout, given up after the attempts, every waiting command rejected). Returns the stop.
 * A reply that arrived while the event loop was busy (a long computation) is read before the PING is judged late.
 */
export function watchAnswers(client: RedisClient, timeoutMs = 10_000): () => void {
  let sentAt = 0; // 0: no PING in flight
  const timer = setInterval(() => {
    if (client.status !== 'ready') {
      sentAt = 0;
      return;
    }
    if (sentAt === 0) {
      const at = (sentAt = Date.now());
      client.ping().then(() => { if (sentAt === at) sentAt = 0; }, () => { if (sentAt === at) sentAt = 0; });
      return;
    }
    if (Date.now() - sentAt < timeoutMs) return;
    const late = sentAt;
    setImmediate(() => {
      // after the poll phase: a reply waiting in the socket has been read by now
      if (sentAt !== late || client.status !== 'ready') return;
      sentAt = 0;
      client.emit('error', new Error(`connected, but no answer to PING within ${timeoutMs} ms (is Redis stopped?)`));
      client.disconnect(true);
    });
  }, Math.max(10, Math.floor(timeoutMs / 4)));
  timer.unref?.();
  return () => clearInterval(timer);
}
