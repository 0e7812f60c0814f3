// Scenario P&L per account (sparse reduction of an instrument × scenario risk array) and per-account
// VaR / ES by selection. Twin of src/kernels/js/risk/quantile.ts.
//
// Conventions (identical on every backend):
//   pnl[a][s] = Σ_p qty[p]·R[inst[p]][s] over the account's positions p in [start[a], end[a]),
//               p ascending, from +0. Signed: gain > 0.
//   loss_s    = 0 − pnl[a][s] (= −pnl, except that a zero P&L is a +0 loss).
//   VaR       = the K-th largest loss (1-based), K = tail count chosen by the caller (typically
//               ⌈(1−α)·M⌉, computed robustly in TypeScript). It is a loss quantile and may be negative
//               (a gain); flooring at 0 for a margin requirement is the caller's job.
//   ES        = the mean of the K largest losses = (Σ_{s: loss_s > VaR} loss_s + (K − c)·VaR) / K,
//               c = #{s: loss_s > VaR}, the sum in ascending scenario order from +0. Ties at VaR
//               count as many times as needed to make K, so ES ≥ VaR always, and the result does not
//               depend on how the selection permuted its scratch.
//   An account whose P&L has a non-finite entry gets NaN for both (the caller reports an error).
import { splat } from '../math/vec';

const ZERO = memory.data<f64>([0.0]);

@inline function rowOf(risk: usize, inst: usize, p: usize, rowBytes: usize): usize {
  return risk + <usize>load<i32>(inst + (p << 2)) * rowBytes;
}

