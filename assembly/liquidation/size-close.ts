// Close sizing for liquidation. Twin of src/kernels/js/size-close.ts (rows: src/kernels/size-close-abi.ts): per row,
// the smallest close of one linear position of a pooled rule-based account that restores the target, fee included
// (the search of src/liquidation/smallest-root.ts on the trial arithmetic of src/liquidation/trial.ts), and the fee
// at it. Same operations in the same order as the twin, so the same bits. Scalar: a search is sequential.

// Row fields (SIZE_HEADER f64, then 4 × tail terms, breaks, 6 × stride schedule).
const S_LIMIT = 0, S_SLACK0 = 1, S_ENOUGH = 2, S_BASE_MM = 3, S_BOUND = 4, S_HAS_END = 5;
const S_END_SLACK = 6, S_END_MM = 7, S_END_BEFORE = 8, S_END_NOMINAL = 9, S_END_CAP = 10;
const S_BASE_QTY = 11, S_ENTRY = 12, S_CASH = 13, S_BACKING = 14, S_MARK = 15, S_MULT = 16;
const S_SLIP_KIND = 17, S_SLIP_A = 18, S_SLIP_ADV = 19, S_VOL = 20;
const S_FEE_RATE = 21, S_TARGET_IM = 22, S_BUFFER = 23;
const S_RAW = 24, S_W_IM = 25, S_W_MM = 26, S_PRE_IM = 27, S_PRE_MM = 28, S_PRE_MTM = 29, S_PRE_GROSS = 30;
const S_TERMS = 31;
const S_TAIL = 45, S_BREAKS = 46, S_STRIDE = 47;
const SIZE_HEADER = 48;
const SLIP_LINEAR: i32 = 1, SLIP_SQRT: i32 = 2;

const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;
const GOLDEN_STEPS = 120;

// The search's state (static scratch: one search at a time).
let rows: usize = 0;
let o: i32 = 0;
let sign: f64 = 1.0;
let enough: f64 = 0.0;
let baseMm: f64 = 0.0;
let part: i32 = 0;
let pa: f64 = 0.0;
let pb: f64 = 0.0;
let lastFee: f64 = 0.0;
let lastSlack: f64 = 0.0;
let lastMm: f64 = 0.0;
let bLo: f64 = 0.0;
let bFLo: f64 = 0.0;
let bHi: f64 = 0.0;
let bFHi: f64 = 0.0;

@inline function R(i: i32): f64 {
  return load<f64>(rows + (<usize>i << 3));
}

/** Sizes `count` rows packed at `rowsPtr` into `outPtr` (2 f64 per row: root or NaN, the fee at it). */
export function sizeCloses(count: i32, rowsPtr: usize, outPtr: usize): void {
  rows = rowsPtr;
  let at: i32 = 0;
  for (let r: i32 = 0; r < count; r++) {
    o = at;
    enough = R(o + S_ENOUGH);
    baseMm = R(o + S_BASE_MM);
    sign = R(o + S_LIMIT) < 0.0 ? -1.0 : 1.0;
    const root = find();
    let fee: f64 = 0.0;
    if (root == root) {
      trial(root);
      fee = lastFee;
    }
    store<f64>(outPtr + (<usize>(2 * r) << 3), root);
    store<f64>(outPtr + (<usize>(2 * r + 1) << 3), fee);
    at += SIZE_HEADER + 4 * <i32>R(o + S_TAIL) + <i32>R(o + S_BREAKS) + 6 * <i32>R(o + S_STRIDE);
  }
}

function find(): f64 {
  const limit = R(o + S_LIMIT), slack0 = R(o + S_SLACK0);
  const size = abs(limit);
  if (R(o + S_HAS_END) != 0.0) {
    lastSlack = R(o + S_END_SLACK);
    lastMm = R(o + S_END_MM);
    partsOf(R(o + S_END_BEFORE), R(o + S_END_NOMINAL), R(o + S_END_CAP), lastMm);
  } else trial(limit);
  if (!(lastMm <= baseMm && lastSlack >= -enough) && R(o + S_BOUND) < 0.0) return NaN;
  const endA = pa, endB = pb;
  const whole = rootOn(0.0, slack0, slack0, size, endA, endB, true);
  const upTo = whole == whole ? whole : size;
  let lo: f64 = 0.0, loA = slack0, loB = slack0;
  const breaks = o + SIZE_HEADER + 4 * <i32>R(o + S_TAIL), count = <i32>R(o + S_BREAKS);
  for (let k: i32 = 0; k < count; k++) {
    const hi = R(breaks + k);
    if (!(hi > lo && hi < upTo)) continue;
    at(hi, 0);
    const hiA = pa, hiB = pb;
    const root = rootOn(lo, loA, loB, hi, hiA, hiB, false);
    if (root == root) return sign * root;
    lo = hi;
    loA = hiA;
    loB = hiB;
  }
  if (lo == 0.0) return whole == whole ? sign * whole : NaN;
  if (whole == whole) at(whole, 0);
  const lastA = whole == whole ? pa : endA, lastB = whole == whole ? pb : endB;
  const root = rootOn(lo, loA, loB, upTo, lastA, lastB, whole != whole);
  return root == root ? sign * root : whole == whole ? sign * whole : NaN;
}

