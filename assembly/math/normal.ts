// The standard normal lower tail N(−y), scalar and f64x2. Twin of src/kernels/js/normal.ts, where the
// method is explained: W. J. Cody's rational approximations (Math. Comp. 23, 1969; ACM TOMS 715),
// written as tail = multiplier·num/den per region so the SIMD path evaluates all three regions,
// selects one num/den pair and divides once.
import { fma2, gather, select, splat } from './vec';

export const REGION1_MAX: f64 = 0.66291;
export const REGION2_MAX: f64 = 5.656854248; // √32
export const NORMAL_ABS_MAX: f64 = 40.0;
export const INV_SQRT_2PI: f64 = 0.3989422804014327;

const A0: f64 = 2.2352520354606837, A1: f64 = 161.02823106855587, A2: f64 = 1067.6894854603709;
const A3: f64 = 18154.98125334356, A4: f64 = 0.06568233791820745;
const B0: f64 = 47.202581904688245, B1: f64 = 976.0985517377767, B2: f64 = 10260.932208618979;
const B3: f64 = 45507.78933502673;
const C0: f64 = 0.39894151208813466, C1: f64 = 8.883149794388377, C2: f64 = 93.50665613217785;
const C3: f64 = 597.2702763948002, C4: f64 = 2494.5375852903726, C5: f64 = 6848.190450536283;
const C6: f64 = 11602.65143764735, C7: f64 = 9842.714838383978, C8: f64 = 1.0765576773720192e-08;
const D0: f64 = 22.266688044328117, D1: f64 = 235.387901782625, D2: f64 = 1519.3775994075547;
const D3: f64 = 6485.558298266761, D4: f64 = 18615.571640885097, D5: f64 = 34900.95272114598;
const D6: f64 = 38912.00328609327, D7: f64 = 19685.429676859992;
const P0: f64 = 0.215898534057957, P1: f64 = 0.12740116116024736, P2: f64 = 0.022235277870649807;
const P3: f64 = 0.0014216191932278934, P4: f64 = 2.9112874951168793e-05, P5: f64 = 0.023073441764940174;
const Q0: f64 = 1.284260096144911, Q1: f64 = 0.4682382124808651, Q2: f64 = 0.06598813786892856;
const Q3: f64 = 0.0037823963320275824, Q4: f64 = 7.297515550839662e-05;

const T = memory.data<f64>([
  A0, A1, A2, A3, A4, B0, B1, B2, B3, // 0..8
  C0, C1, C2, C3, C4, C5, C6, C7, C8, // 9..17
  D0, D1, D2, D3, D4, D5, D6, D7, // 18..25
  P0, P1, P2, P3, P4, P5, Q0, Q1, Q2, Q3, Q4, // 26..36
  REGION1_MAX, REGION2_MAX, INV_SQRT_2PI, 0.5, 1.0, // 37..41
]);
@inline function a(i: i32): v128 { return splat(T, i); }
@inline function b(i: i32): v128 { return splat(T, 5 + i); }
@inline function c(i: i32): v128 { return splat(T, 9 + i); }
@inline function d(i: i32): v128 { return splat(T, 18 + i); }
@inline function p(i: i32): v128 { return splat(T, 26 + i); }
@inline function q(i: i32): v128 { return splat(T, 32 + i); }

