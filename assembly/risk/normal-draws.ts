// Standard normal draws from Philox4x32-10 (Box–Muller), and correlated draws X = Z·Lᵀ.
// Twin of src/kernels/js/risk/normal-draws.ts.
//
// Block i of a call uses the counter (firstBlock + i, counterHi, 0, 0) and key (seed, stream), and
// yields normals 2i and 2i+1 (an odd count drops the last block's second normal). From its words
// (w0, w1, w2, w3):
//   u1 = ((w0 >>> 11)·2^32 + w1 + 1)·2^−53  in (0, 1]   (53 random bits; every step exact)
//   u2 = ((w2 >>> 11)·2^32 + w3)·2^−53      in [0, 1)
//   r = √(−2·ln u1),  z[2i] = r·cos(2πu2),  z[2i+1] = r·sin(2πu2)      (Box & Muller, 1958)
// ln is the kernels' own log (math/log.ts), cos/sin math/trig.ts, so every backend gives the same bits.
// |z| ≤ √(2·53·ln 2) ≈ 8.57.
import { log, logV } from '../math/log';
import { SINCOS_OUT, SINCOS_V, sinCosTurn, sinCosTurnV } from '../math/trig';
import { splat } from '../math/vec';
import { PHILOX_OUT, PHILOX_V, philoxBlock, philoxBlocks4, philoxBlocks8, philoxKeySchedule } from './philox';

const TWO32: f64 = 4294967296.0;
const TWO_M53: f64 = 1.1102230246251565e-16; // 2^−53
const T = memory.data<f64>([TWO32, TWO_M53, 1.0, -2.0, 0.0]);
const T_TWO32 = 0, T_TWO_M53 = 1, T_ONE = 2, T_MINUS_TWO = 3, T_ZERO = 4;

/** The two normals of one block from its words (scalar); writes SINCOS_OUT scaled by r. */
@inline function boxMuller(w0: u32, w1: u32, w2: u32, w3: u32): void {
  const u1 = (<f64>(w0 >>> 11) * TWO32 + <f64>w1 + 1.0) * TWO_M53;
  const u2 = (<f64>(w2 >>> 11) * TWO32 + <f64>w3) * TWO_M53;
  const r = sqrt(log(u1) * -2.0);
  sinCosTurn(u2);
  store<f64>(SINCOS_OUT, r * load<f64>(SINCOS_OUT));
  store<f64>(SINCOS_OUT, r * load<f64>(SINCOS_OUT, 8), 8);
}

/** u32 lanes h (blocks 2h, 2h+1) of word vector w of the four-block set at `set`, as f64x2. */
@inline function wordPair(set: usize, w: i32, h: i32): v128 {
  return f64x2.convert_low_i32x4_u(v128.load64_zero(set + (<usize>w << 4) + (<usize>h << 3)));
}

/** Normals of blocks 2h, 2h+1 of the four-block set at `set` (PHILOX_V or PHILOX_V + 64), stored interleaved at out. */
@inline function boxMullerV(set: usize, h: i32, out: usize): void {
  const hi0 = f64x2.convert_low_i32x4_u(i32x4.shr_u(v128.load64_zero(set + (<usize>h << 3)), 11));
  const hi2 = f64x2.convert_low_i32x4_u(i32x4.shr_u(v128.load64_zero(set + 32 + (<usize>h << 3)), 11));
  const two32 = splat(T, T_TWO32), scale = splat(T, T_TWO_M53);
  const u1 = f64x2.mul(f64x2.add(f64x2.add(f64x2.mul(hi0, two32), wordPair(set, 1, h)), splat(T, T_ONE)), scale);
  const u2 = f64x2.mul(f64x2.add(f64x2.mul(hi2, two32), wordPair(set, 3, h)), scale);
  const r = f64x2.sqrt(f64x2.mul(logV(u1), splat(T, T_MINUS_TWO)));
  sinCosTurnV(u2);
  const z0 = f64x2.mul(r, v128.load(SINCOS_V));
  const z1 = f64x2.mul(r, v128.load(SINCOS_V, 16));
  v128.store(out, v128.shuffle<f64>(z0, z1, 0, 2));
  v128.store(out, v128.shuffle<f64>(z0, z1, 1, 3), 16);
}

/**
 * n standard normals into outPtr (f64). Key (seed, stream); block i uses counter
 * (firstBlock + i, counterHi, 0, 0). The caller keeps firstBlock + ⌈n/2⌉ ≤ 2^32 (no wrap).
 */
export function normalDraws(outPtr: usize, n: i32, seed: u32, stream: u32, firstBlock: u32, counterHi: u32): void {
  let i = 0; // normals written
  let block = firstBlock;
  if (ASC_FEATURE_SIMD) {
    philoxKeySchedule(seed, stream);
    for (; i + 16 <= n; i += 16) {
      philoxBlocks8(block, counterHi, 0, 0);
      const out = outPtr + (<usize>i << 3);
      boxMullerV(PHILOX_V, 0, out);
      boxMullerV(PHILOX_V, 1, out + 32);
      boxMullerV(PHILOX_V + 64, 0, out + 64);
      boxMullerV(PHILOX_V + 64, 1, out + 96);
      block += 8;
    }
    for (; i + 8 <= n; i += 8) {
      philoxBlocks4(block, counterHi, 0, 0);
      boxMullerV(PHILOX_V, 0, outPtr + (<usize>i << 3));
      boxMullerV(PHILOX_V, 1, outPtr + (<usize>i << 3) + 32);
      block += 4;
    }
  }
  for (; i < n; i += 2) {
    philoxBlock(block, counterHi, 0, 0, seed, stream);
    boxMuller(load<u32>(PHILOX_OUT), load<u32>(PHILOX_OUT, 4), load<u32>(PHILOX_OUT, 8), load<u32>(PHILOX_OUT, 12));
    store<f64>(outPtr + (<usize>i << 3), load<f64>(SINCOS_OUT));
    if (i + 1 < n) store<f64>(outPtr + (<usize>(i + 1) << 3), load<f64>(SINCOS_OUT, 8));
    block += 1;
  }
}

