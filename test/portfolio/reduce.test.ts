import { beforeAll, describe, expect, test } from 'vitest';
import type { PortfolioKernels, ReduceInput } from '../../src/kernels/portfolio.js';
import { mulberry32 } from '../support/random.js';
import { kernelScenarioCount } from '../../src/methods/engines/scenario-grid/scenarios.js';
import { firstBitDifference, portfolioBackends, randomReduceInput } from './support.js';

let backends: PortfolioKernels[];
beforeAll(async () => {
  backends = await portfolioBackends();
});

describe('portfolio reduction kernel', () => {
  test('hand-computed: worst weighted loss, first index on ties, floored at 0', () => {
    // rows: r0 = [1, -2, 3, -2, 0], r1 = [0.5, 0.5, 0.5, 0.5, -10]; weights [1, 1, 1, 1, 0.1]
    // group 0: 2·r0 − r1 = [1.5, −4.5, 5.5, −4.5, 10] → losses [−1.5, 4.5, −5.5, 4.5, −1]: worst 4.5 at s = 1 (tie with s = 3)
    // group 1: r1 → losses [−.5, −.5, −.5, −.5, 10·0.1 = 1]: worst 1 at s = 4 (a tail)
    // group 2: −r1 + r1·1 = 0 everywhere → losses −0 → worst +0 at s = 0
    // group 3: no slots → +0 at s = 0
    const input: ReduceInput = {
      groupStart: Int32Array.of(0, 2, 3, 5), groupEnd: Int32Array.of(2, 3, 5, 5), groupUnderlying: Int32Array.of(0, 0, 0, 0),
      slotRow: Int32Array.of(0, 1, 1, 1, 1), slotScale: Float64Array.of(2, -1, 1, -1, 1),
      riskArray: Float64Array.of(1, -2, 3, -2, 0, 0.5, 0.5, 0.5, 0.5, -10),
      weight: Float64Array.of(1, 1, 1, 1, 0.1),
    };
    for (const b of backends) {
      const r = b.reduce(input, 5);
      expect(Array.from(r.worstLoss)).toEqual([4.5, 1, 0, 0]);
      expect(Object.is(r.worstLoss[2], 0)).toBe(true);
      expect(Array.from(r.worstScenario)).toEqual([1, 4, 0, 0]);
    }
  });

  test('a non-finite P&L gives NaN and scenario −1', () => {
    const input: ReduceInput = {
      groupStart: Int32Array.of(0), groupEnd: Int32Array.of(1), groupUnderlying: Int32Array.of(0),
      slotRow: Int32Array.of(0), slotScale: Float64Array.of(1e300),
      riskArray: Float64Array.of(1, -1e300, 2, 3), weight: Float64Array.of(1, 1, 1, 1),
    };
    for (const b of backends) {
      const r = b.reduce(input, 4);
      expect(r.worstLoss[0]).toBeNaN();
      expect(r.worstScenario[0]).toBe(-1);
    }
  });

  test('WASM SIMD, WASM scalar and JS agree bit for bit', () => {
    const rnd = mulberry32(99);
    for (const nS of [1, 2, 3, 15, 16, 17, 32, 33, 48, 63, 64, 200]) {
      const input = randomReduceInput(300, 40, 3, nS, rnd);
      const [ref, ...others] = backends.map((b) => b.reduce(input, nS));
      for (const o of others) {
        expect(firstBitDifference(ref.worstLoss, o.worstLoss)).toBe(-1);
        expect(Array.from(o.worstScenario)).toEqual(Array.from(ref.worstScenario));
      }
    }
  });

  test('16-scenario passes: first index across and within chunks, −0 vs +0, non-finite and overflowing sums', () => {
    // One slot of scale 1 per group, so loss[s] = −row[s] (weights 1), S = 48 = three SIMD passes.
    const S = 48;
    const rows: number[][] = [];
    const row = (f: (s: number) => number) => rows.push(Array.from({ length: S }, (_, s) => f(s))) - 1;
    const tieAcross = row((s) => (s === 20 || s === 40 ? -7 : s === 3 ? -5 : 1)); // max 7 first at s = 20 (chunk 1), again at 40
    const tieWithin = row((s) => (s === 37 || s === 45 ? -9 : 0)); // max 9 at s = 37, lane 5 of chunk 2
    const lastOnly = row((s) => (s === 47 ? -2 : 2)); // max 2 at the very last scenario
    const zeros = row((s) => (s < 17 ? 0 : 1)); // losses −0 for s < 17, −1 after: max is −0 at s = 0 → worst +0
    const infLater = row((s) => (s === 33 ? Number.NEGATIVE_INFINITY : 1)); // loss +∞ in chunk 2 → NaN, −1
    const nanFirst = row((s) => (s === 0 ? NaN : 1)); // NaN at s = 0 → NaN, −1
    // finite losses of 1e308 each: their sum overflows, the maximum is still finite: 1.5e308 at s = 30
    const overflow = row((s) => (s === 30 ? -1.5e308 : -1e308));
    const input: ReduceInput = {
      groupStart: Int32Array.from(rows, (_, g) => g), groupEnd: Int32Array.from(rows, (_, g) => g + 1), groupUnderlying: new Int32Array(rows.length),
      slotRow: Int32Array.from(rows, (_, g) => g), slotScale: new Float64Array(rows.length).fill(1),
      riskArray: Float64Array.from(rows.flat()), weight: new Float64Array(S).fill(1),
    };
    for (const b of backends) {
      const r = b.reduce(input, S);
      expect(Array.from(r.worstScenario)).toEqual([20, 37, 47, 0, -1, -1, 30]);
      expect(Array.from(r.worstLoss.subarray(0, 4))).toEqual([7, 9, 2, 0]);
      expect(Object.is(r.worstLoss[zeros], 0)).toBe(true);
      expect(r.worstLoss[infLater]).toBeNaN();
      expect(r.worstLoss[nanFirst]).toBeNaN();
      expect(r.worstLoss[overflow]).toBe(1.5e308);
    }
    expect([tieAcross, tieWithin, lastOnly]).toEqual([0, 1, 2]);
  });

  test('padding with copies of scenario 0 (kernelScenarioCount) leaves every result unchanged', () => {
    expect([63, 64, 51, 16, 17, 1, 1000].map(kernelScenarioCount)).toEqual([64, 64, 52, 16, 18, 2, 1008]);
    const rnd = mulberry32(7);
    for (const nS of [63, 51, 17, 1, 200]) {
      const input = randomReduceInput(400, 30, 3, nS, rnd);
      const P = kernelScenarioCount(nS);
      const pad = (a: Float64Array) => {
        const out = new Float64Array((a.length / nS) * P);
        for (let r = 0; r < a.length / nS; r++) {
          out.set(a.subarray(r * nS, (r + 1) * nS), r * P);
          out.fill(a[r * nS], r * P + nS, (r + 1) * P);
        }
        return out;
      };
      const padded: ReduceInput = { ...input, riskArray: pad(input.riskArray), weight: pad(input.weight) };
      for (const b of backends) {
        const want = b.reduce(input, nS), got = b.reduce(padded, P);
        expect(firstBitDifference(got.worstLoss, want.worstLoss)).toBe(-1);
        expect(Array.from(got.worstScenario)).toEqual(Array.from(want.worstScenario));
      }
    }
  });

  test('rejects slot and row indices outside the arrays', () => {
    const input = randomReduceInput(3, 4, 1, 5, mulberry32(1));
    for (const b of backends) {
      expect(() => b.reduce({ ...input, slotRow: input.slotRow.map(() => 9) }, 5)).toThrow(RangeError);
      expect(() => b.reduce({ ...input, groupUnderlying: Int32Array.of(0, 0, 1) }, 5)).toThrow(RangeError);
    }
  });
});