/** N(−y) for y in [0, NORMAL_ABS_MAX], given e = e^(−y²/2). */
@inline export function normalTail(y: f64, e: f64): f64 {
  const w = y * y;
  let num: f64, den: f64, multiplier: f64;
  if (y <= REGION1_MAX) {
    const w2 = w * w;
    const ra = A2 * w + A3 + (A0 * w + A1) * w2 + A4 * (w2 * w2);
    const rb = B2 * w + B3 + (B0 * w + B1) * w2 + w2 * w2;
    num = 0.5 * rb - y * ra;
    den = rb;
    multiplier = 1.0;
  } else if (y <= REGION2_MAX) {
    const y2 = y * y;
    const y4 = y2 * y2;
    num = C6 * y + C7 + (C4 * y + C5) * y2 + (C2 * y + C3 + (C0 * y + C1) * y2) * y4 + C8 * (y4 * y4);
    den = D6 * y + D7 + (D4 * y + D5) * y2 + (D2 * y + D3 + (D0 * y + D1) * y2) * y4 + y4 * y4;
    multiplier = e;
  } else {
    const w2 = w * w;
    const w4 = w2 * w2;
    const pr = P0 * w + P5 + (P2 * w + P1) * w2 + (P4 * w + P3) * w4;
    const wq = (Q0 * w + 1.0 + (Q2 * w + Q1) * w2 + (Q4 * w + Q3) * w4) * w;
    num = INV_SQRT_2PI * wq - pr;
    den = wq * y;
    multiplier = e;
  }
  return (num / den) * multiplier;
}

// f64x2 pieces of normalTail, per region (w = y², w2 = y⁴, w4 = y⁸).
@inline function region1A(w: v128, w2: v128, w4: v128): v128 {
  return f64x2.add(f64x2.add(fma2(a(2), w, a(3)), f64x2.mul(fma2(a(0), w, a(1)), w2)), f64x2.mul(a(4), w4));
}
@inline function region1B(w: v128, w2: v128, w4: v128): v128 {
  return f64x2.add(f64x2.add(fma2(b(2), w, b(3)), f64x2.mul(fma2(b(0), w, b(1)), w2)), w4);
}
@inline function region1Num(y: v128, ra: v128, rb: v128): v128 {
  return f64x2.sub(f64x2.mul(splat(T, 40), rb), f64x2.mul(y, ra));
}
@inline function region2Num(y: v128, w: v128, w2: v128, w4: v128): v128 {
  return f64x2.add(
    f64x2.add(
      f64x2.add(fma2(c(6), y, c(7)), f64x2.mul(fma2(c(4), y, c(5)), w)),
      f64x2.mul(f64x2.add(fma2(c(2), y, c(3)), f64x2.mul(fma2(c(0), y, c(1)), w)), w2),
    ),
    f64x2.mul(c(8), w4),
  );
}
@inline function region2Den(y: v128, w: v128, w2: v128, w4: v128): v128 {
  return f64x2.add(
    f64x2.add(
      f64x2.add(fma2(d(6), y, d(7)), f64x2.mul(fma2(d(4), y, d(5)), w)),
      f64x2.mul(f64x2.add(fma2(d(2), y, d(3)), f64x2.mul(fma2(d(0), y, d(1)), w)), w2),
    ),
    w4,
  );
}
@inline function region3Pr(w: v128, w2: v128, w4: v128): v128 {
  return f64x2.add(f64x2.add(fma2(p(0), w, p(5)), f64x2.mul(fma2(p(2), w, p(1)), w2)), f64x2.mul(fma2(p(4), w, p(3)), w4));
}
@inline function region3Wq(w: v128, w2: v128, w4: v128): v128 {
  return f64x2.mul(
    f64x2.add(f64x2.add(fma2(q(0), w, splat(T, 41)), f64x2.mul(fma2(q(2), w, q(1)), w2)), f64x2.mul(fma2(q(4), w, q(3)), w4)),
    w,
  );
}

/**
 * f64x2 twin of normalTail. Each region is evaluated only when some lane needs it (when lanes
 * differ, both regions run and a select picks per lane); one division at the end.
 */
@inline export function normalTailV(y: v128, e: v128): v128 {
  const one = splat(T, 41);
  const w = f64x2.mul(y, y);
  const w2 = f64x2.mul(w, w);
  const w4 = f64x2.mul(w2, w2);
  const in1 = f64x2.le(y, splat(T, 37));
  const in3 = f64x2.gt(y, splat(T, 38));
  let num = one;
  let den = one;
  if (v128.any_true(v128.not(v128.or(in1, in3)))) {
    num = region2Num(y, w, w2, w4);
    den = region2Den(y, w, w2, w4);
  }
  if (v128.any_true(in1)) {
    const rb = region1B(w, w2, w4);
    num = select(region1Num(y, region1A(w, w2, w4), rb), num, in1);
    den = select(rb, den, in1);
  }
  if (v128.any_true(in3)) {
    const wq = region3Wq(w, w2, w4);
    num = select(f64x2.sub(f64x2.mul(splat(T, 39), wq), region3Pr(w, w2, w4)), num, in3);
    den = select(f64x2.mul(wq, y), den, in3);
  }
  return f64x2.mul(f64x2.div(num, den), select(one, e, in1));
}

