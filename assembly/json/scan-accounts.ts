// book.json's accounts read by their schema, straight from the bytes: twin of src/io/json-book/scan.ts (read its
// module comment for the rules), bit for bit. The argument block, records and codes are src/io/json-book/scan-abi.ts.
// The SIMD build finds the end of a run of whitespace and of a string 16 bytes at a time (the text is followed by 64
// readable bytes; a vector is only used when its 16 bytes are before `to`); the scalar build a byte at a time.

// argument block slots (ARG)
const ARG_FROM = 0, ARG_TO = 1, ARG_FINAL = 2, ARG_STATE = 3, ARG_MAX_ACCOUNTS = 4, ARG_MAX_POSITIONS = 5, ARG_MAX_BALANCES = 6, ARG_MAX_SLOW = 7;
const ARG_NEXT = 8, ARG_ACCOUNTS = 9, ARG_POSITIONS = 10, ARG_BALANCES = 11, ARG_SLOW = 12;
const ARG_TEXT = 13, ARG_ACCOUNT_INTS = 14, ARG_ACCOUNT_CASH = 15, ARG_POSITION_INTS = 16, ARG_POSITION_VALUES = 17, ARG_BALANCE_INTS = 18, ARG_BALANCE_VALUES = 19, ARG_SLOW_INTS = 20;
const ARG_KEY_TABLE = 21, ARG_KEY_MASK = 22, ARG_KEY_START = 23, ARG_KEY_BYTES = 24, ARG_KEY_ROWS = 25;

const STATE_START = 0, STATE_AFTER_COMMA = 1, STATE_AFTER_ELEMENT = 2;
const SCAN_MORE = 0, SCAN_END = 1, SCAN_FULL = 2, SCAN_SYNTAX = 3;
const ACCOUNT_INTS = 8;
const A_KIND = 0, A_START = 1, A_END = 2, A_ID_START = 3, A_ID_END = 4, A_POSITIONS = 5, A_BALANCES = 6, A_HAS_CASH = 7;
const KIND_CLEAN = 0, KIND_GENERAL = 1;
const SLOW_CASH = 0, SLOW_QUANTITY = 1, SLOW_ENTRY = 2, SLOW_AMOUNT = 3;

const IRREGULAR = -1, NEED_BYTES = -2, NO_ROOM = -3;
const QUOTE: u8 = 0x22, BACKSLASH: u8 = 0x5c, COMMA: u8 = 0x2c, COLON: u8 = 0x3a, MINUS: u8 = 0x2d, PLUS: u8 = 0x2b, DOT: u8 = 0x2e;
const OPEN_OBJECT: u8 = 0x7b, CLOSE_OBJECT: u8 = 0x7d, OPEN_ARRAY: u8 = 0x5b, CLOSE_ARRAY: u8 = 0x5d;

// exact powers of ten 1e0 … 1e22 (each a double)
const POW10 = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]);

// field sets (scan.ts ACCOUNT_NAMES, POSITION_NAMES, BALANCE_NAMES)
const ACCOUNT_NAMES = 0, POSITION_NAMES = 1, BALANCE_NAMES = 2;

// the scan's state (one scan at a time per instance)
let T: usize = 0;
let to: i32 = 0;
let args: usize = 0;
let accounts: i32 = 0, positions: i32 = 0, balances: i32 = 0, slow: i32 = 0;
let accountInts: usize = 0, accountCash: usize = 0, positionInts: usize = 0, positionValues: usize = 0;
let balanceInts: usize = 0, balanceValues: usize = 0, slowInts: usize = 0;
let keyTable: usize = 0, keyMask: i32 = 0, keyStart: usize = 0, keyBytes: usize = 0, keyRows: usize = 0;

@inline function arg(slot: i32): i32 {
  return load<i32>(args + (<usize>slot << 2));
}

@inline function setArg(slot: i32, value: i32): void {
  store<i32>(args + (<usize>slot << 2), value);
}

@inline function at(i: i32): u8 {
  return load<u8>(T + <usize>i);
}

@inline function isSpace(b: u8): bool {
  return b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09;
}

@inline function setInt(base: usize, index: i32, value: i32): void {
  store<i32>(base + (<usize>index << 2), value);
}

