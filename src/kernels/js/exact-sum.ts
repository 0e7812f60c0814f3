/**
 * Exact, order-independent summation of doubles: twin of assembly/sum/exact.ts (Neal's small superaccumulator,
 * arXiv:1505.05571), with the same state layout, so an accumulator filled by either backend merges into the other
 * and rounds to the same bits. An accumulator is ACC_SLOTS f64s of a Float64Array from offset `at`:
 *   [0, 67)  chunk i, an integer-valued double of weight 2^(32·i − 1074) (each addition adds pieces below 2^32 to at
 *            most three chunks; carries are propagated every 2^20 additions, so a chunk stays below 2^53);
 *   67       the IEEE sum of the non-finite terms (0 when none), which is the result when it is not 0;
 *   68       a bound on |chunk| / 2^32 since the last carry propagation.
 * The sum is exact until {@link exactRoundJs} rounds it once to the nearest double (ties to even).
 */

export const ACC_CHUNKS = 67;
export const ACC_SPECIAL = 67;
export const ACC_PENDING = 68;
/** f64s per accumulator. */
export const ACC_SLOTS = 69;

const CARRY_EVERY = 1048576; // 2^20
const TWO32 = 4294967296;
const INV_TWO32 = 2.3283064365386963e-10; // 2^-32

/** The bits of one double (little-endian words: lo, hi). */
const F = new Float64Array(1);
const U = new Uint32Array(F.buffer);
/** Magnitude chunks while rounding. */
const SCRATCH = new Float64Array(ACC_CHUNKS);

/** A new accumulator (or `count` of them, ACC_SLOTS apart), all zero. */
export function newAccumulators(count = 1): Float64Array {
  return new Float64Array(count * ACC_SLOTS);
}

/** Adds one term to the accumulator at `at` (±0 adds nothing; the caller counts it). */
function addOne(acc: Float64Array, at: number, x: number): void {
  if (x === 0) return;
  F[0] = x;
  const lo = U[0], hi = U[1];
  let e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff) {
    acc[at + ACC_SPECIAL] += x;
    return;
  }
  let mantHi = hi & 0xfffff;
  if (e === 0) e = 1; // subnormal: no implicit bit, the exponent of the smallest normals
  else mantHi |= 0x100000;
  const shift = e - 1; // bit 0 of the 53-bit mantissa, counted from 2^-1074
  const s = shift & 31;
  const k = at + (shift >>> 5);
  let p0: number, p1: number, p2: number;
  if (s === 0) {
    p0 = lo;
    p1 = mantHi;
    p2 = 0;
  } else {
    p0 = (lo << s) >>> 0;
    p1 = ((mantHi << s) | (lo >>> (32 - s))) >>> 0;
    p2 = mantHi >>> (32 - s);
  }
  if ((hi | 0) < 0) {
    acc[k] -= p0;
    acc[k + 1] -= p1;
    acc[k + 2] -= p2;
  } else {
    acc[k] += p0;
    acc[k + 1] += p1;
    acc[k + 2] += p2;
  }
}

/** Accounts per block of {@link exactTotalsJs}: each adds at most one term to each sum, so a block never needs a carry. */
const TOTALS_BLOCK = 524288; // 2^19

/** Propagates carries (chunks 0 … 65 into [0, 2^32), chunk 66 signed); the value does not change. */
export function exactCarryJs(acc: Float64Array, at = 0): void {
  let carry = 0;
  for (let i = 0; i < ACC_CHUNKS - 1; i++) {
    const v = acc[at + i] + carry;
    carry = Math.floor(v * INV_TWO32);
    acc[at + i] = v - carry * TWO32;
  }
  acc[at + ACC_CHUNKS - 1] += carry;
  acc[at + ACC_PENDING] = 1;
}

/**
 * Adds `values[from, to)` to the accumulator at `at`, in blocks that fit before the next carry propagation (every term
 * counts, zeros too: the count only has to bound the chunks).
 */
export function exactAddJs(acc: Float64Array, at: number, values: ArrayLike<number>, from = 0, to = values.length): void {
  let i = from;
  while (i < to) {
    let pending = acc[at + ACC_PENDING];
    if (pending >= CARRY_EVERY) {
      exactCarryJs(acc, at);
      pending = 1;
    }
    const stop = to - i < CARRY_EVERY - pending ? to : i + (CARRY_EVERY - pending);
    const block = stop - i;
    for (; i < stop; i++) addOne(acc, at, values[i]);
    acc[at + ACC_PENDING] = pending + block;
  }
}

/** Adds one term to the accumulator at `at` (as {@link exactAddJs} of one value). */
export function exactAddOneJs(acc: Float64Array, at: number, x: number): void {
  let pending = acc[at + ACC_PENDING];
  if (pending >= CARRY_EVERY) {
    exactCarryJs(acc, at);
    pending = 1;
  }
  addOne(acc, at, x);
  acc[at + ACC_PENDING] = pending + 1;
}

/** Adds the accumulator `other` (at `otherAt`) to the one at `at`; both are carried first, `other` keeps its value. */
export function exactMergeJs(acc: Float64Array, at: number, other: Float64Array, otherAt = 0): void {
  exactCarryJs(acc, at);
  exactCarryJs(other, otherAt);
  for (let i = 0; i < ACC_CHUNKS; i++) acc[at + i] += other[otherAt + i];
  acc[at + ACC_SPECIAL] += other[otherAt + ACC_SPECIAL];
  acc[at + ACC_PENDING] = 2;
}

