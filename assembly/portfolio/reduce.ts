// Portfolio margin reduction: per group (one account's exposures to one underlying) the scenario P&L
//   pnl[s] = Σ_k scale[k]·risk[row[k]·S + s]     (slots k ascending, from +0)
// and the worst weighted loss
//   loss[s] = (−pnl[s])·weight[u·S + s],  worst = max_s loss[s] floored at +0, at the smallest such s;
// a non-finite loss makes the group's worst loss NaN (scenario −1). Twin of
// src/kernels/js/portfolio/reduce.ts; layout in src/kernels/portfolio.ts.
//
// SIMD: each group's P&L vector is summed in register-held f64x2 accumulators (8 across the
// group's slots, DESIGN §5), 16 scenarios per pass; a pass turns its accumulators straight into
// weighted losses, stores them in the scratch row and returns their maximum, so the worst loss needs
// no second pass. Callers pad S to a multiple of 16 (src/methods/engines/scenario-grid/scenarios.ts kernelScenarioCount);
// other S end in 8/4/2/1-scenario passes whose losses are scanned in scalar. Every build picks the
// same scenario: the maximum is exact whatever the order, and its first index is the first chunk
// holding it, then the first lane equal to it in that chunk (an equality bitmask, no scan).

// Argument block: u32 column pointers in this order (PORTFOLIO_REDUCE_COLUMNS in the binding).
const GROUP_START = 0, GROUP_END = 1, GROUP_UNDERLYING = 2, SLOT_ROW = 3, SLOT_SCALE = 4;
const RISK = 5, WEIGHT = 6, WORST_LOSS = 7, WORST_SCENARIO = 8, PNL = 9;

const T = memory.data<f64>([0.0]);
const ZERO = 0;

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

/** Row start of slot k, offset to scenario s (bytes). */
@inline function rowAt(rows: usize, risk: usize, rowBytes: usize, k: usize, s: usize): usize {
  return risk + <usize>load<i32>(rows + (k << 2)) * rowBytes + (s << 3);
}

/**
 * Weighted losses of scenarios [s, s + 16) over slots [k0, k1), stored at loss[s..]; returns their
 * lane-wise maximum, or NaN lanes when some loss is not finite (max + 0·Σ losses: 0·Σ is ±0 unless
 * the sum is infinite or NaN; an overflowing sum of finite losses is re-checked exactly by the caller).
 */
@inline function pass16(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, w: usize, loss: usize): v128 {
  const zero = v128.load64_splat(T + (ZERO << 3));
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
  for (let k = k0; k < k1; k++) {
    const q = v128.load64_splat(scales + (k << 3));
    const p = rowAt(rows, risk, rowBytes, k, s);
    a0 = f64x2.add(a0, f64x2.mul(q, v128.load(p)));
    a1 = f64x2.add(a1, f64x2.mul(q, v128.load(p, 16)));
    a2 = f64x2.add(a2, f64x2.mul(q, v128.load(p, 32)));
    a3 = f64x2.add(a3, f64x2.mul(q, v128.load(p, 48)));
    a4 = f64x2.add(a4, f64x2.mul(q, v128.load(p, 64)));
    a5 = f64x2.add(a5, f64x2.mul(q, v128.load(p, 80)));
    a6 = f64x2.add(a6, f64x2.mul(q, v128.load(p, 96)));
    a7 = f64x2.add(a7, f64x2.mul(q, v128.load(p, 112)));
  }
  const ws = w + (s << 3), o = loss + (s << 3);
  const l0 = f64x2.mul(f64x2.neg(a0), v128.load(ws));
  const l1 = f64x2.mul(f64x2.neg(a1), v128.load(ws, 16));
  const l2 = f64x2.mul(f64x2.neg(a2), v128.load(ws, 32));
  const l3 = f64x2.mul(f64x2.neg(a3), v128.load(ws, 48));
  const l4 = f64x2.mul(f64x2.neg(a4), v128.load(ws, 64));
  const l5 = f64x2.mul(f64x2.neg(a5), v128.load(ws, 80));
  const l6 = f64x2.mul(f64x2.neg(a6), v128.load(ws, 96));
  const l7 = f64x2.mul(f64x2.neg(a7), v128.load(ws, 112));
  v128.store(o, l0); v128.store(o, l1, 16); v128.store(o, l2, 32); v128.store(o, l3, 48);
  v128.store(o, l4, 64); v128.store(o, l5, 80); v128.store(o, l6, 96); v128.store(o, l7, 112);
  const max = f64x2.pmax(f64x2.pmax(f64x2.pmax(l0, l1), f64x2.pmax(l2, l3)), f64x2.pmax(f64x2.pmax(l4, l5), f64x2.pmax(l6, l7)));
  const sum = f64x2.add(f64x2.add(f64x2.add(l0, l1), f64x2.add(l2, l3)), f64x2.add(f64x2.add(l4, l5), f64x2.add(l6, l7)));
  return f64x2.add(max, f64x2.mul(sum, zero));
}

