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
import { writeEntry } from '../durable/partitions.js';
import { headerCount } from './guard.js';

/** Longest Idempotency-Key taken (as the cluster's): a longer one is refused, 400 at `headers.idempotency-key`. */
export const MAX_IDEMPOTENCY_KEY = 200;

/** What a resent write is answered. */
export interface Replayed {
  remargined: 0;
  events: [];
  replayed: true;
}

/**
 * The request's Idempotency-Key, undefined when it sent none (serve's and the gateway's). Refused (InputError at
 * `headers.idempotency-key`): sent more than once (HTTP would join them with a comma), empty, longer than
 * {@link MAX_IDEMPOTENCY_KEY}, or not printable ASCII (a string of RFC 8941, as the IETF's Idempotency-Key draft has
 * it: a UTF-8 key would reach the log as its bytes read as Latin-1).
 */
export function idempotencyKeyOf(request: { headers: Record<string, string | string[] | undefined>; raw?: { rawHeaders: readonly string[] } | undefined }): string | undefined {
  // the raw headers count a repeated header (the parsed ones have joined it); a request built without them, one
  const raw = request.raw?.rawHeaders;
  const count = raw !== undefined ? headerCount(raw, 'idempotency-key') : request.headers['idempotency-key'] === undefined ? 0 : 1;
  if (count === 0) return undefined;
  const refuse = (message: string) => new InputError([{ path: 'headers.idempotency-key', message }]);
  if (count > 1) throw refuse(`sent ${count} times; send one key`);
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') throw refuse('empty; send a key, or no header for a write that is not to be recognised when sent again');
  if (!/^[\x20-\x7e]+$/.test(key)) throw refuse('printable ASCII only (letters, digits, punctuation, spaces)');
  if (key.length > MAX_IDEMPOTENCY_KEY) throw refuse(`${key.length} characters; at most ${MAX_IDEMPOTENCY_KEY}`);
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
    const entry = writeEntry(kind, key, items);
    const digest = (entry.digest = opDigest(entry));
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
    const mine = { digest, done: done.catch(() => {}) };
    this.inFlight.set(key, mine);
    try {
      const result = await done;
      this.window.record(entry, ++this.applied);
      return result;
    } finally {
      if (this.inFlight.get(key) === mine) this.inFlight.delete(key);
    }
  }
}