/** normalTailV when every lane is in region 1 (y ≤ REGION1_MAX; the multiplier 1 is dropped). */
@inline export function normalTailLowV(y: v128): v128 {
  const w = f64x2.mul(y, y);
  const w2 = f64x2.mul(w, w);
  const w4 = f64x2.mul(w2, w2);
  const rb = region1B(w, w2, w4);
  return f64x2.div(region1Num(y, region1A(w, w2, w4), rb), rb);
}

/** normalTailV when no lane is in region 1 (y > REGION1_MAX). */
@inline export function normalTailHighV(y: v128, e: v128): v128 {
  const w = f64x2.mul(y, y);
  const w2 = f64x2.mul(w, w);
  const w4 = f64x2.mul(w2, w2);
  let num = region2Num(y, w, w2, w4);
  let den = region2Den(y, w, w2, w4);
  const in3 = f64x2.gt(y, splat(T, 38));
  if (v128.any_true(in3)) {
    const wq = region3Wq(w, w2, w4);
    num = select(f64x2.sub(f64x2.mul(splat(T, 39), wq), region3Pr(w, w2, w4)), num, in3);
    den = select(f64x2.mul(wq, y), den, in3);
  }
  return f64x2.mul(f64x2.div(num, den), e);
}

/**
 * N(−y) for the first `bytes` bytes of two scratch rows of y (y1 at `y`, y2 one `row` further), with
 * their e^(−y²/2) rows at `e` and results to `tail`, laid out alike. The y values are partitioned by
 * region first (lists of byte offsets at `listLow` / `listHigh`, each room for 2·bytes/8 + 4 u32), so
 * each SIMD loop runs one region's formulas on two gathered values: paired as they come, lanes often
 * differ and the region branches mispredict. Per value the result is normalTail's.
 */
@inline export function normalTailsPartitioned(y: usize, e: usize, tail: usize, row: usize, bytes: usize, listLow: usize, listHigh: usize): void {
  let nLow: usize = 0, nHigh: usize = 0;
  for (let r: usize = 0; r <= row; r += row) {
    for (let off = r; off < r + bytes; off += 8) {
      // branch-free append to one list or the other
      const low = <usize>(load<f64>(y + off) <= REGION1_MAX);
      store<u32>(listLow + (nLow << 2), <u32>off);
      store<u32>(listHigh + (nHigh << 2), <u32>off);
      nLow += low;
      nHigh += 1 - low;
    }
  }
  // odd counts: repeat the last entry (computed and stored twice, harmlessly)
  if (nLow & 1) store<u32>(listLow + (nLow << 2), load<u32>(listLow + ((nLow - 1) << 2)));
  if (nHigh & 1) store<u32>(listHigh + (nHigh << 2), load<u32>(listHigh + ((nHigh - 1) << 2)));
  for (let l: usize = 0; l < nLow; l += 2) {
    const a = <usize>load<u32>(listLow + (l << 2));
    const b = <usize>load<u32>(listLow + (l << 2), 4);
    const t = normalTailLowV(gather(y, a, b));
    v128.store64_lane(tail + a, t, 0);
    v128.store64_lane(tail + b, t, 1);
  }
  for (let l: usize = 0; l < nHigh; l += 2) {
    const a = <usize>load<u32>(listHigh + (l << 2));
    const b = <usize>load<u32>(listHigh + (l << 2), 4);
    const t = normalTailHighV(gather(y, a, b), gather(e, a, b));
    v128.store64_lane(tail + a, t, 0);
    v128.store64_lane(tail + b, t, 1);
  }
}
