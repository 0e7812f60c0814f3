// Philox4x32-10 counter-based generator. Twin of src/kernels/js/risk/philox.ts.
//
// Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC '11
// (doi:10.1145/2063384.2063405); constants and round structure as in Random123's philox.h, checked
// against its kat_vectors (test/risk/philox.test.ts). One block maps a 128-bit counter (c0..c3) and a
// 64-bit key (k0, k1) to four u32 words; ten rounds of
//   (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2            (32×32 → 64-bit products)
//   c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
// with the key bumped by the Weyl constants (k0 += W0, k1 += W1) between rounds.

export const PHILOX_M0: u32 = 0xd2511f53;
export const PHILOX_M1: u32 = 0xcd9e8d57;
export const PHILOX_W0: u32 = 0x9e3779b9; // golden ratio
export const PHILOX_W1: u32 = 0xbb67ae85; // √3 − 1
export const PHILOX_ROUNDS = 10;

// Output of the scalar block function (four u32 words).
export const PHILOX_OUT = memory.data(16, 16);

/** One Philox4x32-10 block into PHILOX_OUT. */
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    const p0 = <u64>PHILOX_M0 * <u64>c0;
    const p1 = <u64>PHILOX_M1 * <u64>c2;
    const n0 = <u32>(p1 >>> 32) ^ c1 ^ k0;
    const n2 = <u32>(p0 >>> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = <u32>p1;
    c2 = n2;
    c3 = <u32>p0;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  store<u32>(PHILOX_OUT, c0);
  store<u32>(PHILOX_OUT, c1, 4);
  store<u32>(PHILOX_OUT, c2, 8);
  store<u32>(PHILOX_OUT, c3, 12);
}

// Constants for the i32x4 path, loaded with splats (see math/vec.ts).
const PC = memory.data<u32>([PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1]);

// The i32x4 path: four blocks at once, word-sliced (lane b of vector w holds word w of block b).

// Per-call key schedule for the i32x4 path: round r's (k0 + r·W0, k1 + r·W1) as two splatted vectors.
const KEYS = memory.data(PHILOX_ROUNDS * 32, 16);

/** Fills KEYS for the key (k0, k1). */
export function philoxKeySchedule(k0: u32, k1: u32): void {
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    v128.store(KEYS + (<usize>r << 5), i32x4.splat(k0));
    v128.store(KEYS + (<usize>r << 5), i32x4.splat(k1), 16);
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
}

// Output of philoxBlocks4: four vectors, vector w = word w of the four blocks. philoxBlocks8 writes
// its first four blocks there and the next four at PHILOX_V + 64.
export const PHILOX_V = memory.data(128, 16);

/**
 * Four consecutive blocks, counters (c0 + b, c1, c2, c3), b = 0..3 (the caller ensures c0 + 3 does not
 * wrap), with the key last given to philoxKeySchedule. Output words in PHILOX_V.
 */
export function philoxBlocks4(c0: u32, c1: u32, c2: u32, c3: u32): void {
  const lanes = memory.data<u32>([0, 1, 2, 3]);
  let x0 = i32x4.add(i32x4.splat(c0), v128.load(lanes));
  let x1 = i32x4.splat(c1), x2 = i32x4.splat(c2), x3 = i32x4.splat(c3);
  const m0 = v128.load32_splat(PC), m1 = v128.load32_splat(PC, 4);
  for (let key = KEYS; key < KEYS + PHILOX_ROUNDS * 32; key += 32) {
    // 32×32 → 64-bit products: extmul gives blocks (0, 1) and (2, 3) as u64 pairs; shuffles then
    // gather the high words (odd u32 lanes) and the low words (even lanes) of the four blocks.
    const p01 = i64x2.extmul_low_i32x4_u(x0, m0), p23 = i64x2.extmul_high_i32x4_u(x0, m0);
    const q01 = i64x2.extmul_low_i32x4_u(x2, m1), q23 = i64x2.extmul_high_i32x4_u(x2, m1);
    x0 = v128.xor(v128.xor(v128.shuffle<u32>(q01, q23, 1, 3, 5, 7), x1), v128.load(key));
    x1 = v128.shuffle<u32>(q01, q23, 0, 2, 4, 6);
    x2 = v128.xor(v128.xor(v128.shuffle<u32>(p01, p23, 1, 3, 5, 7), x3), v128.load(key, 16));
    x3 = v128.shuffle<u32>(p01, p23, 0, 2, 4, 6);
  }
  v128.store(PHILOX_V, x0);
  v128.store(PHILOX_V, x1, 16);
  v128.store(PHILOX_V, x2, 32);
  v128.store(PHILOX_V, x3, 48);
}

