/**
 * Rule-based margin kernels, JS twin of assembly/margin/rule-based.ts (same loops, same operation
 * order, identical bits). The rules and their sources are documented in src/margin/params.ts.
 *
 * One entry point, marginAccounts: per position IM, MM, mark-to-market and notional, per account
 * collateral with tiered haircuts, equities, requirements and status, pooled (cross) or per position
 * (isolated).
 */
import { STATUS_BANKRUPT, STATUS_ERROR, STATUS_HEALTHY, STATUS_LIQUIDATABLE, STATUS_MARGIN_CALL } from '../status-codes.js';

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
  /** Per account: settled cash in USD (realized P&L), in every equity at full weight. */
  cashUsd: Float64Array;
  // parameters: bracket schedules as rows of `stride` brackets (see src/margin/param-layout.ts)
  linUpTo: Float64Array;
  linLower: Float64Array;
  linCumIm: Float64Array;
  linIm: Float64Array;
  linCumMm: Float64Array;
  linMm: Float64Array;
  optBase: Float64Array;
  optFloor: Float64Array;
  optMm: Float64Array;
  /** Per asset: linear IM and MM rates added per unit of the underlying held (params.linearSize; 0 without). */
  linSizeIm: Float64Array;
  linSizeMm: Float64Array;
  /** Per instrument: an option's forward over the index, e^{(r−q)·T} (MarketLayout.forwardGrowth; 1 for the rest). */
  forwardGrowth: Float64Array;
  hairUpTo: Float64Array;
  hairLower: Float64Array;
  hairCumIm: Float64Array;
  hairIm: Float64Array;
  hairCumMm: Float64Array;
  hairMm: Float64Array;
  liabIm: Float64Array;
  liabMm: Float64Array;
  /** [instruments, linear schedule stride, haircut schedule stride, row of the all-zero linear schedule]. */
  shape: Int32Array;
  /** Scratch: TERMS_STRIDE terms per instrument, written by prepareInstruments. */
  instrumentTerms: Float64Array;
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
  /** Per instrument: its settlement asset (index into `price`), −1 for USD (docs/coin-margined.md). */
  settlement: Int32Array;
}

// Per-instrument terms, one record of TERMS_STRIDE per instrument (see prepareInstruments).
const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_SCHEDULE = 7, T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;
export const TERMS_STRIDE = 14;

/**
 * Index of the bracket of a schedule row holding amount x ≥ 0: the number of brackets wholly below
 * x, by a branch-free binary search. Rows are padded to a power-of-two stride (≤ 16) with +Infinity
 * bounds. The bracket's cumulative amount plus (x − lower)·rate is then the marginal-bracket sum, to
 * the bit.
 */
export function bracketOf(x: number, row: number, stride: number, upTo: Float64Array): number {
  let b = row;
  if (stride > 8) b += (upTo[b + 7] < x ? 1 : 0) << 3;
  if (stride > 4) b += (upTo[b + 3] < x ? 1 : 0) << 2;
  if (stride > 2) b += (upTo[b + 1] < x ? 1 : 0) << 1;
  if (stride > 1) b += upTo[b] < x ? 1 : 0;
  return b;
}

/**
 * Per-instrument terms, so every position is the same arithmetic with no branch on its class:
 *   IM = ((cumIm_b + (notional − lower_b)·rateIm_b) + shortIm·shortSize + size·premium)·scale
 * Linear instruments use their underlying's bracket row and zero option terms; options use the
 * all-zero schedule row, shortIm = max(a − OTM/S, b)·S and premium = their mark. Every term that does
 * not apply is an exact zero, and scale is exactly 1 for USD-settled instruments, so the result has the
 * bits of the rule's own formula. Instruments settled in an asset have their terms in it (docs/coin-margined.md):
 * a coin-settled option the rule per coin, shortIm = max(a − OTM/F, b) with OTM against its forward F = S·growth
 * (Deribit's underlying price of an option: its expiry's forward, as its mark is C/F), premium its mark in coin
 * (Deribit's short-option margin in BTC); an inverse contract (layout value x = −1/F) its USD notional at the index,
 * units·S/F, through the schedule, IM, MM and notional scaled to coin by 1/S, and its P&L units·(x − x_entry)
 * in coin; a linear contract settled in Y its notional in USD (mark_Y·P_Y), scaled back by 1/P_Y.
 */
