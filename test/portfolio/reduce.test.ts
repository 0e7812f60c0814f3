import { beforeAll, describe, expect, test } from 'vitest';
import type { PortfolioKernels, ReduceInput } from '../../src/kernels/wasm/portfolio.js';
import { mulberry32 } from '../support/random.js';
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
    for (const nS of [1, 2, 3, 15, 16, 17, 33, 63, 200]) {
      const input = randomReduceInput(300, 40, 3, nS, rnd);
      const [ref, ...others] = backends.map((b) => b.reduce(input, nS));
      for (const o of others) {
        expect(firstBitDifference(ref.worstLoss, o.worstLoss)).toBe(-1);
        expect(Array.from(o.worstScenario)).toEqual(Array.from(ref.worstScenario));
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