/** Scans from args[ARG_FROM]: see src/io/json-book/scan.ts `scanAccounts`. */
export function jsonScanAccounts(argsPtr: usize): i32 {
  args = argsPtr;
  T = <usize>arg(ARG_TEXT);
  to = arg(ARG_TO);
  accountInts = <usize>arg(ARG_ACCOUNT_INTS);
  accountCash = <usize>arg(ARG_ACCOUNT_CASH);
  positionInts = <usize>arg(ARG_POSITION_INTS);
  positionValues = <usize>arg(ARG_POSITION_VALUES);
  balanceInts = <usize>arg(ARG_BALANCE_INTS);
  balanceValues = <usize>arg(ARG_BALANCE_VALUES);
  slowInts = <usize>arg(ARG_SLOW_INTS);
  keyTable = <usize>arg(ARG_KEY_TABLE);
  keyMask = arg(ARG_KEY_MASK);
  keyStart = <usize>arg(ARG_KEY_START);
  keyBytes = <usize>arg(ARG_KEY_BYTES);
  keyRows = <usize>arg(ARG_KEY_ROWS);
  accounts = 0;
  positions = 0;
  balances = 0;
  slow = 0;
  const final = arg(ARG_FINAL) != 0;
  let state = arg(ARG_STATE);
  let i = arg(ARG_FROM);
  let code = SCAN_MORE;
  while (true) {
    i = space(i);
    if (i >= to) {
      code = final ? SCAN_SYNTAX : SCAN_MORE;
      break;
    }
    const b = at(i);
    if (state == STATE_AFTER_ELEMENT) {
      if (b == COMMA) {
        i++;
        state = STATE_AFTER_COMMA;
        continue;
      }
      code = b == CLOSE_ARRAY ? SCAN_END : SCAN_SYNTAX;
      break;
    }
    if (b == CLOSE_ARRAY || b == COMMA || b == CLOSE_OBJECT) {
      code = b == CLOSE_ARRAY && state == STATE_START ? SCAN_END : SCAN_SYNTAX;
      break;
    }
    if (accounts >= arg(ARG_MAX_ACCOUNTS)) {
      code = SCAN_FULL;
      break;
    }
    const a = accounts * ACCOUNT_INTS;
    const p0 = positions, b0 = balances, s0 = slow;
    let end = account(i, a);
    if (end == NO_ROOM) {
      positions = p0;
      balances = b0;
      slow = s0;
      code = SCAN_FULL;
      break;
    }
    if (end == NEED_BYTES && !final) break;
    if (end < 0) {
      positions = p0;
      balances = b0;
      slow = s0;
      end = delimit(i);
      if (end < 0) {
        code = final ? SCAN_SYNTAX : SCAN_MORE;
        break;
      }
      for (let k = 0; k < ACCOUNT_INTS; k++) setInt(accountInts, a + k, 0);
      setInt(accountInts, a + A_KIND, KIND_GENERAL);
      store<f64>(accountCash + (<usize>accounts << 3), 0.0);
    } else {
      setInt(accountInts, a + A_KIND, KIND_CLEAN);
      setInt(accountInts, a + A_POSITIONS, positions - p0);
      setInt(accountInts, a + A_BALANCES, balances - b0);
    }
    setInt(accountInts, a + A_START, i);
    setInt(accountInts, a + A_END, end);
    accounts++;
    state = STATE_AFTER_ELEMENT;
    i = end;
  }
  setArg(ARG_NEXT, i);
  setArg(ARG_STATE, state);
  setArg(ARG_ACCOUNTS, accounts);
  setArg(ARG_POSITIONS, positions);
  setArg(ARG_BALANCES, balances);
  setArg(ARG_SLOW, slow);
  return code;
}

/** The first byte at or after i that is not JSON whitespace (or `to`): inlined for the usual answer, i itself. */
@inline function space(i: i32): i32 {
  return i < to && at(i) > 0x20 ? i : spaceRun(i); // every whitespace byte is at most 0x20
}

function spaceRun(i: i32): i32 {
  if (i >= to || !isSpace(at(i))) return i;
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= to) {
      const v = v128.load(T + <usize>i);
      // whitespace by its low nibble (simdjson's table lookup): table[n] is the blank ending in n, or a byte not ending in n
      const blank = i8x16.eq(i8x16.swizzle(i8x16(0x20, 0x00, 0x03, 0x02, 0x05, 0x04, 0x07, 0x06, 0x09, 0x09, 0x0a, 0x0a, 0x0d, 0x0d, 0x0f, 0x0e), v128.and(v, i8x16.splat(0x0f))), v);
      const other = ~i8x16.bitmask(blank) & 0xffff;
      if (other != 0) return i + ctz(other);
      i += 16;
    }
  }
  while (i < to && isSpace(at(i))) i++;
  return i;
}