export function prepareInstruments(c: MarginColumns, first: number, last: number): void {
  const t = c.instrumentTerms;
  const linStride = c.shape[1];
  const zeroRow = c.shape[3];
  for (let i = first; i < last; i++) {
    const u = c.underlying[i];
    const mark = c.value[i];
    const r = i * TERMS_STRIDE;
    const row = c.kind[i] === KIND_OPTION_CODE ? zeroRow : u * linStride;
    t[r + T_SCHEDULE] = row;
    t[r + T_FIRST_UP_TO] = c.linUpTo[row];
    t[r + T_FIRST_IM] = c.linIm[row];
    t[r + T_FIRST_MM] = c.linMm[row];
    t[r + T_MULTIPLIER] = c.multiplier[i];
    t[r + T_MARK] = mark;
    t[r + T_SCALE] = 1.0;
    t[r + T_SIZE_IM] = 0.0;
    t[r + T_SIZE_MM] = 0.0;
    const settled = c.settlement[i];
    if (c.kind[i] === KIND_OPTION_CODE) {
      const s = c.price[u];
      const k = c.strike[i];
      const at = settled < 0 ? s : s * c.forwardGrowth[i]; // OTM against: the index, or a coin option's forward
      const otm = c.isCall[i] !== 0 ? (k > at ? k - at : 0.0) : at > k ? at - k : 0.0;
      const reduced = c.optBase[u] - otm / at;
      const floor = c.optFloor[u];
      const rate = reduced > floor ? reduced : floor;
      const unit = settled < 0 ? s : 1.0; // a coin-settled option's notional and short charges per coin
      // Deribit's short put: MM max(c, c·mark) per coin (mark in coin per coin: mark/unit); IM floored at MM
      const mmUnit = c.optMm[u] * unit;
      const mmMark = c.optMm[u] * mark;
      const shortMm = c.isCall[i] === 0 && mmMark > mmUnit ? mmMark : mmUnit;
      const shortIm = rate * unit;
      t[r + T_NOTIONAL_UNIT] = unit;
      t[r + T_PREMIUM] = mark;
      t[r + T_SHORT_IM] = shortIm > shortMm ? shortIm : shortMm;
      t[r + T_SHORT_MM] = shortMm;
      t[r + T_ENTRY_WEIGHT] = 0.0;
    } else {
      t[r + T_NOTIONAL_UNIT] = mark;
      t[r + T_PREMIUM] = 0.0;
      t[r + T_SHORT_IM] = 0.0;
      t[r + T_SHORT_MM] = 0.0;
      t[r + T_ENTRY_WEIGHT] = 1.0;
      // size-dependent rates per unit of size: per unit of underlying, × 1/F for an inverse contract's face (x = −1/F)
      const inverse = settled === u;
      t[r + T_SIZE_IM] = inverse ? c.linSizeIm[u] * -mark : c.linSizeIm[u];
      t[r + T_SIZE_MM] = inverse ? c.linSizeMm[u] * -mark : c.linSizeMm[u];
      if (settled >= 0) {
        const p = c.price[settled];
        // inverse (settled in its underlying): x = −1/F, USD notional per unit of face S/F; else the settlement asset's price
        t[r + T_NOTIONAL_UNIT] = inverse ? -mark * p : mark * p;
        t[r + T_SCALE] = 1.0 / p;
      }
    }
  }
}

