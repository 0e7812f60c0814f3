// Rule-based margin kernels. Twin of src/kernels/js/margin.ts (rules documented in
// src/margin/params.ts): same loops, same operation order, so both backends give identical bits.
// The SIMD build carries a position's IM and MM in the two lanes of an f64x2 (each lane the scalar
// operations in their order: the same bits); the rest is scalar, gathers through CSR indices.

// Column slots in the argument block: the order of MARGIN_COLUMNS in src/kernels/abi.ts.
const KIND = 0, UNDERLYING = 1, MULTIPLIER = 2, STRIKE = 3, IS_CALL = 4, VALUE = 5, PRICE = 6;
const LIVE = 7, POS_START = 8, POS_END = 9, POS_INSTRUMENT = 10, QUANTITY = 11, ENTRY_PRICE = 12, ISOLATED_MARGIN = 13;
const COL_START = 14, COL_END = 15, COL_ASSET = 16, AMOUNT = 17, CASH_USD = 18;
const LIN_UP_TO = 19, LIN_LOWER = 20, LIN_CUM_IM = 21, LIN_IM = 22, LIN_CUM_MM = 23, LIN_MM = 24;
const OPT_BASE = 25, OPT_FLOOR = 26, OPT_MM = 27;
const HAIR_UP_TO = 28, HAIR_LOWER = 29, HAIR_CUM_IM = 30, HAIR_IM = 31, HAIR_CUM_MM = 32, HAIR_MM = 33, LIAB_IM = 34, LIAB_MM = 35;
const SHAPE = 36, INSTRUMENT_TERMS = 37;
const POS_IM = 38, POS_MM = 39, POS_MTM = 40, POS_NOTIONAL = 41, POS_ALLOC = 42, POS_STATUS = 43;
const EQUITY = 44, EQUITY_IM = 45, EQUITY_MM = 46, IM = 47, MM = 48, GROSS = 49, COLLATERAL_VALUE = 50, STATUS = 51;
const SETTLEMENT = 52, LIN_SIZE_IM = 53, LIN_SIZE_MM = 54, FORWARD_GROWTH = 55;

// Per-instrument terms: one record per instrument (see prepareInstruments), so a position gathers
// one contiguous record instead of a dozen scattered columns.
const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_SCHEDULE = 7, T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;
const TERMS_STRIDE = 14;

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

/**
 * Index of the bracket of a schedule row holding amount x ≥ 0: the number of brackets wholly below
 * x, by a branch-free binary search. Rows are padded to a power-of-two stride (≤ 16) with +Infinity
 * bounds; the tests on `stride` are the same for every call, so they predict perfectly.
 */
@inline function bracketOf(x: f64, row: i32, stride: i32, upTo: usize): i32 {
  let b = row;
  if (stride > 8) b += <i32>(f64At(upTo, b + 7) < x) << 3;
  if (stride > 4) b += <i32>(f64At(upTo, b + 3) < x) << 2;
  if (stride > 2) b += <i32>(f64At(upTo, b + 1) < x) << 1;
  if (stride > 1) b += <i32>(f64At(upTo, b) < x);
  return b;
}

/**
 * Per-instrument terms for instruments [0, n), so the position loop is the same arithmetic for every
 * instrument class with no data-dependent branches (a mixed book would mispredict them):
 *   IM = ((cumIm_b + (notional − lower_b)·rateIm_b) + shortIm·shortSize + size·premium)·scale
 * Linear instruments use their underlying's bracket row and zero option terms; options use the
 * all-zero schedule row, shortIm = max(a − OTM/S, b)·S and premium = their mark. Every term that does
 * not apply is an exact zero, and scale is exactly 1 for USD-settled instruments, so the result has the
 * bits of the rule's own formula. Instruments settled in an asset have their terms in it (the JS twin's
 * comment gives the rule: coin options per coin with OTM against the forward, inverse contracts through
 * their USD notional at the index).
 */
