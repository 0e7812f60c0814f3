/**
 * The operations a partition remembers by op id (src/durable/op-window.ts), without Redis: the window keeps the first
 * entry of an op id and drops the oldest past its capacity; a digest tells the same request (after the log's JSON round
 * trip) from another under the same key; the partition records every entry it applies (a rejected one with its
 * problems), and a checkpoint carries the window to the partition restored from it. The owner answers a known op id
 * without writing (the route tests with Redis: idempotency.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { decodeCheckpoint } from '../../src/durable/checkpoint.js';
import { OP_WINDOW, opDigest, OpWindow } from '../../src/durable/op-window.js';
import { KeyReused, OwnedPartition } from '../../src/durable/owned-partition.js';
import { PartitionState } from '../../src/durable/partition-state.js';
import type { LogEntry } from '../../src/durable/partitions.js';
import type { PartitionLog } from '../../src/durable/log.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const fills = (id: string, quantity: number): LogEntry => ({ kind: 'fills', id, fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity, price: 101_000 }] });

describe('the op window', () => {
  it('keeps the first entry of an op id and drops the oldest past its capacity', () => {
    const w = new OpWindow(3);
    w.record(fills('k1', 1), 1);
    w.record(fills('k1', 2), 2); // an op id twice in a log (an older build's): the first stays
    expect(w.find('k1')).toEqual({ seq: 1, digest: opDigest(fills('k1', 1)) });
    for (const [k, seq] of [['k2', 3], ['k3', 4], ['k4', 5]] as const) w.record(fills(k, 1), seq);
    expect(w.size).toBe(3);
    expect(w.find('k1')).toBeUndefined();
    expect(w.list().map(([id, seq]) => [id, seq])).toEqual([['k2', 3], ['k3', 4], ['k4', 5]]);
    expect(OP_WINDOW).toBe(10_000);
  });

  it('digests a request as the log gives it back, and tells another body under the same key', () => {
    const sent = { kind: 'fills' as const, id: 'k', fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: -0, price: 1e21 }] };
    const back = JSON.parse(JSON.stringify(sent)) as LogEntry;
    expect(opDigest(back)).toBe(opDigest(sent));
    expect(opDigest({ ...sent, id: 'other' })).toBe(opDigest(sent)); // the key is not what is asked for
    expect(opDigest(fills('k', 2))).not.toBe(opDigest(fills('k', 1)));
    expect(opDigest({ kind: 'transfers', id: 'k', transfers: sent.fills })).not.toBe(opDigest(sent));
    expect(opDigest(sent)).toMatch(/^[0-9a-f]{16}$/);
    // the same fill with its fields in another order (a client's JSON library may reorder them) is the same request
    const reordered = { kind: 'fills' as const, id: 'k', fills: [{ price: 1e21, quantity: -0, instrument: 'BTC-PERP', account: 'a0' }] };
    expect(opDigest(reordered)).toBe(opDigest(sent));
    // the gateway's digest of the whole request, when the entry carries it, is what the entry asks for
    expect(opDigest({ ...sent, digest: '0123456789abcdef' })).toBe('0123456789abcdef');
  });
});

describe('a partition remembers the operations it applied', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend: 'js' });
  });
  const open = () => PartitionState.open(engine, 5, venueBook(mulberry32(3), 6), venueMarket(), { method: 'cross' }, { fillSeq: 0, tickId: '0-0' });

  it('records applied and rejected entries, and a checkpoint carries them to the partition restored from it', async () => {
    const state = open();
    try {
      expect(state.applyEntry(1, fills('op-a', 1)).result).toBeDefined();
      const rejected = state.applyEntry(2, { kind: 'fills', id: 'op-b', fills: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 1 }] });
      expect(rejected.error).toBeDefined();
      expect(state.ops.find('op-a')).toEqual({ seq: 1, digest: opDigest(fills('op-a', 1)) });
      expect(state.ops.find('op-b')?.problems).toEqual(rejected.error!.problems);
      const fingerprint = buildFingerprint();
      const decoded = await decodeCheckpoint(await state.checkpoint(fingerprint), fingerprint);
      expect(decoded.ops).toEqual(state.ops.list());
      const restored = PartitionState.restore(engine, decoded, { method: 'cross' });
      try {
        expect(restored.ops.list()).toEqual(state.ops.list());
        expect(restored.lastFillSeq).toBe(2);
      } finally {
        restored.release();
      }
    } finally {
      state.release();
    }
  });

  it('answers a known op id without writing it, and refuses it for another body (KeyReused)', async () => {
    const state = open();
    const appended: LogEntry[][] = [];
    const log = { appendSoon: async (part: { entries: LogEntry[] }) => void appended.push(part.entries) } as unknown as PartitionLog;
    const o = new OwnedPartition(5, 1, log, 's0', 60_000, Date.now(), () => {});
    o.ready(state);
    try {
      // the same op id twice at once: written once, the second answered once the first applied
      const [first, second] = await Promise.all([o.submit(fills('op-1', 1)), o.submit(fills('op-1', 1))]);
      expect(first).toMatchObject({ seq: 1 });
      expect(first.replayed).toBeUndefined();
      expect(second).toEqual({ seq: 1, replayed: true });
      expect(await o.submit(fills('op-1', 1))).toEqual({ seq: 1, replayed: true });
      expect(appended.flat().map((e) => e.id)).toEqual(['op-1']);
      await expect(o.submit(fills('op-1', 2))).rejects.toBeInstanceOf(KeyReused);
      await expect(o.submit(fills('op-1', 2))).rejects.toThrow(/"op-1" was used for another request \(entry 1 of partition 5\); nothing written/);
      expect(state.lastFillSeq).toBe(1);
      expect((await o.submit(fills('op-2', 2))).seq).toBe(2);
    } finally {
      state.release();
    }
  });
});
