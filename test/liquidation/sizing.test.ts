/**
 * Choosing and sizing a step (src/liquidation/sizing.ts) on synthetic slack functions: the pure functions alone,
 * without an account. Every expected value is worked by hand in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { type CloseProbe, chooseClose, smallestRoot } from '../../src/liquidation/sizing.js';

/**
 * A tryClose over a slack function of q, MM `mm(q)` (0 by default), counting its calls; with `cost`, each trial gives
 * the close's execution cost (the piece bound of smallest-root.ts may then prove pieces empty).
 */
function over(slack: (q: number) => number, mm: (q: number) => number = () => 0, cost?: (q: number) => number) {
  const f = (q: number) => {
    f.calls++;
    return cost === undefined ? { slack: slack(q), mm: mm(q) } : { slack: slack(q), mm: mm(q), executionCost: cost(Math.abs(q)) };
  };
  f.calls = 0;
  return f;
}

const TOL = 1e-9;

describe('smallestRoot', () => {
  it('finds the root of a linear slack: S(q) = −59 + 410q → q = 59/410', () => {
    // the cases.test.ts long: S(q) = 400 − 100q − 1.02·(450 − 500q) = −59 + 410q
    const S = (q: number) => -59 + 410 * q;
    const q = smallestRoot(1, S(0), TOL, 0, over(S))!;
    expect(q).toBeCloseTo(59 / 410, 12);
    expect(S(q)).toBeGreaterThanOrEqual(0);
    expect(S(q)).toBeLessThanOrEqual(TOL);
  });

  it('finds the smaller root of a slack that rises and falls again before the cap (concave impact)', () => {
    // S(q) = −3.6 + 3.58q − 0.175q² (long 20 X at 100, 78 USDC, MM 4%, fee 0.5%, linear depth 0.35 per unit):
    // roots (3.58 ∓ √(3.58² − 4·0.175·3.6)) / 0.35 = 1.06057… and 19.39…; S(20) = −3.6 + 71.6 − 70 = −2 < 0.
    // Concave on [0, 20], below 0 at both ends: the golden-section search meets a point ≥ 0 and refines below it.
    const S = (q: number) => -3.6 + 3.58 * q - 0.175 * q * q;
    const root = (3.58 - Math.sqrt(3.58 ** 2 - 4 * 0.175 * 3.6)) / 0.35;
    const q = smallestRoot(20, S(0), TOL, 0, over(S))!;
    expect(q).toBeCloseTo(root, 9); // S within 1e-9 of 0: q within 1e-9 / S′(root) = 1e-9 / 3.21
    expect(S(q)).toBeGreaterThanOrEqual(0);
    expect(S(q)).toBeLessThanOrEqual(TOL);
  });

  it('finds the first of two humps, concave between the breakpoints given: S > 0 on [2, 3] and again on [6, 8]', () => {
    // S(q) = 1 − (q − 2.5)²·4 on [0, 4.5], then 1 − (q − 7)² beyond: roots 2, 3, 6, 8; the smallest is 2
    const S = (q: number) => (q < 4.5 ? 1 - 4 * (q - 2.5) ** 2 : 1 - (q - 7) ** 2);
    expect(smallestRoot(8, S(0), TOL, 0, over(S), undefined, Infinity, [4.5])).toBeCloseTo(2, 9);
  });

  it('finds a root interval narrower than any scan step, strictly inside a concave piece', () => {
    // S(q) = 1e-6 − (q − 0.61803)² on [0, 1]: S ≥ 0 on [0.61703, 0.61903] only, a thousandth of the interval, below 0
    // at both ends; the golden-section search for the maximum meets it, and the first crossing is 0.61803 − 0.001
    const S = (q: number) => 1e-6 - (q - 0.61803) ** 2;
    expect(smallestRoot(1, S(0), 1e-15, 0, over(S))).toBeCloseTo(0.61703, 9);
  });

  it('proves no root from concavity: a slack whose maximum is −1e-6, with few trials', () => {
    // S(q) = −1e-6 − (q − 0.3)²: concave, below 0 everywhere; the chords' extensions bound it below 0 before the
    // golden-section search has shrunk the interval to doubles
    const S = (q: number) => -1e-6 - (q - 0.3) ** 2;
    const f = over(S);
    expect(smallestRoot(1, S(0), TOL, 0, f)).toBeNull();
    expect(f.calls).toBeLessThan(60);
  });

  it('counts a slack within the tolerance of 0 at the limit as restoring (a close in full, its fee capped at the surplus)', () => {
    // S(q) = −1 + q − 1e-12 on [0, 1]: at the limit −1e-12 (rounding of an exact 0), within the tolerance
    const S = (q: number) => -1 + q - 1e-12;
    expect(smallestRoot(1, S(0), TOL, 0, over(S))).toBe(1);
    // but the limit is the answer only when no smaller close reaches 0
    // T(q) = 0.01 − 1e-12 − (q − 0.9)²: −1e-12 at q = 1 as well, but ≥ 0 from 0.9 − √(0.01 − 1e-12) ≈ 0.8 on
    const T = (q: number) => 0.01 - 1e-12 - (q - 0.9) ** 2;
    expect(smallestRoot(1, T(0), TOL, 0, over(T))).toBeCloseTo(0.8, 8);
  });

  it('hits the target to the tolerance, however steep the slack', () => {
    // S(q) = −1 + 10⁶·q³ (root 0.01): S is within 1e-9 of 0 at the answer
    const S = (q: number) => -1 + 1e6 * q ** 3;
    const q = smallestRoot(1, S(0), TOL, 0, over(S))!;
    expect(q).toBeCloseTo(0.01, 12);
    expect(S(q)).toBeGreaterThanOrEqual(0);
    expect(S(q)).toBeLessThanOrEqual(TOL);
  });

  it('stops at the jump of a discontinuous slack, on its upper side', () => {
    // S = −1 below q = 0.3, +5 from it: no q has S ∈ [0, 1e-9]; the answer is the smallest double with S ≥ 0
    const S = (q: number) => (q < 0.3 ? -1 : 5);
    expect(smallestRoot(1, S(0), TOL, 0, over(S))).toBe(0.3);
  });

  it('never counts a point that raises MM: S ≥ 0 from q = 0.5, MM above the base until q = 0.75', () => {
    const S = (q: number) => -1 + 2 * q;
    const mm = (q: number) => (q < 0.75 ? 11 : 9);
    expect(smallestRoot(1, S(0), TOL, 10, over(S, mm))).toBeCloseTo(0.75, 12);
  });

  it('null when no close reaches the target', () => {
    // S(q) = −10 + 8q − 2q² on (0, 4]: at most −2 (q = 2)
    const S = (q: number) => -10 + 8 * q - 2 * q * q;
    expect(smallestRoot(4, S(0), TOL, 0, over(S))).toBeNull();
  });

  it('sizes a short (negative limit) the same way: S(q) = −3 − 2q → q = −1.5', () => {
    const S = (q: number) => -3 - 2 * q;
    expect(smallestRoot(-4, S(0), TOL, 0, over(S))).toBeCloseTo(-1.5, 12);
  });

  it('uses the known slack at the limit instead of trying it again', () => {
    const S = (q: number) => -1 + q;
    const f = over(S);
    smallestRoot(1, S(0), TOL, 0, f, { slack: S(1), mm: 0 });
    expect(f.calls).toBeLessThan(60);
    const g = over(S);
    smallestRoot(1, S(0), TOL, 0, g);
    expect(g.calls).toBe(f.calls + 1);
  });
});