function prepareInstruments(args: usize): void {
  const kind = col(args, KIND), underlying = col(args, UNDERLYING), multiplier = col(args, MULTIPLIER);
  const strike = col(args, STRIKE), isCall = col(args, IS_CALL), value = col(args, VALUE), price = col(args, PRICE);
  const optBase = col(args, OPT_BASE), optFloor = col(args, OPT_FLOOR), optMm = col(args, OPT_MM);
  const shape = col(args, SHAPE), terms = col(args, INSTRUMENT_TERMS), settlement = col(args, SETTLEMENT);
  const n = i32At(shape, 0), linStride = i32At(shape, 1), zeroRow = i32At(shape, 3);
  const linUpTo = col(args, LIN_UP_TO), linIm = col(args, LIN_IM), linMm = col(args, LIN_MM);
  const linSizeIm = col(args, LIN_SIZE_IM), linSizeMm = col(args, LIN_SIZE_MM), forwardGrowth = col(args, FORWARD_GROWTH);
  for (let i = 0; i < n; i++) {
    const u = i32At(underlying, i);
    const mark = f64At(value, i);
    const t = terms + ((<usize>i * TERMS_STRIDE) << 3);
    const row = u8At(kind, i) == KIND_OPTION ? zeroRow : u * linStride;
    store<f64>(t, <f64>row, T_SCHEDULE << 3);
    store<f64>(t, f64At(linUpTo, row), T_FIRST_UP_TO << 3);
    store<f64>(t, f64At(linIm, row), T_FIRST_IM << 3);
    store<f64>(t, f64At(linMm, row), T_FIRST_MM << 3);
    store<f64>(t, f64At(multiplier, i), T_MULTIPLIER << 3);
    store<f64>(t, mark, T_MARK << 3);
    store<f64>(t, 1.0, T_SCALE << 3);
    store<f64>(t, 0.0, T_SIZE_IM << 3);
    store<f64>(t, 0.0, T_SIZE_MM << 3);
    const settled = i32At(settlement, i);
    if (u8At(kind, i) == KIND_OPTION) {
      const s = f64At(price, u);
      const k = f64At(strike, i);
      const at = settled < 0 ? s : s * f64At(forwardGrowth, i); // OTM against: the index, or a coin option's forward
      const otm = u8At(isCall, i) != 0 ? (k > at ? k - at : 0.0) : at > k ? at - k : 0.0;
      const reduced = f64At(optBase, u) - otm / at;
      const floor = f64At(optFloor, u);
      const rate = reduced > floor ? reduced : floor;
      const unit = settled < 0 ? s : 1.0; // a coin-settled option's notional and short charges per coin
      // Deribit's short put: MM max(c, c·mark) per coin (mark in coin per coin: mark/unit); IM floored at MM
      const mmUnit = f64At(optMm, u) * unit;
      const mmMark = f64At(optMm, u) * mark;
      const shortMm = u8At(isCall, i) == 0 && mmMark > mmUnit ? mmMark : mmUnit;
      const shortIm = rate * unit;
      store<f64>(t, unit, T_NOTIONAL_UNIT << 3);
      store<f64>(t, mark, T_PREMIUM << 3);
      store<f64>(t, shortIm > shortMm ? shortIm : shortMm, T_SHORT_IM << 3);
      store<f64>(t, shortMm, T_SHORT_MM << 3);
      store<f64>(t, 0.0, T_ENTRY_WEIGHT << 3);
    } else {
      store<f64>(t, mark, T_NOTIONAL_UNIT << 3);
      store<f64>(t, 0.0, T_PREMIUM << 3);
      store<f64>(t, 0.0, T_SHORT_IM << 3);
      store<f64>(t, 0.0, T_SHORT_MM << 3);
      store<f64>(t, 1.0, T_ENTRY_WEIGHT << 3);
      // size-dependent rates per unit of size: per unit of underlying, × 1/F for an inverse contract's face (x = −1/F)
      const inverse = settled == u;
      store<f64>(t, inverse ? f64At(linSizeIm, u) * -mark : f64At(linSizeIm, u), T_SIZE_IM << 3);
      store<f64>(t, inverse ? f64At(linSizeMm, u) * -mark : f64At(linSizeMm, u), T_SIZE_MM << 3);
      if (settled >= 0) {
        const p = f64At(price, settled);
        // inverse (settled in its underlying): x = −1/F, USD notional per unit of face S/F; else the settlement asset's price
        store<f64>(t, inverse ? -mark * p : mark * p, T_NOTIONAL_UNIT << 3);
        store<f64>(t, 1.0 / p, T_SCALE << 3);
      }
    }
  }
}

