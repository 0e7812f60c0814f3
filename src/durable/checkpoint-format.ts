/**
 * A partition's checkpoint: a versioned flat binary of its state at one log position (never a dump of WASM memory,
 * whose layout changes between builds). docs/live-cluster.md ("Checkpoints") has the format table:
 *
 *   offset  size  type      field
 *   0       8     bytes     magic 89 4D 43 4B 50 0D 0A 1A ("\x89MCKP\r\n\x1a": a text-mode copy or a truncated download shows)
 *   8       4     u32 LE    format version (CHECKPOINT_VERSION)
 *   12      4     u32 LE    partition
 *   16      8     u64 LE    fillSeq: the last fills-stream entry applied
 *   24      8     u64 LE    tickId's ms part   } the last ticks-stream entry applied ("ms-seq"; 0-0 before any)
 *   32      8     u64 LE    tickId's seq part  }
 *   40      8     u64 LE    createdAtMs
 *   48      32    bytes     state hash (SHA-256 of the state, src/durable/state-hash.ts)
 *   80      4     u32 LE    F: fingerprint length, then F bytes of UTF-8 (the build that wrote it)
 *   …       4     u32 LE    B: Arrow length, then B bytes: the USD-margined accounts as an Arrow IPC book file
 *   …       4     u32 LE    S: state length, then S bytes of JSON: the live market, the layout's assets, the
 *                           coin-margined accounts (an Arrow book holds USD accounts only) with their places, the
 *                           exact layout entries of inverse positions, masters and methods when not in the Arrow part,
 *                           the operations the partition remembers by op id (op-window.ts)
 *   end−4   4     u32 LE    CRC-32 (IEEE, node:zlib) of every byte before it
 *
 * The trailer is the last four bytes in every version, and the version is read before anything after it, so a reader
 * refuses a file of another version rather than misreading it.
 */
import { crc32 } from 'node:zlib';
import type { Account, Book, Market, ValidatedBook } from '../model/types.js';
import { validateBook } from '../model/validate.js';
import { readArrowBook } from '../io/arrow/read-book.js';
import { loadArrow } from '../io/arrow/load.js';
import { ArrowBookBatches } from '../io/arrow/write-book.js';
import type { CapturedBook } from './layout-capture.js';
import { isOpList, type OpList } from './op-window.js';

export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_MAGIC = Uint8Array.of(0x89, 0x4d, 0x43, 0x4b, 0x50, 0x0d, 0x0a, 0x1a);
/** Bytes before the fingerprint: magic, version, partition, fillSeq, tickId, createdAtMs, state hash, F. */
const FIXED_BYTES = 84;
const CRC_BYTES = 4;

export interface CheckpointHeader {
  version: number;
  partition: number;
  fillSeq: number;
  /** "ms-seq" of the ticks stream ("0-0" before any tick). */
  tickId: string;
  fingerprint: string;
  /** Hex SHA-256. */
  stateHash: string;
  createdAtMs: number;
}

/** An inverse position's entry as the layout holds it (−1/entry), which a book's entry price may not give back exactly. */
export type ExactEntry = [account: string, instrument: string, layoutEntry: number];

/** What a checkpoint holds besides its header. */
export interface CheckpointBody {
  /** The partition's accounts as captured from its layout (layout-capture.ts), with the whole instruments table. */
  book: CapturedBook;
  market: Market;
  exactEntries: readonly ExactEntry[];
  /** The operations the partition remembers by op id, oldest first (absent: none). */
  ops?: OpList | undefined;
}

export interface DecodedCheckpoint {
  header: CheckpointHeader;
  /** Validated, or a book of no accounts (an empty partition) as it is. */
  book: ValidatedBook | Book;
  market: Market;
  assets: string[];
  exactEntries: ExactEntry[];
  ops: OpList;
}

/** Why a checkpoint was refused. */
export type CheckpointRefusal = 'magic' | 'version' | 'truncated' | 'crc' | 'fingerprint' | 'content' | 'state';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(readonly kind: CheckpointRefusal, message: string) {
    super(`checkpoint refused (${kind}): ${message}`);
  }
}

