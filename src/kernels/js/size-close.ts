/**
 * The close-sizing kernel's JS twin (assembly/liquidation/size-close.ts; rows: src/kernels/size-close-abi.ts): for
 * each row, the smallest close q in (0, |limit|] of one linear position of a pooled (cross) rule-based account that
 * brings the slack to the target to ≥ 0, fee included, and the fee of that close. It is the search of
 * src/liquidation/smallest-root.ts (breakpoints, the fee's two concave parts, Illinois refinement, golden-section
 * search bounded by chords) run on the trial arithmetic of src/liquidation/trial.ts over the one-change sums of
 * src/methods/rule-based/one-change-trials.ts, written out on numbers: the same operations in the same order, so the
 * same root and fee to the bit as the per-account search, and the same on every backend.
 */
import {
  S_BASE_MM, S_BASE_QTY, S_BACKING, S_BOUND, S_BREAKS, S_BUFFER, S_CASH, S_END_BEFORE, S_END_CAP, S_END_MM, S_END_NOMINAL, S_END_SLACK,
  S_ENOUGH, S_ENTRY, S_FEE_RATE, S_HAS_END, S_LIMIT, S_MARK, S_MULT, S_PRE_GROSS, S_PRE_IM, S_PRE_MM, S_PRE_MTM, S_RAW, S_SLACK0,
  S_SLIP_A, S_SLIP_ADV, S_SLIP_KIND, S_STRIDE, S_TAIL, S_TARGET_IM, S_TERMS, S_VOL, S_W_IM, S_W_MM, SIZE_HEADER, SIZE_OUT, SLIP_LINEAR,
  SLIP_SQRT, sizeRowLength,
} from '../size-close-abi.js';

const T_MULTIPLIER = 0, T_NOTIONAL_UNIT = 1, T_PREMIUM = 2, T_SHORT_IM = 3, T_SHORT_MM = 4, T_ENTRY_WEIGHT = 5, T_MARK = 6;
const T_FIRST_UP_TO = 8, T_FIRST_IM = 9, T_FIRST_MM = 10, T_SCALE = 11, T_SIZE_IM = 12, T_SIZE_MM = 13;
const GOLDEN_STEPS = 120;
const INV_PHI = (Math.sqrt(5) - 1) / 2;

/** Sizes `count` rows of `rows` (packed from 0) into `out` (SIZE_OUT per row: root or NaN, the fee at it). */
export function sizeClosesJs(rows: Float64Array, count: number, out: Float64Array): void {
  const s = new Sizer(rows);
  let o = 0;
  for (let r = 0; r < count; r++) {
    s.begin(o);
    const root = s.find();
    out[SIZE_OUT * r] = root;
    out[SIZE_OUT * r + 1] = root === root ? s.feeAt(root) : 0;
    o += sizeRowLength(rows[o + S_TAIL], rows[o + S_BREAKS], rows[o + S_STRIDE]);
  }
}

/** One row's search (null roots are NaN); a record per call, its fields the search's state. */
class Sizer {
  private o = 0;
  private sign = 1;
  private enough = 0;
  private baseMm = 0;
  private part = 0;
  /** The last trial: its two parts, its fee, its slack after the fee and its MM. */
  private a = 0;
  private b = 0;
  private fee = 0;
  private slack = 0;
  private mm = 0;
  /** A bracket found by {@link maximumBracket}. */
  private bLo = 0;
  private bFLo = 0;
  private bHi = 0;
  private bFHi = 0;

  constructor(private readonly R: Float64Array) {}

  begin(o: number): void {
    this.o = o;
    this.enough = this.R[o + S_ENOUGH];
    this.baseMm = this.R[o + S_BASE_MM];
    this.sign = this.R[o + S_LIMIT] < 0 ? -1 : 1;
  }

  feeAt(q: number): number {
    this.trial(q);
    return this.fee;
  }

