/**
 * The operations a partition remembers by op id (src/durable/op-window.ts), without Redis: the window keeps the first
 * entry of an op id and drops the oldest past its capacity; a digest tells the same request (after the log's JSON round
 * trip) from another under the same key; the partition records every entry it applies (a rejected one with its
 * problems), and a checkpoint carries the window to the partition restored from it. The owner answers a known op id
 * without writing (the route tests with Redis: idempotency.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/durable/checkpoint.js';
import { isOpList, OP_WINDOW, opDigest, type OpList, OpWindow } from '../../src/durable/op-window.js';
import { KeyReused, NotApplied, OwnedPartition } from '../../src/durable/owned-partition.js';
import { PartitionState } from '../../src/durable/partition-state.js';
import type { LogEntry } from '../../src/durable/partitions.js';
import type { PartitionLog } from '../../src/durable/log.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

/** A fills entry under a client's key: it carries its digest, as a shard writes it (shard-served.ts entryOf). */
const fills = (id: string, quantity: number): LogEntry => {
  const entry: LogEntry = { kind: 'fills', id, fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity, price: 101_000 }] };
  entry.digest = opDigest(entry);
  return entry;
};

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
    // a window put back from that list evicts in the same order
    const back = new OpWindow(3);
    back.restore(w.list());
    back.record(fills('k5', 1), 6);
    expect(back.list().map(([id]) => id)).toEqual(['k3', 'k4', 'k5']);
    // an entry under an id the gateway made (no digest: no client can send it again) is not remembered
    w.record({ kind: 'fills', id: 'generated', fills: [] }, 7);
    expect(w.find('generated')).toBeUndefined();
    expect(OP_WINDOW).toBe(10_000);
    expect(isOpList(w.list())).toBe(true);
    expect(isOpList([['k', 1, 'not a digest']])).toBe(false);
    expect(isOpList([['k', 1.5, '0123456789abcdef']])).toBe(false);
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
      const refusedEntry: LogEntry = { kind: 'fills', id: 'op-b', fills: [{ account: 'nobody', instrument: 'BTC-PERP', quantity: 1, price: 1 }] };
      refusedEntry.digest = opDigest(refusedEntry);
      const rejected = state.applyEntry(2, refusedEntry);
      expect(rejected.error).toBeDefined();
      expect(state.ops.find('op-a')).toEqual({ seq: 1, digest: opDigest(fills('op-a', 1)) });
      expect(state.ops.find('op-b')?.problems).toEqual(rejected.error!.problems);
      const fingerprint = buildFingerprint();
      const decoded = await decodeCheckpoint(await state.checkpoint(fingerprint), fingerprint);
      expect(decoded.ops).toEqual(state.ops.list());
      // a checkpoint whose window does not read back is refused (recovery falls back past it), not trusted
      const header = { partition: 5, fillSeq: 2, tickId: '0-0', fingerprint, createdAtMs: 0, stateHash: state.stateHash() };
      const damaged = await encodeCheckpoint(header, { ...state.checkpointBody(), ops: [['op-a', 'one', 'not a digest']] as unknown as OpList });
      await expect(decodeCheckpoint(damaged, fingerprint)).rejects.toMatchObject({ kind: 'content', message: expect.stringMatching(/ops is not a list/) });
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
      // without a client key (the gateway's random id, no digest), each is written
      const keyless: LogEntry = { kind: 'fills', id: 'random-id', fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: 1, price: 101_000 }] };
      expect([(await o.submit(keyless)).seq, (await o.submit({ ...keyless })).seq]).toEqual([3, 4]);
    } finally {
      state.release();
    }
  });

  it('stops serving when applying an entry fails for another reason than its input, the entry in the log', async () => {
    const state = open();
    const log = { appendSoon: async () => {} } as unknown as PartitionLog;
    const troubles: unknown[] = [];
    const o = new OwnedPartition(5, 1, log, 's0', 60_000, Date.now(), (_o, error) => troubles.push(error));
    o.ready(state);
    const apply = state.applyEntry.bind(state);
    state.applyEntry = () => {
      throw new RangeError('the engine failed');
    };
    try {
      const failed = o.submit(fills('op-x', 1));
      await expect(failed).rejects.toBeInstanceOf(NotApplied);
      await expect(failed).rejects.toMatchObject({ inLog: true, message: expect.stringMatching(/written to the log but not applied here \(the engine failed\)/) });
      expect(troubles).toHaveLength(1); // the shard resyncs the partition from its log (or drops it)
    } finally {
      state.applyEntry = apply;
      state.release();
    }
  });
});