/** The JSON part of the body. */
interface StatePart {
  market: Market;
  assets: string[];
  exactEntries: ExactEntry[];
  /** The coin-margined accounts and their index in the book (absent: none). */
  coin?: { at: number; account: Account }[] | undefined;
  /** Masters and methods by account id, when the Arrow part does not carry them (when there are coin accounts). */
  masters?: Record<string, string> | undefined;
  methods?: Record<string, string> | undefined;
  /** The instruments, when there is no Arrow part. */
  instruments?: Book['instruments'] | undefined;
  /** The operations the partition remembers (absent: none). */
  ops?: OpList | undefined;
}

const utf8 = new TextEncoder();

/**
 * The checkpoint's bytes (see the module comment for the format). Everything is read from `body` before the first
 * await, so the caller may go on changing the state it came from (a live session's market) while the bytes are made.
 */
export async function encodeCheckpoint(header: Omit<CheckpointHeader, 'version'>, body: CheckpointBody): Promise<Uint8Array> {
  if (!/^[0-9a-f]{64}$/.test(header.stateHash)) throw new TypeError(`stateHash must be 64 hex digits, got ${JSON.stringify(header.stateHash)}`);
  const { book } = body;
  const state: StatePart = { market: body.market, assets: book.assets, exactEntries: [...body.exactEntries] };
  if (book.coin.length > 0) Object.assign(state, { coin: book.coin, masters: book.masters, methods: book.methods });
  if (book.usd === null) state.instruments = book.instruments;
  if (body.ops && body.ops.length > 0) state.ops = body.ops;
  // the JSON part before the first await: a tick applied meanwhile must not reach this checkpoint's market
  const json = utf8.encode(JSON.stringify(state));
  const fingerprint = utf8.encode(header.fingerprint);
  const arrow = book.usd === null ? new Uint8Array(0) : await arrowOf(book);
  const total = FIXED_BYTES + fingerprint.length + 4 + arrow.length + 4 + json.length + CRC_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(CHECKPOINT_MAGIC, 0);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, header.partition, true);
  view.setBigUint64(16, BigInt(header.fillSeq), true);
  const [ms, seq] = tickParts(header.tickId);
  view.setBigUint64(24, ms, true);
  view.setBigUint64(32, seq, true);
  view.setBigUint64(40, BigInt(header.createdAtMs), true);
  out.set(Buffer.from(header.stateHash, 'hex'), 48);
  let at = 80;
  for (const part of [fingerprint, arrow, json]) {
    view.setUint32(at, part.length, true);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/** The header of checkpoint bytes after the magic, version, length and CRC checks (not the fingerprint): CheckpointError. */
export function readCheckpointHeader(bytes: Uint8Array): CheckpointHeader {
  return parse(bytes).header;
}

/**
 * The header, book and market of checkpoint bytes, refused with a CheckpointError naming why: not a checkpoint
 * (magic), another format version, cut short (truncated), damaged (crc), written by another build (fingerprint,
 * `expectFingerprint` from buildFingerprint()), or a body that does not read back (content).
 */
export async function decodeCheckpoint(bytes: Uint8Array, expectFingerprint: string): Promise<DecodedCheckpoint> {
  const { header, arrow, json } = parse(bytes);
  if (header.fingerprint !== expectFingerprint) {
    throw new CheckpointError('fingerprint', `written by ${header.fingerprint}, this is ${expectFingerprint}: a checkpoint is trusted only by the build that wrote it (recover from an older one or from the log)`);
  }
  try {
    const state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json)) as StatePart;
    const book = await bookOf(arrow, state);
    if (state.ops !== undefined && !isOpList(state.ops)) throw new TypeError('ops is not a list of [op id, seq, digest, problems?]');
    return { header, book, market: state.market, assets: state.assets, exactEntries: state.exactEntries, ops: state.ops ?? [] };
  } catch (error) {
    throw new CheckpointError('content', `the body does not read back (${(error as Error).message})`);
  }
}

