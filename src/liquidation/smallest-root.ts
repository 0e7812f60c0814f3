/**
 * The smallest close that restores the target: the smallest q in (0, limit] with S(q) ≥ 0, where S is the slack of
 * what the close draws on, fees included, tried by a callback on the account's own re-margining. Pure functions.
 *
 * Why no scan: S is not monotone (slippage grows faster than the margin a close releases), so its set {S ≥ 0} can be
 * an interval strictly inside (0, limit], as narrow as it likes; a scan at a fixed resolution misses one narrower than
 * its step. Instead the search uses what S is made of:
 *
 * - Breakpoints. Between two sizes where the method's requirement changes slope (MethodTrial.sizeBreakpoints: the
 *   rule-based tiers' edges and the zero crossing), where a fill's slippage model reaches its floor, or where a
 *   collateral discount reaches its cap, MM is linear in q and the cost of the fill convex (linear depth: quadratic;
 *   the square-root law: q^1.5; an option's spread: linear). So on each piece the slack before the fee,
 *   S₀ = equity − cost − (1 + buffer)·MM, is concave.
 * - The fee's cap. fee = max(0, min(nominal, cap)) with nominal = rate × notional (linear) and cap = E·share − cost
 *   (dYdX's surplus of the part closed, share = MM released / MM), so S = S₀ − fee = max(A, B) with
 *   A = S₀ − nominal and B = min(S₀, S₀ − cap): both concave on a piece (S₀ − cap is linear in MM there).
 * - Concavity. A concave function's set {f ≥ 0} is one interval: if f is ≥ 0 at the piece's upper end, its first
 *   crossing is the only sign change below it and is refined (Illinois secant, bisection as a guard); if f is below 0
 *   at both ends, a golden-section search for its maximum either meets a point ≥ 0 (a bracket, refined) or proves the
 *   maximum < 0 from the chords' extensions, which bound a concave function above.
 *
 * - Costs. Where a close's execution cost is given with its trials (terms whose requirement grows with what is held:
 *   AccountTerms.requirementGrowsWithSize), a piece whose ends are below 0 is proved to hold no root without a trial
 *   inside it when {@link pieceBound} is below 0: most pieces the golden-section search would only prove empty.
 *
 * The whole interval is searched first as one piece (exact where the parts are concave on all of it: no breakpoint,
 * or a requirement convex in q, as progressive tiers are), then each piece below the root found, in order; the answer
 * is the smallest of A's and B's first roots on the first piece that has one: exact to the refinement's tolerance (S ∈ [0, enough], or the upper end of a bracket of two adjacent doubles). The guarantee holds where the
 * requirement is piecewise linear between the breakpoints given (rule-based methods, options' per-contract rules) or
 * convex in q with the equity behind at most (1 + buffer)·MM (scenario maxima: portfolio, SPAN, Derive; these give no
 * breakpoints and are searched as one piece); elsewhere (VaR's quantile, a hedge leg whose MM falls then rises) the
 * search still returns a restoring close when it meets one, not necessarily the smallest. A close that raises MM never
 * restores. At the limit itself a slack within `enough` of 0 restores: a close in full whose fee is capped at the
 * surplus leaves exactly 0 in exact arithmetic, and no larger close exists to reach it.
 */

/** What a trial close leaves: the slack to the target and the account's MM, and how its fee was made (USD). */
export interface CloseOutcome {
  slack: number;
  mm: number;
  /** The slack before the close's fee (default: `slack`), the fee before its cap (default 0) and its cap (default 0). */
  beforeFee?: number | undefined;
  nominalFee?: number | undefined;
  feeCap?: number | undefined;
  /** The close's fee (USD), when the caller wants it back for the root found ({@link RootSearch.feeAt}). */
  fee?: number | undefined;
  /** The share of MM the close releases, kept with its fee ({@link RootSearch.shareAt}). */
  share?: number | undefined;
  /**
   * The close's execution cost before its fee (slippage, ≥ 0, not falling as more is closed), given only where the
   * slack before costs and fee, `beforeFee` + cost, does not fall as more is closed either ({@link pieceBound}); NaN
   * or absent: not given.
   */
  executionCost?: number | undefined;
}

/** Golden-section steps at most: (√5 − 1)/2 per step shrinks any interval of doubles to adjacent ones well before. */
const GOLDEN_STEPS = 120;
const INV_PHI = (Math.sqrt(5) - 1) / 2;
const NO_BREAKPOINTS = new Float64Array(0);
/** Trials a search remembers, and the values kept of each: x, A, B, the slack before the fee and the execution cost. */
const SEEN = 8;
const KEPT = 5;