describe('smallestRoot: pieces proved empty from the costs at their ends', () => {
  // A position of 10 closed in q: the slack before costs L(q) rises 3 per unit to the tier edge at 4, then 2 per unit
  // (L(4) = −8, L(10) = 4); slippage cost(q) = 0.5q², so S(q) = L(q) − cost(q). No fee: S is its own slack before fee.
  // The whole interval's bound, L(10) − cost(0) = 4, proves nothing; the pieces' do.
  const L = (q: number) => (q <= 4 ? -20 + 3 * q : -8 + 2 * (q - 4));
  const cost = (q: number) => 0.5 * q * q;
  const S = (q: number) => L(q) - cost(q);

  it('proves both pieces empty from the trials at the breakpoint and the limit alone', () => {
    // by hand: on [0, 4] S ≤ L(4) − cost(0) = −8 (its maximum S(3) = −15.5); on [4, 10] S ≤ L(10) − cost(4) = 4 − 8 = −4
    // (its maximum S(4) = −16, as S′ = 2 − q < 0 there): no root, and the bounds say so from the trials at 10 and 4 only
    const withCosts = over(S, () => 0, cost), without = over(S);
    expect(smallestRoot(10, S(0), TOL, 0, withCosts, undefined, Infinity, [4])).toBeNull();
    expect(smallestRoot(10, S(0), TOL, 0, without, undefined, Infinity, [4])).toBeNull();
    expect(withCosts.calls).toBe(2);
    expect(without.calls).toBeGreaterThan(2);
  });

  it('finds the same root, to the bit, when a later piece holds it', () => {
    // L rises 5 per unit past the edge instead, and cost(q) = 0.1q²: on [0, 4] S ≤ L(4) = −8 (proved empty); on
    // [4, 10] S(10) = −8 + 30 − 10 = 12 ≥ 0, the root of 0.1q² − 5q + 28 = 0: q = (5 − √13.8) / 0.2 = 6.4258…
    const L2 = (q: number) => (q <= 4 ? -20 + 3 * q : -8 + 5 * (q - 4));
    const c2 = (q: number) => 0.1 * q * q;
    const S2 = (q: number) => L2(q) - c2(q);
    const withCosts = over(S2, () => 0, c2), without = over(S2);
    const q = smallestRoot(10, S2(0), TOL, 0, withCosts, undefined, Infinity, [4]);
    expect(q).toBe(smallestRoot(10, S2(0), TOL, 0, without, undefined, Infinity, [4]));
    expect(q).toBeCloseTo((5 - Math.sqrt(13.8)) / 0.2, 8);
    expect(withCosts.calls).toBeLessThanOrEqual(without.calls);
  });

  it('searches a piece its bound cannot prove empty, and finds a root strictly inside it', () => {
    // one piece, no breakpoint: L(q) = −1 + q, cost(q) = 0.5q² on [0, 1.9]: S = −1 + q − 0.5q² ≤ −0.5 < 0 at q = 1 —
    // no root; with L(q) = −1 + 2.2q instead, S = −1 + 2.2q − 0.5q² has roots 0.5367… and 3.86…, S(1.9) = 1.375 > 0:
    // the bound L(1.9) − 0 = 3.18 proves nothing and the search refines the first root (2.2 − √2.84) / 1 = 0.51478…
    const S3 = (q: number) => -1 + 2.2 * q - 0.5 * q * q;
    const c3 = (q: number) => 0.5 * q * q;
    const q = smallestRoot(1.9, S3(0), TOL, 0, over(S3, () => 0, c3));
    expect(q).toBe(smallestRoot(1.9, S3(0), TOL, 0, over(S3)));
    expect(q).toBeCloseTo(2.2 - Math.sqrt(2.84), 8);
  });

  it('does not bound a piece whose cost is not given at both ends', () => {
    // the same empty pieces as the first case, the cost given only at the limit (the known outcome there): the
    // breakpoint's trial gives none, so the pieces are searched as without costs (the whole interval's bound, 4, proves
    // nothing either), with the same answer
    const noCost = over(S), plain = over(S);
    const atLimit = { slack: S(10), mm: 0, executionCost: cost(10) };
    expect(smallestRoot(10, S(0), TOL, 0, noCost, atLimit, Infinity, [4])).toBeNull();
    expect(smallestRoot(10, S(0), TOL, 0, plain, { slack: S(10), mm: 0 }, Infinity, [4])).toBeNull();
    expect(noCost.calls).toBe(plain.calls);
  });
});

