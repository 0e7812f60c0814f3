/**
 * Choosing and sizing a liquidation step, as pure functions over callbacks that try a close on the account and say
 * what it leaves (in the style of drift's math/liquidation.rs: the rules apart from the state changes that apply
 * them). The slack S is the account's distance to its target (equity for MM − MM·(1 + buffer), or equity for IM − IM).
 */
import type { CloseOrder } from './params.js';

/** What a trial close leaves: the slack to the target and the MM (USD). */
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
  /** Execution cost of closing the cap (slippage and fee, or the collateral discount; USD) and its notional (USD). */
  cost: number;
  notional: number;
  /** Rank under the `linear-first` order: 2 a linear position, 1 an option, 0 collateral. */
  linear: number;
  /** The account's rounding tolerance as the trial leaves its figures (USD). */
  tolerance: number;
}

/** The holding a step takes from and what its probe found. */
export interface CloseChoice {
  holding: number;
  cap: number;
  /** True when a partial close of it raises the slack (sized by {@link sizeClose}); false: a full step of it lowers MM. */
  restores: boolean;
  capSlack: number;
  capTolerance: number;
}

/**
 * The holding to close next. Preferred: a close that raises the slack and does not raise MM, the best by `order`
 * (efficiency: slack gained per dollar of cost; largest-notional; linear-first, then efficiency). When no close raises
 * the slack (fee and slippage cost more than the margin released: a small position under a fee above its MM rate),
 * the holding whose full step lowers MM most per dollar of cost (venues close such positions outright). Null when no
 * close lowers MM: the engine never raises an account's MM. `probe(k)` tries holding k's step (null: nothing held);
 * its record is read before the next call.
 */
export function chooseClose(count: number, probe: (k: number) => CloseProbe | null, baseMm: number, slack0: number, order: CloseOrder): CloseChoice | null {
  const efficiency = order === 'efficiency', linearFirst = order === 'linear-first';
  let best = -1, bestCap = 0, bestScore = 0, bestGain = 0, bestLinear = 0, bestSlack = 0, bestTolerance = 0;
  let fallback = -1, fallbackCap = 0, fallbackScore = 0, fallbackGain = 0, fallbackLinear = 0;
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
        bestTolerance = p.tolerance;
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
      }
    }
  }
  if (best >= 0) return { holding: best, cap: bestCap, restores: true, capSlack: bestSlack, capTolerance: bestTolerance };
  if (fallback >= 0) return { holding: fallback, cap: fallbackCap, restores: false, capSlack: 0, capTolerance: 0 };
  return null;
}

/**
 * A small shortfall (−slack0 below `smallShortfallUsd`) closes the whole holding (`size`) at once, unless that would
 * raise MM above `baseMm` (a hedge's other leg). Returns the size, or null when the rule does not apply.
 */
export function smallShortfallClose(size: number, cap: number, slack0: number, baseMm: number, smallShortfallUsd: number, tryClose: (q: number) => CloseOutcome): number | null {
  if (!(-slack0 < smallShortfallUsd)) return null;
  if (size === cap) return size; // the cap's probe already kept MM
  return tryClose(size).mm > baseMm ? null : size;
}

/**
 * The smallest close q (same sign as `cap`, at most the cap) that brings the slack to ≥ 0: a bracketed secant
 * (Illinois) search between q = 0 (slack `slack0` < 0) and the cap (slack `capSlack`), stopping within `enough` of
 * the target; the whole cap when even that is not enough.
 */
export function sizeClose(cap: number, slack0: number, capSlack: number, enough: number, tryClose: (q: number) => CloseOutcome): number {
  let hiQ = cap, hiS = capSlack;
  if (hiS < 0) return cap;
  let loQ = 0, loS = slack0, side = 0;
  for (let k = 0; k < 60 && hiS > enough && Math.abs(hiQ - loQ) > 1e-12 * Math.abs(cap); k++) {
    let q = loQ - (loS * (hiQ - loQ)) / (hiS - loS);
    if (!(Math.abs(q - loQ) > 0 && Math.abs(hiQ - q) > 0)) q = 0.5 * (loQ + hiQ); // keep strictly inside the bracket
    const s = tryClose(q).slack;
    if (s >= 0) {
      hiQ = q;
      hiS = s;
      if (side === -1) loS *= 0.5; // Illinois: halve the stale end so the bracket keeps shrinking from both sides
      side = -1;
    } else {
      loQ = q;
      loS = s;
      if (side === 1) hiS *= 0.5;
      side = 1;
    }
  }
  return hiQ;
}
