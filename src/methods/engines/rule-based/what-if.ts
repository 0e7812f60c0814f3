/**
 * What-if for the rule-based methods. A position's IM and MM are exact functions of its notional through the
 * bracket schedule, and the per-instrument terms of the last run (src/kernels/js/margin.ts prepareInstruments)
 * are the cache: a changed account is its draft (src/margin/account-draft.ts) margined by the kernel's JS twin
 * in slot order, O(its positions and balances), with the bits remargin gives after applying the changes.
 */
import { AccountDraft } from '../../../margin/account-draft.js';
import type { AccountChange } from '../../../margin/account-changes.js';
import { type AccountRequirement, type Binding, type DraftMargin, DraftMarginer, requirementOf, shortPositionOf } from '../../../margin/what-if.js';
import { STATUS_HEALTHY } from '../../../margin/status.js';
import { KIND_OPTION } from '../../../layout/codes.js';
import { heldQuantity as heldIn } from '../../../layout/held.js';
import type { MethodContext } from '../../method.js';

/** A run's drafts and marginer, made on first use. */
export class DraftEvaluator {
  private draftOf: AccountDraft | null = null;
  private marginerOf: DraftMarginer | null = null;

  constructor(private readonly ctx: MethodContext) {}

  /** Account a after `changes` (RangeError naming the first refused change) and its rule-based margin. */
  evaluate(a: number, changes: readonly AccountChange[], isolated: boolean): { draft: AccountDraft; margin: DraftMargin } {
    const draft = this.draft(a, changes);
    this.marginerOf ??= new DraftMarginer(this.ctx.layout, this.ctx.market, this.ctx.rules, this.ctx.out);
    return { draft, margin: this.marginerOf.margin(draft, isolated) };
  }

  /** Account a after `changes`, not margined (the draft is reused by the next call). */
  draft(a: number, changes: readonly AccountChange[]): AccountDraft {
    const draft = (this.draftOf ??= new AccountDraft(this.ctx.layout)).load(a);
    const refused = draft.apply(changes);
    if (refused) throw new RangeError(`changes[${refused.index}]: ${refused.reason}`);
    return draft;
  }
}

/** The position with the largest IM (first on ties), or null without positions. */
export function largestPosition(ctx: MethodContext, draft: AccountDraft, m: DraftMargin): Binding | null {
  let best = -1;
  for (let k = 0; k < m.positions; k++) if (best < 0 || m.positionIm[k] > m.positionIm[best]) best = k;
  if (best < 0 || !(m.positionIm[best] > 0)) return null;
  const row = draft.instrument[best];
  const layout = ctx.layout;
  return { kind: 'position', label: layout.instruments.ids[row], underlying: layout.assets[layout.instruments.underlying.array[row]], amount: m.positionIm[best] };
}

export function ruleBasedWhatIf(ctx: MethodContext, isolated: boolean): (a: number, changes: readonly AccountChange[]) => AccountRequirement {
  const evaluator = new DraftEvaluator(ctx);
  return (a, changes) => {
    const { draft, margin } = evaluator.evaluate(a, changes, isolated);
    const r = requirementOf(margin, draft.cashUsd, margin.im, margin.mm, margin.status, largestPosition(ctx, draft, margin));
    // under isolated margin, the position that is short of its own requirement, for the caller to name
    return isolated && margin.status !== STATUS_HEALTHY ? { ...r, shortPosition: shortPositionOf(margin, draft.instrument, ctx.layout.instruments.ids) } : r;
  };
}

/**
 * Where a rule-based requirement changes slope in the size s of an order on instrument row `i` for account a:
 * the position crossing zero (long ↔ short: the short-option term and the netting switch sides) and its
 * notional |Q0 + direction·s|·multiplier·unit crossing a bracket bound of its schedule (options have none).
 * The collateral haircuts do not depend on s; cash (realized P&L, premiums) is linear on each side of zero.
 */
export function ruleBasedBreakpoints(ctx: MethodContext, a: number, i: number, direction: 1 | -1): number[] {
  return ruleBasedBreakpointsAt(ctx, i, heldQuantity(ctx, a, i), direction);
}

/** Contracts of instrument row i account a holds (src/layout/held.ts). */
export function heldQuantity(ctx: MethodContext, a: number, i: number): number {
  return heldIn(ctx.layout, a, i);
}

/** {@link ruleBasedBreakpoints} of an account holding `held` contracts of instrument row `i` (account terms: src/methods/account-terms.ts). */
export function ruleBasedBreakpointsAt(ctx: MethodContext, i: number, held: number, direction: 1 | -1): number[] {
  const layout = ctx.layout;
  const out: number[] = [];
  const add = (s: number) => {
    if (s > 0 && Number.isFinite(s)) out.push(s);
  };
  add(-direction * held); // the position crosses zero
  const ins = layout.instruments;
  if (ins.kind.array[i] !== KIND_OPTION) {
    const u = ins.underlying.array[i], settled = ins.settlement.array[i], value = ctx.out.value.array[i];
    // USD notional per contract, as the kernels' schedules read it (src/kernels/js/margin.ts T_NOTIONAL_UNIT): an
    // inverse contract's face at the index, −x·S per unit of face (x = −1/F); a contract settled in Y at Y's price
    const perUnit = settled < 0 ? value : settled === u ? -value * ctx.market.price.array[settled] : value * ctx.market.price.array[settled];
    const unit = perUnit * ins.multiplier.array[i];
    const stride = ctx.rules.linStride;
    const upTo = ctx.rules.linear.upTo.array;
    for (let b = u * stride; b < (u + 1) * stride; b++) {
      if (!Number.isFinite(upTo[b]) || !(unit > 0)) continue;
      const x = upTo[b] / unit; // contracts at the bound
      add(direction * (x - held));
      add(direction * (-x - held));
    }
  }
  // ascending, each size once, in place: a liquidation asks for each position of each account, and a handful of
  // sizes sort by insertion with no comparator's boxed results and no sort buffer
  let n = 0;
  for (let k = 0; k < out.length; k++) {
    const x = out[k];
    let j = n;
    while (j > 0 && out[j - 1] > x) j--;
    if (j > 0 && out[j - 1] === x) continue; // already there
    for (let m = n; m > j; m--) out[m] = out[m - 1];
    out[j] = x;
    n++;
  }
  out.length = n;
  return out;
}
