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
/** ln 2 split so that k · LN2_HI is exact for |k| < 2^21 (fdlibm's Cody–Waite constants). */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 64/ln 2, and ln2/64 split so that k · STEP_HI is exact for |k| < 2^21 (fdlibm's Cody–Waite
 * constants above, divided by 64). */
const INV_STEP = 92.33248261689366;
const STEP_HI = 0.01083042469326756;
const STEP_LO = 2.9815858269852933e-12;
/** exp's argument is clamped here: below, the result underflows to 0; above, it would overflow. */
export const EXP_ARG_MIN = -1000.0;
export const EXP_ARG_MAX = 709.78;

// Taylor coefficients 1/n!, n = 2..5, of e^r − 1: on |r| ≤ ln2/128 the truncation is below 3.5e-17.
const E2 = 0.5, E3 = 0.16666666666666666, E4 = 0.041666666666666664, E5 = 0.008333333333333333;

/**
 * 2^(j/64), j = 0..63, as (hi, tail) pairs: hi = RN(2^(j/64)), tail = RN((2^(j/64) − hi)/hi),
 * generated with 60-digit decimal arithmetic (same values as EXP_TABLE in assembly/math/exp.ts).
 */
const EXP_TABLE = new Float64Array([
  1.0, 0.0,
  1.0108892860517005, -1.507066976926039e-17,
  1.0218971486541166, 4.9997448722726326e-17,
  1.0330248790212284, 7.357846871247418e-18,
  1.0442737824274138, 8.189317638195515e-17,
  1.0556451783605572, 1.6665881442326747e-18,
  1.0671404006768237, -7.402825309426177e-17,
  1.0787607977571199, -6.170654745608695e-17,
  1.0905077326652577, -2.7939114859515733e-17,
  1.102382583307841, 4.776959425256223e-17,
  1.1143867425958924, 9.341710609905046e-17,
  1.1265216186082418, 4.585670326662351e-17,
  1.1387886347566916, 7.826573258636076e-17,
  1.1511892299529827, 2.823784425951061e-17,
  1.1637248587775775, 3.2904726646008416e-17,
  1.1763969916502812, 4.721368121170128e-17,
  1.189207115002721, 3.3484623336251524e-17,
  1.202156731452703, 5.527550048505249e-17,
  1.215247359980469, -6.346552106729483e-17,
  1.22848053610687, -1.5456342819397733e-17,
  1.241857812073484, 3.750854201303127e-17,
  1.255380757024691, -5.346099009198751e-18,
  1.2690509571917332, 2.1023049675215714e-18,
  1.2828700160787783, 1.3357510088834541e-17,
  1.2968395546510096, 1.9572585293112036e-17,
  1.3109612115247644, -5.478069123926778e-17,
  1.3252366431597413, -2.1571477251208752e-17,
  1.339667524053303, 6.663804589232195e-17,
  1.3542555469368927, 5.68648095791174e-17,
  1.3690024229745905, 7.007875046906994e-17,
  1.383909881963832, -4.8923067513522756e-17,
  1.3989796725383112, -6.872303720902018e-17,
  1.4142135623730951, -6.835808657661922e-17,
  1.42961333839197, -8.416011634717156e-18,
  1.4451808069770467, -2.092304381843353e-17,
  1.460917794180647, -3.833464968654295e-17,
  1.4768261459394993, -2.3591094770850053e-17,
  1.4929077282912648, 9.50689710108796e-18,
  1.5091644275934228, -6.735219232374683e-17,
  1.5255981507445384, -7.226635472101257e-17,
  1.5422108254079407, 5.1548301170786783e-17,
  1.559004400237837, 2.4253985766689806e-17,
  1.5759808451078865, -6.432131775424189e-18,
  1.593142151342267, -6.336161863401293e-17,
  1.6104903319492543, 1.5341410053603723e-17,
  1.6280274218573478, -4.123367330661149e-17,
  1.645755478153965, -6.152602891550265e-17,
  1.6636765803267364, 3.540948262646183e-17,
  1.681792830507429, 4.875160526227062e-17,
  1.7001063537185235, -4.719539664590972e-18,
  1.718619298122478, -1.0772487078934056e-17,
  1.7373338352737062, 1.821405440362259e-17,
  1.7562521603732995, 1.685487290628973e-17,
  1.7753764925265212, 3.621615935336894e-17,
  1.7947090750031072, 1.01562190116415e-17,
  1.8142521755003989, -5.495118966122005e-17,
  1.8340080864093424, 1.790126907604513e-17,
  1.8539791250833855, 5.265370768556274e-17,
  1.8741676341103, -3.266924100901318e-17,
  1.8945759815869656, 1.7963932659833022e-17,
  1.9152065613971474, -5.545065618639427e-17,
  1.9360617934922943, 5.336805878514151e-17,
  1.9571441241754002, 4.5784915277060095e-17,
  1.978456026387951, 2.0414278897578303e-17,
]);

/** 2^(i − 1023) for i in [0, 2046]: every power exp can need, exact. */
const POW2 = new Float64Array(2047);
for (let i = 0; i < 2047; i++) POW2[i] = 2 ** (i - 1023);

/**
 * 2^(j/64)·e^r where x = k·ln2/64 + r, |r| ≤ ln2/128, j = k mod 64 (Tang's table method, laid out as
 * in musl's exp.c): e^x = 2^⌊k/64⌋ · (hi + hi·(tail + (e^r − 1))), rounded once at the end.
 */
function expMantissa(x: number, k: number): number {
  const r = x - k * STEP_HI - k * STEP_LO;
  const r2 = r * r;
  const q = r + r2 * (E2 + E3 * r) + r2 * r2 * (E4 + E5 * r);
  const row = (k & 63) << 1;
  const hi = EXP_TABLE[row];
  return hi + hi * (EXP_TABLE[row + 1] + q);
}

/**
 * e^x, within ~0.7 ulp. Scaled by 2^m, m = ⌊k/64⌋, as two exact factors 2^⌊m/2⌋ · 2^(m−⌊m/2⌋) so m
 * down to −1443 needs no special case (results below 2^−1074 round to 0 once, identically on both
 * backends).
 */
export function exp(x: number): number {
  return expCore(x < EXP_ARG_MIN ? EXP_ARG_MIN : x > EXP_ARG_MAX ? EXP_ARG_MAX : x);
}

/** e^x for x in [EXP_ARG_MIN, EXP_ARG_MAX]. */
function expCore(x: number): number {
  const k = x * INV_STEP + ROUND_SHIFT - ROUND_SHIFT;
  const m = k >> 6;
  const half = m >> 1;
  return expMantissa(x, k) * POW2[half + 1023] * POW2[m - half + 1023];
}

/** e^x for |x| ≤ 708, where results are normal: one scaling factor, no clamp, same bits as exp. */
export function expModerate(x: number): number {
  const k = x * INV_STEP + ROUND_SHIFT - ROUND_SHIFT;
  return expMantissa(x, k) * POW2[(k >> 6) + 1023];
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
  return expCore(-0.5 * hi) * (1.0 - 0.5 * lo); // −y²/2 ≥ −800: no clamp needed
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
