// Portfolio margin reduction: per group (one account's exposures to one underlying) the scenario P&L
//   pnl[s] = Σ_k scale[k]·risk[row[k]·S + s]     (slots k ascending, from +0)
// and the worst weighted loss
//   loss[s] = (−pnl[s])·weight[u·S + s],  worst = max_s loss[s] floored at +0, at the smallest such s;
// a non-finite loss makes the group's worst loss NaN (scenario −1). Twin of
// src/kernels/js/portfolio/reduce.ts; layout in src/kernels/wasm/portfolio.ts.
//
// SIMD: scenarios in chunks of 16 (8 f64x2 accumulators held in registers across the group's
// slots, DESIGN §5), then single vectors, then an odd last scenario in scalar. Each lane tracks its
// own strict maximum and index; lanes merge by value, ties to the smaller index, so every build
// picks the same scenario.

// Argument block: u32 column pointers in this order (PORTFOLIO_REDUCE_COLUMNS in the binding).
const GROUP_START = 0, GROUP_END = 1, GROUP_UNDERLYING = 2, SLOT_ROW = 3, SLOT_SCALE = 4;
const RISK = 5, WEIGHT = 6, WORST_LOSS = 7, WORST_SCENARIO = 8;

const T = memory.data<f64>([0.0, -Infinity, 2.0, 0.0, 1.0]);
const ZERO = 0, MINUS_INF = 1, TWO = 2, FIRST_INDEX = 3; // FIRST_INDEX: lanes (0, 1)

@inline function col(args: usize, which: i32): usize {
  return <usize>load<u32>(args + (<usize>which << 2));
}

/** One lane's candidate (value v at scenario i) against the running best: strict max, ties to the lower index. */
@inline function better(v: f64, i: f64, best: f64, bestIdx: f64): bool {
  return v > best || (v == best && i < bestIdx);
}

function reduceGroup(args: usize, g: usize, nS: usize): void {
  const k0 = <usize>load<i32>(col(args, GROUP_START) + (g << 2));
  const k1 = <usize>load<i32>(col(args, GROUP_END) + (g << 2));
  const u = <usize>load<i32>(col(args, GROUP_UNDERLYING) + (g << 2));
  const rows = col(args, SLOT_ROW), scales = col(args, SLOT_SCALE), risk = col(args, RISK);
  const rowBytes = nS << 3;
  const weights = col(args, WEIGHT) + u * rowBytes;
  let best: f64 = -Infinity;
  let bestIdx: f64 = 0.0;
  let bad = false;
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = v128.load64_splat(T + (ZERO << 3));
    const two = v128.load64_splat(T + (TWO << 3));
    let bestV = v128.load64_splat(T + (MINUS_INF << 3));
    let idxV = zero;
    let sv = v128.load(T + (FIRST_INDEX << 3)); // scenario indices of the next vector's lanes
    let badV = zero;
    for (; s + 16 <= nS; s += 16) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
      for (let k = k0; k < k1; k++) {
        const q = v128.load64_splat(scales + (k << 3));
        const p = risk + <usize>load<i32>(rows + (k << 2)) * rowBytes + (s << 3);
        a0 = f64x2.add(a0, f64x2.mul(q, v128.load(p)));
        a1 = f64x2.add(a1, f64x2.mul(q, v128.load(p, 16)));
        a2 = f64x2.add(a2, f64x2.mul(q, v128.load(p, 32)));
        a3 = f64x2.add(a3, f64x2.mul(q, v128.load(p, 48)));
        a4 = f64x2.add(a4, f64x2.mul(q, v128.load(p, 64)));
        a5 = f64x2.add(a5, f64x2.mul(q, v128.load(p, 80)));
        a6 = f64x2.add(a6, f64x2.mul(q, v128.load(p, 96)));
        a7 = f64x2.add(a7, f64x2.mul(q, v128.load(p, 112)));
      }
      const w = weights + (s << 3);
      // per vector: weighted loss, lane-wise strict max with its index, non-finite flag
      let l = f64x2.mul(f64x2.neg(a0), v128.load(w));
      let gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a1), v128.load(w, 16));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a2), v128.load(w, 32));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a3), v128.load(w, 48));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a4), v128.load(w, 64));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a5), v128.load(w, 80));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a6), v128.load(w, 96));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
      l = f64x2.mul(f64x2.neg(a7), v128.load(w, 112));
      gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
    }
    for (; s + 2 <= nS; s += 2) {
      let a = zero;
      for (let k = k0; k < k1; k++) {
        const q = v128.load64_splat(scales + (k << 3));
        a = f64x2.add(a, f64x2.mul(q, v128.load(risk + <usize>load<i32>(rows + (k << 2)) * rowBytes + (s << 3))));
      }
      const l = f64x2.mul(f64x2.neg(a), v128.load(weights + (s << 3)));
      const gt = f64x2.gt(l, bestV);
      bestV = v128.bitselect(l, bestV, gt); idxV = v128.bitselect(sv, idxV, gt); sv = f64x2.add(sv, two);
      badV = v128.or(badV, f64x2.ne(f64x2.sub(l, l), zero));
    }
    bad = v128.any_true(badV);
    const b0 = f64x2.extract_lane(bestV, 0), b1 = f64x2.extract_lane(bestV, 1);
    const i0 = f64x2.extract_lane(idxV, 0), i1 = f64x2.extract_lane(idxV, 1);
    if (better(b0, i0, best, bestIdx)) { best = b0; bestIdx = i0; }
    if (better(b1, i1, best, bestIdx)) { best = b1; bestIdx = i1; }
  }
  for (; s < nS; s++) {
    let a: f64 = 0.0;
    for (let k = k0; k < k1; k++) {
      a += load<f64>(scales + (k << 3)) * load<f64>(risk + <usize>load<i32>(rows + (k << 2)) * rowBytes + (s << 3));
    }
    const l = -a * load<f64>(weights + (s << 3));
    if (l - l != 0.0) bad = true;
    if (l > best) { best = l; bestIdx = <f64>s; }
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
 * (rows × S f64), weights (underlyings × S f64), and the outputs worstLoss (f64) and worstScenario
 * (i32) per group.
 */
export function portfolioReduce(nGroups: i32, nScenarios: i32, args: usize): void {
  for (let g: usize = 0; g < <usize>nGroups; g++) reduceGroup(args, g, <usize>nScenarios);
}
