/**
 * The accounts of book.json read by their schema, straight from the bytes (JS twin of assembly/json/scan-accounts.ts,
 * bit for bit): inside the `accounts` array, each element that is an object of `id` (a string), `cashUsd` (a number),
 * `positions` (objects of `instrument`, `quantity`, `entryPrice`) and `collateral` (objects of `asset`, `amount`),
 * each at most once, strings without escapes or bytes outside printable ASCII, is written as records (scan-abi.ts):
 * string values as byte ranges, numbers as doubles. Any other element (another field, an escape, a null, a
 * duplicate key, a malformed number) is only delimited, as src/io/json-stream.ts delimits it, and marked to be read
 * by JSON.parse and the book validator, which then say exactly what they say today (a duplicate key, or a number that
 * underflows, is refused: scanned-accounts.ts).
 *
 * Numbers are rounded correctly (the double JSON.parse gives): a decimal of at most 15 significant digits w times
 * 10^e with |e| ≤ 22 is w·10^e or w / 10^−e, one IEEE operation on two exact doubles (Clinger's fast path); any other
 * is left NaN and recorded (SLOW_*) for the caller to read with `Number`, V8's correctly rounded conversion.
 */
import {
  A_BALANCES, A_END, A_HAS_CASH, A_ID_END, A_ID_START, A_KIND, A_POSITIONS, A_START, ACCOUNT_INTS, ARG, BALANCE_INTS, KIND_CLEAN, KIND_GENERAL,
  POSITION_INTS, POSITION_VALUES, SCAN_END, SCAN_FULL, SCAN_MORE, SCAN_SYNTAX, SLOW_AMOUNT, SLOW_CASH, SLOW_ENTRY, SLOW_INTS, SLOW_QUANTITY,
  STATE_AFTER_COMMA, STATE_AFTER_ELEMENT, STATE_START,
} from './scan-abi.js';
import { FNV_OFFSET, FNV_PRIME } from '../arrow/id-index.js';
import { keyRow, type ScanKeys } from './scan-keys.js';

/** The record regions a scan writes (the WASM twin's are views of its memory). */
export interface ScanRecords {
  accountInts: Int32Array;
  accountCash: Float64Array;
  positionInts: Int32Array;
  positionValues: Float64Array;
  balanceInts: Int32Array;
  balanceValues: Float64Array;
  slowInts: Int32Array;
  /** The book's instrument ids (the WASM twin's are in its memory too). */
  keys: ScanKeys;
}

const FOUR_SPACES = 0x20202020;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e;
const OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
/** Exact powers of ten (every one up to 1e22 is a double). */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

// outcomes of reading one value or element, besides the index after it
const IRREGULAR = -1, NEED_BYTES = -2, NO_ROOM = -3;

// the field names, by their bytes
const key = (name: string) => Uint8Array.from(name, (c) => c.charCodeAt(0));
/** A byte string's whole 4-byte words, little-endian (compared a word at a time: the names, the instrument ids). */
function wordsOf(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: bytes.length >> 2 }, (_, w) => view.getInt32(4 * w, true));
}
const ID = key('id'), CASH = key('cashUsd'), POSITIONS = key('positions'), COLLATERAL = key('collateral');
const INSTRUMENT = key('instrument'), QUANTITY = key('quantity'), ENTRY = key('entryPrice'), ASSET = key('asset'), AMOUNT = key('amount');
/** An object's field names: their bytes, and those as words. */
interface Names {
  bytes: readonly Uint8Array[];
  words: readonly Int32Array[];
}
const namesOf = (...bytes: Uint8Array[]): Names => ({ bytes, words: bytes.map(wordsOf) });
const INSTRUMENT_WORDS = wordsOf(INSTRUMENT), QUANTITY_WORDS = wordsOf(QUANTITY), ENTRY_WORDS = wordsOf(ENTRY);
const ACCOUNT_NAMES = namesOf(ID, CASH, POSITIONS, COLLATERAL), POSITION_NAMES = namesOf(INSTRUMENT, QUANTITY, ENTRY), BALANCE_NAMES = namesOf(ASSET, AMOUNT);

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Scans from `args[ARG.from]` (see the module comment and scan-abi.ts); returns SCAN_*. */
export function scanAccounts(text: Uint8Array, args: Int32Array, records: ScanRecords): number {
  return new Scan(text, args, records).run();
}