/** The element at i as src/io/json-stream.ts delimits one (see scan.ts `delimit`); −1 when the text ends first. */
function delimit(i: i32): i32 {
  let depth = 0;
  for (; i < to; i++) {
    const b = at(i);
    if (b == QUOTE) {
      for (i++; i < to; i++) {
        const c = at(i);
        if (c == BACKSLASH) i++;
        else if (c == QUOTE) break;
      }
      if (i >= to) return -1;
    } else if (b == OPEN_OBJECT || b == OPEN_ARRAY) depth++;
    else if (b == CLOSE_OBJECT || b == CLOSE_ARRAY || b == COMMA) {
      if (depth == 0) return i;
      if (b != COMMA) depth--;
    }
  }
  return -1;
}

function account(i: i32, a: i32): i32 {
  if (at(i) != OPEN_OBJECT) return IRREGULAR;
  let seen = 0;
  setInt(accountInts, a + A_HAS_CASH, 0);
  let p = space(i + 1);
  while (true) {
    if (p >= to) return NEED_BYTES;
    const field = fieldName(p, ACCOUNT_NAMES);
    if (field < 0) return field;
    if ((seen & (1 << field)) != 0) return IRREGULAR;
    seen |= 1 << field;
    p = afterColon(p + 2 + nameLength(ACCOUNT_NAMES, field));
    if (p < 0) return p;
    if (field == 0) {
      const end = string(p);
      if (end < 0) return end;
      if (end == p + 2) return IRREGULAR;
      setInt(accountInts, a + A_ID_START, p + 1);
      setInt(accountInts, a + A_ID_END, end - 1);
      p = end;
    } else if (field == 1) {
      p = number(p, accountCash, accounts, SLOW_CASH);
      setInt(accountInts, a + A_HAS_CASH, 1);
    } else p = list(p, field == 2);
    if (p < 0) return p;
    p = space(p);
    if (p >= to) return NEED_BYTES;
    const b = at(p);
    if (b == CLOSE_OBJECT) break;
    if (b != COMMA) return IRREGULAR;
    p = space(p + 1);
  }
  if ((seen & 1) == 0) return IRREGULAR;
  if ((seen & 2) == 0) store<f64>(accountCash + (<usize>accounts << 3), 0.0);
  return p + 1;
}

/**
 * Whether `"name"` is at p, the name's n bytes and closing quote being `lo` and `hi` under their masks (little-endian
 * u64s; the text is followed by readable padding): 1, 0, or NEED_BYTES when the text ends first (as scan.ts says it).
 */
@inline function nameAt(p: i32, n: i32, lo: u64, loMask: u64, hi: u64, hiMask: u64): i32 {
  if (p + n + 2 > to) return NEED_BYTES;
  if ((load<u64>(T + <usize>p + 1) & loMask) != lo) return 0;
  if (hiMask != 0 && (load<u64>(T + <usize>p + 9) & hiMask) != hi) return 0;
  return 1;
}

/** The index of the field name at p in `set` (scan.ts `fieldName`: the names tried in the same order), or IRREGULAR / NEED_BYTES. */
function fieldName(p: i32, set: i32): i32 {
  if (at(p) != QUOTE) return IRREGULAR;
  let r: i32;
  if (set == POSITION_NAMES) {
    if ((r = nameAt(p, 10, 0x656d757274736e69, 0xffffffffffffffff, 0x22746e, 0xffffff)) != 0) return r < 0 ? r : 0; // instrument
    if ((r = nameAt(p, 8, 0x797469746e617571, 0xffffffffffffffff, 0x22, 0xff)) != 0) return r < 0 ? r : 1; // quantity
    if ((r = nameAt(p, 10, 0x6972507972746e65, 0xffffffffffffffff, 0x226563, 0xffffff)) != 0) return r < 0 ? r : 2; // entryPrice
    return IRREGULAR;
  }
  if (set == BALANCE_NAMES) {
    if ((r = nameAt(p, 5, 0x227465737361, 0xffffffffffff, 0, 0)) != 0) return r < 0 ? r : 0; // asset
    if ((r = nameAt(p, 6, 0x22746e756f6d61, 0xffffffffffffff, 0, 0)) != 0) return r < 0 ? r : 1; // amount
    return IRREGULAR;
  }
  if ((r = nameAt(p, 2, 0x226469, 0xffffff, 0, 0)) != 0) return r < 0 ? r : 0; // id
  if ((r = nameAt(p, 7, 0x2264735568736163, 0xffffffffffffffff, 0, 0)) != 0) return r < 0 ? r : 1; // cashUsd
  if ((r = nameAt(p, 9, 0x6e6f697469736f70, 0xffffffffffffffff, 0x2273, 0xffff)) != 0) return r < 0 ? r : 2; // positions
  if ((r = nameAt(p, 10, 0x726574616c6c6f63, 0xffffffffffffffff, 0x226c61, 0xffffff)) != 0) return r < 0 ? r : 3; // collateral
  return IRREGULAR;
}