/**
 * A position's IM and MM as the lanes of one f64x2, for the SIMD build: the scalar loop's formula (premium, first
 * bracket or the bracket's cumulative sum, the short charge, the size rate, the settlement scale) with each lane doing
 * its operations in their order, so the bits are the scalar build's. IM and MM terms sit side by side in the record.
 */
@inline function positionImMm(t: usize, pNotional: f64, size: f64, shortSize: f64, longSize: f64, scale: f64,
  linStride: i32, linUpTo: usize, linLower: usize, linCumIm: usize, linIm: usize, linCumMm: usize, linMm: usize): v128 {
  const premium = f64x2.splat(longSize * load<f64>(t, T_PREMIUM << 3));
  const shortPart = f64x2.mul(v128.load(t, T_SHORT_IM << 3), f64x2.splat(shortSize));
  let v: v128;
  if (pNotional <= load<f64>(t, T_FIRST_UP_TO << 3)) {
    v = f64x2.add(f64x2.add(f64x2.mul(f64x2.splat(pNotional), v128.load(t, T_FIRST_IM << 3)), shortPart), premium);
  } else {
    const b = bracketOf(pNotional, <i32>load<f64>(t, T_SCHEDULE << 3), linStride, linUpTo);
    const over = f64x2.splat(pNotional - f64At(linLower, b));
    const cum = f64x2.replace_lane(f64x2.splat(f64At(linCumIm, b)), 1, f64At(linCumMm, b));
    const rate = f64x2.replace_lane(f64x2.splat(f64At(linIm, b)), 1, f64At(linMm, b));
    v = f64x2.add(f64x2.add(f64x2.add(cum, f64x2.mul(over, rate)), shortPart), premium);
  }
  return f64x2.mul(f64x2.add(v, f64x2.mul(f64x2.splat(pNotional), f64x2.mul(v128.load(t, T_SIZE_IM << 3), f64x2.splat(size)))), f64x2.splat(scale));
}

/** A position's figures kept for the breakdown and the isolated pass (per-position columns). */
@inline function keepPosition(posIm: usize, posMm: usize, posMtm: usize, posNotional: usize, p: i32, pIm: f64, pMm: f64, pMtm: f64, pGross: f64): void {
  setF64(posIm, p, pIm);
  setF64(posMm, p, pMm);
  setF64(posMtm, p, pMtm);
  setF64(posNotional, p, pGross);
}

