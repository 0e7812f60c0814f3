/**
 * Spread formation, SPAN's rule for intra-commodity, inter-commodity and scanning-based spreads: a spread is long its A
 * legs against short its B legs (or short A against long B); the number formed is the smallest over the legs of the
 * delta left on the leg's required side divided by the leg's delta per spread (fractional spreads: option deltas are
 * fractional), and each leg then gives up that many spreads' worth of delta. Spreads are formed in priority order, each
 * on what the previous ones left. Also the combined scan of a scanning-based spread.
 */
import type { SpreadSide } from './params.js';

/** A spread leg as formation sees it: which delta it draws on (an index into `remaining`), its side and ratio. */
export interface FormLeg {
  readonly at: number;
  readonly side: SpreadSide;
  readonly deltaPerSpread: number;
}

/**
 * Forms as many spreads of `legs` as `remaining` (deltas, units of underlying) allows, takes their delta out of
 * `remaining` and returns the number formed (≥ 0). A leg whose index is negative (no such tier or commodity in the
 * portfolio) forms none.
 */
export function formSpreads(legs: readonly FormLeg[], remaining: Float64Array): number {
  const first = legs[0];
  if (first.at < 0) return 0;
  const r0 = remaining[first.at];
  if (r0 === 0 || Number.isNaN(r0)) return 0;
  // direction +1: A legs long, B legs short; −1: the reverse. The first leg's delta decides it.
  const direction = (r0 > 0 ? 1 : -1) * (first.side === 'A' ? 1 : -1);
  let spreads = Infinity;
  let limiting = -1;
  for (let j = 0; j < legs.length; j++) {
    const leg = legs[j];
    if (leg.at < 0) return 0;
    const onSide = remaining[leg.at] * direction * (leg.side === 'A' ? 1 : -1); // > 0 when the leg has delta on its side
    if (!(onSide > 0)) return 0;
    const n = onSide / leg.deltaPerSpread;
    if (n < spreads) {
      spreads = n;
      limiting = j;
    }
  }
  for (let j = 0; j < legs.length; j++) {
    const leg = legs[j];
    // the limiting leg is used up exactly (no rounding residue left to spread again)
    remaining[leg.at] = j === limiting ? 0 : remaining[leg.at] - direction * (leg.side === 'A' ? 1 : -1) * spreads * leg.deltaPerSpread;
  }
  return spreads;
}

/**
 * A scanning-based spread's loss in scenario s: the legs' losses (loss > 0, USD) summed with every gain credited at
 * `creditRate`, i.e. Σ losses − creditRate × Σ gains (CME: a share of the gaining leg "off the top" of the loss).
 * `legLosses[j][s]` is leg j's loss, already scaled to the share the spreads take and weighted.
 */
export function combinedLoss(legLosses: readonly Float64Array[], creditRate: number, s: number): number {
  let combined = 0;
  for (const loss of legLosses) combined += loss[s] > 0 ? loss[s] : creditRate * loss[s];
  return combined;
}

/** The largest combined loss over the scenarios, floored at 0, and its scenario (0-based, first of ties; −1: none loses). */
export function scanSpreadRisk(legLosses: readonly Float64Array[], creditRate: number, nScenarios: number): { risk: number; scenario: number } {
  let risk = 0, scenario = -1;
  for (let s = 0; s < nScenarios; s++) {
    const combined = combinedLoss(legLosses, creditRate, s);
    if (combined > risk) {
      risk = combined;
      scenario = s;
    }
  }
  return { risk, scenario };
}
