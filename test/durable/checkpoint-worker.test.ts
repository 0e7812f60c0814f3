/**
 * Checkpoint bytes made on the shard's worker thread (the CLI bundle, dist/cli.js, started as a checkpoint encoder)
 * are the bytes made in this thread from the same snapshot: every kind of account (coin-margined ones through the
 * JSON part, inverse positions, masters), a USD-only partition (Arrow part alone, methods), an empty partition. And the
 * snapshot is the state at the moment it was taken: a fill or tick applied right after is in neither the bytes nor the
 * hash. A worker that stops fails the checkpoints it held, and the next checkpoint starts a new one; a worker thread
 * that keeps failing (here: one that cannot start) leaves the checkpoints to this thread, the same bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { decodeCheckpoint, readCheckpointHeader } from '../../src/durable/checkpoint.js';
import { encodeSnapshot } from '../../src/durable/checkpoint-snapshot.js';
import { CheckpointEncoder, THREAD_FAILURES_TO_FALL_BACK } from '../../src/durable/checkpoint-worker.js';
import { PartitionState } from '../../src/durable/partition-state.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { CLI } from '../support/cli.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const FINGERPRINT = buildFingerprint();
const AT_MS = 1_764_000_123_456;

/** A partition of every kind of account, after a fill at seq 9. */
function venueState(engine: Engine, seed: number, size: number): PartitionState {
  const state = PartitionState.open(engine, 5, venueBook(mulberry32(seed), size), venueMarket(), { method: 'cross' }, { fillSeq: 8, tickId: '1764000000000-2' });
  state.applyEntry(9, { kind: 'fills', id: 'op9', fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: 9, price: 101_000 }] });
  return state;
}

/** USD-margined accounts only (the Arrow part carries masters and methods). */
function usdState(engine: Engine): PartitionState {
  const book = venueBook(mulberry32(5), 30);
  const accounts = book.accounts.filter((a) => a.marginCurrency === undefined).map((a, i) => (i % 3 === 0 ? { ...a, method: 'cross' } : a));
  return PartitionState.open(engine, 7, { instruments: book.instruments, accounts }, venueMarket(), { method: 'cross' }, { fillSeq: 0, tickId: '0-0' });
}

describe.each(['js', 'wasm'] as const)('checkpoint worker (%s)', (backend) => {
  let engine: Engine;
  const encoder = new CheckpointEncoder(CLI);
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });
  afterAll(() => encoder.close());

  it('makes the same bytes on the worker as in this thread, for every kind of partition', async () => {
    const states = [venueState(engine, 3, 6), venueState(engine, 7, 40), usdState(engine), PartitionState.open(engine, 6, { instruments: [], accounts: [] }, venueMarket(), { method: 'cross' }, { fillSeq: 0, tickId: '0-0' })];
    try {
      for (const state of states) {
        const here = await encodeSnapshot(state.checkpointSnapshot(FINGERPRINT, AT_MS));
        const there = await encoder.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS));
        expect(there.length).toBe(here.length);
        expect(Buffer.from(there).equals(Buffer.from(here)), `partition ${state.partition}: worker bytes differ`).toBe(true);
        expect(readCheckpointHeader(there).stateHash).toBe(state.stateHash());
      }
    } finally {
      for (const state of states) state.release();
    }
  });

  it.each(['worker', 'this thread'] as const)('holds the state at the snapshot, not a fill or tick applied while %s encodes it', async (where) => {
    const state = venueState(engine, 3, 6);
    try {
      const before = state.stateHash(), market = structuredClone(state.live!.marketJson);
      const snapshot = state.checkpointSnapshot(FINGERPRINT, AT_MS);
      const pending = where === 'worker' ? encoder.encode(snapshot) : encodeSnapshot(snapshot);
      state.applyEntry(10, { kind: 'fills', id: 'op10', fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: 2, price: 99_000 }] });
      expect(state.applyTick('1764000000001-0', { assets: { BTC: { price: 93_000 } } })).toBe(true);
      expect(state.lastTickError).toBeUndefined();
      expect(state.live!.marketJson).not.toEqual(market);
      const decoded = await decodeCheckpoint(await pending, FINGERPRINT);
      expect(decoded.header.fillSeq).toBe(9);
      expect(decoded.header.tickId).toBe('1764000000000-2');
      expect(decoded.header.stateHash).toBe(before);
      expect(decoded.market).toEqual(JSON.parse(JSON.stringify(market)));
      const restored = PartitionState.restore(engine, decoded, { method: 'cross' });
      expect(restored.stateHash()).toBe(before);
      restored.release();
    } finally {
      state.release();
    }
  });

  it('fails a checkpoint whose worker stopped, and starts a new worker for the next', async () => {
    const state = venueState(engine, 3, 6);
    try {
      const lost = expect(encoder.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS))).rejects.toThrow(/checkpoint worker stopped/);
      await encoder.close();
      await lost;
      const bytes = await encoder.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS));
      expect(readCheckpointHeader(bytes).stateHash).toBe(state.stateHash());
    } finally {
      state.release();
    }
  });

  it('makes the bytes in this thread once the worker thread has failed twice in a row (it cannot start)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'margin-core-ckpt-worker-'));
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('this worker cannot start');\n");
    const fellBack: string[] = [];
    const failing = new CheckpointEncoder(broken, (error) => fellBack.push(error.message));
    const state = venueState(engine, 7, 12);
    try {
      expect(THREAD_FAILURES_TO_FALL_BACK).toBe(2);
      await expect(failing.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS))).rejects.toThrow(/cannot start/);
      expect(failing.inThread).toBe(false);
      expect(fellBack).toEqual([]);
      await expect(failing.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS))).rejects.toThrow(/cannot start/);
      expect(failing.inThread).toBe(true);
      expect(fellBack).toEqual(['this worker cannot start']);
      const here = await encodeSnapshot(state.checkpointSnapshot(FINGERPRINT, AT_MS));
      const fallen = await failing.encode(state.checkpointSnapshot(FINGERPRINT, AT_MS));
      expect(Buffer.from(fallen).equals(Buffer.from(here))).toBe(true);
      expect(fellBack).toHaveLength(1);
    } finally {
      state.release();
      await failing.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