class Scan {
  private readonly to: number;
  private accounts = 0;
  private positions = 0;
  private balances = 0;
  private slow = 0;

  /** The text's bytes read a word at a time. */
  private readonly view: DataView;

  constructor(private readonly text: Uint8Array, private readonly args: Int32Array, private readonly r: ScanRecords) {
    this.to = args[ARG.to];
    this.view = new DataView(text.buffer, text.byteOffset, text.byteLength);
  }

  run(): number {
    const { text, args, to } = this;
    const final = args[ARG.final] !== 0;
    let state = args[ARG.state];
    let i = args[ARG.from];
    let code = SCAN_MORE;
    for (;;) {
      i = this.space(i);
      if (i >= to) {
        code = final ? SCAN_SYNTAX : SCAN_MORE;
        break;
      }
      const b = text[i];
      if (state === STATE_AFTER_ELEMENT) {
        if (b === COMMA) {
          i++;
          state = STATE_AFTER_COMMA;
          continue;
        }
        code = b === CLOSE_ARRAY ? SCAN_END : SCAN_SYNTAX;
        break;
      }
      if (b === CLOSE_ARRAY || b === COMMA || b === CLOSE_OBJECT) {
        code = b === CLOSE_ARRAY && state === STATE_START ? SCAN_END : SCAN_SYNTAX;
        break;
      }
      if (this.accounts >= args[ARG.maxAccounts]) {
        code = SCAN_FULL;
        break;
      }
      const a = this.accounts * ACCOUNT_INTS;
      const p0 = this.positions, b0 = this.balances, s0 = this.slow;
      let end = this.account(i, a);
      if (end === NO_ROOM) {
        this.positions = p0;
        this.balances = b0;
        this.slow = s0;
        code = SCAN_FULL;
        break;
      }
      if (end === NEED_BYTES && !final) break; // SCAN_MORE from this element
      if (end < 0) {
        // not read by the schema: delimited only, for JSON.parse
        this.positions = p0;
        this.balances = b0;
        this.slow = s0;
        end = this.delimit(i);
        if (end < 0) {
          code = final ? SCAN_SYNTAX : SCAN_MORE;
          break;
        }
        this.r.accountInts.fill(0, a, a + ACCOUNT_INTS);
        this.r.accountInts[a + A_KIND] = KIND_GENERAL;
        this.r.accountCash[this.accounts] = 0;
      } else {
        this.r.accountInts[a + A_KIND] = KIND_CLEAN;
        this.r.accountInts[a + A_POSITIONS] = this.positions - p0;
        this.r.accountInts[a + A_BALANCES] = this.balances - b0;
      }
      this.r.accountInts[a + A_START] = i;
      this.r.accountInts[a + A_END] = end;
      this.accounts++;
      state = STATE_AFTER_ELEMENT;
      i = end;
    }
    args[ARG.next] = i;
    args[ARG.state] = state;
    args[ARG.accounts] = this.accounts;
    args[ARG.positions] = this.positions;
    args[ARG.balances] = this.balances;
    args[ARG.slow] = this.slow;
    return code;
  }

  /** The first byte at or after i that is not JSON whitespace (or `to`). */
  private space(i: number): number {
    const { text, to } = this;
    while (i < to) {
      const b = text[i];
      if (b > 0x20) return i; // every whitespace byte is at most 0x20
      if (!isSpace(b)) return i;
      i++;
      // a pretty-printed book's indentation, four spaces at a time
      if (b === 0x20) while (i + 4 <= to && this.view.getInt32(i, true) === FOUR_SPACES) i += 4;
    }
    return i;
  }

