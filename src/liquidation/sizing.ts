/**
 * Choosing and sizing a liquidation step, as pure functions over callbacks that try a close on the account and say
 * what it leaves (in the style of drift's math/liquidation.rs: the rules apart from the state changes that apply
 * them). The slack S is the distance to the target of what the close draws on (the account, or under isolated margin
 * the position or the rest of the account): equity for MM − MM·(1 + buffer), or equity for IM − IM, fees included.
 *
 * S is not monotone in the quantity closed: the margin a close releases grows about linearly while slippage grows
 * faster (concave impact: √ or linear depth per unit), so S can cross 0 and turn negative again before the per-step
 * cap. The smallest root is found by a scan, then a bracketed refinement of the first crossing.
 */
import type { CloseOrder } from './params.js';

/** What a trial close leaves: the slack to the target and the account's MM (USD). */
export interface CloseOutcome {
  slack: number;
  mm: number;
}

/** One holding's probe: its whole step (the cap) tried on the account. */
export interface CloseProbe {
  /** The step's cap (signed like the holding). */
  cap: number;
  /** What closing the cap leaves, and its fee (USD). */
  slack: number;
  mm: number;
  fee: number;
  /** Execution cost of closing the cap (slippage and fee before its cap, or the collateral discount; USD) and its notional (USD). */
  cost: number;
  notional: number;
  /** Rank under the `linear-first` order: 2 a linear position, 1 an option, 0 collateral. */
  linear: number;
}

/** The holding a step takes from and what its probe found. */
export interface CloseChoice {
  holding: number;
  cap: number;
  /** True when closing the cap raises the slack; false: no close raises it, but a full step lowers MM. */
  gains: boolean;
  capSlack: number;
  capMm: number;
  capFee: number;
}

/** Points of the scan of S over the interval a step may close (quarters of it). */
export const SCAN_POINTS = 4;

/**
 * The holding to close next, from each holding's probe at its cap. Preferred: a close that raises the slack and does
 * not raise MM, the best by `order` (efficiency: slack gained per dollar of cost; largest-notional; linear-first, then
 * efficiency). When none raises the slack at its cap, the holding whose full step lowers MM most per dollar of cost.
 * Null when no close lowers MM. `probe(k)` tries holding k's step (null: nothing held); its record is read before
 * the next call.
 */
export function chooseClose(count: number, probe: (k: number) => CloseProbe | null, baseMm: number, slack0: number, order: CloseOrder): CloseChoice | null {
  const efficiency = order === 'efficiency', linearFirst = order === 'linear-first';
  let best = -1, bestCap = 0, bestScore = 0, bestGain = 0, bestLinear = 0, bestSlack = 0, bestMm = 0, bestFee = 0;
  let fallback = -1, fallbackCap = 0, fallbackScore = 0, fallbackGain = 0, fallbackLinear = 0, fallbackSlack = 0, fallbackMm = 0, fallbackFee = 0;
  for (let k = 0; k < count; k++) {
    const p = probe(k);
    if (p === null || p.mm > baseMm) continue; // closing this part would raise MM (a hedge leg): never
    const gain = p.slack - slack0;
    if (gain > 0) {
      const score = efficiency ? (p.cost > 0 ? gain / p.cost : Infinity) : p.notional;
      if (best < 0 || (linearFirst && p.linear !== bestLinear ? p.linear > bestLinear : score > bestScore || (score === bestScore && gain > bestGain))) {
        best = k;
        bestCap = p.cap;
        bestScore = score;
        bestGain = gain;
        bestLinear = p.linear;
        bestSlack = p.slack;
        bestMm = p.mm;
        bestFee = p.fee;
      }
    } else if (p.mm < baseMm) {
      const released = baseMm - p.mm;
      const score = efficiency ? (p.cost > 0 ? released / p.cost : Infinity) : p.notional;
      if (fallback < 0 || (linearFirst && p.linear !== fallbackLinear ? p.linear > fallbackLinear : score > fallbackScore || (score === fallbackScore && gain > fallbackGain))) {
        fallback = k;
        fallbackCap = p.cap;
        fallbackScore = score;
        fallbackGain = gain;
        fallbackLinear = p.linear;
        fallbackSlack = p.slack;
        fallbackMm = p.mm;
        fallbackFee = p.fee;
      }
    }
  }
  if (best >= 0) return { holding: best, cap: bestCap, gains: true, capSlack: bestSlack, capMm: bestMm, capFee: bestFee };
  if (fallback >= 0) return { holding: fallback, cap: fallbackCap, gains: false, capSlack: fallbackSlack, capMm: fallbackMm, capFee: fallbackFee };
  return null;
}

