/**
 * Rule-based margin kernels, JS twin of assembly/margin/rule-based.ts (same loops, same operation
 * order, identical bits). The rules and their sources are documented in src/margin/params.ts.
 *
 * One entry point, marginAccounts: per position IM, MM, mark-to-market and notional, per account
 * collateral with tiered haircuts, equities, requirements and status, pooled (cross) or per position
 * (isolated).
 */
import { STATUS_BANKRUPT, STATUS_ERROR, STATUS_HEALTHY, STATUS_LIQUIDATABLE, STATUS_MARGIN_CALL } from '../../margin/status.js';

export const KIND_OPTION_CODE = 3;

/** Column views the kernels read and write. Positions and collateral are CSR by account (start/end). */
export interface MarginColumns {
  // instruments
  kind: Uint8Array;
  underlying: Int32Array;
  multiplier: Float64Array;
  strike: Float64Array;
  isCall: Uint8Array;
  /** Mark per unit of underlying: options at model value, linear at their market mark. */
  value: Float64Array;
  // assets
  price: Float64Array;
  // accounts and positions
  live: Uint8Array;
  posStart: Int32Array;
  posEnd: Int32Array;
  posInstrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  isolatedMargin: Float64Array;
  colStart: Int32Array;
  colEnd: Int32Array;
  colAsset: Int32Array;
  amount: Float64Array;
  // parameters per asset (brackets CSR by asset: [start[a], start[a+1]))
  linStart: Int32Array;
  linUpTo: Float64Array;
  linIm: Float64Array;
  linMm: Float64Array;
  optBase: Float64Array;
  optFloor: Float64Array;
  optMm: Float64Array;
  hairStart: Int32Array;
  hairUpTo: Float64Array;
  hairIm: Float64Array;
  hairMm: Float64Array;
  liabIm: Float64Array;
  liabMm: Float64Array;
  // outputs per position slot
  posIm: Float64Array;
  posMm: Float64Array;
  posMtm: Float64Array;
  posNotional: Float64Array;
  /** Isolated mode: collateral allocated to the position (USD), and its status code. */
  posAlloc: Float64Array;
  posStatus: Uint8Array;
  // outputs per account
  equity: Float64Array;
  equityIm: Float64Array;
  equityMm: Float64Array;
  im: Float64Array;
  mm: Float64Array;
  gross: Float64Array;
  collateralValue: Float64Array;
  status: Uint8Array;
}

/** Σ rate_b · (part of x in bracket b): brackets apply marginally, so the result is continuous in x. */
export function tiered(x: number, start: number, end: number, upTo: Float64Array, rate: Float64Array): number {
  let total = 0.0;
  let lower = 0.0;
  for (let b = start; b < end; b++) {
    const upper = upTo[b];
    const part = (x < upper ? x : upper) - lower;
    if (part <= 0.0) break;
    total = total + part * rate[b];
    lower = upper;
  }
  return total;
}

/**
 * Rule-based margin for accounts [first, last): per position IM, MM, mark-to-market and notional,
 * summed per account with the collateral's tiered haircuts, then status. Per-position rows are
 * stored only when `keepPositions` (breakdown) or `isolated` (which needs a second pass over them):
 * writing and re-reading 32 bytes per position would cost more than the arithmetic.
 * `isolated`: each position is margined against its allocation (explicit `isolatedMargin`, or the
 * IM-weighted collateral left after explicit allocations, shared pro rata to IM); the account's status
 * is its worst position's.
 */