/**
 * The smallest close q in (0, limit] (signed like `limit`) that brings the slack to ≥ 0 without raising MM above
 * `baseMm`; null when none does. S is known at 0 (`slack0` < 0) and tried at the limit (`atLimit` when already known).
 * `breakpoints`: sizes (|q|, ascending) where the slack's terms change slope (see the module comment); those outside
 * (0, |limit|) are ignored. `bound`: an upper bound of S over the interval ({@link costFreeBound}); when it is below 0
 * as well as S at the limit, nothing more is tried. A search of its own: callers on a per-step path keep a
 * {@link RootSearch}.
 */
export function smallestRoot(
  limit: number, slack0: number, enough: number, baseMm: number, tryClose: (q: number) => CloseOutcome,
  atLimit?: CloseOutcome, bound = Infinity, breakpoints: readonly number[] = [],
): number | null {
  return new RootSearch().find(limit, slack0, enough, baseMm, tryClose, atLimit, bound, Float64Array.from(breakpoints), breakpoints.length);
}

/**
 * The search of {@link smallestRoot} with its scratch kept (perf: no-alloc-per-step, no-closure-per-call,
 * docs/performance.md): one per liquidation run, `find` called per step.
 */
export class RootSearch {
  /** The search under way: its trial, base MM, tolerance, sign of the limit, and the part (0: A, 1: B) read. */
  private tryClose: (q: number) => CloseOutcome = noTrial;
  private baseMm = 0;
  private enough = 0;
  private sign = 1;
  private part = 0;
  /** A and B at the last trial, its slack before the fee and its execution cost (NaN: not given). */
  private a = 0;
  private b = 0;
  private s0 = 0;
  private cost = Number.NaN;
  /** The part read at x: one function object for the search's lifetime. */
  private readonly partAt = (x: number): number => this.at(x, this.part);
  /** Scratch: a bracket [lo, hi] of a first crossing, with the part's values at its ends. */
  private readonly bracket = { lo: 0, fLo: 0, hi: 0, fHi: 0 };
  /** The last {@link SEEN} trials of this search: {@link KEPT} values each (NaN: none). */
  private readonly seen = new Float64Array(KEPT * SEEN);
  private seenNext = 0;
  /** This search's last trial, and its last that reached the target: the close (signed) and its fee (NaN: none). */
  private readonly last = { q: Number.NaN, fee: Number.NaN, share: Number.NaN, upQ: Number.NaN, upFee: Number.NaN, upShare: Number.NaN };

  /** Drops the last search's trial (a search kept between runs holds nothing of an ended one). */
  forget(): void {
    this.tryClose = noTrial;
  }

  /** {@link smallestRoot}; `breakpoints[0, count)` ascending. */
  find(
    limit: number, slack0: number, enough: number, baseMm: number, tryClose: (q: number) => CloseOutcome,
    atLimit?: CloseOutcome, bound = Infinity, breakpoints: Float64Array = NO_BREAKPOINTS, count = breakpoints.length,
  ): number | null {
    const size = Math.abs(limit);
    this.tryClose = tryClose;
    this.baseMm = baseMm;
    this.enough = enough;
    this.sign = limit < 0 ? -1 : 1;
    this.seen.fill(Number.NaN);
    const last = this.last;
    last.q = last.fee = last.share = last.upQ = last.upFee = last.upShare = Number.NaN;
    try {
      const end = atLimit ?? this.noted(limit, tryClose(limit));
      if (!(end.mm <= baseMm && end.slack >= -enough) && bound < 0) return null;
      this.partsOf(end);
      this.remember(size); // its cost bounds the last piece (pieceBound)
      const endA = this.a, endB = this.b;
      // every piece proved empty from the trials at the breakpoints (which the pieces' search tries anyway): no search
      if (count > 0 && this.emptyPieces(size, breakpoints, count)) return null;
      // The whole interval as one piece first (exact where S's parts are concave on all of it: no breakpoint, or a
      // requirement convex in q), then each piece below the root found, in order: the first root on a piece is the answer.
      const whole = this.rootOn(0, slack0, slack0, size, endA, endB, true);
      const upTo = whole ?? size;
      let lo = 0, loA = slack0, loB = slack0;
      for (let k = 0; k < count; k++) {
        const hi = breakpoints[k];
        if (!(hi > lo && hi < upTo)) continue;
        this.at(hi, 0);
        const hiA = this.a, hiB = this.b;
        const root = this.rootOn(lo, loA, loB, hi, hiA, hiB, false);
        if (root !== null) return this.sign * root;
        lo = hi;
        loA = hiA;
        loB = hiB;
      }
      if (lo === 0) return whole === null ? null : this.sign * whole;
      // the last piece, [lo, upTo]: up to the root found (its parts there tried again), or to the limit
      if (whole !== null) this.at(whole, 0);
      const lastA = whole === null ? endA : this.a, lastB = whole === null ? endB : this.b;
      const root = this.rootOn(lo, loA, loB, upTo, lastA, lastB, whole === null);
      return root === null ? (whole === null ? null : this.sign * whole) : this.sign * root;
    } finally {
      this.tryClose = noTrial;
    }
  }