/** Scenarios [s0, s0 + 16) of one account: eight f64x2 accumulators, positions innermost. */
@inline function pnlTile16(risk: usize, rowBytes: usize, inst: usize, qty: usize, p0: usize, p1: usize, out: usize, s0: usize): void {
  let a0 = splat(ZERO, 0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const o = s0 << 3;
  for (let p = p0; p < p1; p++) {
    const r = rowOf(risk, inst, p, rowBytes) + o;
    const q = v128.load64_splat(qty + (p << 3));
    a0 = f64x2.add(a0, f64x2.mul(q, v128.load(r)));
    a1 = f64x2.add(a1, f64x2.mul(q, v128.load(r, 16)));
    a2 = f64x2.add(a2, f64x2.mul(q, v128.load(r, 32)));
    a3 = f64x2.add(a3, f64x2.mul(q, v128.load(r, 48)));
    a4 = f64x2.add(a4, f64x2.mul(q, v128.load(r, 64)));
    a5 = f64x2.add(a5, f64x2.mul(q, v128.load(r, 80)));
    a6 = f64x2.add(a6, f64x2.mul(q, v128.load(r, 96)));
    a7 = f64x2.add(a7, f64x2.mul(q, v128.load(r, 112)));
  }
  const d = out + o;
  v128.store(d, a0); v128.store(d, a1, 16); v128.store(d, a2, 32); v128.store(d, a3, 48);
  v128.store(d, a4, 64); v128.store(d, a5, 80); v128.store(d, a6, 96); v128.store(d, a7, 112);
}

@inline function pnlTile2(risk: usize, rowBytes: usize, inst: usize, qty: usize, p0: usize, p1: usize, out: usize, s0: usize): void {
  let a = splat(ZERO, 0);
  const o = s0 << 3;
  for (let p = p0; p < p1; p++) {
    a = f64x2.add(a, f64x2.mul(v128.load64_splat(qty + (p << 3)), v128.load(rowOf(risk, inst, p, rowBytes) + o)));
  }
  v128.store(out + o, a);
}

@inline function pnlOne(risk: usize, rowBytes: usize, inst: usize, qty: usize, p0: usize, p1: usize, out: usize, s: usize): void {
  let a = 0.0;
  const o = s << 3;
  for (let p = p0; p < p1; p++) a += load<f64>(qty + (p << 3)) * load<f64>(rowOf(risk, inst, p, rowBytes) + o);
  store<f64>(out + o, a);
}

/**
 * outPtr[a][s] (nAccounts × nScenarios f64, row-major) = account a's scenario P&L.
 * riskPtr: instruments × nScenarios f64 row-major (instrument P&L per unit quantity, signed);
 * startPtr/endPtr: i32 per account, its position slots [start, end); instPtr: i32 instrument index
 * per slot; qtyPtr: f64 signed quantity per slot. Indices are trusted (validated by the caller).
 */
export function accountPnl(
  nAccounts: i32, nScenarios: i32, riskPtr: usize, startPtr: usize, endPtr: usize, instPtr: usize, qtyPtr: usize, outPtr: usize,
): void {
  const rowBytes = <usize>nScenarios << 3;
  const m = <usize>nScenarios;
  for (let a: usize = 0; a < <usize>nAccounts; a++) {
    const p0 = <usize>load<i32>(startPtr + (a << 2));
    const p1 = <usize>load<i32>(endPtr + (a << 2));
    const out = outPtr + a * rowBytes;
    let s: usize = 0;
    if (ASC_FEATURE_SIMD) {
      for (; s + 16 <= m; s += 16) pnlTile16(riskPtr, rowBytes, instPtr, qtyPtr, p0, p1, out, s);
      for (; s + 2 <= m; s += 2) pnlTile2(riskPtr, rowBytes, instPtr, qtyPtr, p0, p1, out, s);
    }
    for (; s < m; s++) pnlOne(riskPtr, rowBytes, instPtr, qtyPtr, p0, p1, out, s);
  }
}

@inline function at(a: usize, i: i32): f64 {
  return load<f64>(a + (<usize>i << 3));
}

@inline function median3(x: f64, y: f64, z: f64): f64 {
  const lo = x < y ? x : y, hi = x < y ? y : x;
  return z < lo ? lo : z > hi ? hi : z;
}

/**
 * The k-th smallest (0-based) of the n finite values at a, permuting them in place: Hoare's FIND
 * (C. A. R. Hoare, CACM 4(7), 1961, Algorithm 65; the loop as in Wirth, Algorithms + Data Structures
 * = Programs, §2.3.4) with a median-of-three pivot value. Equal keys stop both scans and are swapped,
 * so many ties still split evenly. Expected O(n); O(n²) worst case on adversarial orderings.
 */
export function selectKth(a: usize, n: i32, k: i32): f64 {
  let l = 0, r = n - 1;
  while (l < r) {
    const x = median3(at(a, l), at(a, (l + r) >>> 1), at(a, r));
    let i = l, j = r;
    do {
      while (at(a, i) < x) i++;
      while (x < at(a, j)) j--;
      if (i <= j) {
        const t = at(a, i);
        store<f64>(a + (<usize>i << 3), at(a, j));
        store<f64>(a + (<usize>j << 3), t);
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return at(a, k);
}

/** Tail counts up to this use the insertion buffer (below); larger ones use selectKth. */
const TOP_K_MAX: i32 = 48;

/**
 * Offers x to buf[0..k), the k largest values seen so far in ascending order (buf[0] the smallest).
 * Before the buffer is full (filled < k) x is inserted in order; after, x replaces buf[0] only if
 * larger. Returns the new fill count. Expected O(k·ln(n/k)) insertions over n values in random order.
 */
@inline function offer(buf: usize, k: i32, filled: i32, x: f64): i32 {
  if (filled < k) {
    let j = filled;
    while (j > 0 && at(buf, j - 1) > x) {
      store<f64>(buf + (<usize>j << 3), at(buf, j - 1));
      j--;
    }
    store<f64>(buf + (<usize>j << 3), x);
    return filled + 1;
  }
  if (x > at(buf, 0)) {
    let j = 1;
    while (j < k && at(buf, j) < x) {
      store<f64>(buf + (<usize>(j - 1) << 3), at(buf, j));
      j++;
    }
    store<f64>(buf + (<usize>(j - 1) << 3), x);
  }
  return filled;
}

/**
 * Per account a in [0, nAccounts): VaR and ES of the losses −pnl[a][·] (nScenarios f64 per row,
 * row-major at pnlPtr) at tail count K = tailCount (1 ≤ K ≤ nScenarios; see the header for the
 * definitions). workPtr: nScenarios f64 of scratch. Writes varPtr[a], esPtr[a].
 * The K-th largest loss is a value, whatever finds it: K ≤ TOP_K_MAX keeps the K largest in a sorted
 * buffer during the finiteness pass (one pass, no copy); larger K copies and selects (Hoare's FIND).
 */
export function tailRisk(nAccounts: i32, nScenarios: i32, pnlPtr: usize, tailCount: i32, workPtr: usize, varPtr: usize, esPtr: usize): void {
  const rowBytes = <usize>nScenarios << 3;
  const small = tailCount <= TOP_K_MAX;
  for (let a = 0; a < nAccounts; a++) {
    const pnl = pnlPtr + <usize>a * rowBytes;
    let finite = true;
    let v = NaN, es = NaN;
    if (small) {
      let filled = 0;
      for (let s = 0; s < nScenarios; s++) {
        const loss = 0.0 - at(pnl, s); // not −x: a zero P&L is a +0 loss
        finite = finite && loss - loss == 0.0;
        filled = offer(workPtr, tailCount, filled, loss);
      }
      if (finite) v = at(workPtr, 0);
    } else {
      for (let s = 0; s < nScenarios; s++) {
        const loss = 0.0 - at(pnl, s); // not −x: a zero P&L is a +0 loss
        finite = finite && loss - loss == 0.0;
        store<f64>(workPtr + (<usize>s << 3), loss);
      }
      if (finite) v = selectKth(workPtr, nScenarios, nScenarios - tailCount);
    }
    if (finite) {
      let sum = 0.0;
      let beyond = 0;
      for (let s = 0; s < nScenarios; s++) {
        const loss = 0.0 - at(pnl, s); // not −x: a zero P&L is a +0 loss
        if (loss > v) {
          sum += loss;
          beyond++;
        }
      }
      es = (sum + <f64>(tailCount - beyond) * v) / <f64>tailCount;
    }
    store<f64>(varPtr + (<usize>a << 3), v);
    store<f64>(esPtr + (<usize>a << 3), es);
  }
}