describe('chooseClose', () => {
  const probe = (p: Partial<CloseProbe>): CloseProbe => ({ cap: 1, slack: 0, mm: 0, fee: 0, beforeFee: p.slack ?? 0, nominalFee: 0, feeCap: 0, share: 1, executionCost: Number.NaN, cost: 1, notional: 1, linear: 2, ...p });

  it('prefers the most slack gained per dollar of cost, and never a close that raises MM', () => {
    // from slack −100, MM 50: holding 0 gains 60 for 30 (2/USD), holding 1 gains 90 for 30 (3/USD) but raises MM to 60,
    // holding 2 gains 40 for 10 (4/USD): holding 2
    const probes = [probe({ slack: -40, mm: 40, cost: 30 }), probe({ slack: -10, mm: 60, cost: 30 }), probe({ slack: -60, mm: 45, cost: 10, cap: 3 })];
    expect(chooseClose(3, (k) => probes[k], 50, -100, 'efficiency')).toMatchObject({ holding: 2, cap: 3, gains: true, capSlack: -60, capMm: 45, capFee: 0 });
    // largest-notional: the largest notional among those that help
    probes[0].notional = 500;
    expect(chooseClose(3, (k) => probes[k], 50, -100, 'largest-notional')?.holding).toBe(0);
  });

  it('falls back to the close that lowers MM most per dollar when no close raises the slack; null when none lowers MM', () => {
    // both lose slack; holding 0 releases 10 of MM for 20 (0.5/USD), holding 1 releases 30 for 20 (1.5/USD)
    const probes = [probe({ slack: -120, mm: 40, cost: 20 }), probe({ slack: -110, mm: 20, cost: 20, cap: 7 })];
    expect(chooseClose(2, (k) => probes[k], 50, -100, 'efficiency')).toMatchObject({ holding: 1, cap: 7, gains: false });
    expect(chooseClose(2, () => probe({ slack: -120, mm: 50 }), 50, -100, 'efficiency')).toBeNull();
    expect(chooseClose(2, () => null, 50, -100, 'efficiency')).toBeNull();
  });
});
