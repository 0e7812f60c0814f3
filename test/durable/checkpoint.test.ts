/**
 * Checkpoint files: the format's fixed fields at their documented offsets (docs/live-cluster.md, "Checkpoints"), the
 * CRC-32 trailer, a round trip to the same state (coin-margined accounts and masters through the JSON part, a USD book
 * through the Arrow part alone), each refusal typed (damaged, cut short, another format version, another build, a state
 * that does not hash to its header) with recovery falling back to the previous checkpoint, and the store's retention.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { CheckpointError, CheckpointStore, decodeCheckpoint, encodeCheckpoint, readCheckpointHeader } from '../../src/durable/checkpoint.js';
import { PartitionState } from '../../src/durable/partition-state.js';
import { buildFingerprint } from '../../src/durable/state-hash.js';
import { PACKAGE_VERSION } from '../../src/version.js';
import { firstDifference } from '../support/bits.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const FINGERPRINT = buildFingerprint();
const OPTIONS = { method: 'cross' } as const;

/** A partition of a venue book (every kind of account) after a fill, at fill seq `seq`. */
function venueState(engine: Engine, seq: number): PartitionState {
  const state = PartitionState.open(engine, 5, venueBook(mulberry32(3), 6), venueMarket(), OPTIONS, { fillSeq: seq - 1, tickId: '1764000000000-2' });
  state.applyEntry(seq, { kind: 'fills', id: `op${seq}`, fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: seq, price: 101_000 }] });
  return state;
}

/** `bytes` with the u32 at `offset` set to `value` and the CRC trailer recomputed (a well-formed file that differs there). */
function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(offset, value, true);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function refusal(error: unknown): string {
  return error instanceof CheckpointError ? error.kind : `not a CheckpointError: ${String(error)}`;
}

