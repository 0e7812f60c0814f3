/**
 * Choosing and sizing a liquidation step, as pure functions over callbacks that try a close on the account and say
 * what it leaves (in the style of drift's math/liquidation.rs: the rules apart from the state changes that apply
 * them). The slack S is the distance to the target of what the close draws on (the account, or under isolated margin
 * the position or the rest of the account): equity for MM − MM·(1 + buffer), or equity for IM − IM, fees included.
 *
 * S is not monotone in the quantity closed: the margin a close releases grows about linearly while slippage grows
 * faster (concave impact: √ or linear depth per unit), so S can cross 0 and turn negative again before the per-step
 * cap. The smallest root is found from the slack's breakpoints and concave pieces (smallest-root.ts).
 */
import type { CloseOrder } from './params.js';
import type { TrialOutcome } from './close-outcome.js';

export { type CloseOutcome, concaveBound, costFreeBound, RootSearch, smallestRoot } from './smallest-root.js';

/** One holding's probe: its whole step (the cap) tried on the account, and what closing the cap leaves (TrialOutcome). */
export interface CloseProbe extends TrialOutcome {
  /** The step's cap (signed like the holding). */
  cap: number;
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
  /** The share of MM closing the cap releases (close-outcome.ts TrialOutcome.share). */
  capShare: number;
  /** What closing the cap left, as smallest-root.ts reads it (a record of its own). */
  capOutcome: { slack: number; mm: number; beforeFee: number; nominalFee: number; feeCap: number; executionCost: number };
}

/** An empty {@link CloseChoice} to choose into (a per-step caller keeps one: perf: no-alloc-per-step, docs/performance.md). */
export function emptyChoice(): CloseChoice {
  return { holding: -1, cap: 0, gains: false, capSlack: 0, capMm: 0, capFee: 0, capShare: 1, capOutcome: { slack: 0, mm: 0, beforeFee: 0, nominalFee: 0, feeCap: 0, executionCost: Number.NaN } };
}

/**
 * The holding to close next, from each holding's probe at its cap. Preferred: a close that raises the slack and does
 * not raise MM, the best by `order` (efficiency: slack gained per dollar of cost; largest-notional; linear-first, then
 * efficiency). When none raises the slack at its cap, the holding whose full step lowers MM most per dollar of cost.
 * Null when no close lowers MM. `probe(k)` tries holding k's step (null: nothing held); its record is read before
 * the next call. The choice is written into `out` (a new record by default).
 */
export function chooseClose(count: number, probe: (k: number) => CloseProbe | null, baseMm: number, slack0: number, order: CloseOrder, out: CloseChoice = emptyChoice()): CloseChoice | null {
  const efficiency = order === 'efficiency', linearFirst = order === 'linear-first';
  let best = -1, bestCap = 0, bestScore = 0, bestGain = 0, bestLinear = 0, bestSlack = 0, bestMm = 0, bestFee = 0, bestShare = 1, bestBefore = 0, bestNominal = 0, bestFeeCap = 0, bestExecution = 0;
  let fallback = -1, fallbackCap = 0, fallbackScore = 0, fallbackGain = 0, fallbackLinear = 0, fallbackSlack = 0, fallbackMm = 0, fallbackFee = 0, fallbackShare = 1;
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
        bestShare = p.share;
        bestBefore = p.beforeFee;
        bestNominal = p.nominalFee;
        bestFeeCap = p.feeCap;
        bestExecution = p.executionCost;
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
        fallbackShare = p.share;
      }
    }
  }
  if (best >= 0) return choiceOf(out, best, bestCap, true, bestSlack, bestMm, bestFee, bestShare, bestBefore, bestNominal, bestFeeCap, bestExecution);
  if (fallback >= 0) return choiceOf(out, fallback, fallbackCap, false, fallbackSlack, fallbackMm, fallbackFee, fallbackShare, fallbackSlack, 0, 0, Number.NaN);
  return null;
}

/** `out` rewritten as the choice of holding k, its cap's outcome as smallest-root.ts reads it. */
function choiceOf(out: CloseChoice, k: number, cap: number, gains: boolean, slack: number, mm: number, fee: number, share: number, beforeFee: number, nominalFee: number, feeCap: number, executionCost: number): CloseChoice {
  out.holding = k;
  out.cap = cap;
  out.gains = gains;
  out.capSlack = slack;
  out.capMm = mm;
  out.capFee = fee;
  out.capShare = share;
  const o = out.capOutcome;
  o.slack = slack;
  o.mm = mm;
  o.beforeFee = beforeFee;
  o.nominalFee = nominalFee;
  o.feeCap = feeCap;
  o.executionCost = executionCost;
  return out;
}