// Column pointers are read from the argument block once per call, into locals: the kernel's own
// stores could alias the block as far as the optimiser knows, so it would reload them per access.
// Per-position rows are stored only when kept (breakdown) or isolated (second pass): writing and
// re-reading 32 bytes per position would cost more than the arithmetic.
// `list` (0: none): margin the accounts list[first..last) instead of first..last.
function marginAccounts(args: usize, first: i32, last: i32, isolated: bool, keepPositions: bool, list: usize): void {
  const keep = keepPositions || isolated;
  const price = col(args, PRICE);
  const live = col(args, LIVE), posStart = col(args, POS_START), posEnd = col(args, POS_END), posInstrument = col(args, POS_INSTRUMENT);
  const quantity = col(args, QUANTITY), entryPrice = col(args, ENTRY_PRICE), isolatedMargin = col(args, ISOLATED_MARGIN);
  const colStart = col(args, COL_START), colEnd = col(args, COL_END), colAsset = col(args, COL_ASSET), amount = col(args, AMOUNT);
  const cashUsd = col(args, CASH_USD);
  const linUpTo = col(args, LIN_UP_TO), linLower = col(args, LIN_LOWER);
  const linCumIm = col(args, LIN_CUM_IM), linIm = col(args, LIN_IM), linCumMm = col(args, LIN_CUM_MM), linMm = col(args, LIN_MM);
  const hairUpTo = col(args, HAIR_UP_TO), hairLower = col(args, HAIR_LOWER);
  const hairCumIm = col(args, HAIR_CUM_IM), hairIm = col(args, HAIR_IM), hairCumMm = col(args, HAIR_CUM_MM), hairMm = col(args, HAIR_MM);
  const liabIm = col(args, LIAB_IM), liabMm = col(args, LIAB_MM);
  const shape = col(args, SHAPE), terms = col(args, INSTRUMENT_TERMS);
  const linStride = i32At(shape, 1), hairStride = i32At(shape, 2);
  const posIm = col(args, POS_IM), posMm = col(args, POS_MM), posMtm = col(args, POS_MTM), posNotional = col(args, POS_NOTIONAL);
  const posAlloc = col(args, POS_ALLOC), posStatus = col(args, POS_STATUS);
  const equityOut = col(args, EQUITY), equityImOut = col(args, EQUITY_IM), equityMmOut = col(args, EQUITY_MM);
  const imOut = col(args, IM), mmOut = col(args, MM), grossOut = col(args, GROSS), collateralOut = col(args, COLLATERAL_VALUE);
  const statusOut = col(args, STATUS);
  for (let i = first; i < last; i++) {
    const a = list != 0 ? i32At(list, i) : i;
    let raw = 0.0, wIm = 0.0, wMm = 0.0;
    const cEnd = i32At(colEnd, a);
    for (let k = i32At(colStart, a); k < cEnd; k++) {
      const asset = i32At(colAsset, k);
      const v = f64At(amount, k) * f64At(price, asset);
      raw = raw + v;
      if (v < 0.0) {
        wIm = wIm + v * f64At(liabIm, asset);
        wMm = wMm + v * f64At(liabMm, asset);
      } else {
        const b = bracketOf(v, asset * hairStride, hairStride, hairUpTo);
        const over = v - f64At(hairLower, b);
        wIm = wIm + (v - (f64At(hairCumIm, b) + over * f64At(hairIm, b)));
        wMm = wMm + (v - (f64At(hairCumMm, b) + over * f64At(hairMm, b)));
      }
    }
    let im = 0.0, mm = 0.0, mtm = 0.0, gross = 0.0, explicit = 0.0, autoIm = 0.0;
    const start = i32At(posStart, a);
    const end = i32At(posEnd, a);
    if (ASC_FEATURE_SIMD) {
      // The same loop with a position's IM and MM as the two lanes of one f64x2 (their terms sit side by side in the
      // instrument's record): each lane does the scalar loop's operations in its order, so the bits are the same.
      let imMm = f64x2.splat(0.0);
      for (let p = start; p < end; p++) {
        const t = terms + ((<usize>i32At(posInstrument, p) * TERMS_STRIDE) << 3);
        const units = f64At(quantity, p) * load<f64>(t, T_MULTIPLIER << 3);
        const size = abs<f64>(units);
        const shortSize = (size - units) * 0.5;
        const longSize = (size + units) * 0.5;
        const pNotional = size * load<f64>(t, T_NOTIONAL_UNIT << 3);
        const scale = load<f64>(t, T_SCALE << 3);
        const pImMm = positionImMm(t, pNotional, size, shortSize, longSize, scale, linStride, linUpTo, linLower, linCumIm, linIm, linCumMm, linMm);
        const pGross = pNotional * scale;
        const pMtm = units * (load<f64>(t, T_MARK << 3) - f64At(entryPrice, p) * load<f64>(t, T_ENTRY_WEIGHT << 3));
        imMm = f64x2.add(imMm, pImMm);
        mtm = mtm + pMtm;
        gross = gross + pGross;
        if (keep) {
          const pIm = f64x2.extract_lane(pImMm, 0);
          keepPosition(posIm, posMm, posMtm, posNotional, p, pIm, f64x2.extract_lane(pImMm, 1), pMtm, pGross);
          if (isolated) {
            const fixed = f64At(isolatedMargin, p);
            if (fixed == fixed) explicit = explicit + fixed;
            else autoIm = autoIm + (pIm + shortSize * load<f64>(t, T_PREMIUM << 3) * scale);
          }
        }
      }
      im = f64x2.extract_lane(imMm, 0);
      mm = f64x2.extract_lane(imMm, 1);
    } else {
      for (let p = start; p < end; p++) {
        const t = terms + ((<usize>i32At(posInstrument, p) * TERMS_STRIDE) << 3);
        const units = f64At(quantity, p) * load<f64>(t, T_MULTIPLIER << 3);
        const size = abs<f64>(units);
        const shortSize = (size - units) * 0.5; // size when short, +0 when long: exact either way
        const longSize = (size + units) * 0.5; // size when long, +0 when short
        const pNotional = size * load<f64>(t, T_NOTIONAL_UNIT << 3);
        // A long option's mark value is its requirement (its value in equity supports nothing else); a short option's
        // value is already a loss in equity, so its requirement is the rate alone (Deribit's MM c + mark, tested against
        // the margin balance = equity − options value: the same excess, the mark counted once).
        const premium = longSize * load<f64>(t, T_PREMIUM << 3);
        let pIm: f64, pMm: f64;
        // Most positions sit in their schedule's first bracket (options always: their row is unbounded),
        // where cum + (x − lower)·rate is exactly x·rate: its rates ride in the instrument's record, and
        // this well-predicted branch keeps the bracket lookup off the common path.
        if (pNotional <= load<f64>(t, T_FIRST_UP_TO << 3)) {
          pIm = pNotional * load<f64>(t, T_FIRST_IM << 3) + load<f64>(t, T_SHORT_IM << 3) * shortSize + premium;
          pMm = pNotional * load<f64>(t, T_FIRST_MM << 3) + load<f64>(t, T_SHORT_MM << 3) * shortSize + premium;
        } else {
          const b = bracketOf(pNotional, <i32>load<f64>(t, T_SCHEDULE << 3), linStride, linUpTo);
          const over = pNotional - f64At(linLower, b);
          pIm = f64At(linCumIm, b) + over * f64At(linIm, b) + load<f64>(t, T_SHORT_IM << 3) * shortSize + premium;
          pMm = f64At(linCumMm, b) + over * f64At(linMm, b) + load<f64>(t, T_SHORT_MM << 3) * shortSize + premium;
        }
        // + a rate growing with size (Deribit's futures; + 0 without one), then to the settlement currency (× 1, exactly,
        // for USD-settled instruments)
        const scale = load<f64>(t, T_SCALE << 3);
        pIm = (pIm + pNotional * (load<f64>(t, T_SIZE_IM << 3) * size)) * scale;
        pMm = (pMm + pNotional * (load<f64>(t, T_SIZE_MM << 3) * size)) * scale;
        const pGross = pNotional * scale;
        const pMtm = units * (load<f64>(t, T_MARK << 3) - f64At(entryPrice, p) * load<f64>(t, T_ENTRY_WEIGHT << 3));
        im = im + pIm;
        mm = mm + pMm;
        mtm = mtm + pMtm;
        gross = gross + pGross;
        if (keep) keepPosition(posIm, posMm, posMtm, posNotional, p, pIm, pMm, pMtm, pGross);
        if (isolated) {
          const fixed = f64At(isolatedMargin, p);
          if (fixed == fixed) explicit = explicit + fixed;
          else autoIm = autoIm + (pIm + shortSize * load<f64>(t, T_PREMIUM << 3) * scale);
        }
      }
    }
    // Settled cash counts at full weight in all three equities (and in the isolated pool). With
    // none, x + 0 = x: every result keeps its bits (the sums are never −0).
    const cash = f64At(cashUsd, a);
    const rawCash = raw + cash;
    const wImCash = wIm + cash;
    const wMmCash = wMm + cash;
    setF64(imOut, a, im);
    setF64(mmOut, a, mm);
    setF64(grossOut, a, gross);
    setF64(collateralOut, a, raw);
    setF64(equityOut, a, rawCash + mtm);
    setF64(equityImOut, a, wImCash + mtm);
    setF64(equityMmOut, a, wMmCash + mtm);
    const isLive = u8At(live, a) != 0;
    if (!isolated) {
      setU8(statusOut, a, isLive ? statusOf(rawCash + mtm, wImCash + mtm, wMmCash + mtm, im, mm) : STATUS_HEALTHY);
      continue;
    }
    // explicit allocations together at most the IM-weighted collateral and cash, scaled down pro rata above it (the JS
    // twin's isolatedStatus says why); within it each keeps its bits
    const has = wImCash > 0.0 ? wImCash : 0.0;
    const over = explicit > has;
    const fit = over ? has / explicit : 1.0;
    if (over) explicit = has;
    const pool = wImCash - explicit > 0.0 ? wImCash - explicit : 0.0;
    let worst = STATUS_HEALTHY;
    for (let p = start; p < end; p++) {
      const fixed = f64At(isolatedMargin, p);
      const pIm = f64At(posIm, p);
      // share key: IM plus a short option's mark value (Deribit's IM), so its premium in the pool is allocated to it
      const t = terms + ((<usize>i32At(posInstrument, p) * TERMS_STRIDE) << 3);
      const units = f64At(quantity, p) * load<f64>(t, T_MULTIPLIER << 3);
      const shortSize = (abs<f64>(units) - units) * 0.5;
      const key = pIm + shortSize * load<f64>(t, T_PREMIUM << 3) * load<f64>(t, T_SCALE << 3);
      const alloc = fixed == fixed ? (over ? fixed * fit : fixed) : autoIm > 0.0 ? (pool * key) / autoIm : 0.0;
      const e = alloc + f64At(posMtm, p);
      const s = statusOf(e, e, e, pIm, f64At(posMm, p));
      setF64(posAlloc, p, alloc);
      setU8(posStatus, p, s);
      if (s > worst) worst = s;
    }
    // The rest of the account (collateral and cash not allocated, borrowings included) has no requirement of its own
    // but must not owe: a borrowing is the account's liability whatever the method. The pool is allocated whole when
    // some position takes a share of it. Allocations that sum to the collateral up to rounding (one per position,
    // written by a liquidation) are not a deficit: a rest within 1e-12 × (the amounts compared + 1) counts as 0 (the
    // 1: amounts near 0, such as a denormal allocation on an empty account).
    const shared = autoIm > 0.0 ? pool : 0.0;
    const rounding = 1e-12 * (abs<f64>(rawCash) + abs<f64>(explicit) + shared + 1.0);
    const rest = statusOf(rawCash - explicit - shared + rounding, wImCash - explicit - shared + rounding, wMmCash - explicit - shared + rounding, 0.0, 0.0);
    if (rest > worst) worst = rest;
    setU8(statusOut, a, isLive ? worst : STATUS_HEALTHY);
  }
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
 * rows. `args` holds the u32 pointers of the 55 columns listed at the top, in that order; the shape
 * column holds [instruments, linear stride, haircut stride, zero-schedule row].
 */
export function ruleBasedMargin(accounts: i32, flags: i32, args: usize): void {
  prepareInstruments(args);
  marginAccounts(args, 0, accounts, (flags & 1) != 0, (flags & 2) != 0, 0);
}

/**
 * Rule-based margin for accounts [first, last) only, reusing the instrument terms a {@link ruleBasedMargin}
 * call wrote for the current market: re-margins the accounts whose positions or balances changed, with the
 * same bits as a full run.
 */
export function ruleBasedAccounts(first: i32, last: i32, flags: i32, args: usize): void {
  marginAccounts(args, first, last, (flags & 1) != 0, (flags & 2) != 0, 0);
}

/**
 * Rule-based margin of the `count` accounts whose indices (i32) are at `list`, in any order, on the instrument
 * terms of the current market (as {@link ruleBasedAccounts}): the accounts a market move exposed, wherever
 * they sit in the book.
 */
export function ruleBasedAccountList(list: usize, count: i32, flags: i32, args: usize): void {
  marginAccounts(args, 0, count, (flags & 1) != 0, (flags & 2) != 0, list);
}