  /** smallest-root.ts RootSearch.find on this row. */
  find(): number {
    const R = this.R, o = this.o, limit = R[o + S_LIMIT], slack0 = R[o + S_SLACK0], enough = this.enough, baseMm = this.baseMm;
    const size = Math.abs(limit);
    if (R[o + S_HAS_END] !== 0) {
      this.slack = R[o + S_END_SLACK];
      this.mm = R[o + S_END_MM];
      this.partsOf(R[o + S_END_BEFORE], R[o + S_END_NOMINAL], R[o + S_END_CAP], this.mm);
    } else this.trial(limit);
    if (!(this.mm <= baseMm && this.slack >= -enough) && R[o + S_BOUND] < 0) return Number.NaN;
    const endA = this.a, endB = this.b;
    const whole = this.rootOn(0, slack0, slack0, size, endA, endB, true);
    const upTo = whole === whole ? whole : size;
    let lo = 0, loA = slack0, loB = slack0;
    const breaks = o + SIZE_HEADER + 4 * R[o + S_TAIL], count = R[o + S_BREAKS];
    for (let k = 0; k < count; k++) {
      const hi = R[breaks + k];
      if (!(hi > lo && hi < upTo)) continue;
      this.at(hi, 0);
      const hiA = this.a, hiB = this.b;
      const root = this.rootOn(lo, loA, loB, hi, hiA, hiB, false);
      if (root === root) return this.sign * root;
      lo = hi;
      loA = hiA;
      loB = hiB;
    }
    if (lo === 0) return whole === whole ? this.sign * whole : Number.NaN;
    if (whole === whole) this.at(whole, 0);
    const lastA = whole === whole ? this.a : endA, lastB = whole === whole ? this.b : endB;
    const root = this.rootOn(lo, loA, loB, upTo, lastA, lastB, whole !== whole);
    return root === root ? this.sign * root : whole === whole ? this.sign * whole : Number.NaN;
  }

  private rootOn(lo: number, loA: number, loB: number, hi: number, hiA: number, hiB: number, isLimit: boolean): number {
    this.part = 0;
    const rootA = this.firstRoot(lo, loA, hi, hiA, isLimit, Number.NaN, Number.NaN);
    const atRoot = rootA === rootA ? this.at(rootA, 1) : hiB;
    this.part = 1;
    const rootB = rootA === rootA
      ? this.firstRoot(lo, loB, rootA, atRoot, false, hi, hiB)
      : this.firstRoot(lo, loB, hi, hiB, isLimit, Number.NaN, Number.NaN);
    return rootB === rootB && (rootA !== rootA || rootB < rootA) ? rootB : rootA;
  }

  private at(x: number, k: number): number {
    this.trial(this.sign * x);
    return k === 0 ? this.a : this.b;
  }

  private partsOf(beforeFee: number, nominal: number, cap: number, mm: number): void {
    let a = beforeFee - nominal, b = Math.min(beforeFee, beforeFee - cap);
    if (mm > this.baseMm) {
      a = Math.min(a, -2 * this.enough);
      b = Math.min(b, -2 * this.enough);
    }
    this.a = a;
    this.b = b;
  }

  private firstRoot(lo: number, fLo: number, hi: number, fHi: number, atLimit: boolean, beyond: number, fBeyond: number): number {
    if (fLo >= 0) return lo;
    if (fHi >= 0) return this.refine(lo, fLo, hi, fHi);
    if (beyond > hi && lineAt(hi, fHi, beyond, fBeyond, lo) < 0) return Number.NaN;
    if (this.maximumBracket(lo, fLo, hi, fHi)) return this.refine(this.bLo, this.bFLo, this.bHi, this.bFHi);
    return atLimit && fHi >= -this.enough ? hi : Number.NaN;
  }