  /**
   * The element at i as json-stream.ts delimits one: up to the first `,`, `]` or `}` outside strings and brackets.
   * The index of that byte, or −1 when the text ends first.
   */
  private delimit(i: number): number {
    const { text, to } = this;
    let depth = 0;
    for (; i < to; i++) {
      const b = text[i];
      if (b === QUOTE) {
        for (i++; i < to; i++) {
          const c = text[i];
          if (c === BACKSLASH) i++;
          else if (c === QUOTE) break;
        }
        if (i >= to) return -1;
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY || b === COMMA) {
        if (depth === 0) return i;
        if (b !== COMMA) depth--;
      }
    }
    return -1;
  }

  /** An account object at i into account record `a`: the index after its `}`, or IRREGULAR, NEED_BYTES, NO_ROOM. */
  private account(i: number, a: number): number {
    const { text, to } = this;
    const ints = this.r.accountInts;
    if (text[i] !== OPEN_OBJECT) return IRREGULAR;
    let seen = 0;
    ints[a + A_HAS_CASH] = 0;
    let p = this.space(i + 1);
    for (;;) {
      if (p >= to) return NEED_BYTES;
      const field = this.fieldName(p, ACCOUNT_NAMES);
      if (field < 0) return field;
      if ((seen & (1 << field)) !== 0) return IRREGULAR; // a repeated name: JSON.parse keeps the last
      seen |= 1 << field;
      p = this.afterColon(p + 2 + ACCOUNT_NAMES.bytes[field].length);
      if (p < 0) return p;
      if (field === 0) {
        const end = this.string(p);
        if (end < 0) return end;
        if (end === p + 2) return IRREGULAR; // an empty id: the validator's problem
        ints[a + A_ID_START] = p + 1;
        ints[a + A_ID_END] = end - 1;
        p = end;
      } else if (field === 1) {
        p = this.number(p, this.r.accountCash, this.accounts, SLOW_CASH);
        ints[a + A_HAS_CASH] = 1;
      } else p = field === 2 ? this.list(p, true) : this.list(p, false);
      if (p < 0) return p;
      p = this.space(p);
      if (p >= to) return NEED_BYTES;
      if (text[p] === CLOSE_OBJECT) break;
      if (text[p] !== COMMA) return IRREGULAR;
      p = this.space(p + 1);
    }
    if ((seen & 1) === 0) return IRREGULAR; // no id
    if ((seen & 2) === 0) this.r.accountCash[this.accounts] = 0;
    return p + 1;
  }

  /** `"name"` at p, one of `names` (its index), or IRREGULAR / NEED_BYTES. */
  private fieldName(p: number, names: Names): number {
    const { text, to } = this;
    if (text[p] !== QUOTE) return IRREGULAR;
    for (let k = 0; k < names.bytes.length; k++) {
      const name = names.bytes[k], n = name.length;
      if (p + n + 2 > to) return NEED_BYTES;
      if (text[p + n + 1] === QUOTE && this.sameBytes(p + 1, name, names.words[k])) return k;
    }
    return IRREGULAR;
  }

  /** Whether text[at, at + bytes.length) holds `bytes` (`words`: its whole words), compared a word at a time. */
  private sameBytes(at: number, bytes: Uint8Array, words: Int32Array): boolean {
    const view = this.view;
    for (let w = 0; w < words.length; w++) if (view.getInt32(at + 4 * w, true) !== words[w]) return false;
    for (let c = 4 * words.length; c < bytes.length; c++) if (this.text[at + c] !== bytes[c]) return false;
    return true;
  }

  /** After a field name ending before p: the index of the value after its colon, or IRREGULAR / NEED_BYTES. */
  private afterColon(p: number): number {
    p = this.space(p);
    if (p >= this.to) return NEED_BYTES;
    if (this.text[p] !== COLON) return IRREGULAR;
    p = this.space(p + 1);
    return p >= this.to ? NEED_BYTES : p;
  }

  /** A string of printable ASCII without escapes at p: the index after its closing quote. */
  private string(p: number): number {
    const { text, to } = this;
    if (text[p] !== QUOTE) return IRREGULAR;
    for (let i = p + 1; i < to; i++) {
      const c = text[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH || c < 0x20 || c >= 0x80) return IRREGULAR;
    }
    return NEED_BYTES;
  }

