/**
 * What a checkpoint is checked against: the build that wrote it (buildFingerprint) and the state it holds (stateHash).
 *
 * The state hash is SHA-256 over a canonical encoding of a partition's holdings and live market, so two processes that
 * hold the same state agree on it whatever order their accounts were laid out in, and a partition rebuilt from a
 * checkpoint plus the log proves itself equal to the one that lived through it (exchange-core's recovery test). Numbers
 * are hashed as their IEEE-754 bits (−0 and +0 differ; an inverse contract's entry is hashed in the layout's −1/entry
 * coordinate, the value margin is computed from), strings as UTF-8 with their length.
 */
import { createHash, type Hash } from 'node:crypto';
import type { LayoutView } from '../layout/layout-view.js';
import type { LiveSession } from '../live/live-session.js';
import type { Market } from '../model/types.js';
import { buildIdentity, canonicalJson } from '../scale/identity.js';

/**
 * The build a checkpoint must come from to be trusted: the package version, the fingerprint of the WASM kernels' bytes
 * (scalar and SIMD, src/scale/identity.ts) and of the default parameters. A checkpoint of another build is refused
 * (its layout of numbers may be the same, but the figures a restored partition would report could differ).
 */
export function buildFingerprint(): string {
  const id = buildIdentity();
  return `margin-core@${id.version} build ${id.build} params ${id.params}`;
}

/** Whether this platform's typed arrays are little-endian (they are on every platform Node runs on today). */
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

/** Bytes fed to a hash a chunk at a time: numbers as f64 bits (little-endian), strings length-prefixed. */
class HashWriter {
  private readonly bytes = new Uint8Array(1 << 16);
  private readonly view = new DataView(this.bytes.buffer);
  private at = 0;
  private readonly text = new TextEncoder();

  constructor(private readonly hash: Hash) {}

  number(x: number): void {
    if (this.at + 8 > this.bytes.length) this.flush();
    this.view.setFloat64(this.at, x, true);
    this.at += 8;
  }

  /** The first `count` numbers of `xs`, as `count` calls of number() would write them (one copy when the platform is little-endian). */
  numbers(xs: Float64Array, count: number): void {
    if (!LITTLE_ENDIAN || 8 * count > this.bytes.length) {
      for (let i = 0; i < count; i++) this.number(xs[i]);
      return;
    }
    if (this.at + 8 * count > this.bytes.length) this.flush();
    this.bytes.set(new Uint8Array(xs.buffer, xs.byteOffset, 8 * count), this.at);
    this.at += 8 * count;
  }

  /** The UTF-8 byte length (as a number), then the bytes: encoded in place when they fit, no allocation. */
  string(s: string): void {
    if (s.length <= 64 && this.ascii(s)) return;
    const most = 3 * s.length; // UTF-8 bytes per UTF-16 unit, at most
    if (8 + most > this.bytes.length) {
      const encoded = this.text.encode(s);
      this.number(encoded.length);
      this.flush();
      this.hash.update(encoded);
      return;
    }
    if (this.at + 8 + most > this.bytes.length) this.flush();
    const { written } = this.text.encodeInto(s, this.bytes.subarray(this.at + 8));
    this.view.setFloat64(this.at, written, true);
    this.at += 8 + written;
  }

  /** string() of a short ASCII string without a call into the encoder (ids, masters, currencies); false: not ASCII, nothing written. */
  private ascii(s: string): boolean {
    const n = s.length;
    if (this.at + 8 + n > this.bytes.length) this.flush();
    const b = this.bytes, from = this.at + 8;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      b[from + i] = c;
    }
    this.view.setFloat64(this.at, n, true);
    this.at += 8 + n;
    return true;
  }

  flush(): void {
    if (this.at > 0) this.hash.update(this.bytes.subarray(0, this.at));
    this.at = 0;
  }
}

/** Hex SHA-256 of the live session's state: its accounts' holdings (sorted by id) and its live market. */
export function stateHash(live: LiveSession): string {
  return holdingsHash(live.layout, live.reportParts.accountMasters, live.marketJson);
}

/**
 * Hex SHA-256 of `layout`'s instruments and assets (ids in sorted order), its live accounts in id order (each: id,
 * master, margin currency, cash, positions by instrument with quantity, layout entry and isolated margin, balances by
 * asset; an instrument or asset named by its rank in sorted order) and `market` as canonical JSON.
 * `masters`: each account's master by layout index (undefined: none has one).
 */