describe('checkpoint format', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend: 'js' });
  });

  it('writes the header fields at their documented offsets and a CRC-32 trailer over every byte before it', async () => {
    // zlib's crc32 is the IEEE CRC-32: its standard check value, crc32("123456789") = CBF43926
    expect(crc32('123456789')).toBe(0xcbf43926);
    const state = venueState(engine, 9);
    try {
      const bytes = await state.checkpoint(FINGERPRINT, 1_764_000_123_456);
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x4d, 0x43, 0x4b, 0x50, 0x0d, 0x0a, 0x1a]);
      expect(view.getUint32(8, true)).toBe(1);
      expect(view.getUint32(12, true)).toBe(5);
      expect(view.getBigUint64(16, true)).toBe(9n);
      expect([view.getBigUint64(24, true), view.getBigUint64(32, true)]).toEqual([1_764_000_000_000n, 2n]);
      expect(view.getBigUint64(40, true)).toBe(1_764_000_123_456n);
      expect(Buffer.from(bytes.subarray(48, 80)).toString('hex')).toBe(state.stateHash());
      const f = view.getUint32(80, true);
      expect(new TextDecoder().decode(bytes.subarray(84, 84 + f))).toBe(FINGERPRINT);
      // the Arrow part starts with Arrow's own magic
      expect(new TextDecoder().decode(bytes.subarray(88 + f, 88 + f + 6))).toBe('ARROW1');
      expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
      expect(readCheckpointHeader(bytes)).toEqual({ version: 1, partition: 5, fillSeq: 9, tickId: '1764000000000-2', fingerprint: FINGERPRINT, stateHash: state.stateHash(), createdAtMs: 1_764_000_123_456 });
    } finally {
      state.release();
    }
  });

  /** The partition restored from `decoded`, checked to have `state`'s hash and report rows, then released. */
  const restoredLike = (state: PartitionState, decoded: Awaited<ReturnType<typeof decodeCheckpoint>>) => {
    const restored = PartitionState.restore(engine, decoded, OPTIONS);
    try {
      expect(restored.stateHash()).toBe(state.stateHash());
      expect(firstDifference(restored.live!.report(), state.live!.report())).toBeNull();
      return restored;
    } finally {
      restored.release();
    }
  };

  it('restores a partition of every kind of account to the same state and report rows', async () => {
    const state = venueState(engine, 4);
    try {
      const restored = restoredLike(state, await decodeCheckpoint(await state.checkpoint(FINGERPRINT), FINGERPRINT));
      expect([restored.lastFillSeq, restored.lastTickId]).toEqual([4, '1764000000000-2']);
    } finally {
      state.release();
    }
  });

  it('captures the state when called: a tick and a fill applied while the bytes are made are not in them', async () => {
    const state = venueState(engine, 1);
    try {
      const hash = state.stateHash();
      const pending = state.checkpoint(FINGERPRINT);
      state.applyTick('1764000000001-0', { assets: { BTC: { price: 90_000 } } });
      state.applyEntry(2, { kind: 'fills', id: 'later', fills: [{ account: 'a0', instrument: 'BTC-PERP', quantity: 1, price: 90_000 }] });
      const decoded = await decodeCheckpoint(await pending, FINGERPRINT);
      expect([decoded.header.fillSeq, decoded.header.tickId, decoded.market.assets.BTC.price]).toEqual([1, '1764000000000-2', 100_000]);
      const restored = PartitionState.restore(engine, decoded, OPTIONS);
      expect(restored.stateHash()).toBe(hash);
      restored.release();
    } finally {
      state.release();
    }
  });

  it('restores a USD book from the Arrow part alone (a columnar book)', async () => {
    const book = {
      instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
      accounts: [
        { id: 'm', method: 'cross', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 99_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
        { id: 's', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 101_000, isolatedMargin: 5_000 }], cashUsd: 1_000 },
      ],
    };
    const state = PartitionState.open(engine, 1, book, venueMarket(), OPTIONS, { fillSeq: 0, tickId: '0-0' });
    try {
      const decoded = await decodeCheckpoint(await state.checkpoint(FINGERPRINT), FINGERPRINT);
      expect(decoded.book.accounts.map((a) => [a.id, a.master, a.method])).toEqual([['m', undefined, 'cross'], ['s', 'm', undefined]]);
      restoredLike(state, decoded);
    } finally {
      state.release();
    }
  });

  it('refuses each kind of bad file with a typed error', async () => {
    const state = venueState(engine, 2);
    const bytes = await state.checkpoint(FINGERPRINT);
    state.release();
    const damaged = bytes.slice();
    damaged[Math.floor(bytes.length / 2)] ^= 0x01;
    const cases: [string, Uint8Array, string][] = [
      ['one bit flipped', damaged, 'crc'],
      ['cut short', bytes.subarray(0, bytes.length - 100), 'truncated'],
      ['cut before the CRC', bytes.subarray(0, bytes.length - 2), 'truncated'],
      ['cut inside the header', bytes.subarray(0, 40), 'truncated'],
      ['another format version', withU32(bytes, 8, 2), 'version'],
      ['not a checkpoint', new TextEncoder().encode('{"accounts":[]}'), 'magic'],
    ];
    for (const [name, file, kind] of cases) {
      expect(await decodeCheckpoint(file, FINGERPRINT).then(() => 'accepted', refusal), name).toBe(kind);
    }
    const other = 'margin-core@0.0.9 build 0123456789abcdef params 0123456789abcdef';
    const error = await decodeCheckpoint(bytes, other).catch((e: unknown) => e);
    expect(refusal(error)).toBe('fingerprint');
    expect((error as Error).message).toContain(other);
  });

  it('refuses, as content, a well-formed checkpoint whose partition does not open (a market missing an asset)', async () => {
    const state = venueState(engine, 1);
    const body = state.checkpointBody();
    const header = { partition: 5, fillSeq: 1, tickId: '0-0', fingerprint: FINGERPRINT, stateHash: state.stateHash(), createdAtMs: 1 };
    state.release();
    const { BTC: _gone, ...assets } = body.market.assets;
    const bytes = await encodeCheckpoint(header, { ...body, market: { ...body.market, assets } });
    const decoded = await decodeCheckpoint(bytes, FINGERPRINT);
    let error: unknown;
    try {
      PartitionState.restore(engine, decoded, OPTIONS).release();
    } catch (e) {
      error = e;
    }
    expect(refusal(error)).toBe('content');
    expect((error as Error).message).toMatch(/partition 5 does not open from it.*BTC/);
  });

  it('names the build: the package version and the kernels\' fingerprint', () => {
    expect(FINGERPRINT).toMatch(new RegExp(`^margin-core@${PACKAGE_VERSION.replace(/\./g, '\\.')} build [0-9a-f]{16} params [0-9a-f]{16}$`));
  });
});