  /**
   * True when the trials at the breakpoints inside (0, size) prove that no piece holds a root ({@link pieceBound} below
   * 0 on each); false at the first piece it cannot prove, or with no breakpoint inside.
   */
  private emptyPieces(size: number, breakpoints: Float64Array, count: number): boolean {
    const margin = -2 * this.enough;
    let lo = 0;
    for (let k = 0; k < count; k++) {
      const hi = breakpoints[k];
      if (!(hi > lo && hi < size)) continue;
      this.at(hi, 0);
      if (!(this.pieceBound(lo, hi) < margin)) return false;
      lo = hi;
    }
    return lo > 0 && this.pieceBound(lo, size) < margin;
  }

  /**
   * The first root on [lo, hi] of S = max(A, B), both concave there, their values at the ends known. B is searched
   * below A's root only; where that root is inside the piece, B's chord from it to hi, extended, bounds B below it.
   */
  private rootOn(lo: number, loA: number, loB: number, hi: number, hiA: number, hiB: number, isLimit: boolean): number | null {
    this.part = 0;
    const rootA = this.firstRoot(lo, loA, hi, hiA, isLimit, Number.NaN, Number.NaN);
    const atRoot = rootA === null ? hiB : this.at(rootA, 1);
    this.part = 1;
    const rootB = rootA === null
      ? this.firstRoot(lo, loB, hi, hiB, isLimit, Number.NaN, Number.NaN)
      : this.firstRoot(lo, loB, rootA, atRoot, false, hi, hiB);
    return rootB !== null && (rootA === null || rootB < rootA) ? rootB : rootA;
  }

  /**
   * Tries the close of x (≥ 0) and reads part k of its slack; both parts are kept in {@link a}, {@link b}. The last
   * few trials are remembered: the refinement's answer is usually one of them.
   */
  private at(x: number, k: number): number {
    const j = this.seenAt(x);
    if (j >= 0) {
      const seen = this.seen;
      this.a = seen[KEPT * j + 1];
      this.b = seen[KEPT * j + 2];
      return k === 0 ? this.a : this.b;
    }
    this.partsOf(this.noted(this.sign * x, this.tryClose(this.sign * x)));
    this.remember(x);
    return k === 0 ? this.a : this.b;
  }

  /** The index of the remembered trial at x, −1 when none. */
  private seenAt(x: number): number {
    const seen = this.seen;
    for (let j = 0; j < SEEN; j++) if (seen[KEPT * j] === x) return j;
    return -1;
  }

  /** Remembers the last trial's values as those at x. */
  private remember(x: number): void {
    const seen = this.seen, o = KEPT * this.seenNext;
    seen[o] = x;
    seen[o + 1] = this.a;
    seen[o + 2] = this.b;
    seen[o + 3] = this.s0;
    seen[o + 4] = this.cost;
    this.seenNext = (this.seenNext + 1) % SEEN;
  }

  /**
   * An upper bound of S (both parts) on [lo, hi] from the trials remembered at its ends (Infinity when either is not
   * remembered, or its cost not given): S₀(hi) + cost(hi) − cost(lo), with cost(0) = 0. The slack before costs and
   * fee, S₀ + cost, does not fall as more is closed (the assumption of {@link costFreeBound}), nor does the cost
   * (slippage grows with the size closed), so for lo ≤ q ≤ hi: S₀(q) ≤ S₀(hi) + cost(hi) − cost(q) ≤ the bound; and
   * both parts are at most S₀ (fees are ≥ 0). So a piece whose bound is below 0 holds no root, as the golden-section
   * search would prove with trials inside it.
   */
  private pieceBound(lo: number, hi: number): number {
    const h = this.seenAt(hi), l = lo === 0 ? -1 : this.seenAt(lo);
    if (h < 0 || (lo !== 0 && l < 0)) return Infinity;
    const seen = this.seen, costLo = lo === 0 ? 0 : seen[KEPT * l + 4];
    const bound = seen[KEPT * h + 3] + seen[KEPT * h + 4] - costLo;
    return Number.isNaN(bound) ? Infinity : bound;
  }

