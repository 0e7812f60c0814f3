/** Filtered historical simulation: r*_t = (r_t/σ_t)·σ_T, returned as simple returns for the VaR method. */
import { describe, expect, it } from 'vitest';
import { ewmaVariance } from '../../src/dynamic/ewma.js';
import { filteredHistoricalReturns, variancePath } from '../../src/dynamic/fhs.js';
import { fitGarch } from '../../src/dynamic/garch.js';
import { logReturns } from '../../src/dynamic/history.js';
import { DEFAULT_SYNTHETIC_ASSET, syntheticHistory } from '../../src/dynamic/synthetic-history.js';

describe('filtered historical simulation', () => {
  it('hand case: r = [0.02, −0.01], σ² = [4e−4, 1e−4, 9e−4] → r* = [0.02/0.02·0.03, −0.01/0.01·0.03] = [0.03, −0.03]', () => {
    const f = filteredHistoricalReturns({ assets: ['A'], returns: [[0.02, -0.01]], varianceDaily: [[4e-4, 1e-4, 9e-4]] });
    expect(f.logMatrix.map((r) => r[0])).toEqual([expect.closeTo(0.03, 15), expect.closeTo(-0.03, 15)]);
    expect(f.matrix[0][0]).toBeCloseTo(Math.expm1(0.03), 15);
    expect(f.periodDays).toBe(1);
    expect(f.volDailyForecast[0]).toBeCloseTo(0.03, 15);
  });

  it('every row satisfies r*_t/σ_T = r_t/σ_t with EWMA and GARCH variances, per asset', () => {
    const assets = ['BTC', 'ETH'].map((symbol) => ({ symbol, price: 100, ...DEFAULT_SYNTHETIC_ASSET }));
    const h = syntheticHistory({ assets, days: 401, seed: 11 });
    const r = logReturns(h);
    const fit = fitGarch(r[1]);
    const v = [variancePath(ewmaVariance(r[0])), variancePath(fit)];
    const f = filteredHistoricalReturns({ assets: h.assets, returns: r, varianceDaily: v });
    expect(f.assets).toEqual(['BTC', 'ETH']);
    expect(f.matrix.length).toBe(400);
    for (let i = 0; i < 2; i++) {
      const sT = Math.sqrt(v[i][400]);
      for (let t = 0; t < 400; t += 37) expect(f.logMatrix[t][i] / sT).toBeCloseTo(r[i][t] / Math.sqrt(v[i][t]), 12);
    }
    expect(v[1][400]).toBe(fit.nextVariance);
  });

  it('rejects a variance path of the wrong length', () => {
    expect(() => filteredHistoricalReturns({ assets: ['A'], returns: [[0.1]], varianceDaily: [[1]] })).toThrow(/expected 2/);
  });
});
