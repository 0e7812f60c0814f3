// Batch European option price and Greeks under generalised Black–Scholes–Merton.
// Twin of src/kernels/js/bsm.ts (formulas, regimes and conventions are documented there and in the
// README); scalar and f64x2 paths compute the same expressions in the same order, bit for bit.
import { exp, expNegHalfSquare, expV, expNegHalfSquareV } from '../math/exp';
import { log, logV } from '../math/log';
import { INV_SQRT_2PI, NORMAL_ABS_MAX, normalTail, normalTailV } from '../math/normal';
import { select, splat } from '../math/vec';

export const VOL_SQRT_T_MIN: f64 = 1e-14;

const T = memory.data<f64>([0.0, 0.5, 1.0, -1.0, 2.0, NORMAL_ABS_MAX, -NORMAL_ABS_MAX, INV_SQRT_2PI, VOL_SQRT_T_MIN]);
const ZERO = 0, HALF = 1, ONE = 2, MINUS_ONE = 3, TWO = 4, BIG = 5, MINUS_BIG = 6, INV_SQRT_2PI_I = 7, VMIN = 8;

// Byte offsets of the column pointers in the argument block written by the façade
// (src/kernels/wasm/greeks-staging.ts): 6 inputs after isCall, then 6 outputs.
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
  const dq = exp(-q * t);
  const dr = exp(-r * t);
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

/** f64x2 kernel for options i, i+1: the scalar formulas, every branch turned into a lane select. */
@inline function greeksTwo(isCall: usize, args: usize, i: usize): void {
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
  const sqrtT = f64x2.sqrt(t);
  const v = f64x2.mul(sigma, sqrtT);
  const dq = expV(f64x2.mul(f64x2.neg(q), t));
  const dr = expV(f64x2.mul(f64x2.neg(r), t));
  const sq = f64x2.mul(s, dq);
  const kr = f64x2.mul(k, dr);
  const lnFK = f64x2.add(logV(f64x2.div(s, k)), f64x2.mul(f64x2.sub(r, q), t));
  const deterministic = f64x2.lt(v, splat(T, VMIN));
  const dSign = select(
    splat(T, BIG),
    select(splat(T, MINUS_BIG), zero, f64x2.lt(lnFK, zero)),
    f64x2.gt(lnFK, zero),
  );
  const d1 = select(dSign, f64x2.add(f64x2.div(lnFK, v), f64x2.mul(splat(T, HALF), v)), deterministic);
  const d2 = select(d1, f64x2.sub(d1, v), deterministic);
  const big = splat(T, BIG);
  const y1 = f64x2.pmin(f64x2.abs(d1), big);
  const y2 = f64x2.pmin(f64x2.abs(d2), big);
  const forwardRatio = f64x2.div(sq, kr);
  const nearIs1 = f64x2.le(y1, y2);
  const eNear = expNegHalfSquareV(f64x2.pmin(y1, y2));
  const e1 = select(eNear, f64x2.div(eNear, forwardRatio), nearIs1);
  const e2 = select(f64x2.mul(eNear, forwardRatio), eNear, nearIs1);
  const tail1 = normalTailV(y1, e1);
  const tail2 = normalTailV(y2, e2);
  const n1 = select(f64x2.sub(one, tail1), tail1, f64x2.gt(f64x2.mul(w, d1), zero));
  const n2 = select(f64x2.sub(one, tail2), tail2, f64x2.gt(f64x2.mul(w, d2), zero));
  const pdf1 = f64x2.mul(e1, splat(T, INV_SQRT_2PI_I));

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

/**
 * Prices options [0, n). `isCall` points at n bytes (1 call, 0 put); `args` at 12 u32 column
 * pointers (spot, strike, expiryYears, vol, rate, carry, then price, delta, gamma, vega, theta, rho),
 * each an f64 column of n entries, 16-byte aligned for the SIMD build. Inputs must be validated.
 */
export function bsmGreeks(n: i32, isCall: usize, args: usize): void {
  let i: usize = 0;
  const end = <usize>n;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= end; i += 2) greeksTwo(isCall, args, i);
  }
  for (; i < end; i++) greeksOne(isCall, args, i);
}
