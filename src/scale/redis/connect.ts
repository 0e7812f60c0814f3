/**
 * A Redis connection that says what is wrong: while Redis is unreachable it retries with exponential backoff
 * (100 ms doubling to 5 s) and reports each attempt through `onRetry`; after `maxAttempts` it gives up and every
 * command waiting on it rejects with "Redis unreachable at URL after N attempts". A caller never gets a partial
 * answer: commands queue while reconnecting and fail, all of them, when the connection is given up.
 */
import type { Redis as RedisClient } from 'ioredis';
import { loadOptional } from '../../optional-dependency.js';

export interface ConnectOptions {
  /** Attempts before giving up (default 10, about 30 s of backoff). */
  maxAttempts?: number;
  /** First backoff in ms (default 100), doubled per attempt up to 5,000. */
  backoffMs?: number;
  /** Told of each failed attempt (default: nothing). */
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

export type { RedisClient };

const givenUp = new WeakMap<RedisClient, string>();

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

/** Opens a connection and waits until it is ready, or rejects with a clear message once `maxAttempts` failed. */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<RedisClient> {
  const { Redis } = await loadOptional('ioredis', 'the Redis cluster', () => import('ioredis'));
  const maxAttempts = options.maxAttempts ?? 10;
  let lastReason = 'no answer';
  let gaveUp = false;
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null, // a command waits for the reconnection rather than failing after 20 tries …
    enableReadyCheck: true,
    retryStrategy: (times: number) => {
      if (times >= maxAttempts) {
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
  const unreachable = () => new Error(`Redis unreachable at ${safeUrl(url)} after ${maxAttempts} attempts (${lastReason})`);
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
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
  return client;
}
