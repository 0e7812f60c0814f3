/**
 * Standard normal draws from Philox4x32-10 by Box–Muller, and correlated draws X = Z·Lᵀ: the JS twin
 * of assembly/risk/normal-draws.ts.
 *
 * Block i of a call uses the counter (firstBlock + i, counterHi, 0, 0) and key (seed, stream); its words
 * (w0, w1, w2, w3) give normals 2i and 2i+1 (an odd count drops the last block's second normal):
 *   u1 = ((w0 >>> 11)·2^32 + w1 + 1)·2^−53 in (0, 1],  u2 = ((w2 >>> 11)·2^32 + w3)·2^−53 in [0, 1)
 *   r = √(−2·ln u1),  z[2i] = r·cos(2πu2),  z[2i+1] = r·sin(2πu2)     (Box & Muller, 1958)
 * Every step of u1, u2 is exact; ln is the kernels' own (elementary.ts), cos/sin trig.ts; |z| ≤ 8.57.
 */
import { log } from '../elementary.js';
import { philoxBlock } from './philox.js';
import { sinCosTurn } from './trig.js';

const TWO32 = 4294967296.0;
const TWO_M53 = 2 ** -53;

const words = new Uint32Array(4);
const cs = new Float64Array(2);

/** n standard normals into out. The caller keeps firstBlock + ⌈n/2⌉ ≤ 2^32. */
export function normalDrawsJs(out: Float64Array, n: number, seed: number, stream: number, firstBlock: number, counterHi: number): void {
  let block = firstBlock >>> 0;
  for (let i = 0; i < n; i += 2) {
    philoxBlock(block, counterHi >>> 0, 0, 0, seed >>> 0, stream >>> 0, words, 0);
    const u1 = ((words[0] >>> 11) * TWO32 + words[1] + 1.0) * TWO_M53;
    const u2 = ((words[2] >>> 11) * TWO32 + words[3]) * TWO_M53;
    const r = Math.sqrt(log(u1) * -2.0);
    sinCosTurn(u2, cs);
    out[i] = r * cs[0];
    if (i + 1 < n) out[i + 1] = r * cs[1];
    block = (block + 1) >>> 0;
  }
}

/**
 * x[s·m + i] = Σ_{k=0..i} z[s·m + k]·lt[k·m + i] for s in [0, nScenarios), k ascending from +0.
 * `lt` is Lᵀ (the Cholesky factor transposed: m×m row-major, upper triangular, exact zeros below the
 * diagonal, which the WASM SIMD tiles read); rows of x then have covariance L·Lᵀ.
 */
export function correlateJs(nScenarios: number, m: number, z: Float64Array, lt: Float64Array, x: Float64Array): void {
  for (let s = 0; s < nScenarios; s++) {
    const base = s * m;
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let k = 0; k <= i; k++) acc += z[base + k] * lt[k * m + i];
      x[base + i] = acc;
    }
  }
}
