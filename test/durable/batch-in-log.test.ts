/**
 * `x-in-log` of a batch over several partitions not all of which applied their part (docs/live-cluster.md, "503 and
 * Retry-After"): `partial` only when some part was applied or written, `unknown` when none was but some may have been
 * (found: a Redis outage answered `partial` for batches none of whose parts had been sent), `false` when none was.
 */
import { describe, expect, it } from 'vitest';
import { batchInLog } from '../../src/durable/gateway-writes.js';

const part = (status: number, inLog: 'true' | 'false' | 'unknown') => ({ status, inLog });

describe('a batch\'s x-in-log', () => {
  it.each([
    [[part(200, 'true'), part(503, 'unknown')], 'partial'],
    [[part(503, 'true'), part(503, 'false')], 'partial'],
    [[part(200, 'true'), part(400, 'false')], 'partial'],
    [[part(503, 'unknown'), part(503, 'unknown')], 'unknown'],
    [[part(503, 'unknown'), part(503, 'false')], 'unknown'],
    [[part(503, 'false'), part(400, 'false')], 'false'],
  ] as const)('%j → %s', (parts, expected) => {
    expect(batchInLog(parts)).toBe(expected);
  });
});
