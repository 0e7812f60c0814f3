// Rule-based margin kernels. Twin of src/kernels/js/margin.ts (rules documented in
// src/margin/params.ts): same loops, same operation order, so both backends give identical bits.
// Scalar on purpose: the work is gathers through CSR indices, where f64x2 buys little.

// Column slots in the argument block: the order of MARGIN_COLUMNS in src/margin/buffers.ts.
const KIND = 0, UNDERLYING = 1, MULTIPLIER = 2, STRIKE = 3, IS_CALL = 4, VALUE = 5, PRICE = 6;
const LIVE = 7, POS_START = 8, POS_END = 9, POS_INSTRUMENT = 10, QUANTITY = 11, ENTRY_PRICE = 12, ISOLATED_MARGIN = 13;
const COL_START = 14, COL_END = 15, COL_ASSET = 16, AMOUNT = 17;
const LIN_START = 18, LIN_UP_TO = 19, LIN_IM = 20, LIN_MM = 21, OPT_BASE = 22, OPT_FLOOR = 23, OPT_MM = 24;
const HAIR_START = 25, HAIR_UP_TO = 26, HAIR_IM = 27, HAIR_MM = 28, LIAB_IM = 29, LIAB_MM = 30;
const POS_IM = 31, POS_MM = 32, POS_MTM = 33, POS_NOTIONAL = 34, POS_ALLOC = 35, POS_STATUS = 36;
const EQUITY = 37, EQUITY_IM = 38, EQUITY_MM = 39, IM = 40, MM = 41, GROSS = 42, COLLATERAL_VALUE = 43, STATUS = 44;

const KIND_OPTION: u8 = 3;
const STATUS_HEALTHY: u8 = 0, STATUS_MARGIN_CALL: u8 = 1, STATUS_LIQUIDATABLE: u8 = 2, STATUS_BANKRUPT: u8 = 3, STATUS_ERROR: u8 = 4;

@inline function col(args: usize, slot: i32): usize {
  return <usize>load<u32>(args + (<usize>slot << 2));
}
@inline function f64At(column: usize, i: i32): f64 {
  return load<f64>(column + (<usize>i << 3));
}
@inline function i32At(column: usize, i: i32): i32 {
  return load<i32>(column + (<usize>i << 2));
}
@inline function u8At(column: usize, i: i32): u8 {
  return load<u8>(column + <usize>i);
}
@inline function setF64(column: usize, i: i32, x: f64): void {
  store<f64>(column + (<usize>i << 3), x);
}
@inline function setU8(column: usize, i: i32, x: u8): void {
  store<u8>(column + <usize>i, x);
}

/** Σ rate_b · (part of x in bracket b), brackets [start, end) of the upTo/rate columns. */
@inline function tiered(x: f64, start: i32, end: i32, upTo: usize, rate: usize): f64 {
  let total = 0.0;
  let lower = 0.0;
  for (let b = start; b < end; b++) {
    const upper = f64At(upTo, b);
    const part = (x < upper ? x : upper) - lower;
    if (part <= 0.0) break;
    total = total + part * f64At(rate, b);
    lower = upper;
  }
  return total;
}

