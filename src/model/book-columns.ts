/**
 * A validated book held in columns: what an Arrow book (src/io/arrow/) or a streamed JSON book (src/io/book-stream.ts)
 * is read into, without an object per position. It is a {@link ValidatedBook} like any other (the same brand, the
 * same checks passed), so every call takes it; the layout (src/layout/columns-layout.ts) copies its columns
 * straight in. `book.accounts`, the object view, is built from the columns the first time something reads it (the
 * liquidation, stress, sharding and live paths do; margin does not), then kept.
 */
import { checkColumnShape } from './book-columns-check.js';
import type { InputProblem } from '../errors.js';
import { certifyBook, releaseInstrumentRows } from './brand.js';
import type { ValidatedAccount, ValidatedBook, ValidatedCollateral, ValidatedInstrument, ValidatedPosition } from './types.js';

/**
 * The columns. Positions and balances are lists by account in CSR form: account a's positions are rows
 * [positionStart[a], positionStart[a + 1]) of the position columns. Rows are netted (one per instrument per
 * account, in order of first appearance) and checked: a book's columns obey every rule of docs/book-format.md.
 */
export interface BookColumns {
  readonly instruments: readonly ValidatedInstrument[];
  readonly accountIds: readonly string[];
  /** The ids' bytes when the reader had them and they are ASCII (absent otherwise): see {@link IdText}. */
  readonly idText?: IdText | undefined;
  /** USD per account: the book's cashUsd plus P&L realized by netting (0 when none). */
  readonly cashUsd: Float64Array;
  /** Per account (absent: no account has one). */
  readonly masters?: readonly (string | undefined)[] | undefined;
  readonly methods?: readonly (string | undefined)[] | undefined;
  /** Per account, the asset a coin-margined account is margined in; undefined: USD (absent: every account is in USD). */
  readonly marginCurrencies?: readonly (string | undefined)[] | undefined;
  /** accounts + 1 offsets. */
  readonly positionStart: Int32Array;
  /** Row in `instruments` of each position. */
  readonly positionInstrument: Int32Array;
  readonly quantity: Float64Array;
  readonly entryPrice: Float64Array;
  /** USD allocated in isolated mode, NaN where a position has none (absent: no position has one). */
  readonly isolatedMargin?: Float64Array | undefined;
  /** accounts + 1 offsets. */
  readonly balanceStart: Int32Array;
  /** Index in `balanceAssets` of each balance. */
  readonly balanceAsset: Int32Array;
  readonly balanceAssets: readonly string[];
  readonly amount: Float64Array;
  /** Per balance (absent: no balance has a location). */
  readonly locations?: readonly (string | undefined)[] | undefined;
}

/**
 * Account ids as the bytes they were read from: id a is the ASCII text bytes[offsets[a], offsets[a + 1]) (offsets:
 * accounts + 1 of them). An Arrow book's reader hands them on with its columns, so that the report's id column is
 * written from them instead of from a million strings (src/io/arrow/write-report.ts); only ASCII ids, whose bytes are
 * their strings' exactly, are handed on.
 */