  /**
   * The fee of the close `q` (signed) as the last {@link find} tried it, when it was its last trial or its last that
   * reached the target (the root it returns, mostly); NaN otherwise (try it again).
   */
  feeAt(q: number): number {
    const last = this.last;
    return q === last.q ? last.fee : q === last.upQ ? last.upFee : Number.NaN;
  }

  /** The share of MM the close `q` releases, as {@link feeAt} keeps its fee (NaN: not kept). */
  shareAt(q: number): number {
    const last = this.last;
    return q === last.q ? last.share : q === last.upQ ? last.upShare : Number.NaN;
  }

  /** `o`, the outcome of the close `q`, remembered with its fee. */
  private noted(q: number, o: CloseOutcome): CloseOutcome {
    const last = this.last, fee = o.fee ?? Number.NaN, share = o.share ?? Number.NaN;
    last.q = q;
    last.fee = fee;
    last.share = share;
    if (o.slack >= 0) {
      last.upQ = q;
      last.upFee = fee;
      last.upShare = share;
    }
    return o;
  }

  /** The two concave parts of S, A = S₀ − nominal and B = min(S₀, S₀ − cap); a close that raises MM counts below the target. */
  private partsOf(o: CloseOutcome): void {
    const s0 = o.beforeFee ?? o.slack;
    this.s0 = s0;
    this.cost = o.executionCost ?? Number.NaN;
    let a = s0 - (o.nominalFee ?? 0), b = Math.min(s0, s0 - (o.feeCap ?? 0));
    if (o.mm > this.baseMm) {
      a = Math.min(a, -2 * this.enough);
      b = Math.min(b, -2 * this.enough);
    }
    this.a = a;
    this.b = b;
  }

  /**
   * The smallest x in [lo, hi] with f(x) ≥ 0 (f: the part read), f concave on [lo, hi] with f(lo) = fLo and
   * f(hi) = fHi known; null when f < 0 on all of it. `atLimit`: hi is the step's limit, where f within `enough` of 0
   * counts as 0 (rounding). `beyond`: a point past hi up to which f is concave too, with its value (NaN: none).
   */
  private firstRoot(lo: number, fLo: number, hi: number, fHi: number, atLimit: boolean, beyond: number, fBeyond: number): number | null {
    if (fLo >= 0) return lo;
    const f = this.partAt, enough = this.enough;
    if (fHi >= 0) return refine(lo, fLo, hi, fHi, enough, f);
    // f concave up to `beyond` (> hi): the chord from hi to it, extended back to lo, lies above f on [lo, hi]
    if (beyond > hi && lineAt(hi, fHi, beyond, fBeyond, lo) < 0) return null;
    // the costs at the ends bound f on all of [lo, hi] (then f(hi) < −enough too: not a root at the limit either)
    if (this.pieceBound(lo, hi) < -2 * enough) return null;
    const inside = this.maximumBracket(lo, fLo, hi, fHi);
    if (inside !== null) return refine(inside.lo, inside.fLo, inside.hi, inside.fHi, enough, f);
    return atLimit && fHi >= -enough ? hi : null;
  }

  /**
   * Golden-section search for the maximum of a concave f below 0 at both ends of [lo, hi]: a bracket [x, y] with
   * f(x) < 0 ≤ f(y) around its first crossing as soon as a point ≥ 0 is met (in {@link bracket}); null once the chords
   * prove f < 0 on the whole interval (or the interval is down to adjacent doubles).
   */
  private maximumBracket(lo: number, fLo: number, hi: number, fHi: number): RootSearch['bracket'] | null {
    const f = this.partAt;
    let a = lo, fa = fLo, d = hi, fd = fHi;
    let b = d - INV_PHI * (d - a), c = a + INV_PHI * (d - a);
    let fb = f(b);
    if (fb >= 0) return this.bracketOf(a, fa, b, fb);
    let fc = f(c);
    if (fc >= 0) return this.bracketOf(b, fb, c, fc);
    for (let k = 0; k < GOLDEN_STEPS; k++) {
      if (concaveBound(a, fa, b, fb, c, fc, d, fd) < 0) return null;
      if (fb >= fc) {
        // the maximum is in [a, c]
        d = c;
        fd = fc;
        c = b;
        fc = fb;
        b = d - INV_PHI * (d - a);
        if (!(b > a && b < c)) return null;
        fb = f(b);
        if (fb >= 0) return this.bracketOf(a, fa, b, fb);
      } else {
        a = b;
        fa = fb;
        b = c;
        fb = fc;
        c = a + INV_PHI * (d - a);
        if (!(c > b && c < d)) return null;
        fc = f(c);
        if (fc >= 0) return this.bracketOf(b, fb, c, fc);
      }
    }
    return null;
  }

