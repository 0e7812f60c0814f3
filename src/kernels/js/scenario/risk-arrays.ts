/**
 * Risk arrays (P&L per unit of each instrument under each scenario): the JS twin of
 * assembly/scenario/risk-arrays.ts, same expressions in the same order, so both backends give the
 * same bits. Layout and formulas: src/kernels/scenario.ts.
 */
import { expModerate, expNegHalfSquare, log } from '../elementary.js';
import { NORMAL_ABS_MAX, normalTail } from '../normal.js';
import { VOL_SQRT_T_MIN } from '../bsm.js';

/** Instrument kinds of the risk-array kernel. */
export const KIND_LINEAR = 0;
export const KIND_OPTION = 1;

/** The kernel's columns: its inputs (units: USD, years, annualised decimal vols), scratch and output. */
export interface RiskArrayColumns {
  /** Per instrument (length n): KIND_LINEAR or KIND_OPTION. */
  readonly kind: Uint8Array;
  /** Per instrument: its underlying's index in [0, U). */
  readonly underlying: Int32Array;
  /** Per instrument: 1 call, 0 put (ignored for linear). */
  readonly isCall: Uint8Array;
  readonly strike: Float64Array;
  readonly expiryYears: Float64Array;
  /** Implied vol (annual, decimal). */
  readonly vol: Float64Array;
  /** Multiplier of the vol shock for this instrument, e.g. (30/max(DTE, floor))^p. */
  readonly volScale: Float64Array;
  /** Option: value at the base market (USD); linear: the mark (USD per unit). */
  readonly baseValue: Float64Array;
  /** Per underlying (length U). */
  readonly spot: Float64Array;
  readonly rate: Float64Array;
  readonly carry: Float64Array;
  /** Lowest shocked vol (annual, decimal), for options whose own vol is above it (else their own vol). */
  readonly volFloor: Float64Array;
  /** Per (underlying, scenario), row-major U × S: relative spot move (−0.16 = down 16%). */
  readonly spotMove: Float64Array;
  /** Per (underlying, scenario): relative vol shock before volScale (+0.3 = vol up 30%). */
  readonly volShock: Float64Array;
  /** Scratch, underlyings × scenarios: ln(1 + spotMove). */
  readonly logMove: Float64Array;
  /** Output, instruments × scenarios. */
  readonly riskArray: Float64Array;
}

export function riskArraysJs(nInstruments: number, nUnderlyings: number, nScenarios: number, c: RiskArrayColumns): void {
  const { spotMove, logMove } = c;
  const cells = nUnderlyings * nScenarios;
  for (let k = 0; k < cells; k++) logMove[k] = log(1.0 + spotMove[k]);
  for (let i = 0; i < nInstruments; i++) {
    if (c.kind[i] === KIND_OPTION) optionRow(c, i, nScenarios);
    else linearRow(c, i, nScenarios);
  }
}

function linearRow(c: RiskArrayColumns, i: number, nS: number): void {
  const base = c.baseValue[i];
  const from = c.underlying[i] * nS;
  const to = i * nS;
  const { spotMove, riskArray } = c;
  for (let s = 0; s < nS; s++) riskArray[to + s] = base * spotMove[from + s];
}

function optionRow(c: RiskArrayColumns, i: number, nS: number): void {
  const u = c.underlying[i];
  const s0 = c.spot[u];
  const r = c.rate[u];
  const q = c.carry[u];
  const k = c.strike[i];
  const sigma = c.vol[i];
  // The floor bounds shocked vols from below but never lifts an option above its own vol, so a zero
  // shock revalues at exactly sigma (sigma·1) and the base scenario's row is exactly 0.
  const volFloor = c.volFloor[u];
  const floor = volFloor < sigma ? volFloor : sigma;
  const volScale = c.volScale[i];
  const base = c.baseValue[i];
  const w = c.isCall[i] !== 0 ? 1.0 : -1.0;
  const expiry = c.expiryYears[i];
  const t = expiry <= 0.0 ? 0.0 : expiry;
  const sqrtT = Math.sqrt(t);
  const dq = expModerate(-q * t);
  const dr = expModerate(-r * t);
  const sqBase = s0 * dq;
  const kr = k * dr;
  const lnSK = log(s0 / k);
  const drift = (r - q) * t;

  const { spotMove, logMove, volShock, riskArray } = c;
  const from = u * nS;
  const to = i * nS;
  for (let s = 0; s < nS; s++) {
    const m = spotMove[from + s];
    const shocked = sigma * (1.0 + volShock[from + s] * volScale);
    const vol = shocked > floor ? shocked : floor;
    const v = vol * sqrtT;
    const lnFK = lnSK + logMove[from + s] + drift;
    const sq = sqBase * (1.0 + m);
    let d1: number;
    let d2: number;
    if (v < VOL_SQRT_T_MIN) {
      d1 = lnFK > 0.0 ? NORMAL_ABS_MAX : lnFK < 0.0 ? -NORMAL_ABS_MAX : 0.0;
      d2 = d1;
    } else {
      d1 = lnFK / v + 0.5 * v;
      d2 = d1 - v;
    }
    const y1 = Math.min(Math.abs(d1), NORMAL_ABS_MAX);
    const y2 = Math.min(Math.abs(d2), NORMAL_ABS_MAX);
    const forwardRatio = sq / kr;
    const eNear = expNegHalfSquare(Math.min(y1, y2));
    const e1 = y1 <= y2 ? eNear : eNear / forwardRatio;
    const e2 = y1 <= y2 ? eNear * forwardRatio : eNear;
    const tail1 = normalTail(y1, e1);
    const tail2 = normalTail(y2, e2);
    const n1 = w * d1 > 0.0 ? 1.0 - tail1 : tail1;
    const n2 = w * d2 > 0.0 ? 1.0 - tail2 : tail2;
    const value = w * (sq * n1 - kr * n2);
    riskArray[to + s] = (value > 0.0 ? value : 0.0) - base;
  }
}
