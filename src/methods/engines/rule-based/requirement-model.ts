/**
 * Rule-based cross margin of one account as a convex function of quantity changes x_h on candidate instruments
 * (src/margin/requirement-model.ts), for margin optimisation. Cross IM is a sum over positions, and a trade on an
 * instrument changes only that instrument's position (positions on one instrument are one position), so
 *   IM(x) = IM(0) + Σ_h [IM(x_h·e_h) − IM(0)]:
 * separable, each part a function of one order size. That function is piecewise linear: its slope changes only where
 * the position crosses zero or its notional crosses a bracket bound (ruleBasedBreakpoints). Each part is evaluated
 * by the method's own what-if at those sizes (both sides, and one step beyond the outermost), and written as the
 * maximum of the lines through consecutive points: exact when the part is convex, which it is when bracket rates
 * do not fall with size (every default schedule; a short option adds max(0, −units)·rate·S, a long one premium·max(0, units)).
 * A schedule whose rates fall with size would make the lines under-state it between points: the optimiser's
 * engine re-check (src/optimize/restore.ts) catches that.
 */
import type { AccountRequirement } from '../../../margin/what-if.js';
import type { AccountChange } from '../../../margin/account-changes.js';
import type { ConvexTerm, RequirementModel } from '../../../margin/requirement-model.js';
import type { MethodContext } from '../../method.js';
import { DOMAIN } from '../../../model/domain.js';
import { heldQuantity, ruleBasedBreakpointsAt } from './what-if.js';

export function ruleBasedRequirementModel(
  ctx: MethodContext, whatIf: (a: number, changes: readonly AccountChange[]) => AccountRequirement, a: number, instruments: Int32Array, which: 'im' | 'mm',
): RequirementModel {
  const H = instruments.length;
  const of = (r: AccountRequirement) => (which === 'im' ? r.im : r.mm);
  const base = of(whatIf(a, []));
  const terms: ConvexTerm[] = [];
  instruments.forEach((i, h) => {
    const value = ctx.out.value.array[i];
    const sizes = new Set<number>([0]);
    const held = heldQuantity(ctx, a, i);
    for (const direction of [1, -1] as const) {
      // no trade takes the position out of the domain (|quantity| ≤ 1e12): sizes beyond that are never traded, and a
      // what-if there is refused (a bracket bound at a price near its smallest is 1e20 contracts away)
      const room = DOMAIN.quantity.max - direction * held;
      if (!(room > 0)) continue;
      const points = ruleBasedBreakpointsAt(ctx, i, held, direction).filter((s) => s <= room);
      for (const s of points) sizes.add(direction * s);
      // one step beyond the outermost point: the last piece's slope
      sizes.add(direction * Math.min(room, points.length > 0 ? 2 * points[points.length - 1] : 1));
    }
    const xs = [...sizes].sort((p, q) => p - q);
    const fs = xs.map((s) => (s === 0 ? 0 : of(whatIf(a, [{ instrument: i, quantity: s, price: value }])) - base));
    const n = xs.length - 1;
    const constants = new Float64Array(n), slopes = new Float64Array(n * H);
    for (let k = 0; k < n; k++) {
      const slope = (fs[k + 1] - fs[k]) / (xs[k + 1] - xs[k]);
      slopes[k * H + h] = slope;
      constants[k] = fs[k] - slope * xs[k];
    }
    terms.push({ label: `${ctx.layout.instruments.ids[i]} position ${which.toUpperCase()}`, constants, slopes });
  });
  return { hedges: H, terms, bounds: [{ label: `Σ position ${which.toUpperCase()}`, constant: base, terms: terms.map((_, term) => ({ term, coef: 1 })) }] };
}