  private bracketOf(lo: number, fLo: number, hi: number, fHi: number): RootSearch['bracket'] {
    const r = this.bracket;
    r.lo = lo;
    r.fLo = fLo;
    r.hi = hi;
    r.fHi = fHi;
    return r;
  }
}

function noTrial(): CloseOutcome {
  throw new Error('RootSearch: no search under way');
}

/**
 * An upper bound of a concave f on [a, d] from its values at a < b < c < d: a chord's extension beyond its ends lies
 * above f, so f ≤ the line through b and c on [a, b] and [c, d], and ≤ the lower of the lines through a, b and c, d
 * on [b, c].
 */
export function concaveBound(a: number, fa: number, b: number, fb: number, c: number, fc: number, d: number, fd: number): number {
  let bound = Math.max(fb, fc, lineAt(b, fb, c, fc, a), lineAt(b, fb, c, fc, d));
  // on [b, c]: the lower of the left chord's and the right chord's extensions, highest where they cross (or at an end)
  let top = Math.max(Math.min(fb, lineAt(c, fc, d, fd, b)), Math.min(lineAt(a, fa, b, fb, c), fc));
  const sl = (fb - fa) / (b - a), sr = (fd - fc) / (d - c);
  if (sl !== sr) {
    const x = (fc - sr * c - (fb - sl * b)) / (sl - sr);
    if (x > b && x < c) top = Math.max(top, Math.min(lineAt(a, fa, b, fb, x), lineAt(c, fc, d, fd, x)));
  }
  bound = Math.max(bound, top);
  return Number.isNaN(bound) ? Infinity : bound;
}

/** The line through (x0, f0) and (x1, f1) at x. */
function lineAt(x0: number, f0: number, x1: number, f1: number, x: number): number {
  return f0 + ((f1 - f0) * (x - x0)) / (x1 - x0);
}

/**
 * An upper bound of S over (0, q] from its value at q: S(q) plus the close's costs (slippage and fee, or discount).
 * Closing less costs no less than nothing and leaves at least the requirement closing q leaves, when the requirement
 * grows with what is held (rule-based pooled terms: AccountTerms.requirementGrowsWithSize): so if even the cost-free
 * close of q misses the target, no smaller close reaches it. Under a method that nets positions a hedge leg's close
 * between 0 and q can release more than q does (a basis trade's future): when the bounded search finds no close there,
 * the chooser searches every holding again without it (next-step.ts).
 */
export function costFreeBound(slackAt: number, costs: number): number {
  return slackAt + costs;
}

/**
 * The crossing in [loQ, hiQ] of f (f(loQ) < 0 ≤ f(hiQ) = hiS, one sign change between): the smallest q found with
 * f ∈ [0, enough], or the upper end of a bracket of two adjacent doubles.
 */
function refine(loQ: number, loS: number, hiQ: number, hiS: number, enough: number, f: (x: number) => number): number {
  // loW, hiW: the ends' values as the secant weighs them (Illinois halves a stale end); hiS stays the value at hiQ
  let loW = loS, hiW = hiS, side = 0;
  for (let k = 0; k < 200 && hiS > enough; k++) {
    let q = loQ - (loW * (hiQ - loQ)) / (hiW - loW);
    if (!(q - loQ > 0 && hiQ - q > 0)) q = 0.5 * (loQ + hiQ); // keep strictly inside the bracket
    if (!(q - loQ > 0 && hiQ - q > 0)) break; // two adjacent doubles: hiQ is the crossing
    const v = f(q);
    if (v >= 0) {
      hiQ = q;
      hiS = hiW = v;
      if (side === -1) loW *= 0.5; // Illinois: halve the stale end so the bracket keeps shrinking from both sides
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