/**
 * The smallest close q in (0, limit] (signed like `limit`) that brings the slack to ≥ 0 without raising MM above
 * `baseMm`; null when none is found. S is known at 0 (`slack0` < 0) and tried at the limit (`atLimit` when already
 * known). When the limit restores, the crossing in [0, limit] is refined, then S is tried at the scan points below the
 * root found, limit·k/4 for k = 1, 2, …: the first that restores brackets a smaller crossing, which is refined instead.
 * When the limit does not, the scan points are tried from below and the first that restores is refined against the
 * one before it. Refining: Illinois secant, bisection where the secant would not shrink the bracket, until
 * S ∈ [0, enough] or the bracket is two adjacent doubles. So no scan point below the answer restores; a crossing
 * narrower than a quarter of the interval, lying wholly between two scan points, can be missed: that is the search's
 * resolution. `bound`: an upper bound of S over the interval (see {@link costFreeBound}); when it is below 0 as well
 * as S at the limit, nothing more is tried.
 */
export function smallestRoot(limit: number, slack0: number, enough: number, baseMm: number, tryClose: (q: number) => CloseOutcome, atLimit?: CloseOutcome, bound = Infinity): number | null {
  const end = atLimit ?? tryClose(limit);
  const endRestores = end.mm <= baseMm && end.slack >= 0;
  if (!endRestores && bound < 0) return null;
  const root = endRestores ? refine(0, slack0, limit, end.slack, enough, baseMm, tryClose) : Infinity;
  let loQ = 0, loS = slack0;
  for (let k = 1; k < SCAN_POINTS; k++) {
    const q = (limit * k) / SCAN_POINTS;
    if (!(Math.abs(q) < Math.abs(root))) break; // no scan point below the root left to try
    const o = tryClose(q);
    if (o.mm <= baseMm && o.slack >= 0) return refine(loQ, loS, q, o.slack, enough, baseMm, tryClose);
    loQ = q;
    loS = o.mm <= baseMm ? o.slack : Math.min(o.slack, -enough);
  }
  return endRestores ? root : null;
}

/**
 * An upper bound of S over (0, q] from its value at q: S(q) plus the close's costs (slippage and fee, or discount).
 * Closing less costs no less than nothing and leaves at least the requirement closing q leaves, when the requirement
 * grows with what is held (rule-based schedules, a position's scenario loss): so if even the cost-free close of q
 * misses the target, no smaller close reaches it. Where a requirement is not monotone in a hedge leg's size, a close
 * between 0 and q can release more than q does; the bound then skips a root only where the hedge's minimum lies
 * strictly inside the step.
 */
export function costFreeBound(slackAt: number, costs: number): number {
  return slackAt + costs;
}

/**
 * The crossing in [loQ, hiQ] (S(loQ) < 0 ≤ S(hiQ) = hiS): the smallest q found with S ∈ [0, enough], or the upper
 * end of a bracket of two adjacent doubles. A trial that raises MM counts as below the target.
 */
function refine(loQ: number, loS: number, hiQ: number, hiS: number, enough: number, baseMm: number, tryClose: (q: number) => CloseOutcome): number {
  // loW, hiW: the ends' slacks as the secant weighs them (Illinois halves a stale end); hiS stays the slack at hiQ
  let loW = loS, hiW = hiS, side = 0;
  for (let k = 0; k < 200 && hiS > enough; k++) {
    let q = loQ - (loW * (hiQ - loQ)) / (hiW - loW);
    if (!(Math.abs(q - loQ) > 0 && Math.abs(hiQ - q) > 0)) q = 0.5 * (loQ + hiQ); // keep strictly inside the bracket
    if (!(Math.abs(q - loQ) > 0 && Math.abs(hiQ - q) > 0)) break; // two adjacent doubles: hiQ is the crossing
    const o = tryClose(q);
    if (o.slack >= 0 && o.mm <= baseMm) {
      hiQ = q;
      hiS = hiW = o.slack;
      if (side === -1) loW *= 0.5; // Illinois: halve the stale end so the bracket keeps shrinking from both sides
      side = -1;
    } else {
      loQ = q;
      loW = o.mm <= baseMm ? o.slack : Math.min(o.slack, -enough);
      if (side === 1) hiW *= 0.5;
      side = 1;
    }
  }
  return hiQ;
}
