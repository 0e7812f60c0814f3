/**
 * engine.forecastVol (src/dynamic/forecast.ts): the EWMA forecast by hand on a four-close history, the GARCH h-day
 * forecast from its documented sum, the annualisation √(V_h/h·365), and bad input with paths.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { DEFAULT_SYNTHETIC_ASSET, syntheticHistory } from '../../src/dynamic/synthetic-history.js';
import { fitGarch } from '../../src/dynamic/garch.js';
import { logReturns, readHistory } from '../../src/dynamic/history.js';
import { expectOneProblem } from '../support/problems.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const closes = [100, 101, 99, 102];
const csv = ['timestamp,BTC', ...closes.map((c, i) => `2026-01-0${i + 1}T00:00:00Z,${c}`)].join('\n');

describe('forecastVol', () => {
  it('EWMA: the RiskMetrics recursion by hand, annualised over 365 days', () => {
    const r = [Math.log(101 / 100), Math.log(99 / 101), Math.log(102 / 99)];
    const s0 = (r[0] ** 2 + r[1] ** 2 + r[2] ** 2) / 3; // seed: the mean of r² over the first min(n, 30) returns
    const s1 = 0.94 * s0 + 0.06 * r[0] ** 2;
    const s2 = 0.94 * s1 + 0.06 * r[1] ** 2;
    const next = 0.94 * s2 + 0.06 * r[2] ** 2;
    const f = engine.forecastVol(csv);
    expect(f.model).toBe('ewma');
    expect(f.asOf).toBe('2026-01-04T00:00:00.000Z');
    expect(f.assets.BTC.volDaily).toBeCloseTo(Math.sqrt(next), 15);
    expect(f.volAnnual.BTC).toBeCloseTo(Math.sqrt(next * 365), 14);
    // flat over the horizon: 3 days of variance, expressed per year, is the same annual vol
    const f3 = engine.forecastVol(csv, { horizonDays: 3, lambda: 0.97, periodsPerYear: 252 });
    const n97 = 0.97 * (0.97 * (0.97 * s0 + 0.03 * r[0] ** 2) + 0.03 * r[1] ** 2) + 0.03 * r[2] ** 2;
    expect(f3.assets.BTC.horizonVariance).toBeCloseTo(3 * n97, 16);
    expect(f3.volAnnual.BTC).toBeCloseTo(Math.sqrt(n97 * 252), 14);
  });

  it('GARCH: the h-day variance is Σₖ V + (α+β)^(k−1)·(σ²ₙ − V)', () => {
    const history = syntheticHistory({ assets: [{ symbol: 'BTC', price: 40_000, ...DEFAULT_SYNTHETIC_ASSET }], days: 1500, seed: 5 });
    const fit = fitGarch(logReturns(history)[0]);
    const f = engine.forecastVol(history, { model: 'garch', horizonDays: 5 });
    const V = fit.omega / (1 - fit.alpha - fit.beta);
    let vh = 0;
    for (let k = 1; k <= 5; k++) vh += V + (fit.alpha + fit.beta) ** (k - 1) * (fit.nextVariance - V);
    expect(f.assets.BTC.horizonVariance).toBeCloseTo(vh, 14);
    expect(f.volAnnual.BTC).toBeCloseTo(Math.sqrt((vh / 5) * 365), 12);
    expect(f.assets.BTC.garch!.longRunVolAnnual).toBeCloseTo(Math.sqrt(V * 365), 12);
  });

  it('filtered historical returns: each return over the σ of its day, times the forecast σ, as simple returns for historical VaR', () => {
    const r = [Math.log(101 / 100), Math.log(99 / 101), Math.log(102 / 99)];
    const v = [r.reduce((a, x) => a + x * x, 0) / 3];
    for (let t = 1; t <= 3; t++) v.push(0.94 * v[t - 1] + 0.06 * r[t - 1] ** 2);
    const f = engine.forecastVol(csv, { filteredReturns: true });
    const want = r.map((x, t) => Math.expm1((x / Math.sqrt(v[t])) * Math.sqrt(v[3])));
    f.filteredReturns!.matrix.forEach((row, t) => expect(row[0]).toBeCloseTo(want[t], 15));
    expect(f.filteredReturns!.periodDays).toBe(1);
    // it is what the VaR method's historical model takes
    const history = syntheticHistory({ assets: ['BTC', 'ETH'].map((symbol) => ({ symbol, price: 100, ...DEFAULT_SYNTHETIC_ASSET })), days: 300, seed: 2 });
    const fhs = engine.forecastVol(history, { filteredReturns: true }).filteredReturns!;
    const report = engine.margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }] }), market(), { method: 'var', params: { var: { model: 'historical', returns: fhs } } });
    expect(report.accounts[0].im).toBeGreaterThan(0);
  });

  it('fails closed: bad options, a fractional GARCH horizon, a history too short to fit, a bad row', () => {
    expectOneProblem(() => engine.forecastVol(csv, { model: 'arch' as 'ewma' }), 'options.model', /"ewma" or "garch"/);
    expectOneProblem(() => engine.forecastVol(csv, { model: 'garch', horizonDays: 1.5 }), 'options.horizonDays', /whole days/);
    expectOneProblem(() => engine.forecastVol(csv, { model: 'garch', lambda: 0.97 }), 'options.lambda', /EWMA decay: a GARCH\(1,1\) forecast fits its own/);
    expectOneProblem(() => engine.forecastVol(csv, { model: 'garch' }), 'history.assets.BTC', /GARCH\(1,1\) fit failed/);
    expectOneProblem(() => engine.forecastVol(csv.replace(',99', ',-99')), 'history.csv:4', /not positive/);
  });
});

describe('closes that are not a day apart', () => {
  const series = (stepHours: number, n = 80) => ['timestamp,BTC', ...Array.from({ length: n }, (_, i) => `${new Date(Date.UTC(2026, 0, 1) + i * stepHours * 3_600_000).toISOString()},${100 * (1 + 0.01 * Math.sin(i))}`)].join('\n');

  it('hourly or weekly closes under daily periods are refused (a vol √24 too low, √7 too high); with their periods they are taken', () => {
    expectOneProblem(() => engine.forecastVol(series(1)), 'history', /the closes are 1 h apart \(about 8,766 a year\) but periodsPerYear is 365: their returns would be annualised as 24\.0-hour ones/);
    expectOneProblem(() => engine.forecastVol(series(168)), 'history', /the closes are 168 h apart \(about 52 a year\) but periodsPerYear is 365/);
    // with their own periods: the same per-period variance, annualised over 8,766 hourly periods
    const hourly = engine.forecastVol(series(1), { periodsPerYear: 8766 });
    const daily = engine.forecastVol(series(24));
    expect(hourly.volAnnual.BTC / daily.volAnnual.BTC).toBeCloseTo(Math.sqrt(8766 / 365), 12);
    expectOneProblem(() => engine.backtest(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] }), market(), series(1, 400), { method: 'cross' }), 'history', /the closes are 1 h apart/);
  });

  it('daily closes are calendar or trading days alike: a weekday history under 252 periods', () => {
    const weekdays = ['timestamp,BTC'];
    for (let d = 0, k = 0; k < 60; d++) {
      const t = new Date(Date.UTC(2026, 0, 5) + d * 86_400_000);
      if (t.getUTCDay() === 0 || t.getUTCDay() === 6) continue;
      weekdays.push(`${t.toISOString()},${100 + (k++ % 3)}`);
    }
    const read = readHistory(weekdays.join('\n'), { allowGaps: true });
    expect(engine.forecastVol(read, { periodsPerYear: 252 }).periodsPerYear).toBe(252);
  });

  it('daily closes under weekly or hourly periods are refused (a vol √7 too low, √24 too high); 168 to 547.5 are taken', () => {
    expectOneProblem(() => engine.forecastVol(series(24), { periodsPerYear: 52 }), 'history', /^the closes are a day apart but periodsPerYear is 52: their returns would be annualised as 7\.02-day ones\. Give periodsPerYear 365 \(calendar days\) or 252 \(trading days\)$/);
    expectOneProblem(() => engine.forecastVol(series(24), { periodsPerYear: 8760 }), 'history', /periodsPerYear is 8760: their returns would be annualised as 0\.0417-day ones/);
    for (const periodsPerYear of [168, 547.5]) expect(engine.forecastVol(series(24), { periodsPerYear }).periodsPerYear).toBe(periodsPerYear);
    expectOneProblem(() => engine.forecastVol(series(24), { periodsPerYear: 167.9 }), 'history', /periodsPerYear is 167\.9/);
  });
});