// Column pointers are read from the argument block once per call, into locals: the kernel's own
// stores could alias the block as far as the optimiser knows, so it would reload them per access.
// Per-position rows are stored only when kept (breakdown) or isolated (second pass): writing and
// re-reading 32 bytes per position would cost more than the arithmetic.
function marginAccounts(args: usize, first: i32, last: i32, isolated: bool, keepPositions: bool): void {
  const keep = keepPositions || isolated;
  const kind = col(args, KIND), underlying = col(args, UNDERLYING), multiplier = col(args, MULTIPLIER);
  const strike = col(args, STRIKE), isCall = col(args, IS_CALL), value = col(args, VALUE), price = col(args, PRICE);
  const live = col(args, LIVE), posStart = col(args, POS_START), posEnd = col(args, POS_END), posInstrument = col(args, POS_INSTRUMENT);
  const quantity = col(args, QUANTITY), entryPrice = col(args, ENTRY_PRICE), isolatedMargin = col(args, ISOLATED_MARGIN);
  const colStart = col(args, COL_START), colEnd = col(args, COL_END), colAsset = col(args, COL_ASSET), amount = col(args, AMOUNT);
  const linStart = col(args, LIN_START), linUpTo = col(args, LIN_UP_TO), linIm = col(args, LIN_IM), linMm = col(args, LIN_MM);
  const optBase = col(args, OPT_BASE), optFloor = col(args, OPT_FLOOR), optMm = col(args, OPT_MM);
  const hairStart = col(args, HAIR_START), hairUpTo = col(args, HAIR_UP_TO), hairIm = col(args, HAIR_IM), hairMm = col(args, HAIR_MM);
  const liabIm = col(args, LIAB_IM), liabMm = col(args, LIAB_MM);
  const posIm = col(args, POS_IM), posMm = col(args, POS_MM), posMtm = col(args, POS_MTM), posNotional = col(args, POS_NOTIONAL);
  const posAlloc = col(args, POS_ALLOC), posStatus = col(args, POS_STATUS);
  const equityOut = col(args, EQUITY), equityImOut = col(args, EQUITY_IM), equityMmOut = col(args, EQUITY_MM);
  const imOut = col(args, IM), mmOut = col(args, MM), grossOut = col(args, GROSS), collateralOut = col(args, COLLATERAL_VALUE);
  const statusOut = col(args, STATUS);
  for (let a = first; a < last; a++) {
    let raw = 0.0, wIm = 0.0, wMm = 0.0;
    const cEnd = i32At(colEnd, a);
    for (let k = i32At(colStart, a); k < cEnd; k++) {
      const asset = i32At(colAsset, k);
      const v = f64At(amount, k) * f64At(price, asset);
      const hs = i32At(hairStart, asset), he = i32At(hairStart, asset + 1);
      raw = raw + v;
      wIm = wIm + weighted(v, hs, he, hairUpTo, hairIm, f64At(liabIm, asset));
      wMm = wMm + weighted(v, hs, he, hairUpTo, hairMm, f64At(liabMm, asset));
    }
    let im = 0.0, mm = 0.0, mtm = 0.0, gross = 0.0, explicit = 0.0, autoIm = 0.0;
    const start = i32At(posStart, a);
    const end = i32At(posEnd, a);
    for (let p = start; p < end; p++) {
      const i = i32At(posInstrument, p);
      const u = i32At(underlying, i);
      const mark = f64At(value, i);
      const units = f64At(quantity, p) * f64At(multiplier, i);
      const size = units < 0.0 ? -units : units;
      let pIm: f64, pMm: f64, pMtm: f64, pNotional: f64;
      if (u8At(kind, i) == KIND_OPTION) {
        const s = f64At(price, u);
        const markValue = size * mark;
        if (units < 0.0) {
          const k = f64At(strike, i);
          const otm = u8At(isCall, i) != 0 ? (k > s ? k - s : 0.0) : s > k ? s - k : 0.0;
          const reduced = f64At(optBase, u) - otm / s;
          const floor = f64At(optFloor, u);
          const rate = reduced > floor ? reduced : floor;
          pIm = rate * s * size + markValue;
          pMm = f64At(optMm, u) * s * size + markValue;
        } else {
          pIm = markValue;
          pMm = markValue;
        }
        pMtm = units * mark;
        pNotional = size * s;
      } else {
        pNotional = size * mark;
        const ls = i32At(linStart, u), le = i32At(linStart, u + 1);
        pIm = tiered(pNotional, ls, le, linUpTo, linIm);
        pMm = tiered(pNotional, ls, le, linUpTo, linMm);
        pMtm = units * (mark - f64At(entryPrice, p));
      }
      im = im + pIm;
      mm = mm + pMm;
      mtm = mtm + pMtm;
      gross = gross + pNotional;
      if (keep) {
        setF64(posIm, p, pIm);
        setF64(posMm, p, pMm);
        setF64(posMtm, p, pMtm);
        setF64(posNotional, p, pNotional);
      }
      if (isolated) {
        const fixed = f64At(isolatedMargin, p);
        if (fixed == fixed) explicit = explicit + fixed;
        else autoIm = autoIm + pIm;
      }
    }
    setF64(imOut, a, im);
    setF64(mmOut, a, mm);
    setF64(grossOut, a, gross);
    setF64(collateralOut, a, raw);
    setF64(equityOut, a, raw + mtm);
    setF64(equityImOut, a, wIm + mtm);
    setF64(equityMmOut, a, wMm + mtm);
    const isLive = u8At(live, a) != 0;
    if (!isolated) {
      setU8(statusOut, a, isLive ? statusOf(raw + mtm, wIm + mtm, wMm + mtm, im, mm) : STATUS_HEALTHY);
      continue;
    }
    const pool = wIm - explicit > 0.0 ? wIm - explicit : 0.0;
    let worst = STATUS_HEALTHY;
    for (let p = start; p < end; p++) {
      const fixed = f64At(isolatedMargin, p);
      const pIm = f64At(posIm, p);
      const alloc = fixed == fixed ? fixed : autoIm > 0.0 ? (pool * pIm) / autoIm : 0.0;
      const e = alloc + f64At(posMtm, p);
      const s = statusOf(e, e, e, pIm, f64At(posMm, p));
      setF64(posAlloc, p, alloc);
      setU8(posStatus, p, s);
      if (s > worst) worst = s;
    }
    if (start == end) worst = statusOf(raw, wIm, wMm, 0.0, 0.0);
    setU8(statusOut, a, isLive ? worst : STATUS_HEALTHY);
  }
}

@inline function weighted(value: f64, start: i32, end: i32, hairUpTo: usize, haircut: usize, liabilityWeight: f64): f64 {
  if (value < 0.0) return value * liabilityWeight;
  return value - tiered(value, start, end, hairUpTo, haircut);
}

@inline function finite(x: f64): bool {
  return x - x == 0.0; // false for NaN and ±Infinity
}

@inline function statusOf(equity: f64, equityIm: f64, equityMm: f64, im: f64, mm: f64): u8 {
  if (!(finite(equity) && finite(equityIm) && finite(equityMm) && finite(im) && finite(mm))) return STATUS_ERROR;
  if (equity < 0.0) return STATUS_BANKRUPT;
  if (equityMm < mm) return STATUS_LIQUIDATABLE;
  if (equityIm < im) return STATUS_MARGIN_CALL;
  return STATUS_HEALTHY;
}

/**
 * Rule-based margin for accounts [0, accounts). Flags: bit 0 isolated mode, bit 1 keep per-position
 * rows. `args` holds the u32 pointers of the 45 columns listed at the top, in that order.
 */
export function ruleBasedMargin(accounts: i32, flags: i32, args: usize): void {
  marginAccounts(args, 0, accounts, (flags & 1) != 0, (flags & 2) != 0);
}