/** The whole rule-based run, as the WASM export does it: instrument terms, then every account. */
export function ruleBasedMargin(c: MarginColumns, accounts: number, isolated: boolean, keepPositions: boolean): void {
  prepareInstruments(c, 0, c.shape[0]);
  marginAccounts(c, 0, accounts, isolated, keepPositions);
}

/**
 * Rule-based margin for accounts [first, last): per position IM, MM, mark-to-market and notional,
 * summed per account with the collateral's tiered haircuts, then status. Per-position rows are
 * stored only when `keepPositions` (breakdown) or `isolated` (which needs a second pass over them):
 * writing and re-reading 32 bytes per position would cost more than the arithmetic.
 * `isolated`: each position is margined against its allocation (explicit `isolatedMargin`, or the
 * IM-weighted collateral left after explicit allocations, shared pro rata to IM); the account's status
 * is its worst position's. `list`: margin the accounts list[first..last) instead (twin of ruleBasedAccountList).
 */
export function marginAccounts(c: MarginColumns, first: number, last: number, isolated: boolean, keepPositions: boolean, list?: Int32Array): void {
  const keep = keepPositions || isolated;
  const t = c.instrumentTerms;
  const linStride = c.shape[1];
  for (let i = first; i < last; i++) {
    const a = list ? list[i] : i;
    let raw = 0.0, wIm = 0.0, wMm = 0.0;
    for (let k = c.colStart[a]; k < c.colEnd[a]; k++) {
      const asset = c.colAsset[k];
      const value = c.amount[k] * c.price[asset];
      raw = raw + value;
      wIm = wIm + weighted(c, asset, value, c.hairCumIm, c.hairIm, c.liabIm[asset]);
      wMm = wMm + weighted(c, asset, value, c.hairCumMm, c.hairMm, c.liabMm[asset]);
    }
    let im = 0.0, mm = 0.0, mtm = 0.0, gross = 0.0;
    let explicit = 0.0, autoIm = 0.0;
    const start = c.posStart[a], end = c.posEnd[a];
    for (let p = start; p < end; p++) {
      const r = c.posInstrument[p] * TERMS_STRIDE;
      const units = c.quantity[p] * t[r + T_MULTIPLIER]; // signed units of the underlying
      const size = Math.abs(units);
      const shortSize = (size - units) * 0.5; // size when short, +0 when long: exact either way
      const longSize = (size + units) * 0.5; // size when long, +0 when short
      const pNotional = size * t[r + T_NOTIONAL_UNIT];
      const premium = longSize * t[r + T_PREMIUM]; // a long option's mark; a short's is in equity (docs/coin-margined.md)
      let pIm: number, pMm: number;
      // Most positions sit in their schedule's first bracket (options always), where
      // cum + (x − lower)·rate is exactly x·rate.
      if (pNotional <= t[r + T_FIRST_UP_TO]) {
        pIm = pNotional * t[r + T_FIRST_IM] + t[r + T_SHORT_IM] * shortSize + premium;
        pMm = pNotional * t[r + T_FIRST_MM] + t[r + T_SHORT_MM] * shortSize + premium;
      } else {
        const b = bracketOf(pNotional, t[r + T_SCHEDULE], linStride, c.linUpTo);
        const over = pNotional - c.linLower[b];
        pIm = c.linCumIm[b] + over * c.linIm[b] + t[r + T_SHORT_IM] * shortSize + premium;
        pMm = c.linCumMm[b] + over * c.linMm[b] + t[r + T_SHORT_MM] * shortSize + premium;
      }
      // + a rate growing with size (+ 0 without), to the settlement currency (× 1, exactly, for USD-settled instruments)
      const scale = t[r + T_SCALE];
      pIm = (pIm + pNotional * (t[r + T_SIZE_IM] * size)) * scale;
      pMm = (pMm + pNotional * (t[r + T_SIZE_MM] * size)) * scale;
      const pGross = pNotional * scale;
      const pMtm = units * (t[r + T_MARK] - c.entryPrice[p] * t[r + T_ENTRY_WEIGHT]);
      im = im + pIm;
      mm = mm + pMm;
      mtm = mtm + pMtm;
      gross = gross + pGross;
      if (keep) {
        c.posIm[p] = pIm;
        c.posMm[p] = pMm;
        c.posMtm[p] = pMtm;
        c.posNotional[p] = pGross;
      }
      if (isolated) {
        const fixed = c.isolatedMargin[p];
        if (fixed === fixed) explicit = explicit + fixed;
        else autoIm = autoIm + (pIm + shortSize * t[r + T_PREMIUM] * scale);
      }
    }
    // Settled cash counts at full weight in all three equities (and in the isolated pool). With
    // none, x + 0 = x: every result keeps its bits (the sums are never −0).
    const cash = c.cashUsd[a];
    const rawCash = raw + cash, wImCash = wIm + cash, wMmCash = wMm + cash;
    c.im[a] = im;
    c.mm[a] = mm;
    c.gross[a] = gross;
    c.collateralValue[a] = raw;
    c.equity[a] = rawCash + mtm;
    c.equityIm[a] = wImCash + mtm;
    c.equityMm[a] = wMmCash + mtm;
    const live = c.live[a] !== 0;
    if (!isolated) {
      c.status[a] = live ? statusOf(rawCash + mtm, wImCash + mtm, wMmCash + mtm, im, mm) : STATUS_HEALTHY;
      continue;
    }
    const worst = isolatedStatus(c, start, end, explicit, autoIm, rawCash, wImCash, wMmCash);
    c.status[a] = live ? worst : STATUS_HEALTHY;
  }
}