/**
 * Eight consecutive blocks, counters (c0 + b, c1, c2, c3), b = 0..7 (the caller ensures c0 + 7 does not
 * wrap): blocks 0–3 into PHILOX_V as philoxBlocks4 writes them, blocks 4–7 at PHILOX_V + 64. The same
 * words as two philoxBlocks4 calls; the two independent round chains interleave, so one's multiply
 * latency hides behind the other's work.
 */
export function philoxBlocks8(c0: u32, c1: u32, c2: u32, c3: u32): void {
  const lanes = memory.data<u32>([0, 1, 2, 3]);
  let x0 = i32x4.add(i32x4.splat(c0), v128.load(lanes));
  let y0 = i32x4.add(i32x4.splat(c0 + 4), v128.load(lanes));
  let x1 = i32x4.splat(c1), x2 = i32x4.splat(c2), x3 = i32x4.splat(c3);
  let y1 = x1, y2 = x2, y3 = x3;
  const m0 = v128.load32_splat(PC), m1 = v128.load32_splat(PC, 4);
  for (let key = KEYS; key < KEYS + PHILOX_ROUNDS * 32; key += 32) {
    const k0 = v128.load(key), k1 = v128.load(key, 16);
    const p01 = i64x2.extmul_low_i32x4_u(x0, m0), p23 = i64x2.extmul_high_i32x4_u(x0, m0);
    const q01 = i64x2.extmul_low_i32x4_u(x2, m1), q23 = i64x2.extmul_high_i32x4_u(x2, m1);
    const r01 = i64x2.extmul_low_i32x4_u(y0, m0), r23 = i64x2.extmul_high_i32x4_u(y0, m0);
    const s01 = i64x2.extmul_low_i32x4_u(y2, m1), s23 = i64x2.extmul_high_i32x4_u(y2, m1);
    x0 = v128.xor(v128.xor(v128.shuffle<u32>(q01, q23, 1, 3, 5, 7), x1), k0);
    x1 = v128.shuffle<u32>(q01, q23, 0, 2, 4, 6);
    x2 = v128.xor(v128.xor(v128.shuffle<u32>(p01, p23, 1, 3, 5, 7), x3), k1);
    x3 = v128.shuffle<u32>(p01, p23, 0, 2, 4, 6);
    y0 = v128.xor(v128.xor(v128.shuffle<u32>(s01, s23, 1, 3, 5, 7), y1), k0);
    y1 = v128.shuffle<u32>(s01, s23, 0, 2, 4, 6);
    y2 = v128.xor(v128.xor(v128.shuffle<u32>(r01, r23, 1, 3, 5, 7), y3), k1);
    y3 = v128.shuffle<u32>(r01, r23, 0, 2, 4, 6);
  }
  v128.store(PHILOX_V, x0);
  v128.store(PHILOX_V, x1, 16);
  v128.store(PHILOX_V, x2, 32);
  v128.store(PHILOX_V, x3, 48);
  v128.store(PHILOX_V, y0, 64);
  v128.store(PHILOX_V, y1, 80);
  v128.store(PHILOX_V, y2, 96);
  v128.store(PHILOX_V, y3, 112);
}

/**
 * Raw generator: nBlocks blocks into outPtr (4 u32 each, block-major). Block i uses the counter
 * (c0, c1, c2, c3) + i as a 128-bit little-endian integer (carries propagate), key (k0, k1).
 */
export function philox4x32(outPtr: usize, nBlocks: i32, c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let i = 0; i < nBlocks; i++) {
    philoxBlock(c0, c1, c2, c3, k0, k1);
    const o = outPtr + (<usize>i << 4);
    store<u64>(o, load<u64>(PHILOX_OUT));
    store<u64>(o, load<u64>(PHILOX_OUT, 8), 8);
    c0 += 1;
    if (c0 == 0) {
      c1 += 1;
      if (c1 == 0) {
        c2 += 1;
        if (c2 == 0) c3 += 1;
      }
    }
  }
}
