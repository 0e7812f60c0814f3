// Batch European option price and Greeks under generalised Black–Scholes–Merton.
// Twin of src/kernels/js/bsm.ts (formulas, regimes and conventions are documented there and in the
// README); scalar and f64x2 paths compute the same expressions in the same order, bit for bit.
import { expCoreV, expModerate, expModerateV, expNegHalfSquare, negHalfV, squareLoCorrectionV, squareLoV } from '../math/exp';
import { log, logV } from '../math/log';
import { INV_SQRT_2PI, NORMAL_ABS_MAX, normalTail, normalTailsPartitioned } from '../math/normal';
import { select, splat } from '../math/vec';

export const VOL_SQRT_T_MIN: f64 = 1e-14;

const T = memory.data<f64>([0.0, 0.5, 1.0, -1.0, 2.0, NORMAL_ABS_MAX, -NORMAL_ABS_MAX, INV_SQRT_2PI, VOL_SQRT_T_MIN]);
const ZERO = 0, HALF = 1, ONE = 2, MINUS_ONE = 3, TWO = 4, BIG = 5, MINUS_BIG = 6, INV_SQRT_2PI_I = 7, VMIN = 8;

// Byte offsets of the column pointers in the argument block written by the façade
// (src/greeks/run.ts, through src/kernels/wasm/exports.ts): 6 inputs after isCall, then 6 outputs.
const SPOT = 0, STRIKE = 1, EXPIRY = 2, VOL = 3, RATE = 4, CARRY = 5;
const PRICE = 6, DELTA = 7, GAMMA = 8, VEGA = 9, THETA = 10, RHO = 11;

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

/** Scalar kernel for option i. */
@inline function greeksOne(isCall: usize, args: usize, i: usize): void {
  const o = i << 3;
  const s = load<f64>(col(args, SPOT) + o);
  const k = load<f64>(col(args, STRIKE) + o);
  const sigma = load<f64>(col(args, VOL) + o);
  const r = load<f64>(col(args, RATE) + o);
  const q = load<f64>(col(args, CARRY) + o);
  const w: f64 = load<u8>(isCall + i) != 0 ? 1.0 : -1.0;
  const expiry = load<f64>(col(args, EXPIRY) + o);
  const expired = expiry <= 0.0;
  const t = expired ? 0.0 : expiry;
  const sqrtT = sqrt(t);
  const v = sigma * sqrtT;
  const dq = expModerate(-q * t); // |qT|, |rT| ≤ 100 on the validated domain
  const dr = expModerate(-r * t);
  const sq = s * dq;
  const kr = k * dr;
  const lnFK = log(s / k) + (r - q) * t;
  const deterministic = v < VOL_SQRT_T_MIN;
  let d1: f64, d2: f64;
  if (deterministic) {
    d1 = lnFK > 0.0 ? NORMAL_ABS_MAX : lnFK < 0.0 ? -NORMAL_ABS_MAX : 0.0;
    d2 = d1;
  } else {
    d1 = lnFK / v + 0.5 * v;
    d2 = d1 - v;
  }
  const y1 = min(abs(d1), NORMAL_ABS_MAX);
  const y2 = min(abs(d2), NORMAL_ABS_MAX);
  const forwardRatio = sq / kr;
  const eNear = expNegHalfSquare(min(y1, y2));
  const e1 = y1 <= y2 ? eNear : eNear / forwardRatio;
  const e2 = y1 <= y2 ? eNear * forwardRatio : eNear;
  const tail1 = normalTail(y1, e1);
  const tail2 = normalTail(y2, e2);
  const n1 = w * d1 > 0.0 ? 1.0 - tail1 : tail1;
  const n2 = w * d2 > 0.0 ? 1.0 - tail2 : tail2;
  const pdf1 = e1 * INV_SQRT_2PI;

  const value = w * (sq * n1 - kr * n2);
  store<f64>(col(args, PRICE) + o, value > 0.0 ? value : 0.0);
  store<f64>(col(args, DELTA) + o, w * dq * n1);
  store<f64>(col(args, GAMMA) + o, deterministic ? 0.0 : (dq * pdf1) / (s * v));
  store<f64>(col(args, VEGA) + o, sq * pdf1 * sqrtT);
  const decay = deterministic ? 0.0 : -((sq * pdf1 * sigma) / (2.0 * sqrtT));
  store<f64>(col(args, THETA) + o, expired ? 0.0 : decay + w * (q * sq * n1 - r * kr * n2));
  store<f64>(col(args, RHO) + o, w * t * kr * n2);
}