export interface IdText {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

/** The ids' bytes of `bytes` at `offsets` (accounts + 1, absolute) when every byte is ASCII, else undefined. */
export function asciiIdText(bytes: Uint8Array, offsets: Int32Array): IdText | undefined {
  const n = offsets.length - 1;
  for (let k = offsets[0]; k < offsets[n]; k++) if (bytes[k] >= 0x80) return undefined;
  return { bytes, offsets };
}

/** A copy of `text` of its own (offsets from 0): a layout keeps it past the buffers it was read into. */
export function ownIdText({ bytes, offsets }: IdText, buffer: (bytes: number) => ArrayBufferLike = (n) => new ArrayBuffer(n)): IdText {
  const n = offsets.length - 1, from = offsets[0];
  const own = new Int32Array(buffer(4 * (n + 1)));
  for (let a = 0; a <= n; a++) own[a] = offsets[a] - from;
  const copy = new Uint8Array(buffer(offsets[n] - from));
  copy.set(bytes.subarray(from, offsets[n]));
  return { bytes: copy, offsets: own };
}

/** A chunk of a book read a part at a time: its accounts as a book of their own, the first being account `first` of the book. */
export interface BookChunk {
  readonly book: ValidatedBook;
  readonly first: number;
}

const COLUMNS = new WeakMap<object, BookColumns>();
/** Columnar books whose object view has been built (what a 1M × 20 book must not pay for on the columnar paths). */
const VIEWED = new WeakSet<object>();

/**
 * A validated book over `columns` (the caller checked their values: see {@link BookColumns}; their shape is checked
 * here, an InputError at `columns.<field>`); `warnings` as validation gives them.
 */
export function columnarBook(columns: BookColumns, warnings: readonly InputProblem[] = []): ValidatedBook {
  checkColumnShape(columns);
  let accounts: ValidatedAccount[] | undefined;
  const book = { instruments: columns.instruments } as { instruments: readonly ValidatedInstrument[]; accounts: readonly ValidatedAccount[] };
  Object.defineProperty(book, 'accounts', {
    get: () => {
      if (accounts === undefined) {
        // read through the map, not the argument: a getter holding the columns would keep them after releasePositions
        accounts = accountObjects(COLUMNS.get(book)!);
        VIEWED.add(book);
      }
      return accounts;
    },
    enumerable: true,
  });
  Object.defineProperty(book, 'warnings', { value: warnings, enumerable: false });
  COLUMNS.set(book, columns);
  return certifyBook(book, columns.positionInstrument);
}

/** The columns of a book made by {@link columnarBook}; undefined for a book of objects. */
export function bookColumnsOf(book: ValidatedBook): BookColumns | undefined {
  return COLUMNS.get(book);
}

/**
 * Whether the object view of a columnar book has been built (an object per account, position and balance: about
 * 2.2 GB for 1M accounts of 20 positions). The paths that read a book by its columns (margin, live, serve) never build
 * it; tests hold them to that.
 */
export function objectViewBuilt(book: ValidatedBook): boolean {
  return VIEWED.has(book);
}

/** The position columns {@link releasePositions} lets go (20 bytes a position, 28 with isolated margins). */
const POSITION_COLUMNS = ['positionInstrument', 'quantity', 'entryPrice', 'isolatedMargin'] as const;

/**
 * Lets go of a columnar book's positions once a layout holds a copy of them: a caller that owns the book it read and
 * reads only its layout afterwards (`margin-core liquidate`) does not keep 400 MB of a 1M × 20 book twice. What a
 * session still reads of its book stays (ids, cash, balances, warnings); reading a position afterwards (the object
 * view, laying the book out again) is an internal error, never a book without positions. Nothing is let go (false)
 * for a book of objects, one whose object view was built, or one with masters, methods or located balances (their
 * paths read the object view).
 */
export function releasePositions(book: ValidatedBook): boolean {
  const columns = COLUMNS.get(book);
  if (!columns || VIEWED.has(book) || columns.masters !== undefined || columns.methods !== undefined || columns.locations !== undefined) return false;
  const kept = { ...columns };
  for (const key of POSITION_COLUMNS) {
    Object.defineProperty(kept, key, {
      get: () => {
        throw new Error(`internal: the book's positions were let go once it was laid out (releasePositions), yet its ${key} was read`);
      },
      enumerable: true,
    });
  }
  COLUMNS.set(book, kept);
  releaseInstrumentRows(book);
  return true;
}

/** Accounts in the book (without building the object view). */
export function accountCountOf(book: ValidatedBook): number {
  return COLUMNS.get(book)?.accountIds.length ?? book.accounts.length;
}

/** The accounts' ids in book order (without building the object view). */
export function accountIdsOf(book: ValidatedBook): readonly string[] {
  return COLUMNS.get(book)?.accountIds ?? book.accounts.map((a) => a.id);
}

/** Each account's master (layout index = book index), or undefined when no account has one. */
export function accountMastersOf(book: ValidatedBook): readonly (string | undefined)[] | undefined {
  const columns = COLUMNS.get(book);
  if (columns) return columns.masters;
  return book.accounts.some((a) => a.master !== undefined) ? book.accounts.map((a) => a.master) : undefined;
}

/** Each account's own method (book index), or undefined when no account names one; without building the object view. */
export function accountMethodsOf(book: ValidatedBook): readonly (string | undefined)[] | undefined {
  const columns = COLUMNS.get(book);
  if (columns) return columns.methods;
  return book.accounts.some((a) => a.method !== undefined) ? book.accounts.map((a) => a.method) : undefined;
}

/** Whether any account names a master or a method of its own. */
export function hasMastersOrMethods(book: ValidatedBook): boolean {
  const columns = COLUMNS.get(book);
  if (columns) return columns.masters !== undefined || columns.methods !== undefined;
  return book.accounts.some((a) => a.master !== undefined || a.method !== undefined);
}

/** Calls `visit` for every balance, in book order: its asset, account index and index in the account. */
export function forEachBalance(book: ValidatedBook, visit: (asset: string, account: number, index: number) => void): void {
  const columns = COLUMNS.get(book);
  if (!columns) {
    book.accounts.forEach((account, a) => account.collateral.forEach((balance, j) => visit(balance.asset, a, j)));
    return;
  }
  const { balanceStart, balanceAsset, balanceAssets } = columns;
  for (let a = 0; a + 1 < balanceStart.length; a++) {
    for (let k = balanceStart[a]; k < balanceStart[a + 1]; k++) visit(balanceAssets[balanceAsset[k]], a, k - balanceStart[a]);
  }
}

/** Calls `visit` for every balance with a location, in book order: its account's id, its asset and its location (no object view built). */
export function forEachLocatedBalance(book: ValidatedBook, visit: (accountId: string, asset: string, location: string) => void): void {
  const columns = COLUMNS.get(book);
  if (!columns) {
    for (const a of book.accounts) for (const b of a.collateral) if (b.location !== undefined) visit(a.id, b.asset, b.location);
    return;
  }
  const { locations, balanceStart, balanceAsset, balanceAssets, accountIds } = columns;
  if (locations === undefined) return;
  for (let a = 0; a + 1 < balanceStart.length; a++) {
    for (let k = balanceStart[a]; k < balanceStart[a + 1]; k++) if (locations[k] !== undefined) visit(accountIds[a], balanceAssets[balanceAsset[k]], locations[k] as string);
  }
}

/** [account, balance] of every balance with a location, in book order. */
export function locatedBalancesOf(book: ValidatedBook): [number, number][] | undefined {
  const columns = COLUMNS.get(book);
  if (!columns) return undefined;
  const out: [number, number][] = [];
  const { locations, balanceStart } = columns;
  if (locations === undefined) return out;
  for (let a = 0; a + 1 < balanceStart.length; a++) {
    for (let k = balanceStart[a]; k < balanceStart[a + 1]; k++) if (locations[k] !== undefined) out.push([a, k - balanceStart[a]]);
  }
  return out;
}

/** The object view of the accounts (what a book of objects holds). */
function accountObjects(c: BookColumns): ValidatedAccount[] {
  const out: ValidatedAccount[] = new Array(c.accountIds.length);
  for (let a = 0; a < c.accountIds.length; a++) {
    const positions: ValidatedPosition[] = [];
    for (let p = c.positionStart[a]; p < c.positionStart[a + 1]; p++) {
      const position = { instrument: c.instruments[c.positionInstrument[p]].id, quantity: c.quantity[p], entryPrice: c.entryPrice[p] };
      const isolated = c.isolatedMargin?.[p];
      positions.push(isolated === undefined || Number.isNaN(isolated) ? position : { ...position, isolatedMargin: isolated });
    }
    const collateral: ValidatedCollateral[] = [];
    for (let k = c.balanceStart[a]; k < c.balanceStart[a + 1]; k++) {
      const location = c.locations?.[k];
      const balance = { asset: c.balanceAssets[c.balanceAsset[k]], amount: c.amount[k] };
      collateral.push(location === undefined ? balance : { ...balance, location });
    }
    const account: { -readonly [K in keyof ValidatedAccount]: ValidatedAccount[K] } = { id: c.accountIds[a], positions, collateral };
    if (c.cashUsd[a] !== 0) account.cashUsd = c.cashUsd[a];
    const master = c.masters?.[a], method = c.methods?.[a], currency = c.marginCurrencies?.[a];
    if (master !== undefined) account.master = master;
    if (method !== undefined) account.method = method;
    if (currency !== undefined) account.marginCurrency = currency;
    out[a] = account;
  }
  return out;
}
