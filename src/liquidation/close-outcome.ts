/**
 * What a trial close leaves, as pure functions over an account's terms (src/methods/account-terms.ts): the holding
 * change a close makes from the holdings the account had before its trials, and the slack, MM and fee it leaves. No
 * state: the terms are asked for figures with one holding changed and stay as they were.
 */
import type { AccountTerms, HoldingChange } from '../methods/account-terms.js';
import type { HoldingsMargin, LiquidationTargetSpec } from '../methods/method.js';
import { targetSlack } from '../methods/target-slack.js';
import { allocationAfter, type CloseEffect, type Holding } from './close-effect.js';
import { feeCap, liquidationFee, releasedShare } from './pricing.js';

/**
 * What a trial close leaves: the bucket's slack to the target and the account's MM (USD), and the close's fee: the
 * slack before it, the fee before its cap and the cap (smallest-root.ts reads the slack's parts from them).
 */
export interface TrialOutcome {
  slack: number;
  mm: number;
  fee: number;
  beforeFee: number;
  nominalFee: number;
  feeCap: number;
  /**
   * The share of the requirement behind the holding the close releases, in [0, 1] (pricing.ts releasedShare: of the
   * account's MM, or under isolated margin of the position's own); 1 for a balance. What caps its fee, and what share of
   * a deficit its bankruptcy price takes (step.ts).
   */
  share: number;
  /** The close's execution cost where the root search may bound the slack by it (smallest-root.ts pieceBound); NaN: not given. */
  executionCost: number;
}

export function emptyOutcome(): TrialOutcome {
  return { slack: 0, mm: 0, fee: 0, beforeFee: 0, nominalFee: 0, feeCap: 0, share: 1, executionCost: Number.NaN };
}

/** One account's holdings before its trials (layout order) and what backs each position, as a close reads them. */
export interface CloseBase {
  /** The account's first position and balance slots. */
  p0: number;
  c0: number;
  qty: Float64Array;
  /** Explicit isolated allocations (USD; NaN: pro rata). */
  isolated: Float64Array;
  amount: Float64Array;
  cash: number;
  /** The account's MM, and each position's (its own under isolated margin, else the account's). */
  mm: number;
  positionMm: Float64Array;
  /** The equity behind each position (the account's under a pooled method): what caps a close's fee. */
  backing: Float64Array;
  /** True when each position has equity of its own (isolated margin): a fee's share is of the position's own MM. */
  ownBacking: boolean;
}

/**
 * The holding change closing `effect.quantity` of holding h makes, into `into`: the position's (or balance's) new size,
 * the cash after the fill, and an explicit isolated allocation taking the cash too (close-effect.ts allocationAfter).
 */
export function closeChange(base: CloseBase, h: Holding, effect: CloseEffect, into: HoldingChange): HoldingChange {
  if (h.kind === 'position') {
    const local = h.slot - base.p0;
    into.kind = 'position';
    into.local = local;
    into.size = base.qty[local] - effect.quantity;
    into.isolatedMargin = allocationAfter(base.isolated[local], effect.cashAtFill);
  } else {
    const local = h.slot - base.c0;
    into.kind = 'balance';
    into.local = local;
    into.size = base.amount[local] - effect.quantity;
    into.isolatedMargin = undefined;
  }
  into.cashUsd = base.cash + effect.cashAtFill;
  return into;
}

/**
 * What closing `effect` of holding h leaves, from the account's figures after it (`after`, the terms' figures with
 * {@link closeChange}): the slack of `bucket` (undefined: the account; a position slot, or −1 for the rest of an
 * isolated account), the account's MM, and for a position its fee: `nominalFee` capped by the surplus of the part
 * closed, the equity behind it times the share of its MM the close releases less the close's cost (pricing.ts
 * liquidationFee). The fee comes off the slack (fees are cash, counted in full by every equity). Written into `out`.
 */
export function outcomeOf(after: HoldingsMargin, base: CloseBase, h: Holding, effect: CloseEffect, nominalFee: number, target: LiquidationTargetSpec, bucket: number | undefined, out: TrialOutcome): TrialOutcome {
  out.mm = after.mm;
  out.slack = slackOf(after, target, bucket !== undefined && bucket >= 0 ? bucket - base.p0 : bucket);
  out.fee = out.nominalFee = out.feeCap = 0;
  out.share = 1;
  out.beforeFee = out.slack;
  out.executionCost = Number.NaN;
  if (h.kind === 'position') {
    const local = h.slot - base.p0, own = base.ownBacking ? after.positions : undefined;
    const share = own !== undefined ? releasedShare(base.positionMm[local], own.mm[local]) : releasedShare(base.mm, out.mm);
    out.share = share;
    out.nominalFee = nominalFee;
    out.feeCap = feeCap(base.backing[local], share, effect.cost);
    out.fee = liquidationFee(nominalFee, base.backing[local], share, effect.cost);
    out.slack -= out.fee;
  }
  return out;
}

/** Scratch a caller of {@link closeOutcome} keeps (one per liquidation run): the change and the figures it asks for. */
export interface CloseScratch {
  change: HoldingChange;
  figures: HoldingsMargin;
}

/** {@link outcomeOf} the terms' figures with {@link closeChange}: what a close of `effect` of h leaves. The terms stay as they were. */
export function closeOutcome(terms: AccountTerms, base: CloseBase, h: Holding, effect: CloseEffect, nominalFee: number, target: LiquidationTargetSpec, bucket: number | undefined, scratch: CloseScratch, out: TrialOutcome): TrialOutcome {
  const after = terms.figuresWith(closeChange(base, h, effect, scratch.change), scratch.figures);
  return outcomeOf(after, base, h, effect, nominalFee, target, bucket, out);
}

/**
 * The slack of a trial's figures. Pooled: the account's. With per-position figures (isolated margin): position
 * `bucket`'s own, the rest of the account's (−1: its equity, weighted for the target, less what the positions hold,
 * against no requirement), or (undefined) the worst of them all.
 */
export function slackOf(w: HoldingsMargin, target: LiquidationTargetSpec, bucket?: number): number {
  const p = w.positions;
  if (!p || p.allocated.length === 0) return targetSlack(target, w.equity, w.equityIm, w.equityMm, w.im, w.mm);
  // a position's own bucket has no haircut: its equity is the same for IM and MM
  const own = (k: number, equity: number) => targetSlack(target, equity, equity, equity, p.im[k], p.mm[k]);
  if (bucket !== undefined && bucket >= 0) return own(bucket, p.allocated[bucket] + p.markToMarket[bucket]);
  let worst = Infinity, held = 0;
  for (let k = 0; k < p.allocated.length; k++) {
    const equity = p.allocated[k] + p.markToMarket[k];
    held += equity;
    const slack = own(k, equity);
    if (slack < worst) worst = slack;
  }
  const rest = targetSlack(target, w.equity - held, w.equityIm - held, w.equityMm - held, 0, 0);
  return bucket === -1 || rest < worst ? rest : worst;
}