/** 32 bits of the magnitude chunks from bit `pos` (bits past the top read as 0). */
function bitsAt(pos: number): number {
  const k = pos >>> 5, s = pos & 31;
  const low = SCRATCH[k];
  if (s === 0) return low;
  const high = k + 1 < ACC_CHUNKS ? SCRATCH[k + 1] : 0;
  return ((low >>> s) | (high << (32 - s))) >>> 0;
}

/** 2^e for −1074 ≤ e ≤ 1023, exactly (from its bits). */
function pow2(e: number): number {
  if (e >= -1022) {
    U[0] = 0;
    U[1] = (e + 1023) << 20;
  } else {
    const bit = e + 1074;
    U[0] = bit < 32 ? 1 << bit : 0;
    U[1] = bit < 32 ? 0 : 1 << (bit - 32);
  }
  return F[0];
}

/** The sum rounded to the nearest double (ties to even); +0 for an exact zero. The accumulator keeps its value. */
export function exactRoundJs(acc: Float64Array, at = 0): number {
  const special = acc[at + ACC_SPECIAL];
  if (special !== 0) return special; // ±Infinity or NaN
  exactCarryJs(acc, at);
  let negative = false;
  for (let i = ACC_CHUNKS - 1; i >= 0; i--) {
    const c = acc[at + i];
    if (c !== 0) {
      negative = c < 0;
      break;
    }
  }
  let carry = 0;
  for (let i = 0; i < ACC_CHUNKS; i++) {
    let v = acc[at + i];
    if (negative) v = -v;
    v += carry;
    if (i < ACC_CHUNKS - 1) {
      carry = Math.floor(v * INV_TWO32);
      v -= carry * TWO32;
    }
    SCRATCH[i] = v;
  }
  if (SCRATCH[ACC_CHUNKS - 1] >= 1) return negative ? -Infinity : Infinity; // ≥ 2^1038
  let h = ACC_CHUNKS - 2;
  while (h >= 0 && SCRATCH[h] === 0) h--;
  if (h < 0) return 0;
  const msb = 32 * h + 31 - Math.clz32(SCRATCH[h]);
  let magnitude: number;
  if (msb <= 52) {
    // below 2^-1021: every multiple of 2^-1074 there is a double
    magnitude = (SCRATCH[1] * TWO32 + SCRATCH[0]) * pow2(-1074);
  } else {
    const lsb = msb - 52;
    const mLo = bitsAt(lsb);
    const mHi = bitsAt(lsb + 32) & 0x1fffff;
    const r = lsb - 1, rk = r >>> 5, rs = r & 31;
    const roundChunk = SCRATCH[rk];
    const roundBit = (roundChunk >>> rs) & 1;
    let sticky = rs === 0 ? 0 : (roundChunk & ((1 << rs) - 1)) >>> 0;
    for (let i = 0; sticky === 0 && i < rk; i++) sticky = SCRATCH[i];
    let m = mHi * TWO32 + mLo;
    if (roundBit !== 0 && (sticky !== 0 || (mLo & 1) !== 0)) m += 1;
    magnitude = m * pow2(lsb - 1074);
  }
  return negative ? -magnitude : magnitude;
}

/** The exact sum of `values`, rounded once. */
export function exactSumJs(values: ArrayLike<number>): number {
  const acc = newAccumulators();
  exactAddJs(acc, 0, values);
  return exactRoundJs(acc);
}

/** Columns of {@link exactTotalsJs} (EXACT_TOTALS_COLUMNS in src/kernels/abi.ts). */
export interface ExactTotalsColumns {
  live: Uint8Array;
  status: Uint8Array;
  equity: Float64Array;
  im: Float64Array;
  mm: Float64Array;
  gross: Float64Array;
}

/** The error status code (src/kernels/status-codes.ts). */
const STATUS_ERROR = 4;

/**
 * The margin report's sums over accounts [first, last) that are live and not in error, into five accumulators at
 * `acc` (ACC_SLOTS apart): equity, IM, MM, gross notional, and gross notional of the accounts with IM > 0.
 */
export function exactTotalsJs(acc: Float64Array, c: ExactTotalsColumns, first: number, last: number): void {
  const { live, status, equity, im, mm, gross } = c;
  for (let a0 = first; a0 < last; a0 += TOTALS_BLOCK) {
    // carried at each block's start, a block adds at most one term per account to each sum: no count per term
    for (let k = 0; k < 5; k++) exactCarryJs(acc, k * ACC_SLOTS);
    const a1 = last - a0 < TOTALS_BLOCK ? last : a0 + TOTALS_BLOCK;
    for (let a = a0; a < a1; a++) {
      if (live[a] === 0 || status[a] === STATUS_ERROR) continue;
      const i = im[a], g = gross[a];
      addOne(acc, 0, equity[a]);
      addOne(acc, ACC_SLOTS, i);
      addOne(acc, 2 * ACC_SLOTS, mm[a]);
      addOne(acc, 3 * ACC_SLOTS, g);
      if (i > 0) addOne(acc, 4 * ACC_SLOTS, g);
    }
    for (let k = 0; k < 5; k++) acc[k * ACC_SLOTS + ACC_PENDING] = 1 + (a1 - a0);
  }
}