// The f64x2 path runs in blocks of up to BLOCK options, in phases that pass values through static
// scratch rows below __heap_base (the façade owns memory above it): perf: short-phases
// (docs/performance.md).
// Per element the arithmetic is exactly greeksOne's, in the same order.
const BLOCK = 128; // options per block: the scratch (15 KB) stays in L1 next to the 12 columns
const VB = BLOCK / 2; // f64x2 vectors per scratch row
const ROW: usize = VB << 4; // bytes per scratch row
const S = memory.data(<i32>ROW * 15, 16);
// Rows 0–2 hold the exp arguments −qT, −rT, −yNear²/2, replaced in place by dq, dr, e^(−yNear²/2).
const S_EXP = S, S_CORR = S + 3 * ROW, S_D1 = S + 4 * ROW, S_D2 = S + 5 * ROW;
const S_Y1 = S + 6 * ROW, S_Y2 = S + 7 * ROW, S_E1 = S + 8 * ROW, S_E2 = S + 9 * ROW;
const S_TAIL1 = S + 10 * ROW, S_TAIL2 = S + 11 * ROW, S_SQRTT = S + 12 * ROW, S_V = S + 13 * ROW;
const S_SQ = S + 14 * ROW;

/** Phase A for options i, i+1 (scratch offset so): greeksOne up to d1, d2 and the exp arguments. */
@inline function phaseA(args: usize, o: usize, so: usize): void {
  const zero = splat(T, ZERO);
  const s = v128.load(col(args, SPOT) + o);
  const k = v128.load(col(args, STRIKE) + o);
  const sigma = v128.load(col(args, VOL) + o);
  const r = v128.load(col(args, RATE) + o);
  const q = v128.load(col(args, CARRY) + o);
  const expiry = v128.load(col(args, EXPIRY) + o);
  const t = select(zero, expiry, f64x2.le(expiry, zero));
  const sqrtT = f64x2.sqrt(t);
  const v = f64x2.mul(sigma, sqrtT);
  v128.store(S_EXP + so, f64x2.mul(f64x2.neg(q), t));
  v128.store(S_EXP + ROW + so, f64x2.mul(f64x2.neg(r), t));
  const lnFK = f64x2.add(logV(f64x2.div(s, k)), f64x2.mul(f64x2.sub(r, q), t));
  let d1 = f64x2.add(f64x2.div(lnFK, v), f64x2.mul(splat(T, HALF), v));
  let d2 = f64x2.sub(d1, v);
  const deterministic = f64x2.lt(v, splat(T, VMIN));
  if (v128.any_true(deterministic)) { // rare: skip the selects otherwise
    const dSign = select(
      splat(T, BIG),
      select(splat(T, MINUS_BIG), zero, f64x2.lt(lnFK, zero)),
      f64x2.gt(lnFK, zero),
    );
    d1 = select(dSign, d1, deterministic);
    d2 = select(d1, d2, deterministic);
  }
  const big = splat(T, BIG);
  const y1 = f64x2.pmin(f64x2.abs(d1), big);
  const y2 = f64x2.pmin(f64x2.abs(d2), big);
  // expNegHalfSquareV(min(y1, y2)), split around its exp (phase B)
  const yNear = f64x2.pmin(y1, y2);
  const hi = f64x2.mul(yNear, yNear);
  v128.store(S_EXP + 2 * ROW + so, negHalfV(hi));
  v128.store(S_CORR + so, squareLoCorrectionV(squareLoV(yNear, hi)));
  v128.store(S_D1 + so, d1);
  v128.store(S_D2 + so, d2);
  v128.store(S_Y1 + so, y1);
  v128.store(S_Y2 + so, y2);
  v128.store(S_SQRTT + so, sqrtT);
  v128.store(S_V + so, v);
}

/** Phase C: discounted spot, and e^(−d1²/2), e^(−d2²/2) from e^(−yNear²/2) and the forward ratio. */
@inline function phaseC(args: usize, o: usize, so: usize): void {
  const sq = f64x2.mul(v128.load(col(args, SPOT) + o), v128.load(S_EXP + so));
  const kr = f64x2.mul(v128.load(col(args, STRIKE) + o), v128.load(S_EXP + ROW + so));
  const forwardRatio = f64x2.div(sq, kr);
  const nearIs1 = f64x2.le(v128.load(S_Y1 + so), v128.load(S_Y2 + so));
  const eNear = f64x2.mul(v128.load(S_EXP + 2 * ROW + so), v128.load(S_CORR + so));
  v128.store(S_E1 + so, select(eNear, f64x2.div(eNear, forwardRatio), nearIs1));
  v128.store(S_E2 + so, select(f64x2.mul(eNear, forwardRatio), eNear, nearIs1));
  v128.store(S_SQ + so, sq);
}