/**
 * Index in [0, 16) of the first loss at loss[0..16) equal to `best` (== : −0 matches +0, as the JS
 * twin's strict scan does). The 8 equality masks are narrowed to one byte pair per scenario and read
 * as a bitmask; the caller guarantees a match.
 */
@inline function firstEqual16(loss: usize, best: f64): i32 {
  const b = f64x2.splat(best);
  const n0 = i16x8.narrow_i32x4_s(f64x2.eq(v128.load(loss), b), f64x2.eq(v128.load(loss, 16), b));
  const n1 = i16x8.narrow_i32x4_s(f64x2.eq(v128.load(loss, 32), b), f64x2.eq(v128.load(loss, 48), b));
  const n2 = i16x8.narrow_i32x4_s(f64x2.eq(v128.load(loss, 64), b), f64x2.eq(v128.load(loss, 80), b));
  const n3 = i16x8.narrow_i32x4_s(f64x2.eq(v128.load(loss, 96), b), f64x2.eq(v128.load(loss, 112), b));
  const mask = i8x16.bitmask(i8x16.narrow_i16x8_s(n0, n1)) | (i8x16.bitmask(i8x16.narrow_i16x8_s(n2, n3)) << 16);
  return ctz<i32>(mask) >> 1;
}

/** pnl[s, s + 8). */
@inline function chunk8(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, pnl: usize): void {
  let a0 = v128.load64_splat(T), a1 = a0, a2 = a0, a3 = a0;
  for (let k = k0; k < k1; k++) {
    const q = v128.load64_splat(scales + (k << 3));
    const p = rowAt(rows, risk, rowBytes, k, s);
    a0 = f64x2.add(a0, f64x2.mul(q, v128.load(p)));
    a1 = f64x2.add(a1, f64x2.mul(q, v128.load(p, 16)));
    a2 = f64x2.add(a2, f64x2.mul(q, v128.load(p, 32)));
    a3 = f64x2.add(a3, f64x2.mul(q, v128.load(p, 48)));
  }
  const o = pnl + (s << 3);
  v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
}

/** pnl[s, s + 4). */
@inline function chunk4(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, pnl: usize): void {
  let a0 = v128.load64_splat(T), a1 = a0;
  for (let k = k0; k < k1; k++) {
    const q = v128.load64_splat(scales + (k << 3));
    const p = rowAt(rows, risk, rowBytes, k, s);
    a0 = f64x2.add(a0, f64x2.mul(q, v128.load(p)));
    a1 = f64x2.add(a1, f64x2.mul(q, v128.load(p, 16)));
  }
  const o = pnl + (s << 3);
  v128.store(o, a0); v128.store(o, a1, 16);
}

/** pnl[s, s + 2). */
@inline function chunk2(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, pnl: usize): void {
  let a0 = v128.load64_splat(T);
  for (let k = k0; k < k1; k++) {
    a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(scales + (k << 3)), v128.load(rowAt(rows, risk, rowBytes, k, s))));
  }
  v128.store(pnl + (s << 3), a0);
}

/** pnl[s], scalar. */
@inline function chunk1(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, pnl: usize): void {
  let a: f64 = 0.0;
  for (let k = k0; k < k1; k++) a += load<f64>(scales + (k << 3)) * load<f64>(rowAt(rows, risk, rowBytes, k, s));
  store<f64>(pnl + (s << 3), a);
}

