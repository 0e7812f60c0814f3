/**
 * `serve`'s writes under an `Idempotency-Key` (docs/service.md "Idempotency-Key"), as the live cluster takes them
 * (src/durable/op-window.ts): the service remembers its last {@link OP_WINDOW} writes applied by key with a digest of
 * what each asked for. A write resent under a key it knows is answered `{ remargined: 0, events: [], replayed: true }`
 * and not applied again (one still being applied is waited for); the key with another body is refused with 422. A
 * write refused for its input applied nothing and is not remembered: sent again, it is checked again. The window lives
 * with the process (serve's book does too).
 */
import { InputError } from '../errors.js';
import { opDigest, OpWindow } from '../durable/op-window.js';
import type { LogEntry } from '../durable/partitions.js';

/** Longest Idempotency-Key taken (as the cluster's): a longer one is refused, 400 at `headers.idempotency-key`. */
export const MAX_IDEMPOTENCY_KEY = 200;

/** What a resent write is answered. */
export interface Replayed {
  remargined: 0;
  events: [];
  replayed: true;
}

/** The request's Idempotency-Key (undefined: none, or empty); InputError when it is longer than {@link MAX_IDEMPOTENCY_KEY}. */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const key = headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return undefined;
  if (key.length > MAX_IDEMPOTENCY_KEY) throw new InputError([{ path: 'headers.idempotency-key', message: `${key.length} characters; at most ${MAX_IDEMPOTENCY_KEY}` }]);
  return key;
}

/** The key was used for another body (answered 422 by the routes): nothing applied. */
export class KeyUsedElsewhere extends Error {
  override name = 'KeyUsedElsewhere';
}

export class IdempotentWrites {
  private readonly window = new OpWindow();
  private readonly inFlight = new Map<string, { digest: string; done: Promise<unknown> }>();
  private applied = 0;

  /**
   * Runs `apply` for a write of `items` (`kind`) under `key` once: a key it knows (applied, or being applied) is
   * answered as replayed without applying; no key, always applied.
   */
  async run<T>(kind: 'fills' | 'transfers', key: string | undefined, items: unknown[], apply: () => Promise<T>): Promise<T | Replayed> {
    if (key === undefined) return apply();
    const entry = (kind === 'fills' ? { kind, id: key, fills: items } : { kind, id: key, transfers: items }) as LogEntry;
    const digest = opDigest(entry);
    const known = this.window.find(key)?.digest ?? this.inFlight.get(key)?.digest;
    if (known !== undefined) {
      if (known !== digest) throw new KeyUsedElsewhere(`Idempotency-Key ${JSON.stringify(key)} was used for another request; nothing applied`);
      const flying = this.inFlight.get(key);
      if (flying !== undefined) {
        await flying.done; // its first request's outcome: refused, this one is tried as a new write
        if (this.window.find(key) === undefined) return this.run(kind, key, items, apply);
      }
      return { remargined: 0, events: [], replayed: true };
    }
    const done = apply();
    this.inFlight.set(key, { digest, done: done.catch(() => {}) });
    try {
      const result = await done;
      this.window.record(entry, ++this.applied, undefined, digest);
      return result;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