/** The byte length of field `field` of `set`. */
function nameLength(set: i32, field: i32): i32 {
  if (set == POSITION_NAMES) return field == 1 ? 8 : 10;
  if (set == BALANCE_NAMES) return field == 0 ? 5 : 6;
  return field == 0 ? 2 : field == 1 ? 7 : field == 2 ? 9 : 10;
}

/** How many fields an object of `set` must hold. */
@inline function fieldCount(set: i32): i32 {
  return set == POSITION_NAMES ? 3 : 2;
}

function afterColon(p: i32): i32 {
  p = space(p);
  if (p >= to) return NEED_BYTES;
  if (at(p) != COLON) return IRREGULAR;
  p = space(p + 1);
  return p >= to ? NEED_BYTES : p;
}

/** A string of printable ASCII without escapes at p: the index after its closing quote. */
function string(p: i32): i32 {
  if (at(p) != QUOTE) return IRREGULAR;
  let i = p + 1;
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= to) {
      const v = v128.load(T + <usize>i);
      const stop = v128.or(v128.or(i8x16.eq(v, i8x16.splat(<i8>QUOTE)), i8x16.eq(v, i8x16.splat(<i8>BACKSLASH))), v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.lt_s(v, i8x16.splat(0))));
      const mask = i8x16.bitmask(stop);
      if (mask != 0) {
        i += ctz(mask);
        return at(i) == QUOTE ? i + 1 : IRREGULAR;
      }
      i += 16;
    }
  }
  for (; i < to; i++) {
    const c = at(i);
    if (c == QUOTE) return i + 1;
    if (c == BACKSLASH || c < 0x20 || c >= 0x80) return IRREGULAR;
  }
  return NEED_BYTES;
}

@inline function isDigit(c: u8): bool {
  return c >= 0x30 && c <= 0x39;
}

/** A JSON number at p into the f64 at `out`[index] (see scan.ts `number`): the index after it. */
function number(p: i32, out: usize, index: i32, target: i32): i32 {
  const start = p;
  const negative = at(p) == MINUS;
  if (negative) p++;
  if (p >= to) return NEED_BYTES;
  let c = at(p);
  if (!isDigit(c)) return IRREGULAR;
  let w: f64 = 0, digits = 0, scale = 0;
  if (c == 0x30) p++;
  else {
    for (; p < to && isDigit((c = at(p))); p++) {
      if (digits < 16) w = w * 10 + <f64>(c - 0x30);
      digits++;
    }
  }
  if (p < to && at(p) == DOT) {
    p++;
    const first = p;
    for (; p < to && isDigit((c = at(p))); p++) {
      if (w == 0 && c == 0x30) {
        scale--;
        continue;
      }
      if (digits < 16) w = w * 10 + <f64>(c - 0x30);
      digits++;
      scale--;
    }
    if (p == first && p < to) return IRREGULAR;
  }
  let exponent = 0;
  if (p < to && (at(p) | 0x20) == 0x65) {
    p++;
    let sign = 1;
    if (p < to && (at(p) == PLUS || at(p) == MINUS)) sign = at(p++) == MINUS ? -1 : 1;
    const first = p;
    for (; p < to && isDigit((c = at(p))); p++) if (exponent < 100_000) exponent = exponent * 10 + <i32>(c - 0x30);
    if (p == first && p < to) return IRREGULAR;
    exponent *= sign;
  }
  if (p >= to) return NEED_BYTES;
  const e = scale + exponent;
  let value: f64;
  if (w == 0) value = 0;
  else if (digits <= 15 && e >= -22 && e <= 22) value = e < 0 ? w / load<f64>(POW10 + (<usize>(-e) << 3)) : w * load<f64>(POW10 + (<usize>e << 3));
  else {
    if (slow >= arg(ARG_MAX_SLOW)) return NO_ROOM;
    const s = slow++ * 3;
    setInt(slowInts, s, (target << 28) | index);
    setInt(slowInts, s + 1, start);
    setInt(slowInts, s + 2, p);
    store<f64>(out + (<usize>index << 3), NaN); // rounded by the caller, sign included
    return p;
  }
  store<f64>(out + (<usize>index << 3), negative ? -value : value);
  return p;
}