describe('state hash', () => {
  it('is the same in any process holding the same state: any backend, any account order; a fill changes it', async () => {
    const js = await createEngine({ backend: 'js' }), wasm = await createEngine({ backend: 'wasm' });
    const book = venueBook(mulberry32(8), 6);
    const reversed = { ...book, accounts: [...book.accounts].reverse() };
    const states = [PartitionState.open(js, 0, book, venueMarket(), OPTIONS, { fillSeq: 0, tickId: '0-0' }), PartitionState.open(wasm, 0, reversed, venueMarket(), OPTIONS, { fillSeq: 0, tickId: '0-0' })];
    try {
      expect(states[0].stateHash()).toMatch(/^[0-9a-f]{64}$/);
      expect(states[1].stateHash()).toBe(states[0].stateHash());
      const before = states[0].stateHash();
      states[0].applyEntry(1, { kind: 'transfers', id: 't', transfers: [{ account: 'a0', cashUsd: 0.01 }] });
      expect(states[0].stateHash()).not.toBe(before);
      states[1].applyTick('1-0', { assets: { BTC: { price: 100_001 } } });
      expect(states[1].stateHash()).not.toBe(before);
    } finally {
      for (const s of states) s.release();
    }
  });
});

describe('CheckpointStore', () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = await createEngine({ backend: 'js' });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mc-ckpt-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Checkpoints of partition 5 at fill seqs 1, 2, 3 written to a store keeping 2; the newest file's name. */
  async function threeWritten(store: CheckpointStore): Promise<string> {
    let name = '';
    for (const seq of [1, 2, 3]) {
      const state = venueState(engine, seq);
      name = await store.write(5, await state.checkpoint(FINGERPRINT, 1_764_000_000_000 + seq));
      state.release();
    }
    return name;
  }

  it('keeps the newest two, leaves no temporary file, and says how far the log may be trimmed', async () => {
    const store = new CheckpointStore(dir);
    const newest = await threeWritten(store);
    const files = await store.files(5);
    expect(files).toHaveLength(2);
    expect(await readdir(dir)).toEqual(files);
    expect(files[1]).toBe(newest);
    expect((await store.oldestKept(5))?.fillSeq).toBe(2);
    expect((await store.latestValid(5, FINGERPRINT))?.header.fillSeq).toBe(3);
    expect(await store.latestValid(6, FINGERPRINT)).toBeNull();
    expect(() => new CheckpointStore(dir, 1)).toThrow(/keep must be an integer ≥ 2/);
  });

  it('removes a temporary file a killed writer left (its pid gone) at the partition\'s next write; a live writer\'s and another partition\'s stay', async () => {
    const store = new CheckpointStore(dir);
    await writeFile(join(dir, '.p05-f0000000000000001-t00000000000000000000-00000000000000000000-c0001764000000001.ckpt.2147483646.tmp'), 'cut'); // no such pid
    const live = `.p05-f0000000000000001-t00000000000000000000-00000000000000000000-c0001764000000002.ckpt.${process.pid}.tmp`;
    const other = '.p06-f0000000000000001-t00000000000000000000-00000000000000000000-c0001764000000001.ckpt.2147483646.tmp';
    await writeFile(join(dir, live), 'being written');
    await writeFile(join(dir, other), 'cut');
    await threeWritten(store);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp')).sort()).toEqual([live, other].sort());
  });

  it('says which partitions have a checkpoint file (a shard with all 64 need not read the book file)', async () => {
    const store = new CheckpointStore(dir);
    expect(await new CheckpointStore(join(dir, 'absent')).partitions()).toEqual(new Set());
    await threeWritten(store);
    await writeFile(join(dir, 'p07-notes.txt'), 'not a checkpoint');
    expect(await store.partitions()).toEqual(new Set([5]));
  });

  it('falls back to the previous checkpoint past a damaged, cut, other-version or other-build newest one, saying which it refused', async () => {
    const store = new CheckpointStore(dir);
    const newest = await threeWritten(store);
    const good = new Uint8Array(await readFile(join(dir, newest))); // a copy: a Buffer's slice() is a view
    const flipped = good.slice();
    flipped[good.length - 10] ^= 0x80;
    const otherBuild = await (async () => {
      const state = venueState(engine, 3);
      const bytes = await state.checkpoint('margin-core@0.0.9 build 0000000000000000 params 0000000000000000');
      state.release();
      return bytes;
    })();
    const cases: [Uint8Array, string][] = [[flipped, 'crc'], [good.subarray(0, good.length - 7), 'truncated'], [withU32(good, 8, 7), 'version'], [otherBuild, 'fingerprint']];
    for (const [bytes, kind] of cases) {
      await writeFile(join(dir, newest), bytes);
      const heard: string[] = [];
      const found = await store.latestValid(5, FINGERPRINT, (r) => heard.push(`${r.file} ${r.kind}`));
      expect(found?.header.fillSeq, kind).toBe(2);
      expect(found?.refused.map((r) => [r.file, r.kind]), kind).toEqual([[newest, kind]]);
      expect(heard).toEqual([`${newest} ${kind}`]);
    }
  });

  it('recovers past a checkpoint whose state does not hash to its header, and returns null when none is usable', async () => {
    const store = new CheckpointStore(dir);
    const newest = await threeWritten(store);
    const lying = new Uint8Array(await readFile(join(dir, newest)));
    lying[48] ^= 0xff; // the state hash's first byte, CRC recomputed: a well-formed file whose body is not its header's state
    const view = new DataView(lying.buffer);
    view.setUint32(lying.length - 4, crc32(lying.subarray(0, lying.length - 4)), true);
    await writeFile(join(dir, newest), lying);
    const recovered = await PartitionState.recover(engine, store, 5, FINGERPRINT, OPTIONS);
    try {
      expect(recovered?.state.lastFillSeq).toBe(2);
      expect(recovered?.found.refused.map((r) => r.kind)).toEqual(['state']);
      const reference = venueState(engine, 2);
      expect(recovered?.state.stateHash()).toBe(reference.stateHash());
      reference.release();
    } finally {
      recovered?.state.release();
    }
    // the refused one was set aside: one checkpoint of partition 5 is left
    expect(await store.files(5)).toHaveLength(1);
    for (const file of await store.files(5)) await writeFile(join(dir, file), new Uint8Array(3));
    const refused: string[] = [];
    expect(await PartitionState.recover(engine, store, 5, FINGERPRINT, OPTIONS, (r) => refused.push(r.kind))).toBeNull();
    expect(refused).toEqual(['truncated']);
  });

  it('sets a refused checkpoint aside, so the next write keeps the one recovery fell back to (and the log is trimmed no further)', async () => {
    const store = new CheckpointStore(dir);
    const newest = await threeWritten(store); // kept: seq 2 and seq 3
    const bytes = new Uint8Array(await readFile(join(dir, newest)));
    bytes[bytes.length - 10] ^= 0x80;
    await writeFile(join(dir, newest), bytes);
    expect((await store.latestValid(5, FINGERPRINT))?.header.fillSeq).toBe(2);
    expect(await readdir(dir)).toContain(`${newest}.refused`);
    // the shard serves from seq 2 and checkpoints at seq 4: the newest two are now 2 and 4, not the damaged 3 and 4
    const state = venueState(engine, 4);
    await store.write(5, await state.checkpoint(FINGERPRINT, 1_764_000_000_004));
    state.release();
    expect((await Promise.all((await store.files(5)).map(async (f) => readCheckpointHeader(await readFile(join(dir, f)))))).map((h) => h.fillSeq)).toEqual([2, 4]);
    expect((await store.oldestKept(5))?.fillSeq).toBe(2);
  });
});
