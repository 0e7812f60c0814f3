// Exact, order-independent summation of f64s: a small superaccumulator after Neal, "Fast exact summation using
// small and large superaccumulators" (arXiv:1505.05571, 2015): 67 chunks of 32 bits each cover every finite
// double and the carries of their sum, so a sum is exact until it is rounded, once, to the nearest double (ties to
// even). Adding in any order, or summing parts and merging the accumulators, gives the same bits. Twin of
// src/kernels/js/exact-sum.ts; the state layout is shared, so an accumulator filled by either merges into the other.
//
// State (ACC_SLOTS f64s):
//   [0, 67)  chunk i: an integer-valued f64 of weight 2^(32·i − 1074). Each addition adds a piece below 2^32 to at
//            most three chunks, so a chunk stays an exact integer (below 2^53) for 2^20 additions between carries.
//   67       the IEEE sum of the non-finite terms (0 when none): the result when it is not 0 (±Infinity or NaN).
//   68       a bound on |chunk| / 2^32 since the last carry propagation (0 for a cleared accumulator).
// Chunks differ from the JS twin's only when the same terms were added in another order between carries; the
// rounded value never does.

export const ACC_CHUNKS: i32 = 67;
export const ACC_SPECIAL: i32 = 67;
export const ACC_PENDING: i32 = 68;
export const ACC_SLOTS: i32 = 69;

/** Carries are propagated after this many additions (|chunk| < (n + 1)·2^32 ≤ 2^53 needs n < 2^21 − 1). */
const CARRY_EVERY: f64 = 1048576.0; // 2^20
const TWO32: f64 = 4294967296.0;
const INV_TWO32: f64 = 2.3283064365386963e-10; // 2^-32

// Scratch magnitude chunks for rounding (67 f64s).
const SCRATCH = memory.data(8 * 67);

@inline function chunkAt(acc: usize, i: usize): usize {
  return acc + (i << 3);
}

/** Sets `count` accumulators from `acc` to zero. */
export function exactClear(acc: usize, count: i32): void {
  memory.fill(acc, 0, <usize>count * <usize>ACC_SLOTS * 8);
}

/** Adds one finite or non-finite term (±0 adds nothing). */
@inline function addOne(acc: usize, x: f64): void {
  if (x == 0.0) return;
  const bits = reinterpret<u64>(x);
  const hi = <u32>(bits >>> 32);
  const lo = <u32>bits;
  let e = (hi >>> 20) & 0x7ff;
  if (e == 0x7ff) {
    store<f64>(chunkAt(acc, ACC_SPECIAL), load<f64>(chunkAt(acc, ACC_SPECIAL)) + x);
    return;
  }
  let mantHi = hi & 0xfffff;
  if (e == 0) e = 1; // subnormal: no implicit bit, the exponent of the smallest normals
  else mantHi |= 0x100000;
  const shift = e - 1; // bit 0 of the 53-bit mantissa, counted from 2^-1074
  const s = shift & 31;
  const at = chunkAt(acc, <usize>(shift >>> 5));
  let p0: u32, p1: u32, p2: u32;
  if (s == 0) {
    p0 = lo;
    p1 = mantHi;
    p2 = 0;
  } else {
    p0 = lo << s;
    p1 = (mantHi << s) | (lo >>> (32 - s));
    p2 = mantHi >>> (32 - s);
  }
  if (<i32>hi < 0) {
    store<f64>(at, load<f64>(at) - <f64>p0);
    store<f64>(at, load<f64>(at, 8) - <f64>p1, 8);
    store<f64>(at, load<f64>(at, 16) - <f64>p2, 16);
  } else {
    store<f64>(at, load<f64>(at) + <f64>p0);
    store<f64>(at, load<f64>(at, 8) + <f64>p1, 8);
    store<f64>(at, load<f64>(at, 16) + <f64>p2, 16);
  }
}

/** Accounts per block of {@link exactTotals}: each adds at most one term to each sum, so a block never needs a carry. */
const TOTALS_BLOCK: i32 = 524288; // 2^19

