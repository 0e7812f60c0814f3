/** The risk page's backtest view from a hand-made report: the chart's axes, breach ticks and the breaker's shading. */
import { describe, expect, it } from 'vitest';
import type { BacktestReport } from '../src/backtest/backtest.js';
import { backtestHtml, breakerIntervals, breakerNote, marginChartSvg } from '../web/backtest-view.js';

const coverage = { days: 8, breaches: 1, expectedRate: 0.01, kupiec: { lr: 1, pValue: 0.3 }, christoffersen: { lr: 0, pValue: 1, transitions: { n00: 6, n01: 1, n10: 0, n11: 0 } }, conditionalCoverage: { lr: 1, pValue: 0.6 } };
const procyclicality = { peakToTrough: 2, largest1Day: { ratio: 0.5, amount: 50, day: 2 }, largestNDay: { ratio: 1, amount: 100, day: 3 }, n: 30 };
const series = (m: number[], breaches: number[]) => ({ coverage, procyclicality, totalMargin: Float64Array.from(m), breaches: Int32Array.from(breaches) });
const report: BacktestReport = {
  method: 'portfolio', forecast: { model: 'ewma', lambda: 0.94, refitDays: null }, horizonDays: 1, periodsPerYear: 365, confidence: 0.99,
  dates: ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'], accounts: 2, volAnnual: {},
  series: { static: series([100, 100, 100, 100, 100], [0, 0, 0, 0, 0]), dynamic: series([50, 50, 150, 200, 100], [0, 1, 0, 0, 2]), apc: series([60, 60, 150, 200, 120], [0, 1, 0, 0, 0]) },
  apc: { tool: 'buffer', bindings: { buffer: 5, 'buffer-released': 0, 'stressed-weight': 0, 'lookback-floor': 0, 'speed-limit': 0, calculated: 0 } },
  circuitBreaker: {
    enabled: true, mmRate: { BTC: 0.128, ETH: 0.128 },
    events: [
      { day: 1, kind: 'trip', move: -0.2, asset: 'BTC', date: '2026-01-02' }, { day: 2, kind: 'trip', move: -0.15, asset: 'ETH', date: '2026-01-03' },
      { day: 3, kind: 'release', move: 0.01, asset: 'BTC', date: '2026-01-04' },
    ],
    activeDays: { BTC: 2, ETH: 3 },
  },
};

describe('backtest view', () => {
  it('merges the breaker\'s tripped spans across assets, an unreleased one running to the end', () => {
    expect(breakerIntervals(report)).toEqual([[1, 4]]);
  });

  it('draws three series on shared axes, a tick per breach day of the dynamic series, and the shading', () => {
    const svg = marginChartSvg(report);
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)" data-series="(\w+)"/g)];
    expect(lines.map((m) => m[2])).toEqual(['static', 'dynamic', 'apc']);
    // x from 64 to 748 over days 0..4; y from 28 (the top, 200) to 230 (0)
    const dynamic = lines[1][1].split(' ').map((p) => p.split(',').map(Number));
    expect(dynamic[0]).toEqual([64, 179.5]);
    expect(dynamic[3]).toEqual([748 - 171, 28]);
    expect([...svg.matchAll(/<line class="breach" x1="([\d.]+)"/g)].map((m) => Number(m[1]))).toEqual([235, 748]);
    expect([...svg.matchAll(/<rect class="breaker" x="([\d.]+)" y="28" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])])).toEqual([[235, 513]]);
  });

  it('says what the shading measures against, and lays out the table', () => {
    expect(breakerNote(report)).toBe('Circuit breaker: trips when a day\'s move exceeds the MM rate (BTC 12.80%, ETH 12.80%); tripped on up to 3 of 5 days (daily moves exceed these MM rates most days: liquidation has to act within the day; raise params.dynamic.circuitBreaker.trip to see only the fast markets).');
    const html = backtestHtml(report, 'hand-made');
    expect([...html.matchAll(/<tr><td>([^<]+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], m[2]])).toEqual([['static', '1'], ['dynamic', '1'], ['dynamic + APC', '1']]);
  });
});