function list(p: i32, ofPositions: bool): i32 {
  if (at(p) != OPEN_ARRAY) return IRREGULAR;
  p = space(p + 1);
  if (p >= to) return NEED_BYTES;
  if (at(p) == CLOSE_ARRAY) return p + 1;
  while (true) {
    p = ofPositions ? position(p) : balance(p);
    if (p < 0) return p;
    p = space(p);
    if (p >= to) return NEED_BYTES;
    const b = at(p);
    if (b == CLOSE_ARRAY) return p + 1;
    if (b != COMMA) return IRREGULAR;
    p = space(p + 1);
    if (p >= to) return NEED_BYTES;
  }
}

function position(p: i32): i32 {
  if (positions >= arg(ARG_MAX_POSITIONS)) return NO_ROOM;
  const end = record(p, POSITION_NAMES, positions);
  if (end >= 0) positions++;
  return end;
}

function balance(p: i32): i32 {
  if (balances >= arg(ARG_MAX_BALANCES)) return NO_ROOM;
  const end = record(p, BALANCE_NAMES, balances);
  if (end >= 0) balances++;
  return end;
}

function value(names: i32, field: i32, p: i32, k: i32): i32 {
  if (field == 0) return names == POSITION_NAMES ? instrument(p, k) : stringRange(p, balanceInts, k * 2);
  if (names == BALANCE_NAMES) return number(p, balanceValues, k, SLOW_AMOUNT);
  return number(p, positionValues, k * 2 + field - 1, field == 1 ? SLOW_QUANTITY : SLOW_ENTRY);
}

/** The instrument id at p of position k: its row (−1: not an instrument of the book), by src/io/json-book/scan-keys.ts. */
function instrument(p: i32, k: i32): i32 {
  const end = string(p);
  if (end < 0) return end;
  if (end == p + 2) return IRREGULAR;
  setInt(positionInts, k, keyRow(p + 1, end - 1));
  return end;
}

@inline function loadInt(base: usize, index: i32): i32 {
  return load<i32>(base + (<usize>index << 2));
}

/** scan-keys.ts `keyRow`: FNV-1a over the bytes, linear probing. */
function keyRow(start: i32, end: i32): i32 {
  let h: i32 = <i32>0x811c9dc5;
  for (let i = start; i < end; i++) h = (h ^ <i32>at(i)) * 16777619;
  for (let slot = h & keyMask; ; slot = (slot + 1) & keyMask) {
    const k = loadInt(keyTable, slot);
    if (k < 0) return -1;
    const ks = loadInt(keyStart, k), n = loadInt(keyStart, k + 1) - ks;
    if (n != end - start) continue;
    let same = true;
    for (let c = 0; c < n && same; c++) same = load<u8>(keyBytes + <usize>(ks + c)) == at(start + c);
    if (same) return loadInt(keyRows, k);
  }
  return -1; // not reached: the table always has an empty slot
}

function stringRange(p: i32, ints: usize, index: i32): i32 {
  const end = string(p);
  if (end < 0) return end;
  if (end == p + 2) return IRREGULAR;
  setInt(ints, index, p + 1);
  setInt(ints, index + 1, end - 1);
  return end;
}

function record(p: i32, names: i32, k: i32): i32 {
  if (at(p) != OPEN_OBJECT) return IRREGULAR;
  let seen = 0;
  p = space(p + 1);
  while (true) {
    if (p >= to) return NEED_BYTES;
    const field = fieldName(p, names);
    if (field < 0) return field;
    if ((seen & (1 << field)) != 0) return IRREGULAR;
    seen |= 1 << field;
    p = afterColon(p + 2 + nameLength(names, field));
    if (p < 0) return p;
    p = value(names, field, p, k);
    if (p < 0) return p;
    p = space(p);
    if (p >= to) return NEED_BYTES;
    const b = at(p);
    if (b == CLOSE_OBJECT) break;
    if (b != COMMA) return IRREGULAR;
    p = space(p + 1);
  }
  return seen == (1 << fieldCount(names)) - 1 ? p + 1 : IRREGULAR;
}