export function marginAccounts(c: MarginColumns, first: number, last: number, isolated: boolean, keepPositions: boolean): void {
  const keep = keepPositions || isolated;
  for (let a = first; a < last; a++) {
    let raw = 0.0;
    let wIm = 0.0;
    let wMm = 0.0;
    for (let k = c.colStart[a]; k < c.colEnd[a]; k++) {
      const asset = c.colAsset[k];
      const value = c.amount[k] * c.price[asset];
      raw = raw + value;
      wIm = wIm + weighted(c, asset, value, c.hairIm, c.liabIm[asset]);
      wMm = wMm + weighted(c, asset, value, c.hairMm, c.liabMm[asset]);
    }
    let im = 0.0;
    let mm = 0.0;
    let mtm = 0.0;
    let gross = 0.0;
    let explicit = 0.0;
    let autoIm = 0.0;
    const start = c.posStart[a];
    const end = c.posEnd[a];
    for (let p = start; p < end; p++) {
      const i = c.posInstrument[p];
      const u = c.underlying[i];
      const mark = c.value[i];
      const units = c.quantity[p] * c.multiplier[i]; // signed units of the underlying
      const size = units < 0.0 ? -units : units;
      let pIm: number;
      let pMm: number;
      let pMtm: number;
      let pNotional: number;
      if (c.kind[i] === KIND_OPTION_CODE) {
        const s = c.price[u];
        const markValue = size * mark;
        if (units < 0.0) {
          const k = c.strike[i];
          const otm = c.isCall[i] !== 0 ? (k > s ? k - s : 0.0) : s > k ? s - k : 0.0;
          const reduced = c.optBase[u] - otm / s;
          const floor = c.optFloor[u];
          const rate = reduced > floor ? reduced : floor;
          pIm = rate * s * size + markValue;
          pMm = c.optMm[u] * s * size + markValue;
        } else {
          pIm = markValue;
          pMm = markValue;
        }
        pMtm = units * mark;
        pNotional = size * s;
      } else {
        pNotional = size * mark;
        pIm = tiered(pNotional, c.linStart[u], c.linStart[u + 1], c.linUpTo, c.linIm);
        pMm = tiered(pNotional, c.linStart[u], c.linStart[u + 1], c.linUpTo, c.linMm);
        pMtm = units * (mark - c.entryPrice[p]);
      }
      im = im + pIm;
      mm = mm + pMm;
      mtm = mtm + pMtm;
      gross = gross + pNotional;
      if (keep) {
        c.posIm[p] = pIm;
        c.posMm[p] = pMm;
        c.posMtm[p] = pMtm;
        c.posNotional[p] = pNotional;
      }
      if (isolated) {
        const fixed = c.isolatedMargin[p];
        if (fixed === fixed) explicit = explicit + fixed;
        else autoIm = autoIm + pIm;
      }
    }
    c.im[a] = im;
    c.mm[a] = mm;
    c.gross[a] = gross;
    c.collateralValue[a] = raw;
    c.equity[a] = raw + mtm;
    c.equityIm[a] = wIm + mtm;
    c.equityMm[a] = wMm + mtm;
    const live = c.live[a] !== 0;
    if (!isolated) {
      c.status[a] = live ? statusOf(raw + mtm, wIm + mtm, wMm + mtm, im, mm) : STATUS_HEALTHY;
      continue;
    }
    const pool = wIm - explicit > 0.0 ? wIm - explicit : 0.0;
    let worst = STATUS_HEALTHY;
    for (let p = start; p < end; p++) {
      const fixed = c.isolatedMargin[p];
      const pIm = c.posIm[p];
      const alloc = fixed === fixed ? fixed : autoIm > 0.0 ? (pool * pIm) / autoIm : 0.0;
      const e = alloc + c.posMtm[p];
      const s = statusOf(e, e, e, pIm, c.posMm[p]);
      c.posAlloc[p] = alloc;
      c.posStatus[p] = s;
      if (s > worst) worst = s;
    }
    if (start === end) worst = statusOf(raw, wIm, wMm, 0.0, 0.0);
    c.status[a] = live ? worst : STATUS_HEALTHY;
  }
}

/** Weighted value of a balance worth `value` USD: tiered haircuts when held, liability weight when borrowed. */
export function weighted(c: MarginColumns, asset: number, value: number, haircut: Float64Array, liabilityWeight: number): number {
  if (value < 0.0) return value * liabilityWeight;
  return value - tiered(value, c.hairStart[asset], c.hairStart[asset + 1], c.hairUpTo, haircut);
}

/** False for NaN and ±Infinity. */
function finite(x: number): boolean {
  return x - x === 0;
}

export function statusOf(equity: number, equityIm: number, equityMm: number, im: number, mm: number): number {
  if (!(finite(equity) && finite(equityIm) && finite(equityMm) && finite(im) && finite(mm))) return STATUS_ERROR;
  if (equity < 0.0) return STATUS_BANKRUPT;
  if (equityMm < mm) return STATUS_LIQUIDATABLE;
  if (equityIm < im) return STATUS_MARGIN_CALL;
  return STATUS_HEALTHY;
}
