/**
 * bench/machine-speed.ts: the summary of benchmark windows timed beside the reference loop (hand-computed cases).
 */
import { describe, expect, test } from 'vitest';
import { FULL_SPEED, referenceMicros, summarise, windowsWithReference } from '../../bench/machine-speed.js';

describe('summarise', () => {
  test('full speed: the windows whose reference is within FULL_SPEED of the fastest; medians, count and spread', () => {
    const s = summarise([
      { median: 30, referenceUs: 50 },
      { median: 55, referenceUs: 100 },
      { median: 34, referenceUs: 54 }, // 54 ≤ 1.1 × 50
      { median: 60, referenceUs: 104 },
      { median: 58, referenceUs: 56 }, // 56 > 55: not full speed
    ]);
    expect(FULL_SPEED).toBe(1.1);
    expect(s.windows).toBe(5);
    expect(s.fullSpeedWindows).toBe(2);
    expect(s.fullSpeedMedian).toBe(30); // lower median of [30, 34]
    expect(s.median).toBe(55); // median of [30, 34, 55, 58, 60]
    expect(s.referenceSpread).toBeCloseTo(104 / 50, 12);
  });

  test('one window: it is the fastest, at full speed', () => {
    const s = summarise([{ median: 7, referenceUs: 3 }]);
    expect(s).toEqual({ median: 7, fullSpeedMedian: 7, fullSpeedWindows: 1, windows: 1, referenceSpread: 1 });
  });
});

test('windowsWithReference times every call and runs the reference between them', () => {
  let calls = 0;
  const s = windowsWithReference(3, 4, () => ++calls);
  expect(calls).toBe(12);
  expect(s.windows).toBe(3);
  expect(s.median).toBe(6); // window medians (lower) 2, 6, 10
  expect(referenceMicros()).toBeGreaterThan(0);
});
