// Risk arrays: P&L per unit of each instrument under each scenario (SPAN-style full revaluation).
// Twin of src/kernels/js/scenario/risk-arrays.ts; layout and formulas are documented in
// src/kernels/scenario.ts. Scalar and f64x2 paths compute the same expressions in the same
// order, bit for bit; the option price is assembly/pricing/bsm.ts's, with the spot factor split off:
//   ln(F'/K) = (ln(S/K) + ln(1 + m)) + (r − q)·T,   S'·e^(−qT) = (S·e^(−qT))·(1 + m),
// so per scenario only e^(−y²/2) and two normal tails remain (exp and log are per instrument, and
// ln(1 + m) per underlying and scenario).
import { expModerate, expNegHalfSquare, expNegHalfSquareV } from '../math/exp';
import { log } from '../math/log';
import { NORMAL_ABS_MAX, normalTail, normalTailsPartitioned } from '../math/normal';
import { select, splat } from '../math/vec';
import { VOL_SQRT_T_MIN } from '../pricing/bsm';

/** Instrument kinds (KIND_* in src/kernels/scenario.ts). */
export const KIND_LINEAR: u8 = 0;
export const KIND_OPTION: u8 = 1;

const T = memory.data<f64>([0.0, 0.5, 1.0, NORMAL_ABS_MAX, -NORMAL_ABS_MAX, VOL_SQRT_T_MIN]);
const ZERO = 0, HALF = 1, ONE = 2, BIG = 3, MINUS_BIG = 4, VMIN = 5;

// Argument block: u32 column pointers in this order (the ABI; RISK_ARRAY_COLUMNS in the binding).
const KIND = 0, UNDERLYING = 1, IS_CALL = 2, STRIKE = 3, EXPIRY = 4, VOL = 5, VOL_SCALE = 6, BASE = 7;
const SPOT = 8, RATE = 9, CARRY = 10, VOL_FLOOR = 11, SPOT_MOVE = 12, VOL_SHOCK = 13;
const LOG_MOVE = 14, OUT = 15;

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

@inline function f64At(args: usize, which: i32, i: usize): f64 {
  return load<f64>(col(args, which) + (i << 3));
}