/**
 * A position's share key of an isolated account's pool: its IM plus, for a short option, its mark value (Deribit's IM,
 * which carries the mark), so that the premium a short option brought into the pool is allocated back to it; exactly
 * pIm for every other position (+ 0).
 */
function allocationKey(c: MarginColumns, p: number, pIm: number): number {
  const t = c.instrumentTerms;
  const r = c.posInstrument[p] * TERMS_STRIDE;
  const units = c.quantity[p] * t[r + T_MULTIPLIER];
  const shortSize = (Math.abs(units) - units) * 0.5;
  return pIm + shortSize * t[r + T_PREMIUM] * t[r + T_SCALE];
}

/**
 * An isolated account's status: each position's against its allocation (written to posAlloc and posStatus), and the
 * rest of the account's, the worst of them. `explicitAsked`: the positions' explicit allocations summed, as the book
 * gives them; `autoIm`: the allocation keys (allocationKey) of those without one; rawCash, wImCash, wMmCash: the
 * account's collateral equities with its cash.
 */
function isolatedStatus(c: MarginColumns, start: number, end: number, explicitAsked: number, autoIm: number, rawCash: number, wImCash: number, wMmCash: number): number {
  // Explicit allocations come out of the account's IM-weighted collateral and cash, as the pro-rata pool does: together
  // at most that (above it, a book allocating more than the account has, a borrowing or cash below zero, collateral
  // that fell, each is scaled down pro rata), so no position is backed by money the account does not have net of what
  // it owes, and the rest of the account is never left short by its own allocations; within it each keeps its bits.
  const has = wImCash > 0.0 ? wImCash : 0.0;
  const over = explicitAsked > has;
  const fit = over ? has / explicitAsked : 1.0;
  const explicit = over ? has : explicitAsked;
  const pool = wImCash - explicit > 0.0 ? wImCash - explicit : 0.0;
  let worst = STATUS_HEALTHY;
  for (let p = start; p < end; p++) {
    const fixed = c.isolatedMargin[p];
    const pIm = c.posIm[p];
    const alloc = fixed === fixed ? (over ? fixed * fit : fixed) : autoIm > 0.0 ? (pool * allocationKey(c, p, pIm)) / autoIm : 0.0;
    const e = alloc + c.posMtm[p];
    const s = statusOf(e, e, e, pIm, c.posMm[p]);
    c.posAlloc[p] = alloc;
    c.posStatus[p] = s;
    if (s > worst) worst = s;
  }
  // The rest of the account (collateral and cash not allocated, borrowings included) has no requirement of its own
  // but must not owe: a borrowing is the account's liability whatever the method. The pool is allocated whole when
  // some position takes a share of it. Allocations that sum to the collateral up to rounding (one per position,
  // written by a liquidation) are not a deficit: a rest within 1e-12 × (the amounts compared + 1) counts as 0 (the 1:
  // amounts near 0, such as a denormal allocation on an empty account).
  const shared = autoIm > 0.0 ? pool : 0.0;
  const rounding = 1e-12 * (Math.abs(rawCash) + Math.abs(explicit) + shared + 1.0);
  const rest = statusOf(rawCash - explicit - shared + rounding, wImCash - explicit - shared + rounding, wMmCash - explicit - shared + rounding, 0.0, 0.0);
  if (rest > worst) worst = rest;
  return worst;
}