/** The USD accounts as an Arrow IPC book file (one record batch). */
async function arrowOf(book: CapturedBook): Promise<Uint8Array> {
  const A = await loadArrow();
  const batches = new ArrowBookBatches(A, book.instruments, { assets: book.assets, ...book.usdShape, locations: false });
  return A.tableToIPC(new A.Table(batches.schema, [batches.fromArrays(book.usd!)]), 'file');
}

async function bookOf(arrow: Uint8Array, state: StatePart): Promise<ValidatedBook | Book> {
  if (arrow.length === 0 && (state.coin === undefined || state.coin.length === 0)) return { instruments: state.instruments ?? [], accounts: [] };
  const usd = arrow.length > 0 ? await readArrowBook(arrow) : undefined;
  const instruments = usd?.instruments ?? state.instruments!;
  // USD accounts and instruments only: the columnar book as read, no object per position (a columnar layout takes no
  // coin-settled instrument, so a book with any goes through its object view)
  if (state.coin === undefined && instruments.every((i) => i.settlement === undefined)) return usd!;
  const accounts: Account[] = [];
  const usdAccounts = (usd?.accounts ?? []) as readonly Account[];
  let next = 0;
  for (const { at, account } of state.coin ?? []) {
    while (accounts.length < at) accounts.push({ ...usdAccounts[next++] });
    accounts.push(account);
  }
  while (next < usdAccounts.length) accounts.push({ ...usdAccounts[next++] });
  for (const account of accounts) {
    const master = state.masters?.[account.id], method = state.methods?.[account.id];
    if (master !== undefined) account.master = master;
    if (method !== undefined) account.method = method;
  }
  return validateBook({ instruments, accounts });
}

function parse(bytes: Uint8Array): { header: CheckpointHeader; arrow: Uint8Array; json: Uint8Array } {
  if (bytes.length < CHECKPOINT_MAGIC.length || CHECKPOINT_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new CheckpointError(bytes.length < CHECKPOINT_MAGIC.length ? 'truncated' : 'magic', bytes.length < CHECKPOINT_MAGIC.length ? `${bytes.length} bytes, shorter than the magic` : 'not a margin-core checkpoint (no magic)');
  }
  if (bytes.length < 12) throw new CheckpointError('truncated', `${bytes.length} bytes, cut before the version`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) throw new CheckpointError('version', `format version ${version}, this build reads version ${CHECKPOINT_VERSION}`);
  const sections: Uint8Array[] = [];
  let at = 80;
  for (let k = 0; k < 3; k++) {
    if (at + 4 > bytes.length) throw new CheckpointError('truncated', `${bytes.length} bytes, cut inside section ${k + 1} of 3`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.length) throw new CheckpointError('truncated', `${bytes.length} bytes, cut inside section ${k + 1} of 3 (${length} bytes declared)`);
    sections.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at + CRC_BYTES > bytes.length) throw new CheckpointError('truncated', `${bytes.length} bytes, cut before the CRC trailer`);
  if (at + CRC_BYTES < bytes.length) throw new CheckpointError('crc', `${bytes.length - at - CRC_BYTES} bytes after the CRC trailer`);
  const stored = view.getUint32(at, true), computed = crc32(bytes.subarray(0, at));
  if (stored !== computed) throw new CheckpointError('crc', `CRC-32 ${hex8(computed)} of the content, ${hex8(stored)} stored: the file is damaged`);
  const header: CheckpointHeader = {
    version,
    partition: view.getUint32(12, true),
    fillSeq: Number(view.getBigUint64(16, true)),
    tickId: `${view.getBigUint64(24, true)}-${view.getBigUint64(32, true)}`,
    createdAtMs: Number(view.getBigUint64(40, true)),
    stateHash: Buffer.from(bytes.subarray(48, 80)).toString('hex'),
    fingerprint: new TextDecoder().decode(sections[0]),
  };
  return { header, arrow: sections[1], json: sections[2] };
}

function tickParts(id: string): [bigint, bigint] {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(id);
  if (!match) throw new TypeError(`tickId must be a stream id "ms-seq", got ${JSON.stringify(id)}`);
  return [BigInt(match[1]), BigInt(match[2])];
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}