/** Phase E for options i, i+1: the outputs. */
@inline function phaseE(isCall: usize, args: usize, i: usize, so: usize): void {
  const o = i << 3;
  const zero = splat(T, ZERO);
  const one = splat(T, ONE);
  const s = v128.load(col(args, SPOT) + o);
  const k = v128.load(col(args, STRIKE) + o);
  const sigma = v128.load(col(args, VOL) + o);
  const r = v128.load(col(args, RATE) + o);
  const q = v128.load(col(args, CARRY) + o);
  // isCall bytes → lane masks → w = ±1
  let callMask = i64x2.splat(-(<i64>load<u8>(isCall + i)));
  callMask = i64x2.replace_lane(callMask, 1, -(<i64>load<u8>(isCall + i + 1)));
  const w = select(one, splat(T, MINUS_ONE), callMask);
  const expiry = v128.load(col(args, EXPIRY) + o);
  const expired = f64x2.le(expiry, zero);
  const t = select(zero, expiry, expired);
  const sqrtT = v128.load(S_SQRTT + so);
  const v = v128.load(S_V + so);
  const dq = v128.load(S_EXP + so);
  const sq = v128.load(S_SQ + so);
  const kr = f64x2.mul(k, v128.load(S_EXP + ROW + so));
  const deterministic = f64x2.lt(v, splat(T, VMIN));
  const tail1 = v128.load(S_TAIL1 + so);
  const tail2 = v128.load(S_TAIL2 + so);
  const n1 = select(f64x2.sub(one, tail1), tail1, f64x2.gt(f64x2.mul(w, v128.load(S_D1 + so)), zero));
  const n2 = select(f64x2.sub(one, tail2), tail2, f64x2.gt(f64x2.mul(w, v128.load(S_D2 + so)), zero));
  const pdf1 = f64x2.mul(v128.load(S_E1 + so), splat(T, INV_SQRT_2PI_I));

  const value = f64x2.mul(w, f64x2.sub(f64x2.mul(sq, n1), f64x2.mul(kr, n2)));
  v128.store(col(args, PRICE) + o, select(value, zero, f64x2.gt(value, zero)));
  v128.store(col(args, DELTA) + o, f64x2.mul(f64x2.mul(w, dq), n1));
  const gamma = f64x2.div(f64x2.mul(dq, pdf1), f64x2.mul(s, v));
  v128.store(col(args, GAMMA) + o, select(zero, gamma, deterministic));
  const sqPdf = f64x2.mul(sq, pdf1);
  v128.store(col(args, VEGA) + o, f64x2.mul(sqPdf, sqrtT));
  const decay = select(
    zero,
    f64x2.neg(f64x2.div(f64x2.mul(sqPdf, sigma), f64x2.mul(splat(T, TWO), sqrtT))),
    deterministic,
  );
  const drift = f64x2.sub(f64x2.mul(f64x2.mul(q, sq), n1), f64x2.mul(f64x2.mul(r, kr), n2));
  v128.store(col(args, THETA) + o, select(zero, f64x2.add(decay, f64x2.mul(w, drift)), expired));
  v128.store(col(args, RHO) + o, f64x2.mul(f64x2.mul(f64x2.mul(w, t), kr), n2));
}

/** f(x) in place over `bytes` bytes of scratch. */
@inline function expRow(p: usize, bytes: usize, moderate: bool): void {
  for (let so: usize = 0; so < bytes; so += 16) {
    const x = v128.load(p + so);
    v128.store(p + so, moderate ? expModerateV(x) : expCoreV(x));
  }
}

// Phase D's lists of y offsets by normal-tail region (normalTailsPartitioned, assembly/math/normal.ts).
const LIST_LOW = memory.data(4 * (2 * BLOCK + 4), 16);
const LIST_HIGH = memory.data(4 * (2 * BLOCK + 4), 16);

/** Phase D: N(−y) for every y in rows S_Y1, S_Y2 (their first `bytes` bytes) into S_TAIL1, S_TAIL2. */
@inline function tails(bytes: usize): void {
  normalTailsPartitioned(S_Y1, S_E1, S_TAIL1, ROW, bytes, LIST_LOW, LIST_HIGH);
}

/** Options [i0, i0 + 2·m), m ≤ VB: phase A, the exps (B), C, the tails (D), the outputs (E). */
function greeksBlock(isCall: usize, args: usize, i0: usize, m: usize): void {
  const bytes = m << 4;
  for (let j: usize = 0; j < m; j++) phaseA(args, (i0 + (j << 1)) << 3, j << 4);
  expRow(S_EXP, 2 * ROW, true); // dq, dr (|qT|, |rT| ≤ 100); rows 0–1 are contiguous
  expRow(S_EXP + 2 * ROW, bytes, false); // e^(−yNear²/2): argument in [−800, 0]
  for (let j: usize = 0; j < m; j++) phaseC(args, (i0 + (j << 1)) << 3, j << 4);
  tails(bytes);
  for (let j: usize = 0; j < m; j++) phaseE(isCall, args, i0 + (j << 1), j << 4);
}

/**
 * Prices options [0, n). `isCall` points at n bytes (1 call, 0 put); `args` at 12 u32 column
 * pointers (spot, strike, expiryYears, vol, rate, carry, then price, delta, gamma, vega, theta, rho),
 * each an f64 column of n entries, 16-byte aligned for the SIMD build. Inputs must be validated.
 */
export function bsmGreeks(n: i32, isCall: usize, args: usize): void {
  let i: usize = 0;
  const end = <usize>n;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= end; ) {
      const m = min<usize>((end - i) >> 1, VB);
      greeksBlock(isCall, args, i, m);
      i += m << 1;
    }
  }
  for (; i < end; i++) greeksOne(isCall, args, i);
}