/**
 * One position's IM, MM, mark-to-market and notional, as {@link marginAccounts} computes them (the same operations
 * in the same order: kept as a copy of its loop body because calling this from that loop costs the JS twin ~35% of
 * its cross run; test/margin-position-terms.test.ts holds the two to the same bits), for `quantity` contracts of instrument row `instrument` entered at `entryPrice`: written to
 * out[o], out[o + 1], out[o + 2], out[o + 3]. For callers that re-sum an account with one position changed.
 */
export function positionTerms(c: MarginColumns, instrument: number, entryPrice: number, quantity: number, out: Float64Array, o: number): void {
  const t = c.instrumentTerms;
  const r = instrument * TERMS_STRIDE;
  const units = quantity * t[r + T_MULTIPLIER];
  const size = Math.abs(units);
  const shortSize = (size - units) * 0.5;
  const longSize = (size + units) * 0.5;
  const pNotional = size * t[r + T_NOTIONAL_UNIT];
  const premium = longSize * t[r + T_PREMIUM];
  let pIm: number;
  let pMm: number;
  if (pNotional <= t[r + T_FIRST_UP_TO]) {
    pIm = pNotional * t[r + T_FIRST_IM] + t[r + T_SHORT_IM] * shortSize + premium;
    pMm = pNotional * t[r + T_FIRST_MM] + t[r + T_SHORT_MM] * shortSize + premium;
  } else {
    const b = bracketOf(pNotional, t[r + T_SCHEDULE], c.shape[1], c.linUpTo);
    const over = pNotional - c.linLower[b];
    pIm = c.linCumIm[b] + over * c.linIm[b] + t[r + T_SHORT_IM] * shortSize + premium;
    pMm = c.linCumMm[b] + over * c.linMm[b] + t[r + T_SHORT_MM] * shortSize + premium;
  }
  pIm = pIm + pNotional * (t[r + T_SIZE_IM] * size);
  pMm = pMm + pNotional * (t[r + T_SIZE_MM] * size);
  const scale = t[r + T_SCALE];
  out[o] = pIm * scale;
  out[o + 1] = pMm * scale;
  out[o + 2] = units * (t[r + T_MARK] - entryPrice * t[r + T_ENTRY_WEIGHT]);
  out[o + 3] = pNotional * scale;
}

/** Weighted value of a balance worth `value` USD: tiered haircuts when held, liability weight when borrowed. */
export function weighted(c: MarginColumns, asset: number, value: number, cumHaircut: Float64Array, haircut: Float64Array, liabilityWeight: number): number {
  if (value < 0.0) return value * liabilityWeight;
  const stride = c.shape[2];
  const b = bracketOf(value, asset * stride, stride, c.hairUpTo);
  return value - (cumHaircut[b] + (value - c.hairLower[b]) * haircut[b]);
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