export function holdingsHash(layout: LayoutView, masters: readonly (string | undefined)[] | undefined, market: Market | null): string {
  const hash = createHash('sha256');
  const w = new HashWriter(hash);
  w.string('margin-core partition state 1');
  // the ids sorted by the library's own comparison (UTF-16 code units, as <), no call back into JS per comparison
  const ids: string[] = [];
  for (let a = 0; a < layout.accountCount; a++) if (layout.accountIds[a] !== null) ids.push(layout.accountIds[a]!);
  ids.sort();
  const order = Int32Array.from(ids, (id) => layout.accountIndex(id));
  const positions = layout.positions, collateral = layout.collateral;
  const instrument = positions.column<'i32'>('instrument').array, quantity = positions.column<'f64'>('quantity').array;
  const entry = positions.column<'f64'>('entryPrice').array, isolated = positions.column<'f64'>('isolatedMargin').array;
  const asset = collateral.column<'i32'>('asset').array, amount = collateral.column<'f64'>('amount').array;
  // instruments and assets hashed once, in id order; a position or balance then names its rank in that order
  const instrumentRank = ranks(layout.instruments.ids, w), assetRank = ranks(layout.assets, w);
  w.number(order.length);
  // an account's positions (then balances) sorted by rank into `slots` (stable, as Array.prototype.sort: insertion sort
  // for the usual few dozen, the library sort past that), their numbers gathered into `out` and written in one copy
  let slots = new Int32Array(64), keys = new Int32Array(64), out = new Float64Array(1 + 4 * 64);
  const sorted = (from: number, to: number, rank: (s: number) => number): number => {
    const n = to - from;
    if (n > slots.length) {
      slots = new Int32Array(2 * n);
      keys = new Int32Array(2 * n);
      out = new Float64Array(1 + 4 * 2 * n);
    }
    if (n > 64) {
      const order = Array.from({ length: n }, (_, i) => from + i).sort((x, y) => rank(x) - rank(y));
      order.forEach((s, i) => ((slots[i] = s), (keys[i] = rank(s))));
      return n;
    }
    for (let i = 0; i < n; i++) {
      const s = from + i, key = rank(s);
      let j = i;
      for (; j > 0 && keys[j - 1] > key; j--) {
        keys[j] = keys[j - 1];
        slots[j] = slots[j - 1];
      }
      keys[j] = key;
      slots[j] = s;
    }
    return n;
  };
  const positionRank = (s: number) => instrumentRank[instrument[s]], balanceRank = (s: number) => assetRank[asset[s]];
  for (const a of order) {
    w.string(layout.accountIds[a]!);
    w.string(masters?.[a] ?? '');
    w.string(layout.marginCurrencyOf(a));
    w.number(layout.cashUsd.array[a]);
    let n = sorted(positions.start.array[a], positions.end.array[a], positionRank);
    out[0] = n;
    for (let i = 0, k = 1; i < n; i++, k += 4) {
      const s = slots[i];
      out[k] = keys[i];
      out[k + 1] = quantity[s];
      out[k + 2] = entry[s];
      out[k + 3] = isolated[s];
    }
    w.numbers(out, 1 + 4 * n);
    n = sorted(collateral.start.array[a], collateral.end.array[a], balanceRank);
    out[0] = n;
    for (let i = 0, k = 1; i < n; i++, k += 2) {
      out[k] = keys[i];
      out[k + 1] = amount[slots[i]];
    }
    w.numbers(out, 1 + 2 * n);
  }
  w.string(market === null ? '' : canonicalJson(market));
  w.flush();
  return hash.digest('hex');
}

/** Each name's rank in sorted order, by index; the sorted names written to `w` (count, then each). */
function ranks(names: readonly string[], w: HashWriter): Int32Array {
  // names are unique (instrument ids, asset symbols): sorted by the library's comparison, then each found by name
  const sorted = [...names].sort(), at = new Map(names.map((name, i) => [name, i]));
  const rank = new Int32Array(names.length);
  w.number(names.length);
  sorted.forEach((name, r) => {
    rank[at.get(name)!] = r;
    w.string(name);
  });
  return rank;
}

/** The hash of a partition that holds no accounts (no live session): its market alone. */
export function emptyStateHash(market: Market): string {
  const hash = createHash('sha256');
  const w = new HashWriter(hash);
  w.string('margin-core partition state 1');
  w.number(0);
  w.string(canonicalJson(market));
  w.flush();
  return hash.digest('hex');
}