  private maximumBracket(lo: number, fLo: number, hi: number, fHi: number): boolean {
    const part = this.part;
    let a = lo, fa = fLo, d = hi, fd = fHi;
    let b = d - INV_PHI * (d - a), c = a + INV_PHI * (d - a);
    let fb = this.at(b, part);
    if (fb >= 0) return this.bracketOf(a, fa, b, fb);
    let fc = this.at(c, part);
    if (fc >= 0) return this.bracketOf(b, fb, c, fc);
    for (let k = 0; k < GOLDEN_STEPS; k++) {
      if (concaveBound(a, fa, b, fb, c, fc, d, fd) < 0) return false;
      if (fb >= fc) {
        d = c;
        fd = fc;
        c = b;
        fc = fb;
        b = d - INV_PHI * (d - a);
        if (!(b > a && b < c)) return false;
        fb = this.at(b, part);
        if (fb >= 0) return this.bracketOf(a, fa, b, fb);
      } else {
        a = b;
        fa = fb;
        b = c;
        fb = fc;
        c = a + INV_PHI * (d - a);
        if (!(c > b && c < d)) return false;
        fc = this.at(c, part);
        if (fc >= 0) return this.bracketOf(b, fb, c, fc);
      }
    }
    return false;
  }

  private bracketOf(lo: number, fLo: number, hi: number, fHi: number): boolean {
    this.bLo = lo;
    this.bFLo = fLo;
    this.bHi = hi;
    this.bFHi = fHi;
    return true;
  }

  private refine(loQ: number, loS: number, hiQ: number, hiS: number): number {
    const part = this.part, enough = this.enough;
    let loW = loS, hiW = hiS, side = 0;
    for (let k = 0; k < 200 && hiS > enough; k++) {
      let q = loQ - (loW * (hiQ - loQ)) / (hiW - loW);
      if (!(q - loQ > 0 && hiQ - q > 0)) q = 0.5 * (loQ + hiQ);
      if (!(q - loQ > 0 && hiQ - q > 0)) break;
      const v = this.at(q, part);
      if (v >= 0) {
        hiQ = q;
        hiS = hiW = v;
        if (side === -1) loW *= 0.5;
        side = -1;
      } else {
        loQ = q;
        loW = v;
        if (side === 1) hiW *= 0.5;
        side = 1;
      }
    }
    return hiQ;
  }

  /**
   * The close of q (signed like the position) tried: its fill (pricing.ts linearFill), the cash and cost, the
   * account's sums with the position at its new size (one-change-trials.ts position, margin.ts positionTerms and
   * pooledFigures), the slack (target-slack.ts), the fee and its cap (trial.ts tryClose, pricing.ts), and the two
   * parts of the slack (smallest-root.ts partsOf).
   */
  private trial(q: number): void {
    const R = this.R, o = this.o;
    const mark = R[o + S_MARK], units = q * R[o + S_MULT], entry = R[o + S_ENTRY];
    const fill = fillOf(mark, units, R[o + S_SLIP_KIND], R[o + S_SLIP_A], R[o + S_SLIP_ADV], R[o + S_VOL]);
    const notional = Math.abs(units) * mark;
    const cashAtFill = units * (fill - entry);
    const cost = units * (mark - fill);
    // the position's terms at its new size
    const t = o + S_TERMS, quantity = R[o + S_BASE_QTY] - q;
    const tu = quantity * R[t + T_MULTIPLIER];
    const size = Math.abs(tu);
    const shortSize = (size - tu) * 0.5;
    const longSize = (size + tu) * 0.5;
    const pNotional = size * R[t + T_NOTIONAL_UNIT];
    const premium = longSize * R[t + T_PREMIUM];
    let pIm: number, pMm: number;
    if (pNotional <= R[t + T_FIRST_UP_TO]) {
      pIm = pNotional * R[t + T_FIRST_IM] + R[t + T_SHORT_IM] * shortSize + premium;
      pMm = pNotional * R[t + T_FIRST_MM] + R[t + T_SHORT_MM] * shortSize + premium;
    } else {
      const tail = R[o + S_TAIL], stride = R[o + S_STRIDE];
      const sched = o + SIZE_HEADER + 4 * tail + R[o + S_BREAKS];
      const bk = sched + bracketIn(R, pNotional, sched, stride);
      const over = pNotional - R[bk + stride];
      pIm = R[bk + 2 * stride] + over * R[bk + 3 * stride] + R[t + T_SHORT_IM] * shortSize + premium;
      pMm = R[bk + 4 * stride] + over * R[bk + 5 * stride] + R[t + T_SHORT_MM] * shortSize + premium;
    }
    pIm = pIm + pNotional * (R[t + T_SIZE_IM] * size);
    pMm = pMm + pNotional * (R[t + T_SIZE_MM] * size);
    const scale = R[t + T_SCALE];
    let im = R[o + S_PRE_IM] + pIm * scale;
    let mm = R[o + S_PRE_MM] + pMm * scale;
    let mtm = R[o + S_PRE_MTM] + tu * (R[t + T_MARK] - entry * R[t + T_ENTRY_WEIGHT]);
    let gross = R[o + S_PRE_GROSS] + pNotional * scale;
    const from = o + SIZE_HEADER, to = from + 4 * R[o + S_TAIL];
    for (let k = from; k < to; k += 4) {
      im = im + R[k];
      mm = mm + R[k + 1];
      mtm = mtm + R[k + 2];
      gross = gross + R[k + 3];
    }
    const cash = R[o + S_CASH] + cashAtFill;
    const equity = R[o + S_RAW] + cash + mtm, equityIm = R[o + S_W_IM] + cash + mtm, equityMm = R[o + S_W_MM] + cash + mtm;
    let slack: number;
    if (R[o + S_TARGET_IM] !== 0) slack = equityIm - im;
    else {
      const buffer = R[o + S_BUFFER], haircuts = equity - equityMm;
      slack = equityMm - mm * (1 + buffer) - (haircuts > 0 ? buffer * haircuts : 0);
    }
    const baseMm = this.baseMm;
    const share = !(baseMm > 0) ? 1 : Math.min(1, Math.max(0, (baseMm - mm) / baseMm));
    const nominal = R[o + S_FEE_RATE] * notional;
    const cap = R[o + S_BACKING] * share - cost;
    this.fee = Math.max(0, Math.min(nominal, cap));
    this.slack = slack - this.fee;
    this.mm = mm;
    this.partsOf(slack, nominal, cap, mm);
  }
}

