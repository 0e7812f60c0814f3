/**
 * exp and log, written to give the same bits as the WASM kernels (assembly/math/exp.ts, log.ts).
 *
 * Implementation note: V8's Math.exp/log are accurate but not the algorithm WASM runs, and a 1-ulp
 * difference would make the two backends disagree in the last bit. So both backends run these: the
 * same range reduction, the same polynomial in the same evaluation order, no fused multiply-add
 * (neither JS nor plain WASM has one), and exact powers of two for scaling. Results are within
 * ~2 ulp of the true value (test/math.test.ts measures it against 50-digit references).
 * Keep every line in lock-step with its AssemblyScript twin.
 */

/** 1.5 · 2^52: adding and subtracting it rounds a double to the nearest integer (ties to even). */
const ROUND_SHIFT = 6755399441055744.0;
const LOG2E = 1.4426950408889634;
/** ln 2 split so that k · LN2_HI is exact for |k| < 2^21 (fdlibm's Cody–Waite constants). */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** exp's argument is clamped here: below, the result underflows to 0; above, it would overflow. */
export const EXP_ARG_MIN = -1000.0;
export const EXP_ARG_MAX = 709.78;

// Taylor coefficients 1/n!, n = 0..13: on |r| ≤ ln2/2 the truncation error is below 4e-18.
const E0 = 1.0, E1 = 1.0, E2 = 0.5, E3 = 0.16666666666666666, E4 = 0.041666666666666664;
const E5 = 0.008333333333333333, E6 = 0.001388888888888889, E7 = 0.0001984126984126984;
const E8 = 2.48015873015873e-5, E9 = 2.7557319223985893e-6, E10 = 2.755731922398589e-7;
const E11 = 2.505210838544172e-8, E12 = 2.08767569878681e-9, E13 = 1.6059043836821613e-10;

/** 2^(i − 1023) for i in [0, 2046]: every power exp can need, exact. */
const POW2 = new Float64Array(2047);
for (let i = 0; i < 2047; i++) POW2[i] = 2 ** (i - 1023);

/**
 * e^x. Reduction x = k·ln2 + r with |r| ≲ ln2/2, e^r by a degree-13 Taylor polynomial (Estrin
 * scheme), then scaled by 2^k as two exact factors 2^⌊k/2⌋ · 2^(k−⌊k/2⌋) so k down to −1443 needs
 * no special case (results below 2^−1074 round to 0 once, identically on both backends).
 */
export function exp(x: number): number {
  const xc = x < EXP_ARG_MIN ? EXP_ARG_MIN : x > EXP_ARG_MAX ? EXP_ARG_MAX : x;
  const k = xc * LOG2E + ROUND_SHIFT - ROUND_SHIFT;
  const r = xc - k * LN2_HI - k * LN2_LO;
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const s0 = E0 + E1 * r + (E2 + E3 * r) * r2;
  const s1 = E4 + E5 * r + (E6 + E7 * r) * r2;
  const s2 = E8 + E9 * r + (E10 + E11 * r) * r2;
  const p = s0 + s1 * r4 + (s2 + (E12 + E13 * r) * r4) * r8;
  const k1 = Math.floor(k * 0.5);
  return p * POW2[k1 + 1023] * POW2[k - k1 + 1023];
}

/**
 * e^(−y²/2) for y ≥ 0, with y² carried exactly as hi + lo (Dekker's product, Veltkamp split).
 * Rounding y² first would cost y²·2^−53 of relative accuracy: 7e-14 at y = 37.
 */
export function expNegHalfSquare(y: number): number {
  const c = 134217729.0 * y; // 2^27 + 1
  const yh = c - (c - y);
  const yl = y - yh;
  const hi = y * y;
  const lo = yh * yh - hi + 2.0 * yh * yl + yl * yl;
  return exp(-0.5 * hi) * (1.0 - 0.5 * lo);
}

// log: x = 2^k · z with z in [√2/2, √2), then log z = 2·atanh(s), s = (z−1)/(z+1), |s| ≤ 0.1716.
/** The double nearest √2: mantissas at or above it are halved so z stays in [√2/2, √2). */
const SQRT2 = 1.4142135623730951;
// 2/(2i+1), i = 1..10: the atanh series in s² to below 1e-19 relative.
const L1 = 0.6666666666666666, L2 = 0.4, L3 = 0.2857142857142857, L4 = 0.2222222222222222;
const L5 = 0.18181818181818182, L6 = 0.15384615384615385, L7 = 0.13333333333333333;
const L8 = 0.11764705882352941, L9 = 0.10526315789473684, L10 = 0.09523809523809523;

const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
// Index of the high (sign/exponent) word of a double in the scratch: platform endianness.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Natural log of a positive normal double (callers guarantee x in [2^−1022, 2^1024)). */
export function log(x: number): number {
  scratchF64[0] = x;
  const hi = scratchU32[HI];
  let k = (hi >>> 20) - 1023;
  scratchU32[HI] = (hi & 0x000fffff) | 0x3ff00000; // mantissa as a double in [1, 2)
  let z = scratchF64[0];
  if (z >= SQRT2) {
    z = z * 0.5;
    k = k + 1;
  }
  const f = z - 1.0;
  const s = f / (2.0 + f);
  const w = s * s;
  const w2 = w * w;
  const w4 = w2 * w2;
  const s0 = L1 + L2 * w + (L3 + L4 * w) * w2;
  const s1 = L5 + L6 * w + (L7 + L8 * w) * w2;
  const series = s0 + s1 * w4 + (L9 + L10 * w) * (w4 * w4);
  const logZ = 2.0 * s + s * w * series;
  return k * LN2_LO + logZ + k * LN2_HI;
}
