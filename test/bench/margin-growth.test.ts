/** bench margin-growth's goals (bench/margin-growth.ts): the largest book's run against the run a tenth its size, and its peak RSS. */
import { describe, expect, it } from 'vitest';
import { type GrowthResult, growthGoals, marginGrowthHeadline } from '../../bench/margin-growth.js';

const row = (accounts: number, method: string, backend: string, wallMs: number, cpuMs: number, peakRssMb: number) =>
  ({ accounts, positions: 20, method, backend, wallMs, cpuMs, peakRssMb, reportBytes: 1, load: [1, 1] as [number, number] });

describe('margin-growth goals', () => {
  const result: GrowthResult = {
    positions: 20,
    generated: [],
    rows: [
      row(100_000, 'cross', 'wasm-simd', 400, 350, 260), row(100_000, 'cross', 'js', 500, 450, 260),
      row(1_000_000, 'cross', 'wasm-simd', 4_000, 3_000, 400), row(1_000_000, 'cross', 'js', 5_000, 4_500, 410),
      row(10_000_000, 'cross', 'wasm-simd', 30_000, 33_000, 900), row(10_000_000, 'cross', 'js', 52_000, 45_000, 1_600),
    ],
  };

  it('compare the largest book with the book a tenth its size: 30 s / 4 s = 7.5× met; 52 s / 5 s = 10.4× and 1,600 MB not', () => {
    expect(growthGoals(result)).toEqual([
      { method: 'cross', backend: 'wasm-simd', accounts: 10_000_000, wallRatio: 7.5, cpuRatio: 11, peakRssMb: 900, timeMet: true, memoryMet: true },
      { method: 'cross', backend: 'js', accounts: 10_000_000, wallRatio: 10.4, cpuRatio: 10, peakRssMb: 1_600, timeMet: false, memoryMet: false },
    ]);
  });

  it('the headline row is judged on WASM, with both backends\' figures', () => {
    expect(marginGrowthHeadline(result)).toEqual([{
      work: '10,000,000 accounts × 20, book.arrow to Arrow report, cross (time against a tenth the book, peak RSS)',
      wasm: '30.0 s (7.5×), 900 MB', js: '52.0 s (10.4×), 1600 MB', target: '≤ 10×, ≤ 1.5 GB', met: true,
    }]);
  });
});