function rootOn(lo: f64, loA: f64, loB: f64, hi: f64, hiA: f64, hiB: f64, isLimit: bool): f64 {
  part = 0;
  const rootA = firstRoot(lo, loA, hi, hiA, isLimit, NaN, NaN);
  const atRoot = rootA == rootA ? at(rootA, 1) : hiB;
  part = 1;
  const rootB = rootA == rootA
    ? firstRoot(lo, loB, rootA, atRoot, false, hi, hiB)
    : firstRoot(lo, loB, hi, hiB, isLimit, NaN, NaN);
  return rootB == rootB && (rootA != rootA || rootB < rootA) ? rootB : rootA;
}

function at(x: f64, k: i32): f64 {
  trial(sign * x);
  return k == 0 ? pa : pb;
}

@inline function partsOf(beforeFee: f64, nominal: f64, cap: f64, mm: f64): void {
  let a = beforeFee - nominal, b = min(beforeFee, beforeFee - cap);
  if (mm > baseMm) {
    a = min(a, -2.0 * enough);
    b = min(b, -2.0 * enough);
  }
  pa = a;
  pb = b;
}

function firstRoot(lo: f64, fLo: f64, hi: f64, fHi: f64, atLimit: bool, beyond: f64, fBeyond: f64): f64 {
  if (fLo >= 0.0) return lo;
  if (fHi >= 0.0) return refine(lo, fLo, hi, fHi);
  if (beyond > hi && lineAt(hi, fHi, beyond, fBeyond, lo) < 0.0) return NaN;
  if (maximumBracket(lo, fLo, hi, fHi)) return refine(bLo, bFLo, bHi, bFHi);
  return atLimit && fHi >= -enough ? hi : NaN;
}

function maximumBracket(lo: f64, fLo: f64, hi: f64, fHi: f64): bool {
  const invPhi = (sqrt<f64>(5.0) - 1.0) / 2.0;
  const k0 = part;
  let a = lo, fa = fLo, d = hi, fd = fHi;
  let b = d - invPhi * (d - a), c = a + invPhi * (d - a);
  let fb = at(b, k0);
  if (fb >= 0.0) return bracketOf(a, fa, b, fb);
  let fc = at(c, k0);
  if (fc >= 0.0) return bracketOf(b, fb, c, fc);
  for (let k = 0; k < GOLDEN_STEPS; k++) {
    if (concaveBound(a, fa, b, fb, c, fc, d, fd) < 0.0) return false;
    if (fb >= fc) {
      d = c;
      fd = fc;
      c = b;
      fc = fb;
      b = d - invPhi * (d - a);
      if (!(b > a && b < c)) return false;
      fb = at(b, k0);
      if (fb >= 0.0) return bracketOf(a, fa, b, fb);
    } else {
      a = b;
      fa = fb;
      b = c;
      fb = fc;
      c = a + invPhi * (d - a);
      if (!(c > b && c < d)) return false;
      fc = at(c, k0);
      if (fc >= 0.0) return bracketOf(b, fb, c, fc);
    }
  }
  return false;
}

@inline function bracketOf(lo: f64, fLo: f64, hi: f64, fHi: f64): bool {
  bLo = lo;
  bFLo = fLo;
  bHi = hi;
  bFHi = fHi;
  return true;
}

function refine(loQ0: f64, loS: f64, hiQ0: f64, hiS0: f64): f64 {
  const k0 = part;
  let loQ = loQ0, hiQ = hiQ0, hiS = hiS0;
  let loW = loS, hiW = hiS0, side: i32 = 0;
  for (let k = 0; k < 200 && hiS > enough; k++) {
    let q = loQ - (loW * (hiQ - loQ)) / (hiW - loW);
    if (!(q - loQ > 0.0 && hiQ - q > 0.0)) q = 0.5 * (loQ + hiQ);
    if (!(q - loQ > 0.0 && hiQ - q > 0.0)) break;
    const v = at(q, k0);
    if (v >= 0.0) {
      hiQ = q;
      hiS = v;
      hiW = v;
      if (side == -1) loW *= 0.5;
      side = -1;
    } else {
      loQ = q;
      loW = v;
      if (side == 1) hiW *= 0.5;
      side = 1;
    }
  }
  return hiQ;
}

