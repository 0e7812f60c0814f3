/**
 * A scan's records (scan.ts) into the book being read (src/io/book-stream.ts `StreamedBook`). An account the scan read
 * is appended as it is when it is what the book validator accepts unchanged: an id, at least one position or balance,
 * positions on known instruments of the book's USD terms (no settlement currency), each instrument once (nothing to
 * net), balances of distinct assets, every number inside its bound (src/model/domain.ts). Any other account, and every
 * element the scan only delimited, is parsed by JSON.parse and read by the validator itself (`readAccount`): the same
 * problems at the same paths, the same netting, as the JSON path gives. An element JSON.parse would read wrong (a
 * member name given twice, a number that underflows) sends the file to the general reader, which names the problem.
 */
import { Buffer } from 'node:buffer';
import type { BookChunk } from '../../model/book-columns.js';
import { DOMAIN } from '../../model/domain.js';
import type { InstrumentTerms } from '../../model/netting.js';
import type { StreamedBook } from '../book-stream.js';
import { hashOf } from '../arrow/id-index.js';
import {
  A_BALANCES, A_END, A_ID_END, A_ID_START, A_KIND, A_POSITIONS, A_START, ACCOUNT_INTS, ARG, BALANCE_INTS, KIND_CLEAN, SLOW_AMOUNT, SLOW_CASH,
  SLOW_ENTRY, SLOW_INTS, SLOW_QUANTITY,
} from './scan-abi.js';
import type { ScanRecords } from './scan.js';
import { strictJsonProblems, underflows } from '../../model/json-strict.js';

/** An element the scan delimited is not JSON: the whole file is read again by the general reader, which says why. */
export class NotScannable extends Error {
  override readonly name = 'NotScannable';
}

const utf8 = new TextDecoder();

export class ScannedAccounts {
  /** Asset symbols by the hash of their bytes (a book's balances name a few assets: one string each). */
  private readonly assetNames = new Map<number, string[]>();
  /** The first FIRST_ASSETS symbols met, tried before any hash. */
  private readonly firstAssets: string[] = [];
  /** 1 for an instrument row a USD account may hold as it is (no settlement currency, not inverse). */
  private readonly plain: Uint8Array;
  /** Per instrument row: the last account (+1) that held it (a second position on it needs netting). */
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(private readonly book: StreamedBook, instruments: { indexById: ReadonlyMap<string, number>; terms: InstrumentTerms | null }) {
    const count = Math.max(0, ...instruments.indexById.values()) + 1;
    this.plain = new Uint8Array(count);
    const settled = instruments.terms?.currency;
    for (const row of instruments.indexById.values()) {
      const inverse = instruments.terms?.isInverse?.(row) === true;
      this.plain[row] = instruments.terms === null || (settled?.anySettled === true && (settled.settlement(row) !== undefined || inverse)) ? 0 : 1;
    }
    this.seen = new Int32Array(count);
  }

  /**
   * The scan's accounts (the book's from `first` on), read into the book in order; each chunk handed out as soon as it
   * is cut (so a caller writes its rows before a problem further on is found). Throws NotScannable when an element the
   * scan delimited is not JSON.
   */
  *take(text: Uint8Array, args: Int32Array, records: ScanRecords, first: number): Generator<BookChunk> {
    const bytes = Buffer.from(text.buffer, text.byteOffset, text.length);
    resolveSlowNumbers(bytes, args[ARG.slow], records, NaN); // an account with a number that underflows is not clean
    const { accountInts: ints, accountCash: cash, positionInts, positionValues, balanceInts, balanceValues } = records;
    const book = this.book;
    let p = 0, b = 0;
    const assets: string[] = [];
    for (let k = 0; k < args[ARG.accounts]; k++) {
      const a = k * ACCOUNT_INTS, i = first + k;
      const np = ints[a + A_POSITIONS], nb = ints[a + A_BALANCES];
      if (ints[a + A_KIND] === KIND_CLEAN && !book.full && this.clean(cash[k], p, np, positionInts, positionValues, b, nb, balanceInts, balanceValues, bytes)) {
        assets.length = 0;
        for (let j = b; j < b + nb; j++) assets.push(this.assetName(bytes, balanceInts[j * BALANCE_INTS], balanceInts[j * BALANCE_INTS + 1]));
        const amount = cash[k] === 0 ? 0 : cash[k]; // −0 cash is 0, as the validator's sum makes it
        const id = bytes.toString('latin1', ints[a + A_ID_START], ints[a + A_ID_END]);
        book.readClean(i, id)?.addClean(id, amount, positionInts, positionValues, p, np, assets, balanceValues, b);
      } else {
        const source = utf8.decode(text.subarray(ints[a + A_START], ints[a + A_END]));
        let raw: unknown;
        try {
          raw = JSON.parse(source);
        } catch {
          throw new NotScannable(`accounts[${i}] is not JSON`);
        }
        // a name given twice, a number that underflows: the general reader names them, where it stops
        if (strictJsonProblems(source, raw, { max: 1 }).length > 0) throw new NotScannable(`accounts[${i}] is JSON that JSON.parse reads wrong`);
        if (!book.full) book.read(raw, i);
      }
      p += np;
      b += nb;
      if (!book.full && book.cutIfDue(i + 1)) yield* book.takeChunks();
    }
  }

