/**
 * Values on the wire: Node's structured-clone serialisation (node:v8), which keeps every bit of a double (−0, NaN,
 * ±Infinity), Maps and typed arrays, where JSON would turn Infinity (an account's efficiency with no IM) into null.
 * Coordinator and workers must run the same major Node version (the format is versioned and checked on read).
 */
import { deserialize, serialize } from 'node:v8';

export function encode(value: unknown): Buffer {
  return serialize(value);
}

export function decode<T>(bytes: Buffer): T {
  return deserialize(bytes) as T;
}
