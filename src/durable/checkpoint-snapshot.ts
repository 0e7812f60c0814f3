/**
 * A checkpoint in two steps: a snapshot of the partition taken at once on the shard's event loop (its position, the
 * layout's columns copied: layout-copy.ts; the market cloned as it is posted to the worker), then the bytes made from the snapshot alone (capture
 * into an Arrow batch and JSON parts, state hash, encoding, CRC), which may run on another thread
 * (checkpoint-worker.ts) while the partition goes on taking fills and ticks. The bytes are those of the partition at
 * the snapshot's position, whichever thread made them.
 */
import type { LayoutView } from '../layout/layout-view.js';
import type { Market } from '../model/types.js';
import { type CheckpointBody, type CheckpointHeader, encodeCheckpoint, type ExactEntry } from './checkpoint-format.js';
import { captureLayout } from './layout-capture.js';
import { LayoutCopy, type LayoutCopyData } from './layout-copy.js';
import type { OpList } from './op-window.js';
import { emptyStateHash, holdingsHash } from './state-hash.js';

/** Plain data (structured-clone safe): everything a checkpoint's bytes are made from. */
export interface CheckpointSnapshot {
  header: Omit<CheckpointHeader, 'version' | 'stateHash'>;
  /**
   * The live market: the live one's own object when just taken (PartitionState.checkpointSnapshot), a structured
   * clone on the worker (−0 and NaN kept, as the state hash reads them).
   */
  market: Market;
  /** The holdings (null: the partition holds no account). */
  layout: LayoutCopyData | null;
  /** Each account's own method by id (the layout keeps none). */
  methods: [id: string, method: string][];
  /** The operations the partition remembers by op id (op-window.ts); absent: none. */
  ops?: OpList | undefined;
}

/** What a checkpoint of `snapshot` holds, and its state hash. */
export function snapshotBody(snapshot: CheckpointSnapshot): { body: CheckpointBody; stateHash: string } {
  const { market } = snapshot;
  if (snapshot.layout === null) {
    const book = { instruments: [], assets: [], usd: null, usdShape: { masters: false, methods: false, isolatedMargin: false }, coin: [] };
    return { body: { book, market, exactEntries: [], ops: snapshot.ops ?? [] }, stateHash: emptyStateHash(market) };
  }
  const layout = new LayoutCopy(snapshot.layout), masters = snapshot.layout.masters;
  const book = captureLayout(layout, masters, new Map(snapshot.methods));
  return { body: { book, market, exactEntries: inexactEntries(layout), ops: snapshot.ops ?? [] }, stateHash: holdingsHash(layout, masters, market) };
}

/** The checkpoint bytes of `snapshot` (checkpoint-format.ts); the snapshot is read before the first await. */
export function encodeSnapshot(snapshot: CheckpointSnapshot): Promise<Uint8Array> {
  const { body, stateHash } = snapshotBody(snapshot);
  return encodeCheckpoint({ ...snapshot.header, stateHash }, body);
}

/**
 * Inverse positions whose layout entry (−1/entry) does not come back from the book's entry price (layoutToBook writes
 * the shortest decimal e with −1/e nearest). Fills net in prices (src/model/netting.ts netHeldRow), so a layout of this
 * version has none; one restored from a checkpoint of an earlier version (which averaged in −1/price) may.
 */
export function inexactEntries(layout: LayoutView): ExactEntry[] {
  const out: ExactEntry[] = [];
  const positions = layout.positions;
  const instrument = positions.column<'i32'>('instrument').array, entry = positions.column<'f64'>('entryPrice').array;
  for (let a = 0; a < layout.accountCount; a++) {
    if (layout.accountIds[a] === null) continue;
    for (let s = positions.start.array[a]; s < positions.end.array[a]; s++) {
      const row = instrument[s];
      if (!layout.instruments.isInverse(row)) continue;
      const x = entry[s];
      if (!Object.is(layout.layoutEntry(row, layout.bookEntry(row, x)), x)) out.push([layout.accountIds[a]!, layout.instruments.ids[row], x]);
    }
  }
  return out;
}