function trial(q: f64): void {
  const mark = R(o + S_MARK), units = q * R(o + S_MULT), entry = R(o + S_ENTRY);
  const fill = fillOf(mark, units, <i32>R(o + S_SLIP_KIND), R(o + S_SLIP_A), R(o + S_SLIP_ADV), R(o + S_VOL));
  const notional = abs(units) * mark;
  const cashAtFill = units * (fill - entry);
  const cost = units * (mark - fill);
  const t = o + S_TERMS, quantity = R(o + S_BASE_QTY) - q;
  const tu = quantity * R(t + T_MULTIPLIER);
  const size = abs(tu);
  const shortSize = (size - tu) * 0.5;
  const longSize = (size + tu) * 0.5;
  const pNotional = size * R(t + T_NOTIONAL_UNIT);
  const premium = longSize * R(t + T_PREMIUM);
  let pIm: f64, pMm: f64;
  if (pNotional <= R(t + T_FIRST_UP_TO)) {
    pIm = pNotional * R(t + T_FIRST_IM) + R(t + T_SHORT_IM) * shortSize + premium;
    pMm = pNotional * R(t + T_FIRST_MM) + R(t + T_SHORT_MM) * shortSize + premium;
  } else {
    const tail = <i32>R(o + S_TAIL), stride = <i32>R(o + S_STRIDE);
    const sched = o + SIZE_HEADER + 4 * tail + <i32>R(o + S_BREAKS);
    const bk = sched + bracketIn(pNotional, sched, stride);
    const over = pNotional - R(bk + stride);
    pIm = R(bk + 2 * stride) + over * R(bk + 3 * stride) + R(t + T_SHORT_IM) * shortSize + premium;
    pMm = R(bk + 4 * stride) + over * R(bk + 5 * stride) + R(t + T_SHORT_MM) * shortSize + premium;
  }
  pIm = pIm + pNotional * (R(t + T_SIZE_IM) * size);
  pMm = pMm + pNotional * (R(t + T_SIZE_MM) * size);
  const scale = R(t + T_SCALE);
  let im = R(o + S_PRE_IM) + pIm * scale;
  let mm = R(o + S_PRE_MM) + pMm * scale;
  let mtm = R(o + S_PRE_MTM) + tu * (R(t + T_MARK) - entry * R(t + T_ENTRY_WEIGHT));
  let gross = R(o + S_PRE_GROSS) + pNotional * scale;
  const from = o + SIZE_HEADER, to = from + 4 * <i32>R(o + S_TAIL);
  for (let k = from; k < to; k += 4) {
    im = im + R(k);
    mm = mm + R(k + 1);
    mtm = mtm + R(k + 2);
    gross = gross + R(k + 3);
  }
  const cash = R(o + S_CASH) + cashAtFill;
  const equity = R(o + S_RAW) + cash + mtm, equityIm = R(o + S_W_IM) + cash + mtm, equityMm = R(o + S_W_MM) + cash + mtm;
  let slack: f64;
  if (R(o + S_TARGET_IM) != 0.0) slack = equityIm - im;
  else {
    const buffer = R(o + S_BUFFER), haircuts = equity - equityMm;
    slack = equityMm - mm * (1.0 + buffer) - (haircuts > 0.0 ? buffer * haircuts : 0.0);
  }
  const share = !(baseMm > 0.0) ? 1.0 : min(1.0, max(0.0, (baseMm - mm) / baseMm));
  const nominal = R(o + S_FEE_RATE) * notional;
  const cap = R(o + S_BACKING) * share - cost;
  lastFee = max(0.0, min(nominal, cap));
  lastSlack = slack - lastFee;
  lastMm = mm;
  partsOf(slack, nominal, cap, mm);
}

@inline function fillOf(mark: f64, units: f64, kind: i32, a: f64, adv: f64, vol: f64): f64 {
  const side: f64 = units > 0.0 ? -1.0 : 1.0;
  const size = abs(units);
  if (kind == SLIP_LINEAR) return max(0.0, mark + side * a * size * 0.5);
  if (kind == SLIP_SQRT) return max(0.0, mark * (1.0 + side * a * (vol / sqrt<f64>(365.0)) * sqrt<f64>((size * mark) / adv)));
  return mark;
}

@inline function bracketIn(x: f64, at: i32, stride: i32): i32 {
  let b: i32 = 0;
  if (stride > 8) b += <i32>(R(at + b + 7) < x) << 3;
  if (stride > 4) b += <i32>(R(at + b + 3) < x) << 2;
  if (stride > 2) b += <i32>(R(at + b + 1) < x) << 1;
  if (stride > 1) b += <i32>(R(at + b) < x);
  return b;
}

function concaveBound(a: f64, fa: f64, b: f64, fb: f64, c: f64, fc: f64, d: f64, fd: f64): f64 {
  let bound = max(max(max(fb, fc), lineAt(b, fb, c, fc, a)), lineAt(b, fb, c, fc, d));
  let top = max(min(fb, lineAt(c, fc, d, fd, b)), min(lineAt(a, fa, b, fb, c), fc));
  const sl = (fb - fa) / (b - a), sr = (fd - fc) / (d - c);
  if (sl != sr) {
    const x = (fc - sr * c - (fb - sl * b)) / (sl - sr);
    if (x > b && x < c) top = max(top, min(lineAt(a, fa, b, fb, x), lineAt(c, fc, d, fd, x)));
  }
  bound = max(bound, top);
  return bound != bound ? Infinity : bound;
}

@inline function lineAt(x0: f64, f0: f64, x1: f64, f1: f64, x: f64): f64 {
  return f0 + ((f1 - f0) * (x - x0)) / (x1 - x0);
}
