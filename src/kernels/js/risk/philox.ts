/**
 * Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC '11,
 * doi:10.1145/2063384.2063405): the JS twin of assembly/risk/philox.ts. Constants and round structure
 * as in Random123's philox.h; test/risk/philox.test.ts checks Random123's kat_vectors.
 * Ten rounds of (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2, c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0),
 * with the key bumped by the Weyl constants between rounds.
 */

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9; // golden ratio
export const PHILOX_W1 = 0xbb67ae85; // √3 − 1
const ROUNDS = 10;
const M0_LO = PHILOX_M0 & 0xffff, M0_HI = PHILOX_M0 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff, M1_HI = PHILOX_M1 >>> 16;

/** High 32 bits of the 64-bit product of u32 x and the u32 m = mHi·2^16 + mLo (16-bit halves, exact). */
function mulHi(x: number, mLo: number, mHi: number): number {
  const xl = x & 0xffff, xh = x >>> 16;
  const ll = xl * mLo, lh = xl * mHi, hl = xh * mLo, hh = xh * mHi; // each < 2^32, exact
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** One block: counter (c0..c3), key (k0, k1), all u32; writes 4 words at out[offset..]. */
export function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array, offset: number): void {
  for (let r = 0; r < ROUNDS; r++) {
    const hi0 = mulHi(c0, M0_LO, M0_HI), lo0 = Math.imul(c0, PHILOX_M0) >>> 0;
    const hi1 = mulHi(c2, M1_LO, M1_HI), lo1 = Math.imul(c2, PHILOX_M1) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  out[offset] = c0;
  out[offset + 1] = c1;
  out[offset + 2] = c2;
  out[offset + 3] = c3;
}

/**
 * nBlocks blocks into out (4 words each). Block i uses the counter (c0, c1, c2, c3) + i as a 128-bit
 * little-endian integer (carries propagate) and the key (k0, k1).
 */
export function philox4x32Js(out: Uint32Array, nBlocks: number, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0;
  for (let i = 0; i < nBlocks; i++) {
    philoxBlock(c0, c1, c2, c3, k0 >>> 0, k1 >>> 0, out, 4 * i);
    c0 = (c0 + 1) >>> 0;
    if (c0 === 0) {
      c1 = (c1 + 1) >>> 0;
      if (c1 === 0) {
        c2 = (c2 + 1) >>> 0;
        if (c2 === 0) c3 = (c3 + 1) >>> 0;
      }
    }
  }
}
