/**
 * What a shard's SIGTERM reports of its checkpoints (docs/live-cluster.md, "Stopping"): exit 1 while a partition's
 * latest checkpoint failed; a failure during a Redis outage that a later checkpoint of the same partition made good is
 * no failure (found: shards exited 1 after an outage whose failed checkpoints had been written again since).
 */
import { describe, expect, it } from 'vitest';
import { FailedCheckpoints } from '../../src/durable/shard-checkpoints.js';

describe('a shard\'s failed checkpoints', () => {
  it('counts the partitions whose latest checkpoint failed', () => {
    const f = new FailedCheckpoints();
    f.failed(57);
    f.failed(59);
    f.failed(57); // the same partition again
    expect(f.count).toBe(2);
    f.written(57); // Redis back: the next round writes it
    expect(f.count).toBe(1);
    f.written(3); // a partition that never failed
    expect(f.count).toBe(1);
    f.written(59);
    expect(f.count).toBe(0);
  });
});