/**
 * Propagates carries: chunks 0 … 65 into [0, 2^32), chunk 66 signed. The value does not change (every step is an
 * exact operation on integers below 2^53).
 */
export function exactCarry(acc: usize): void {
  let carry: f64 = 0.0;
  for (let i: usize = 0; i < <usize>(ACC_CHUNKS - 1); i++) {
    const v = load<f64>(chunkAt(acc, i)) + carry;
    carry = Math.floor(v * INV_TWO32);
    store<f64>(chunkAt(acc, i), v - carry * TWO32);
  }
  const top = chunkAt(acc, <usize>(ACC_CHUNKS - 1));
  store<f64>(top, load<f64>(top) + carry);
  store<f64>(chunkAt(acc, ACC_PENDING), 1.0);
}

/**
 * Adds n f64s at `values` to the accumulator at `acc`, in blocks that fit before the next carry propagation (every term
 * counts, zeros too: the count only has to bound the chunks).
 */
export function exactAdd(acc: usize, values: usize, n: i32): void {
  let i: usize = 0;
  const end = <usize>n;
  while (i < end) {
    let pending = load<f64>(chunkAt(acc, ACC_PENDING));
    if (pending >= CARRY_EVERY) {
      exactCarry(acc);
      pending = 1.0;
    }
    const room = <usize>(CARRY_EVERY - pending);
    const stop = end - i < room ? end : i + room;
    const block = stop - i;
    for (; i < stop; i++) addOne(acc, load<f64>(values + (i << 3)));
    store<f64>(chunkAt(acc, ACC_PENDING), pending + <f64>block);
  }
}

/** Adds the accumulator at `other` to the one at `acc` (both carried first; `other` keeps its value). */
export function exactMerge(acc: usize, other: usize): void {
  exactCarry(acc);
  exactCarry(other);
  for (let i: usize = 0; i < <usize>ACC_CHUNKS; i++) store<f64>(chunkAt(acc, i), load<f64>(chunkAt(acc, i)) + load<f64>(chunkAt(other, i)));
  store<f64>(chunkAt(acc, ACC_SPECIAL), load<f64>(chunkAt(acc, ACC_SPECIAL)) + load<f64>(chunkAt(other, ACC_SPECIAL)));
  store<f64>(chunkAt(acc, ACC_PENDING), 2.0);
}

/** 32 bits of the magnitude chunks from bit `pos` (bits past the top read as 0). */
@inline function bitsAt(pos: u32): u32 {
  const k = pos >>> 5, s = pos & 31;
  const low = <u32>load<f64>(SCRATCH + (<usize>k << 3));
  if (s == 0) return low;
  const high = k + 1 < <u32>ACC_CHUNKS ? <u32>load<f64>(SCRATCH + (<usize>(k + 1) << 3)) : 0;
  return (low >>> s) | (high << (32 - s));
}

/** 2^e for −1074 ≤ e ≤ 1023, exactly. */
@inline function pow2(e: i32): f64 {
  if (e >= -1022) return reinterpret<f64>(<u64>(e + 1023) << 52);
  return reinterpret<f64>(<u64>1 << <u64>(e + 1074));
}

