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
  /** What closing the cap leaves. */
  slack: number;
  mm: number;
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
}

/** Points of the scan of S over the interval a step may close (eighths of it). */
export const SCAN_POINTS = 8;

/**
 * The holding to close next, from each holding's probe at its cap. Preferred: a close that raises the slack and does
 * not raise MM, the best by `order` (efficiency: slack gained per dollar of cost; largest-notional; linear-first, then
 * efficiency). When none raises the slack at its cap, the holding whose full step lowers MM most per dollar of cost.
 * Null when no close lowers MM. `probe(k)` tries holding k's step (null: nothing held); its record is read before
 * the next call.
 */
export function chooseClose(count: number, probe: (k: number) => CloseProbe | null, baseMm: number, slack0: number, order: CloseOrder): CloseChoice | null {
  const efficiency = order === 'efficiency', linearFirst = order === 'linear-first';
  let best = -1, bestCap = 0, bestScore = 0, bestGain = 0, bestLinear = 0, bestSlack = 0, bestMm = 0;
  let fallback = -1, fallbackCap = 0, fallbackScore = 0, fallbackGain = 0, fallbackLinear = 0, fallbackSlack = 0, fallbackMm = 0;
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
      }
    }
  }
  if (best >= 0) return { holding: best, cap: bestCap, gains: true, capSlack: bestSlack, capMm: bestMm };
  if (fallback >= 0) return { holding: fallback, cap: fallbackCap, gains: false, capSlack: fallbackSlack, capMm: fallbackMm };
  return null;
}

/**
 * The smallest close q in (0, limit] (signed like `limit`) that brings the slack to ≥ 0 without raising MM above
 * `baseMm`; null when no scan point does. S is tried at limit·k/8 for k = 1, 2, … (`atLimit`: S and MM at the limit,
 * when already known); the first point that restores ends the scan, and the crossing below it, between the last point
 * that did not and that one, is refined (Illinois secant, bisection where the secant would not shrink the bracket)
 * until S ∈ [0, enough] or the bracket is two adjacent doubles. A crossing narrower than an eighth of the interval,
 * lying wholly between two scan points, can be missed: that is the search's resolution.
 */
export function smallestRoot(limit: number, slack0: number, enough: number, baseMm: number, tryClose: (q: number) => CloseOutcome, atLimit?: CloseOutcome): number | null {
  let loQ = 0, loS = slack0;
  for (let k = 1; k <= SCAN_POINTS; k++) {
    const q = k === SCAN_POINTS ? limit : (limit * k) / SCAN_POINTS;
    const o = k === SCAN_POINTS && atLimit !== undefined ? atLimit : tryClose(q);
    if (o.mm <= baseMm && o.slack >= 0) return refine(loQ, loS, q, o.slack, enough, baseMm, tryClose);
    loQ = q;
    loS = o.mm <= baseMm ? o.slack : Math.min(o.slack, -enough);
  }
  return null;
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