  /**
   * A JSON number at p into `out[index]`: the index after it, or IRREGULAR / NEED_BYTES / NO_ROOM. The byte after a
   * number is read by the caller (a number runs to the text's end only when more bytes may follow).
   */
  private number(p: number, out: Float64Array, index: number, target: number): number {
    const { text, to } = this;
    const start = p;
    const negative = text[p] === MINUS;
    if (negative) p++;
    if (p >= to) return NEED_BYTES;
    let c = text[p];
    if (c < 0x30 || c > 0x39) return IRREGULAR;
    let w = 0, digits = 0, scale = 0;
    if (c === 0x30) p++;
    else {
      for (; p < to && (c = text[p]) >= 0x30 && c <= 0x39; p++) {
        if (digits < 16) w = w * 10 + (c - 0x30);
        digits++;
      }
    }
    if (p < to && text[p] === DOT) {
      p++;
      const first = p;
      for (; p < to && (c = text[p]) >= 0x30 && c <= 0x39; p++) {
        if (w === 0 && c === 0x30) {
          scale--; // a leading zero of the fraction: not a significant digit
          continue;
        }
        if (digits < 16) w = w * 10 + (c - 0x30);
        digits++;
        scale--;
      }
      if (p === first && p < to) return IRREGULAR;
    }
    let exponent = 0;
    if (p < to && (text[p] | 0x20) === 0x65) {
      p++;
      let sign = 1;
      if (p < to && (text[p] === PLUS || text[p] === MINUS)) sign = text[p++] === MINUS ? -1 : 1;
      const first = p;
      for (; p < to && (c = text[p]) >= 0x30 && c <= 0x39; p++) if (exponent < 100_000) exponent = exponent * 10 + (c - 0x30);
      if (p === first && p < to) return IRREGULAR;
      exponent *= sign;
    }
    if (p >= to) return NEED_BYTES;
    const e = scale + exponent;
    let value: number;
    if (w === 0) value = 0;
    else if (digits <= 15 && e >= -22 && e <= 22) value = e < 0 ? w / POW10[-e] : w * POW10[e];
    else {
      if (this.slow >= this.args[ARG.maxSlow]) return NO_ROOM;
      const s = this.slow++ * SLOW_INTS;
      this.r.slowInts[s] = (target << 28) | index;
      this.r.slowInts[s + 1] = start;
      this.r.slowInts[s + 2] = p;
      out[index] = NaN; // rounded by the caller, sign included
      return p;
    }
    out[index] = negative ? -value : value;
    return p;
  }

  /** A list of positions (or balances) at p: the index after its `]`. */
  private list(p: number, positions: boolean): number {
    const { text, to } = this;
    if (text[p] !== OPEN_ARRAY) return IRREGULAR;
    p = this.space(p + 1);
    if (p >= to) return NEED_BYTES;
    if (text[p] === CLOSE_ARRAY) return p + 1;
    for (;;) {
      p = positions ? this.position(p) : this.balance(p);
      if (p < 0) return p;
      p = this.space(p);
      if (p >= to) return NEED_BYTES;
      if (text[p] === CLOSE_ARRAY) return p + 1;
      if (text[p] !== COMMA) return IRREGULAR;
      p = this.space(p + 1);
      if (p >= to) return NEED_BYTES;
    }
  }

  private position(p: number): number {
    if (this.positions >= this.args[ARG.maxPositions]) return NO_ROOM;
    const slow = this.slow;
    let end = this.inOrder(p, this.positions);
    if (end < 0) {
      this.slow = slow; // read again from its start, by name
      end = this.record(p, POSITION_NAMES, this.positions);
    }
    if (end >= 0) this.positions++;
    return end;
  }

