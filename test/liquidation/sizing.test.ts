/**
 * Choosing and sizing a step (src/liquidation/sizing.ts) on synthetic slack functions: the pure functions alone,
 * without an account. Every expected value is worked by hand in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { type CloseProbe, chooseClose, sizeClose, smallShortfallClose } from '../../src/liquidation/sizing.js';

/** A tryClose over a slack function of q (MM fixed at `mm`). */
const over = (slack: (q: number) => number, mm = 0) => (q: number) => ({ slack: slack(q), mm });

describe('sizeClose', () => {
  it('finds the root of a linear slack: S(q) = −59 + 410q → q = 59/410', () => {
    // the cases.test.ts long: S(q) = 400 − 100q − 1.02·(450 − 500q) = −59 + 410q
    const S = (q: number) => -59 + 410 * q;
    const q = sizeClose(1, S(0), S(1), 1e-9, over(S));
    expect(q).toBeCloseTo(59 / 410, 12);
    expect(S(q)).toBeGreaterThanOrEqual(0);
  });

  it('finds the root of a concave slack: S(q) = −10 + 4q − 0.25q² → q = 8 − 2√6', () => {
    // linear depth: the slippage of closing q grows as 0.25q²; roots of 0.25q² − 4q + 10 = 0: q = 8 ∓ √(64 − 40) = 8 ∓ 2√6
    const S = (q: number) => -10 + 4 * q - 0.25 * q * q;
    const q = sizeClose(5, S(0), S(5), 1e-9, over(S));
    expect(q).toBeCloseTo(8 - 2 * Math.sqrt(6), 9);
    expect(S(q)).toBeGreaterThanOrEqual(0);
  });

  it('returns the whole cap when even the cap leaves the slack below 0', () => {
    const S = (q: number) => -100 + q; // S(10) = −90
    expect(sizeClose(10, S(0), S(10), 1e-9, over(S))).toBe(10);
  });

  it('sizes a short (negative cap) the same way: S(q) = −3 − 2q → q = −1.5', () => {
    const S = (q: number) => -3 - 2 * q;
    expect(sizeClose(-4, S(0), S(-4), 1e-9, over(S))).toBeCloseTo(-1.5, 12);
  });
});

describe('smallShortfallClose', () => {
  it('closes the whole holding under the threshold unless that raises MM', () => {
    // shortfall 10 < 50: the whole holding (8), as long as MM after it (100) is not above MM before (120)
    expect(smallShortfallClose(8, 2, -10, 120, 50, () => ({ slack: 5, mm: 100 }))).toBe(8);
    expect(smallShortfallClose(8, 2, -10, 120, 50, () => ({ slack: 5, mm: 130 }))).toBeNull();
    // shortfall 60 ≥ 50: the rule does not apply
    expect(smallShortfallClose(8, 2, -60, 120, 50, () => ({ slack: 5, mm: 100 }))).toBeNull();
  });
});

describe('chooseClose', () => {
  const probe = (p: Partial<CloseProbe>): CloseProbe => ({ cap: 1, slack: 0, mm: 0, cost: 1, notional: 1, linear: 2, tolerance: 0, ...p });

  it('prefers the most slack gained per dollar of cost, and never a close that raises MM', () => {
    // from slack −100, MM 50: holding 0 gains 60 for 30 (2/USD), holding 1 gains 90 for 30 (3/USD) but raises MM to 60,
    // holding 2 gains 40 for 10 (4/USD): holding 2
    const probes = [probe({ slack: -40, mm: 40, cost: 30 }), probe({ slack: -10, mm: 60, cost: 30 }), probe({ slack: -60, mm: 45, cost: 10, cap: 3 })];
    expect(chooseClose(3, (k) => probes[k], 50, -100, 'efficiency')).toMatchObject({ holding: 2, cap: 3, restores: true, capSlack: -60 });
    // largest-notional: the largest notional among those that help
    probes[0].notional = 500;
    expect(chooseClose(3, (k) => probes[k], 50, -100, 'largest-notional')?.holding).toBe(0);
  });

  it('falls back to the close that lowers MM most per dollar when no close raises the slack; null when none lowers MM', () => {
    // both lose slack; holding 0 releases 10 of MM for 20 (0.5/USD), holding 1 releases 30 for 20 (1.5/USD)
    const probes = [probe({ slack: -120, mm: 40, cost: 20 }), probe({ slack: -110, mm: 20, cost: 20, cap: 7 })];
    expect(chooseClose(2, (k) => probes[k], 50, -100, 'efficiency')).toMatchObject({ holding: 1, cap: 7, restores: false });
    expect(chooseClose(2, () => probe({ slack: -120, mm: 50 }), 50, -100, 'efficiency')).toBeNull();
    expect(chooseClose(2, () => null, 50, -100, 'efficiency')).toBeNull();
  });
});
