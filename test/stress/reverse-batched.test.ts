/**
 * The reverse search with several probes at once (src/stress/reverse.ts `reverseProbes`, as the worker threads run it):
 * the answer, its bits and `evaluations` are those of one probe at a time, on bad-debt curves that are not monotone;
 * the batches are fewer, hand-counted on a straight line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BadDebtAt, largestScale, type ProbeBatch, type ReverseSearch, reverseProbes, reverseSearch } from '../../src/stress/reverse.js';
import type { ShockStep } from '../../src/stress/shock.js';

/** X −10% in one step: the grid step in λ is 0.005 / 0.1 = 0.05, the largest λ just short of 10 (a fall of 100%). */
const steps: ShockStep[] = [{ label: 'X −10%', move: { returns: new Map([['X', -0.1]]), volShift: new Map() } }];

type Curve = (lambda: number, stopAbove?: number) => BadDebtAt;

/** Drives the search `width` probes at a time, recording every batch. */
function batched(threshold: number, width: number, curve: Curve): { result: ReverseSearch; batches: ProbeBatch[] } {
  const batches: ProbeBatch[] = [];
  const probes = reverseProbes(steps, threshold, width);
  for (let next = probes.next(); ; ) {
    if (next.done) return { result: next.value, batches };
    const batch = next.value;
    batches.push(batch);
    next = probes.next(batch.lambdas.map((l) => curve(l, batch.stopAbove)));
  }
}

describe('reverse search, several probes at once', () => {
  it('a straight line: width 2 halves the batches (8 scan points in 4, 8 bisections in 4) for the same answer', () => {
    // bad debt 100·λ crosses 33 at λ = 0.33: the scan probes 0, 0.05, …, 0.35 (8 points, 0.35 the first above), then
    // bisects [0.30, 0.35] to a width ≤ 0.1% of λ: 0.05 / 2^8 = 0.000195 ≤ 0.00033 < 0.05 / 2^7, 8 midpoints
    const line: Curve = (l) => ({ badDebt: 100 * l, whole: true });
    const one = reverseSearch(steps, 33, line);
    expect(one.evaluations).toBe(16);
    const two = batched(33, 2, line);
    expect(two.result).toEqual(one);
    // the line's interpolation is the crossing itself: every speculative midpoint is on the path
    expect(two.batches.map((b) => b.lambdas.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(two.batches.slice(0, 4).flatMap((b) => b.lambdas)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => k * (0.005 / 0.1)));
    expect(two.batches.every((b) => b.stopAbove === 33)).toBe(true);
    // width 1 asks exactly what reverseSearch asks
    expect(batched(33, 1, line).batches.map((b) => b.lambdas.length)).toEqual(new Array(16).fill(1));
  });

  it('a speculative midpoint off the path is dropped: not counted, not used', () => {
    // the line between the bracket's ends puts the crossing low, the step puts it high: the first guess is wrong
    const step: Curve = (l) => ({ badDebt: l >= 0.348 ? 40 : 0, whole: true });
    const one = reverseSearch(steps, 33, step);
    const two = batched(33, 2, step);
    expect(two.result).toEqual(one);
    const asked = two.batches.flatMap((b) => b.lambdas).length;
    expect(asked).toBeGreaterThan(one.evaluations); // some probes were off the path
    expect(two.batches.length).toBeLessThan(one.evaluations);
  });

  it('the answer\'s whole cascade when its probe stopped, and λ = 0 when the unshocked book crosses', () => {
    // round 1 leaves 100·λ, round 2 10·λ more from λ = 0.5 on: 33 is crossed at 0.33 in round 1, where a probe stops
    const stopping: Curve = (l, stopAbove) => (stopAbove !== undefined && 100 * l > stopAbove ? { badDebt: 100 * l, whole: false } : { badDebt: 100 * l + (l >= 0.5 ? 10 * l : 0), whole: true });
    const one = reverseSearch(steps, 33, stopping);
    const two = batched(33, 3, stopping);
    expect(two.result).toEqual(one);
    expect(two.batches[two.batches.length - 1]).toEqual({ lambdas: [one.scale] }); // no stopAbove: the whole cascade
    const crossed: Curve = (_l, stopAbove) => (stopAbove !== undefined ? { badDebt: 1, whole: false } : { badDebt: 3, whole: true });
    const zero = batched(0.5, 2, crossed);
    expect(zero.result).toEqual(reverseSearch(steps, 0.5, crossed));
    expect(zero.result).toMatchObject({ scale: 0, badDebt: 3, badDebtBelow: 3, evaluations: 1 });
    expect(zero.batches).toEqual([{ lambdas: [0, 0.005 / 0.1], stopAbove: 0.5 }, { lambdas: [0] }]);
  });

  it('no crossing up to the largest λ: null at every width, the last batch cut at the largest λ', () => {
    const low: Curve = (l) => ({ badDebt: l, whole: true });
    const one = reverseSearch(steps, 1e6, low);
    expect(one.scale).toBeNull();
    for (const width of [2, 3, 7]) {
      const run = batched(1e6, width, low);
      expect(run.result).toEqual(one);
      const last = run.batches[run.batches.length - 1].lambdas;
      expect(last[last.length - 1]).toBe(largestScale(steps));
    }
  });

  it('property: on curves that are not monotone, every width gives the bits and evaluations of width 1', () => {
    // bad debt a sum of bumps in λ (a deeper shock can leave less), some probes stopping early above the threshold
    const bump = fc.record({ at: fc.double({ min: 0, max: 10, noNaN: true }), height: fc.double({ min: 0, max: 100, noNaN: true }), width: fc.double({ min: 0.001, max: 3, noNaN: true }) });
    fc.assert(fc.property(fc.array(bump, { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 150, noNaN: true }), fc.integer({ min: 2, max: 6 }), (bumps, threshold, width) => {
      const curve: Curve = (l, stopAbove) => {
        let v = 0;
        for (const b of bumps) v += b.height * Math.exp(-(((l - b.at) / b.width) ** 2));
        return stopAbove !== undefined && v > stopAbove ? { badDebt: 0.9 * v + 0.1 * stopAbove, whole: false } : { badDebt: v, whole: true };
      };
      const one = reverseSearch(steps, threshold, curve);
      const many = batched(threshold, width, curve);
      expect(many.result).toEqual(one);
      expect(many.batches.every((b) => b.lambdas.length >= 1 && b.lambdas.length <= width)).toBe(true);
    }), { numRuns: 300 });
  });
});