  /**
   * Position k at p when its fields come as the generator writes them, `instrument`, `quantity`, `entryPrice`: the
   * index after its `}`, the same records as {@link record} writes; −1 for anything else (then read by `record`).
   */
  private inOrder(p: number, k: number): number {
    const { text, to } = this;
    const values = this.r.positionValues;
    if (text[p] !== OPEN_OBJECT) return -1;
    p = this.named(this.space(p + 1), INSTRUMENT, INSTRUMENT_WORDS);
    if (p < 0 || (p = this.instrument(p, k)) < 0) return -1;
    p = this.space(p);
    if (p >= to || text[p] !== COMMA) return -1;
    p = this.named(this.space(p + 1), QUANTITY, QUANTITY_WORDS);
    if (p < 0 || (p = this.number(p, values, k * POSITION_VALUES, SLOW_QUANTITY)) < 0) return -1;
    p = this.space(p);
    if (p >= to || text[p] !== COMMA) return -1;
    p = this.named(this.space(p + 1), ENTRY, ENTRY_WORDS);
    if (p < 0 || (p = this.number(p, values, k * POSITION_VALUES + 1, SLOW_ENTRY)) < 0) return -1;
    p = this.space(p);
    return p < to && text[p] === CLOSE_OBJECT ? p + 1 : -1;
  }

  /** The value after field name `name` (and its colon) at p, or −1 when p holds another name or the text ends. */
  private named(p: number, name: Uint8Array, words: Int32Array): number {
    const { text, to } = this, n = name.length;
    if (p + n + 2 > to || text[p] !== QUOTE || text[p + n + 1] !== QUOTE || !this.sameBytes(p + 1, name, words)) return -1;
    return this.afterColon(p + n + 2);
  }

  private balance(p: number): number {
    if (this.balances >= this.args[ARG.maxBalances]) return NO_ROOM;
    const end = this.record(p, BALANCE_NAMES, this.balances);
    if (end >= 0) this.balances++;
    return end;
  }

  /** Field `field` of position (or balance, by `names`) k at p: the index after its value. */
  private value(names: Names, field: number, p: number, k: number): number {
    if (field === 0) return names === POSITION_NAMES ? this.instrument(p, k) : this.stringRange(p, this.r.balanceInts, k * BALANCE_INTS);
    if (names === BALANCE_NAMES) return this.number(p, this.r.balanceValues, k, SLOW_AMOUNT);
    return this.number(p, this.r.positionValues, k * POSITION_VALUES + field - 1, field === 1 ? SLOW_QUANTITY : SLOW_ENTRY);
  }

  /**
   * The instrument id at p of position k: its row (−1 when the book has no such instrument). The string is read and
   * hashed in one pass (the FNV-1a of the keys' table), then looked up (scan-keys.ts keyRow).
   */
  private instrument(p: number, k: number): number {
    const { text, to } = this;
    if (text[p] !== QUOTE) return IRREGULAR;
    let hash = FNV_OFFSET, i = p + 1;
    for (; i < to; i++) {
      const c = text[i];
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || c >= 0x80) return IRREGULAR;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (i >= to) return NEED_BYTES;
    if (i === p + 1) return IRREGULAR;
    this.r.positionInts[k * POSITION_INTS] = keyRow(this.r.keys, text, this.view, p + 1, i, hash);
    return i + 1;
  }

  /** A string at p whose bytes (without quotes) go to ints[at], ints[at + 1]; an empty one is irregular. */
  private stringRange(p: number, ints: Int32Array, at: number): number {
    const end = this.string(p);
    if (end < 0) return end;
    if (end === p + 2) return IRREGULAR;
    ints[at] = p + 1;
    ints[at + 1] = end - 1;
    return end;
  }

  /** An object at p holding each of `names` exactly once: position (or balance) k. */
  private record(p: number, names: Names, k: number): number {
    const { text, to } = this;
    if (text[p] !== OPEN_OBJECT) return IRREGULAR;
    let seen = 0;
    p = this.space(p + 1);
    for (;;) {
      if (p >= to) return NEED_BYTES;
      const field = this.fieldName(p, names);
      if (field < 0) return field;
      if ((seen & (1 << field)) !== 0) return IRREGULAR;
      seen |= 1 << field;
      p = this.afterColon(p + 2 + names.bytes[field].length);
      if (p < 0) return p;
      p = this.value(names, field, p, k);
      if (p < 0) return p;
      p = this.space(p);
      if (p >= to) return NEED_BYTES;
      if (text[p] === CLOSE_OBJECT) break;
      if (text[p] !== COMMA) return IRREGULAR;
      p = this.space(p + 1);
    }
    return seen === (1 << names.bytes.length) - 1 ? p + 1 : IRREGULAR;
  }
}