  /**
   * The asset symbol of bytes [start, end) (printable ASCII: the scan read them), one string per symbol: one of the
   * first few symbols met, compared as they are (a book's balances name a handful of assets), else by its hash.
   */
  private assetName(bytes: Buffer, start: number, end: number): string {
    const first = this.firstAssets;
    for (let k = 0; k < first.length; k++) if (sameText(first[k], bytes, start, end)) return first[k];
    const name = this.hashedAssetName(bytes, start, end);
    if (first.length < FIRST_ASSETS) first.push(name);
    return name;
  }

  private hashedAssetName(bytes: Buffer, start: number, end: number): string {
    const hash = hashOf(bytes, start, end);
    const names = this.assetNames.get(hash);
    if (names) {
      for (const name of names) if (sameText(name, bytes, start, end)) return name;
    }
    const name = bytes.toString('latin1', start, end);
    if (names) names.push(name);
    else this.assetNames.set(hash, [name]);
    return name;
  }

  /**
   * Whether the scanned account is read as it is (see the module comment): the bounds of src/model/domain.ts written
   * out (DOMAIN.cashUsd, quantity, entryPrice, amount; a test holds them to it), checked for every position.
   */
  private clean(cash: number, p: number, np: number, rows: Int32Array, values: Float64Array, b: number, nb: number, balanceInts: Int32Array, amounts: Float64Array, bytes: Uint8Array): boolean {
    if (np + nb === 0 || !(Math.abs(cash) <= CASH_MAX)) return false;
    const stamp = ++this.stamp, seen = this.seen, plain = this.plain;
    for (let j = p; j < p + np; j++) {
      const row = rows[j];
      if (row < 0 || plain[row] === 0 || seen[row] === stamp) return false;
      seen[row] = stamp;
      const q = Math.abs(values[2 * j]), e = values[2 * j + 1];
      if (!(q === 0 || (q >= QUANTITY_MIN && q <= QUANTITY_MAX)) || !(e === 0 || (e >= ENTRY_MIN && e <= ENTRY_MAX))) return false;
    }
    for (let j = b; j < b + nb; j++) {
      if (!(Math.abs(amounts[j]) <= AMOUNT_MAX)) return false;
      for (let k = b; k < j; k++) if (sameBytes(bytes, balanceInts, j, k)) return false; // a repeated asset: the validator's problem
    }
    return true;
  }
}

/** Asset symbols tried as they are before hashing (see assetName). */
const FIRST_ASSETS = 8;

/** Whether the one-byte characters of `name` are the bytes [start, end). */
function sameText(name: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let c = 0; c < name.length; c++) if (name.charCodeAt(c) !== bytes[start + c]) return false;
  return true;
}

const CASH_MAX = DOMAIN.cashUsd.max, AMOUNT_MAX = DOMAIN.amount.max;
const QUANTITY_MIN = DOMAIN.quantity.min, QUANTITY_MAX = DOMAIN.quantity.max, ENTRY_MIN = DOMAIN.entryPrice.min, ENTRY_MAX = DOMAIN.entryPrice.max;

/** Whether balances j and k name the same asset. */
function sameBytes(bytes: Uint8Array, ints: Int32Array, j: number, k: number): boolean {
  const js = ints[j * BALANCE_INTS], ks = ints[k * BALANCE_INTS], n = ints[j * BALANCE_INTS + 1] - js;
  if (ints[k * BALANCE_INTS + 1] - ks !== n) return false;
  for (let c = 0; c < n; c++) if (bytes[js + c] !== bytes[ks + c]) return false;
  return true;
}

/**
 * The numbers the scan left NaN, read by `Number` (V8's correctly rounded conversion, JSON.parse's own); one that is
 * not 0 but reads as ±0 (it underflows: src/model/json-strict.ts) reads as `underflow` when given.
 */
export function resolveSlowNumbers(bytes: Buffer, count: number, records: ScanRecords, underflow?: number): void {
  const slow = records.slowInts;
  for (let s = 0; s < count; s++) {
    const place = slow[s * SLOW_INTS], target = place >>> 28, index = place & 0xfffffff;
    const literal = bytes.toString('latin1', slow[s * SLOW_INTS + 1], slow[s * SLOW_INTS + 2]);
    let value = Number(literal);
    if (underflow !== undefined && underflows(literal, value)) value = underflow;
    if (target === SLOW_CASH) records.accountCash[index] = value;
    else if (target === SLOW_QUANTITY) records.positionValues[index] = value;
    else if (target === SLOW_ENTRY) records.positionValues[index] = value;
    else if (target === SLOW_AMOUNT) records.balanceValues[index] = value;
  }
}