function reduceGroup(args: usize, g: usize, nS: usize): void {
  const k0 = <usize>load<i32>(col(args, GROUP_START) + (g << 2));
  const k1 = <usize>load<i32>(col(args, GROUP_END) + (g << 2));
  const u = <usize>load<i32>(col(args, GROUP_UNDERLYING) + (g << 2));
  const rows = col(args, SLOT_ROW), scales = col(args, SLOT_SCALE), risk = col(args, RISK), pnl = col(args, PNL);
  const rowBytes = nS << 3;
  const weights = col(args, WEIGHT) + u * rowBytes;
  let best: f64 = -Infinity;
  let bestIdx: i32 = 0;
  let bad = false;
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // full chunks: losses into the scratch row, the first chunk reaching the maximum kept
    let bestChunk: isize = -1;
    let suspect = false; // some chunk's check is not finite: re-checked exactly below
    for (; s + 16 <= nS; s += 16) {
      const m = pass16(rows, scales, risk, rowBytes, k0, k1, s, weights, pnl);
      const m0 = f64x2.extract_lane(m, 0), m1 = f64x2.extract_lane(m, 1);
      if (m0 != m0 || m1 != m1) suspect = true;
      const cm = m1 > m0 ? m1 : m0;
      if (cm > best) {
        best = cm;
        bestChunk = <isize>s;
      }
    }
    const full = s;
    if (suspect) {
      for (let t: usize = 0; t < full; t++) {
        const l = load<f64>(pnl + (t << 3));
        if (l - l != 0.0) bad = true;
      }
      if (!bad) { // finite losses whose sum overflowed: the exact maximum, by a scan
        best = -Infinity;
        for (let t: usize = 0; t < full; t++) {
          const l = load<f64>(pnl + (t << 3));
          if (l > best) { best = l; bestChunk = <isize>(t & ~15); }
        }
      }
    }
    // the rest (S not a multiple of 16): P&L passes, then a scalar scan of their losses
    if (s + 8 <= nS) { chunk8(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 8; }
    if (s + 4 <= nS) { chunk4(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 4; }
    if (s + 2 <= nS) { chunk2(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 2; }
    if (s < nS) chunk1(rows, scales, risk, rowBytes, k0, k1, s, pnl);
    if (bestChunk >= 0) bestIdx = <i32>bestChunk + firstEqual16(pnl + (<usize>bestChunk << 3), best);
    s = full;
  } else {
    for (let t: usize = 0; t < nS; t++) chunk1(rows, scales, risk, rowBytes, k0, k1, t, pnl);
  }
  for (; s < nS; s++) {
    const l = -load<f64>(pnl + (s << 3)) * load<f64>(weights + (s << 3));
    if (l - l != 0.0) bad = true;
    if (l > best) {
      best = l;
      bestIdx = <i32>s;
    }
  }
  const out = col(args, WORST_LOSS) + (g << 3);
  const outIdx = col(args, WORST_SCENARIO) + (g << 2);
  if (bad) {
    store<f64>(out, NaN);
    store<i32>(outIdx, -1);
  } else {
    store<f64>(out, best > 0.0 ? best : 0.0);
    store<i32>(outIdx, bestIdx);
  }
}

/**
 * Worst weighted scenario loss of groups [0, nGroups) under nScenarios scenarios. `args` holds 9 u32
 * column pointers (order above): groupStart, groupEnd (slot ranges, i32), groupUnderlying (i32),
 * slotRow (risk-array row, i32), slotScale (f64: quantity × multiplier, or a balance), the risk array
 * (rows × S f64), weights (underlyings × S f64), the outputs worstLoss (f64) and worstScenario
 * (i32) per group, and a scratch row of S f64 (the current group's P&L).
 */
export function portfolioReduce(nGroups: i32, nScenarios: i32, args: usize): void {
  for (let g: usize = 0; g < <usize>nGroups; g++) reduceGroup(args, g, <usize>nScenarios);
}
