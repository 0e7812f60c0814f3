// Portfolio margin reduction: per group (one account's exposures to one underlying) the scenario P&L
//   pnl[s] = Σ_k scale[k]·risk[row[k]·S + s]     (slots k ascending, from +0)
// and the worst weighted loss
//   loss[s] = (−pnl[s])·weight[u·S + s],  worst = max_s loss[s] floored at +0, at the smallest such s;
// a non-finite loss makes the group's worst loss NaN (scenario −1). Twin of
// src/kernels/js/portfolio/reduce.ts; layout in src/kernels/wasm/portfolio.ts.
//
// SIMD: each group's P&L vector is summed in register-held f64x2 accumulators, scenarios in chunks
// of 16, 8, 4, 2 (8/4/2/1 accumulators kept across the group's slots, DESIGN §5), an odd last
// scenario in scalar, into a scratch row; one pass over that row then finds the worst loss. Every
// build picks the same scenario: the maximum is exact whatever the order, and its first index
// is found by a scan that usually stops early (worst losses sit mostly at the grid edges, s small).

// Argument block: u32 column pointers in this order (PORTFOLIO_REDUCE_COLUMNS in the binding).
const GROUP_START = 0, GROUP_END = 1, GROUP_UNDERLYING = 2, SLOT_ROW = 3, SLOT_SCALE = 4;
const RISK = 5, WEIGHT = 6, WORST_LOSS = 7, WORST_SCENARIO = 8, PNL = 9;

const T = memory.data<f64>([0.0, -Infinity]);
const ZERO = 0, MINUS_INF = 1;

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

/** Row start of slot k, offset to scenario s (bytes). */
@inline function rowAt(rows: usize, risk: usize, rowBytes: usize, k: usize, s: usize): usize {
  return risk + <usize>load<i32>(rows + (k << 2)) * rowBytes + (s << 3);
}

/** pnl[s, s + 16) over slots [k0, k1). */
@inline function chunk16(rows: usize, scales: usize, risk: usize, rowBytes: usize, k0: usize, k1: usize, s: usize, pnl: usize): void {
  let a0 = v128.load64_splat(T), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
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
  const o = pnl + (s << 3);
  v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  v128.store(o, a4, 64); v128.store(o, a5, 80); v128.store(o, a6, 96); v128.store(o, a7, 112);
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
  let bestIdx: f64 = 0.0;
  let bad = false;
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; s + 16 <= nS; s += 16) chunk16(rows, scales, risk, rowBytes, k0, k1, s, pnl);
    if (s + 8 <= nS) { chunk8(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 8; }
    if (s + 4 <= nS) { chunk4(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 4; }
    if (s + 2 <= nS) { chunk2(rows, scales, risk, rowBytes, k0, k1, s, pnl); s += 2; }
    if (s < nS) chunk1(rows, scales, risk, rowBytes, k0, k1, s, pnl);
    // worst loss: the largest weighted loss over the vectors (and a non-finite check), then the odd
    // last scenario; its first index is found below
    const zero = v128.load64_splat(T + (ZERO << 3));
    let maxV = v128.load64_splat(T + (MINUS_INF << 3));
    let chk = zero; // Σ (l − l): NaN iff some l is not finite
    s = 0;
    for (; s + 2 <= nS; s += 2) {
      const l = f64x2.mul(f64x2.neg(v128.load(pnl + (s << 3))), v128.load(weights + (s << 3)));
      maxV = f64x2.pmax(maxV, l);
      chk = f64x2.add(chk, f64x2.sub(l, l));
    }
    bad = f64x2.extract_lane(chk, 0) != 0.0 || f64x2.extract_lane(chk, 1) != 0.0;
    const b0 = f64x2.extract_lane(maxV, 0), b1 = f64x2.extract_lane(maxV, 1);
    best = b1 > b0 ? b1 : b0;
  } else {
    for (let t: usize = 0; t < nS; t++) chunk1(rows, scales, risk, rowBytes, k0, k1, t, pnl);
  }
  for (; s < nS; s++) {
    const l = -load<f64>(pnl + (s << 3)) * load<f64>(weights + (s << 3));
    if (l - l != 0.0) bad = true;
    if (l > best) best = l;
  }
  // the first scenario reaching the maximum (== also matches −0 with +0, as the JS twin's strict scan does)
  if (!bad) {
    for (let t: usize = 0; t < nS; t++) {
      if (-load<f64>(pnl + (t << 3)) * load<f64>(weights + (t << 3)) == best) {
        bestIdx = <f64>t;
        break;
      }
    }
  }
  const out = col(args, WORST_LOSS) + (g << 3);
  const outIdx = col(args, WORST_SCENARIO) + (g << 2);
  if (bad) {
    store<f64>(out, NaN);
    store<i32>(outIdx, -1);
  } else {
    store<f64>(out, best > 0.0 ? best : 0.0);
    store<i32>(outIdx, <i32>bestIdx);
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