/** The sum rounded to the nearest double (ties to even); +0 for an exact zero. The accumulator keeps its value. */
export function exactRound(acc: usize): f64 {
  const special = load<f64>(chunkAt(acc, ACC_SPECIAL));
  if (special != 0.0) return special; // ±Infinity or NaN (NaN != 0 too)
  exactCarry(acc);
  let negative = false;
  for (let i = ACC_CHUNKS - 1; i >= 0; i--) {
    const c = load<f64>(chunkAt(acc, <usize>i));
    if (c != 0.0) {
      negative = c < 0.0;
      break;
    }
  }
  // magnitude chunks in [0, 2^32) (the top one may be larger: the sum then overflows)
  let carry: f64 = 0.0;
  for (let i: usize = 0; i < <usize>ACC_CHUNKS; i++) {
    let v = load<f64>(chunkAt(acc, i));
    if (negative) v = -v;
    v += carry;
    if (i < <usize>(ACC_CHUNKS - 1)) {
      carry = Math.floor(v * INV_TWO32);
      v -= carry * TWO32;
    }
    store<f64>(SCRATCH + (i << 3), v);
  }
  if (load<f64>(SCRATCH + (<usize>(ACC_CHUNKS - 1) << 3)) >= 1.0) return negative ? -Infinity : Infinity; // ≥ 2^1038
  let h = ACC_CHUNKS - 2;
  while (h >= 0 && load<f64>(SCRATCH + (<usize>h << 3)) == 0.0) h--;
  if (h < 0) return 0.0;
  const msb = <u32>(32 * h + 31 - clz<u32>(<u32>load<f64>(SCRATCH + (<usize>h << 3))));
  let magnitude: f64;
  if (msb <= 52) {
    // below 2^-1021: every multiple of 2^-1074 there is a double
    magnitude = (load<f64>(SCRATCH + 8) * TWO32 + load<f64>(SCRATCH)) * pow2(-1074);
  } else {
    const lsb = msb - 52;
    const mLo = bitsAt(lsb);
    const mHi = bitsAt(lsb + 32) & 0x1fffff;
    const r = lsb - 1, rk = r >>> 5, rs = r & 31;
    const roundChunk = <u32>load<f64>(SCRATCH + (<usize>rk << 3));
    const roundBit = (roundChunk >>> rs) & 1;
    let sticky = rs == 0 ? 0 : roundChunk & ((<u32>1 << rs) - 1);
    for (let i: u32 = 0; sticky == 0 && i < rk; i++) sticky = <u32>load<f64>(SCRATCH + (<usize>i << 3));
    let m = <f64>mHi * TWO32 + <f64>mLo;
    if (roundBit != 0 && (sticky != 0 || (mLo & 1) != 0)) m += 1.0;
    magnitude = m * pow2(<i32>lsb - 1074);
  }
  return negative ? -magnitude : magnitude;
}

// Report totals: argument block of u32 column pointers (EXACT_TOTALS_COLUMNS in src/kernels/abi.ts).
const LIVE = 0, STATUS = 1, EQUITY = 2, IM = 3, MM = 4, GROSS = 5;
/** The error status code (src/kernels/status-codes.ts): error accounts stay out of the sums. */
const STATUS_ERROR: u8 = 4;

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

/**
 * The margin report's sums over accounts [first, last) that are live and not in error, into five accumulators at
 * `acc` (ACC_SLOTS f64s apart): equity, IM, MM, gross notional, and gross notional of the accounts with IM > 0.
 */
export function exactTotals(acc: usize, first: i32, last: i32, args: usize): void {
  const live = col(args, LIVE), status = col(args, STATUS);
  const equity = col(args, EQUITY), im = col(args, IM), mm = col(args, MM), gross = col(args, GROSS);
  const stride: usize = <usize>ACC_SLOTS << 3;
  const aEquity = acc, aIm = acc + stride, aMm = acc + 2 * stride, aGross = acc + 3 * stride, aGrossIm = acc + 4 * stride;
  for (let a0 = first; a0 < last; a0 += TOTALS_BLOCK) {
    // carried at each block's start, a block adds at most one term per account to each sum: no count per term
    for (let k: usize = 0; k < 5; k++) exactCarry(acc + k * stride);
    const a1 = last - a0 < TOTALS_BLOCK ? last : a0 + TOTALS_BLOCK;
    for (let a = <usize>a0; a < <usize>a1; a++) {
      if (load<u8>(live + a) == 0 || load<u8>(status + a) == STATUS_ERROR) continue;
      const i = load<f64>(im + (a << 3)), g = load<f64>(gross + (a << 3));
      addOne(aEquity, load<f64>(equity + (a << 3)));
      addOne(aIm, i);
      addOne(aMm, load<f64>(mm + (a << 3)));
      addOne(aGross, g);
      if (i > 0.0) addOne(aGrossIm, g);
    }
    for (let k: usize = 0; k < 5; k++) store<f64>(chunkAt(acc + k * stride, ACC_PENDING), 1.0 + <f64>(a1 - a0));
  }
}