/** Option price under one scenario, from the instrument's per-scenario-invariant terms; `floor` = min(volFloor, sigma). */
@inline function optionPrice(
  m: f64, logMove: f64, shock: f64,
  sigma: f64, volScale: f64, floor: f64, sqrtT: f64, lnSK: f64, drift: f64, sqBase: f64, kr: f64, w: f64,
): f64 {
  const shocked = sigma * (1.0 + shock * volScale);
  const vol = shocked > floor ? shocked : floor;
  const v = vol * sqrtT;
  const lnFK = lnSK + logMove + drift;
  const sq = sqBase * (1.0 + m);
  let d1: f64, d2: f64;
  if (v < VOL_SQRT_T_MIN) {
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
  const value = w * (sq * n1 - kr * n2);
  return value > 0.0 ? value : 0.0;
}

// SIMD rows run in blocks of up to BLOCK scenarios, in phases over scratch rows (as the Greeks
// kernel does): (A) per scenario pair, everything up to d1, d2, y1, y2 and the two e^(−y²/2) factors;
// (D) the normal tails, partitioned by region (normalTailsPartitioned); (E) the prices. Per lane the
// operations are optionPrice's, in its order.
const BLOCK_SCENARIOS: i32 = 64;
const BLOCK = <usize>BLOCK_SCENARIOS;
const ROW = BLOCK << 3; // bytes per scratch row
const SCRATCH = memory.data(9 * 8 * BLOCK_SCENARIOS, 16);
const S_Y1 = SCRATCH, S_E1 = SCRATCH + 2 * ROW, S_TAIL1 = SCRATCH + 4 * ROW; // each followed by its y2 row
const S_D1 = SCRATCH + 6 * ROW, S_D2 = SCRATCH + 7 * ROW, S_SQ = SCRATCH + 8 * ROW;
const LIST_LOW = memory.data(4 * (2 * BLOCK_SCENARIOS + 4), 16);
const LIST_HIGH = memory.data(4 * (2 * BLOCK_SCENARIOS + 4), 16);

/** Phase A for the scenario pair at byte offset o of the block (scenario data at `so`). */
@inline function phaseA(
  o: usize, m: v128, logMove: v128, shock: v128,
  sigma: v128, volScale: v128, floor: v128, sqrtT: v128, lnSK: v128, drift: v128, sqBase: v128, kr: v128,
): void {
  const zero = splat(T, ZERO);
  const one = splat(T, ONE);
  const shocked = f64x2.mul(sigma, f64x2.add(one, f64x2.mul(shock, volScale)));
  const vol = select(shocked, floor, f64x2.gt(shocked, floor));
  const v = f64x2.mul(vol, sqrtT);
  const lnFK = f64x2.add(f64x2.add(lnSK, logMove), drift);
  const sq = f64x2.mul(sqBase, f64x2.add(one, m));
  let d1 = f64x2.add(f64x2.div(lnFK, v), f64x2.mul(splat(T, HALF), v));
  let d2 = f64x2.sub(d1, v);
  const deterministic = f64x2.lt(v, splat(T, VMIN));
  if (v128.any_true(deterministic)) {
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
  const forwardRatio = f64x2.div(sq, kr);
  const eNear = expNegHalfSquareV(f64x2.pmin(y1, y2));
  const nearIs1 = f64x2.le(y1, y2);
  v128.store(S_Y1 + o, y1);
  v128.store(S_Y1 + ROW + o, y2);
  v128.store(S_E1 + o, select(eNear, f64x2.div(eNear, forwardRatio), nearIs1));
  v128.store(S_E1 + ROW + o, select(f64x2.mul(eNear, forwardRatio), eNear, nearIs1));
  v128.store(S_D1 + o, d1);
  v128.store(S_D2 + o, d2);
  v128.store(S_SQ + o, sq);
}

/** Phase D: N(−y) for the first `bytes` bytes of the y1 and y2 rows into the tail rows. */
@inline function tails(bytes: usize): void {
  normalTailsPartitioned(S_Y1, S_E1, S_TAIL1, ROW, bytes, LIST_LOW, LIST_HIGH);
}

/** Phase E for the pair at byte offset o: the price, floored at 0, minus the base value. */
@inline function phaseE(o: usize, kr: v128, w: v128, base: v128): v128 {
  const zero = splat(T, ZERO);
  const one = splat(T, ONE);
  const tail1 = v128.load(S_TAIL1 + o);
  const tail2 = v128.load(S_TAIL1 + ROW + o);
  const n1 = select(f64x2.sub(one, tail1), tail1, f64x2.gt(f64x2.mul(w, v128.load(S_D1 + o)), zero));
  const n2 = select(f64x2.sub(one, tail2), tail2, f64x2.gt(f64x2.mul(w, v128.load(S_D2 + o)), zero));
  const value = f64x2.mul(w, f64x2.sub(f64x2.mul(v128.load(S_SQ + o), n1), f64x2.mul(kr, n2)));
  return f64x2.sub(select(value, zero, f64x2.gt(value, zero)), base);
}

/** Row of option i: riskArray[i·S + s] = price(s) − baseValue. */
function optionRow(args: usize, i: usize, nScenarios: usize): void {
  const u = <usize>load<i32>(col(args, UNDERLYING) + (i << 2));
  const s0 = f64At(args, SPOT, u);
  const r = f64At(args, RATE, u);
  const q = f64At(args, CARRY, u);
  const k = f64At(args, STRIKE, i);
  const sigma = f64At(args, VOL, i);
  // The floor bounds shocked vols from below but never lifts an option above its own vol, so a zero
  // shock revalues at exactly sigma (sigma·1) and the base scenario's row is exactly 0.
  const volFloor = f64At(args, VOL_FLOOR, u);
  const floor = volFloor < sigma ? volFloor : sigma;
  const volScale = f64At(args, VOL_SCALE, i);
  const base = f64At(args, BASE, i);
  const w: f64 = load<u8>(col(args, IS_CALL) + i) != 0 ? 1.0 : -1.0;
  const expiry = f64At(args, EXPIRY, i);
  const t = expiry <= 0.0 ? 0.0 : expiry;
  const sqrtT = sqrt(t);
  const dq = expModerate(-q * t);
  const dr = expModerate(-r * t);
  const sqBase = s0 * dq;
  const kr = k * dr;
  const lnSK = log(s0 / k);
  const drift = (r - q) * t;

  const uo = (u * nScenarios) << 3;
  const moves = col(args, SPOT_MOVE) + uo;
  const logs = col(args, LOG_MOVE) + uo;
  const shocks = col(args, VOL_SHOCK) + uo;
  const out = col(args, OUT) + ((i * nScenarios) << 3);
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const sigmaV = f64x2.splat(sigma), volScaleV = f64x2.splat(volScale), floorV = f64x2.splat(floor);
    const sqrtTV = f64x2.splat(sqrtT), lnSKV = f64x2.splat(lnSK), driftV = f64x2.splat(drift);
    const sqBaseV = f64x2.splat(sqBase), krV = f64x2.splat(kr), wV = f64x2.splat(w), baseV = f64x2.splat(base);
    const even = nScenarios & ~1;
    for (; s < even; s += BLOCK) {
      const bytes = (even - s < BLOCK ? even - s : BLOCK) << 3;
      const so = s << 3;
      for (let o: usize = 0; o < bytes; o += 16) {
        phaseA(
          o, v128.load(moves + so + o), v128.load(logs + so + o), v128.load(shocks + so + o),
          sigmaV, volScaleV, floorV, sqrtTV, lnSKV, driftV, sqBaseV, krV,
        );
      }
      tails(bytes);
      for (let o: usize = 0; o < bytes; o += 16) v128.store(out + so + o, phaseE(o, krV, wV, baseV));
    }
    s = even;
  }
  for (; s < nScenarios; s++) {
    const o = s << 3;
    const price = optionPrice(
      load<f64>(moves + o), load<f64>(logs + o), load<f64>(shocks + o),
      sigma, volScale, floor, sqrtT, lnSK, drift, sqBase, kr, w,
    );
    store<f64>(out + o, price - base);
  }
}

/** Row of linear instrument i: riskArray[i·S + s] = baseValue·m (the mark moves with its underlying). */
function linearRow(args: usize, i: usize, nScenarios: usize): void {
  const u = <usize>load<i32>(col(args, UNDERLYING) + (i << 2));
  const base = f64At(args, BASE, i);
  const moves = col(args, SPOT_MOVE) + ((u * nScenarios) << 3);
  const out = col(args, OUT) + ((i * nScenarios) << 3);
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const baseV = f64x2.splat(base);
    for (; s + 2 <= nScenarios; s += 2) v128.store(out + (s << 3), f64x2.mul(baseV, v128.load(moves + (s << 3))));
  }
  for (; s < nScenarios; s++) store<f64>(out + (s << 3), base * load<f64>(moves + (s << 3)));
}

/**
 * Risk arrays for instruments [0, nInstruments) under nScenarios scenarios of nUnderlyings
 * underlyings. `args` holds 16 u32 column pointers (order above: kind u8, underlying i32, isCall u8,
 * strike, expiryYears, vol, volScale, baseValue per instrument; spot, rate, carry, volFloor per
 * underlying; spotMove, volShock per underlying × scenario; logMove (scratch, underlyings × scenarios,
 * written here) and the output instruments × scenarios). Inputs must be validated (1 + m > 0,
 * strike > 0, spot > 0, finite).
 */
export function riskArrays(nInstruments: i32, nUnderlyings: i32, nScenarios: i32, args: usize): void {
  const nS = <usize>nScenarios;
  const cells = <usize>nUnderlyings * nS;
  const moves = col(args, SPOT_MOVE), logs = col(args, LOG_MOVE);
  for (let c: usize = 0; c < cells; c++) store<f64>(logs + (c << 3), log(1.0 + load<f64>(moves + (c << 3))));
  const kinds = col(args, KIND);
  for (let i: usize = 0; i < <usize>nInstruments; i++) {
    if (load<u8>(kinds + i) == KIND_OPTION) optionRow(args, i, nS);
    else linearRow(args, i, nS);
  }
}
