/**
 * The kernels evaluate a tiered schedule as cum_b + (x − lower_b)·rate_b, with b found by a
 * branch-free binary search over a padded row (src/margin/param-layout.ts). That must equal, to the
 * bit, the rule as written: walk the brackets in order adding rate × (part of x in the bracket).
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { bracketOf } from '../src/kernels/js/margin.js';
import { HeapAllocator } from '../src/memory/allocators.js';
import { DEFAULT_RULE_BASED_PARAMS, type RateBracket } from '../src/margin/params.js';
import { ParamLayout } from '../src/margin/param-layout.js';

/** The rule as written in src/margin/params.ts, bracket by bracket. */
function marginalSum(x: number, brackets: RateBracket[], rate: 'imRate' | 'mmRate'): number {
  let total = 0.0;
  let lower = 0.0;
  for (const b of brackets) {
    const part = (x < b.upTo ? x : b.upTo) - lower;
    if (part <= 0.0) break;
    total = total + part * b[rate];
    lower = b.upTo;
  }
  return total;
}

function viaLayout(layout: ParamLayout, asset: number, x: number, rate: 'imRate' | 'mmRate'): number {
  const s = layout.linear;
  const b = bracketOf(x, asset * layout.linStride, layout.linStride, s.upTo.array);
  const [cum, r] = rate === 'imRate' ? [s.cumA.array, s.rateA.array] : [s.cumB.array, s.rateB.array];
  return cum[b] + (x - s.lower.array[b]) * r[b];
}

const schedule = fc
  .uniqueArray(fc.double({ min: 1, max: 1e9, noNaN: true }), { minLength: 0, maxLength: 15 })
  .chain((bounds) =>
    fc.tuple(
      fc.constant([...bounds].sort((a, b) => a - b)),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: bounds.length + 1, maxLength: bounds.length + 1 }),
    ),
  )
  .map(([bounds, rates]) => rates.map(([im, mm], j) => ({ upTo: j < bounds.length ? bounds[j] : Infinity, imRate: im, mmRate: mm })));

test('bracket lookup equals the marginal sum to the bit: random schedules of 1–16 brackets, amounts on and between bounds', () => {
  fc.assert(
    fc.property(schedule, fc.array(fc.double({ min: 0, max: 2e9, noNaN: true }), { maxLength: 20 }), (brackets, amounts) => {
      const layout = new ParamLayout(new HeapAllocator(), ['X', 'Y'], { ...DEFAULT_RULE_BASED_PARAMS, linear: { X: brackets, default: DEFAULT_RULE_BASED_PARAMS.linear.BTC } });
      const bounds = brackets.map((b) => b.upTo).filter(Number.isFinite);
      for (const x of [0, ...amounts, ...bounds, ...bounds.map((b) => b * (1 + 2 ** -52)), ...bounds.map((b) => b * (1 - 2 ** -53))]) {
        for (const rate of ['imRate', 'mmRate'] as const) {
          expect(viaLayout(layout, 0, x, rate)).toBe(marginalSum(x, brackets, rate));
          expect(viaLayout(layout, 1, x, rate)).toBe(marginalSum(x, DEFAULT_RULE_BASED_PARAMS.linear.BTC, rate));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('the all-zero row that options use yields exactly zero, and a 17-bracket schedule is refused', () => {
  const layout = new ParamLayout(new HeapAllocator(), ['BTC'], DEFAULT_RULE_BASED_PARAMS);
  const row = layout.zeroRow;
  const b = bracketOf(1e12, row, layout.linStride, layout.linear.upTo.array);
  expect(b).toBe(row);
  expect(layout.linear.cumA.array[b] + (1e12 - layout.linear.lower.array[b]) * layout.linear.rateA.array[b]).toBe(0);
  const tooMany = Array.from({ length: 17 }, (_, j) => ({ upTo: j < 16 ? (j + 1) * 1000 : Infinity, imRate: 0.1, mmRate: 0.05 }));
  expect(() => new ParamLayout(new HeapAllocator(), ['BTC'], { ...DEFAULT_RULE_BASED_PARAMS, linear: { default: tooMany } })).toThrow(/at most 16/);
});