/** pricing.ts linearFill on a model given by kind and parameters. */
function fillOf(mark: number, units: number, kind: number, a: number, adv: number, vol: number): number {
  const side = units > 0 ? -1 : 1;
  const size = Math.abs(units);
  if (kind === SLIP_LINEAR) return Math.max(0, mark + side * a * size * 0.5);
  if (kind === SLIP_SQRT) return Math.max(0, mark * (1 + side * a * (vol / Math.sqrt(365)) * Math.sqrt((size * mark) / adv)));
  return mark;
}

/** margin.ts bracketOf on the row's bracket bounds at R[at, at + stride): the bracket's index in the row. */
function bracketIn(R: Float64Array, x: number, at: number, stride: number): number {
  let b = 0;
  if (stride > 8) b += (R[at + b + 7] < x ? 1 : 0) << 3;
  if (stride > 4) b += (R[at + b + 3] < x ? 1 : 0) << 2;
  if (stride > 2) b += (R[at + b + 1] < x ? 1 : 0) << 1;
  if (stride > 1) b += R[at + b] < x ? 1 : 0;
  return b;
}

/** smallest-root.ts concaveBound. */
function concaveBound(a: number, fa: number, b: number, fb: number, c: number, fc: number, d: number, fd: number): number {
  let bound = Math.max(fb, fc, lineAt(b, fb, c, fc, a), lineAt(b, fb, c, fc, d));
  let top = Math.max(Math.min(fb, lineAt(c, fc, d, fd, b)), Math.min(lineAt(a, fa, b, fb, c), fc));
  const sl = (fb - fa) / (b - a), sr = (fd - fc) / (d - c);
  if (sl !== sr) {
    const x = (fc - sr * c - (fb - sl * b)) / (sl - sr);
    if (x > b && x < c) top = Math.max(top, Math.min(lineAt(a, fa, b, fb, x), lineAt(c, fc, d, fd, x)));
  }
  bound = Math.max(bound, top);
  return Number.isNaN(bound) ? Infinity : bound;
}

function lineAt(x0: number, f0: number, x1: number, f1: number, x: number): number {
  return f0 + ((f1 - f0) * (x - x0)) / (x1 - x0);
}