// ---- correlated draws ----------------------------------------------------------------------------
// x[s][i] = Σ_{k=0..i} z[s][k]·Lᵀ[k][i], k ascending from +0 (Lᵀ = the Cholesky factor transposed,
// m×m row-major upper triangular). The SIMD tiles (2 scenarios × 8 columns) run k to the end of their
// column block, adding z·0 for the entries below Lᵀ's diagonal: with +0-started sums and finite z those
// additions change no bit, so all backends agree provided Lᵀ holds exact zeros below its diagonal.

@inline function corrTile2x8(m: i32, za: usize, lt: usize, xa: usize, i0: i32): void {
  const rowBytes = <usize>m << 3;
  let a0 = splat(T, T_ZERO), a1 = a0, a2 = a0, a3 = a0;
  let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const zb = za + rowBytes;
  let p = lt + (<usize>i0 << 3);
  const end = <usize>(i0 + 8) << 3;
  for (let k: usize = 0; k < end; k += 8) {
    const l0 = v128.load(p), l1 = v128.load(p, 16), l2 = v128.load(p, 32), l3 = v128.load(p, 48);
    const sa = v128.load64_splat(za + k);
    const sb = v128.load64_splat(zb + k);
    a0 = f64x2.add(a0, f64x2.mul(sa, l0));
    a1 = f64x2.add(a1, f64x2.mul(sa, l1));
    a2 = f64x2.add(a2, f64x2.mul(sa, l2));
    a3 = f64x2.add(a3, f64x2.mul(sa, l3));
    b0 = f64x2.add(b0, f64x2.mul(sb, l0));
    b1 = f64x2.add(b1, f64x2.mul(sb, l1));
    b2 = f64x2.add(b2, f64x2.mul(sb, l2));
    b3 = f64x2.add(b3, f64x2.mul(sb, l3));
    p += rowBytes;
  }
  const o = <usize>i0 << 3;
  const xb = xa + rowBytes;
  v128.store(xa + o, a0); v128.store(xa + o, a1, 16); v128.store(xa + o, a2, 32); v128.store(xa + o, a3, 48);
  v128.store(xb + o, b0); v128.store(xb + o, b1, 16); v128.store(xb + o, b2, 32); v128.store(xb + o, b3, 48);
}

@inline function corrTile2x2(m: i32, za: usize, lt: usize, xa: usize, i0: i32): void {
  const rowBytes = <usize>m << 3;
  let a = splat(T, T_ZERO), b = a;
  const zb = za + rowBytes;
  let p = lt + (<usize>i0 << 3);
  const end = <usize>(i0 + 2) << 3;
  for (let k: usize = 0; k < end; k += 8) {
    const l = v128.load(p);
    a = f64x2.add(a, f64x2.mul(v128.load64_splat(za + k), l));
    b = f64x2.add(b, f64x2.mul(v128.load64_splat(zb + k), l));
    p += rowBytes;
  }
  v128.store(xa + (<usize>i0 << 3), a);
  v128.store(xa + rowBytes + (<usize>i0 << 3), b);
}

/** One scenario, one column i (scalar). */
@inline function corrOne(m: i32, z: usize, lt: usize, x: usize, i: i32): void {
  const rowBytes = <usize>m << 3;
  let acc = 0.0;
  let p = lt + (<usize>i << 3);
  for (let k = 0; k <= i; k++) {
    acc += load<f64>(z + (<usize>k << 3)) * load<f64>(p);
    p += rowBytes;
  }
  store<f64>(x + (<usize>i << 3), acc);
}

/**
 * xPtr[s][·] = zPtr[s][·]·Lᵀ for s in [0, nScenarios): M×m row-major f64 in and out, ltPtr the
 * transposed Cholesky factor (m×m row-major, upper triangular, exact zeros below the diagonal).
 * Rows of X then have covariance L·Lᵀ. zPtr and xPtr must not overlap.
 */
export function correlate(nScenarios: i32, m: i32, zPtr: usize, ltPtr: usize, xPtr: usize): void {
  const rowBytes = <usize>m << 3;
  let s = 0;
  if (ASC_FEATURE_SIMD) {
    for (; s + 2 <= nScenarios; s += 2) {
      const za = zPtr + <usize>s * rowBytes, xa = xPtr + <usize>s * rowBytes;
      let i = 0;
      for (; i + 8 <= m; i += 8) corrTile2x8(m, za, ltPtr, xa, i);
      for (; i + 2 <= m; i += 2) corrTile2x2(m, za, ltPtr, xa, i);
      if (i < m) {
        corrOne(m, za, ltPtr, xa, i);
        corrOne(m, za + rowBytes, ltPtr, xa + rowBytes, i);
      }
    }
  }
  for (; s < nScenarios; s++) {
    const z = zPtr + <usize>s * rowBytes, x = xPtr + <usize>s * rowBytes;
    for (let i = 0; i < m; i++) corrOne(m, z, ltPtr, x, i);
  }
}
