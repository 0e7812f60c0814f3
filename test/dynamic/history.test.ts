/** Price histories (src/dynamic/history.ts) and the synthetic generator (src/dynamic/synthetic-history.ts). */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { logReturns, readHistory } from '../../src/dynamic/history.js';
import { DEFAULT_SYNTHETIC_ASSET, syntheticHistory } from '../../src/dynamic/synthetic-history.js';

const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('no InputError');
};

describe('reading a history', () => {
  const wide = 'timestamp,BTC,ETH\n2026-01-01T00:00:00Z,100,10\n2026-01-02T00:00:00Z,110,9\n2026-01-03T00:00:00Z,99,9.9\n';

  it('reads wide and long CSV and JSON alike, and takes log returns', () => {
    const long = 'timestamp,asset,close\n2026-01-01T00:00:00Z,BTC,100\n2026-01-01T00:00:00Z,ETH,10\n2026-01-02T00:00:00Z,ETH,9\n2026-01-02T00:00:00Z,BTC,110\n' +
      '2026-01-03T00:00:00Z,BTC,99\n2026-01-03T00:00:00Z,ETH,9.9\n';
    const json = { assets: { BTC: [100, 110, 99].map((close, d) => ({ t: `2026-01-0${d + 1}T00:00:00Z`, close })), ETH: [10, 9, 9.9].map((close, d) => ({ t: `2026-01-0${d + 1}T00:00:00Z`, close })) } };
    for (const h of [readHistory(wide), readHistory(long), readHistory(json)]) {
      expect(h.assets).toEqual(['BTC', 'ETH']);
      expect([...h.closes[0]]).toEqual([100, 110, 99]);
      expect(h.times[1] - h.times[0]).toBe(86_400_000);
      const r = logReturns(h);
      expect(r[0][0]).toBe(Math.log(110 / 100));
      expect(r[1][1]).toBe(Math.log(9.9 / 9));
    }
    expect(readHistory(`\uFEFF${wide}`).assets).toEqual(['BTC', 'ETH']); // a byte-order mark is fine
  });

  it('reads lines ended by CR alone as by LF or CRLF; a long header with another column and an empty cell are said plainly', () => {
    // CR-only files (classic Mac OS, some spreadsheet exports) were one line: 100+ problems such as "1" is column 16 and again column 24
    for (const end of ['\r', '\r\n']) expect(readHistory(wide.replace(/\n/g, end))).toEqual(readHistory(wide));
    expect(problems(() => readHistory('timestamp,asset,close,volume\n2026-01-01T00:00:00Z,BTC,100,5\n'))).toEqual([
      'history.csv:1: a long history\'s header is timestamp,asset,close, got "timestamp,asset,close,volume" (a wide one names an asset in each column after timestamp)',
    ]);
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,\n2026-01-02T00:00:00Z,100\n'))).toEqual(['history.csv:2: BTC close is missing (an empty cell)']);
  });

  it('reads plain decimals only, refuses a close outside the price domain and an asset named twice, and skips blank lines', () => {
    // 0x10 is not 16, nor 1e3 with a space, nor Infinity: what a CSV writer meant is not guessed
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,0x10\n2026-01-02T00:00:00Z,1e3 5\n2026-01-03T00:00:00Z,Infinity\n'))).toEqual([
      'history.csv:2: BTC close is not a finite number ("0x10")',
      'history.csv:3: BTC close is not a finite number ("1e3 5")',
      'history.csv:4: BTC close is not a finite number ("Infinity")',
    ]);
    expect(readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,+1.5e2\n2026-01-02T00:00:00Z,.5\n').closes[0]).toEqual(Float64Array.from([150, 0.5]));
    // a close of 5e-324 would give an infinite return: outside the domain every market price has
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,5e-324\n2026-01-02T00:00:00Z,2e12\n'))).toEqual([
      'history.csv:2: BTC close 5e-324 is outside the price domain [1e-12, 1000000000000]',
      'history.csv:3: BTC close 2000000000000 is outside the price domain [1e-12, 1000000000000]',
    ]);
    // a second BTC column would silently replace the first
    expect(problems(() => readHistory('timestamp,BTC,ETH,BTC,\n2026-01-01T00:00:00Z,1,2,3,4\n2026-01-02T00:00:00Z,1,2,3,4\n'))).toEqual([
      'history.csv:1: "BTC" is column 2 and again column 4',
      'history.csv:1: column 5 has no asset name',
    ]);
    // a blank line holds nothing: skipped, the rows after it keep their own line numbers
    const blank = 'timestamp,BTC\n2026-01-01T00:00:00Z,100\n\n2026-01-02T00:00:00Z,110\n2026-01-02T00:00:00Z,120\n';
    expect(problems(() => readHistory(blank))).toEqual(['history.csv:5: 2026-01-02T00:00:00Z is repeated: times must increase']);
    expect(readHistory(blank.split('\n').slice(0, 4).join('\n')).closes[0]).toEqual(Float64Array.from([100, 110]));
    // a row of the wrong width is that one problem (it has no time to be out of order)
    expect(problems(() => readHistory('timestamp,BTC,ETH\n2026-01-01T00:00:00Z,1,2\n2026-01-02T00:00:00Z,1\n2026-01-03T00:00:00Z,1,2\n'))).toEqual([
      'history.csv:3: 2 cells, expected 3 (timestamp,BTC,ETH)',
    ]);
  });

  it('names the row of every bad close, timestamp, order and gap', () => {
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,100\n2026-01-02T00:00:00Z,-3\n2026-01-03T00:00:00Z,abc\nyesterday,5\n'))).toEqual([
      'history.csv:3: BTC close is not positive (-3)',
      'history.csv:4: BTC close is not a finite number ("abc")',
      'history.csv:5: not an ISO 8601 timestamp with a zone ("yesterday")',
    ]);
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-02T00:00:00Z,100\n2026-01-01T00:00:00Z,101\n2026-01-01T00:00:00Z,102\n'))).toEqual([
      'history.csv:3: 2026-01-01T00:00:00Z is before the previous 2026-01-02T00:00:00Z: times must increase',
      'history.csv:4: 2026-01-01T00:00:00Z is repeated: times must increase',
    ]);
    const gap = 'timestamp,BTC\n2026-01-01T00:00:00Z,1\n2026-01-02T00:00:00Z,1\n2026-01-03T00:00:00Z,1\n2026-01-06T00:00:00Z,1\n';
    expect(problems(() => readHistory(gap))).toEqual(['history.csv:5: a gap from 2026-01-03T00:00:00Z to 2026-01-06T00:00:00Z (the usual step is 24 h; readHistory\'s allowGaps, margin-core/io, or backtest --allow-gaps accepts it)']);
    expect(readHistory(gap, { allowGaps: true }).times.length).toBe(4);
    expect(problems(() => readHistory('timestamp,BTC\n2026-01-01T00:00:00Z,1,2\n'))[0]).toBe('history.csv:2: 3 cells, expected 2 (timestamp,BTC)');
    expect(problems(() => readHistory('')).length).toBe(1);
  });

  it('timestamps without their zone are one problem, with the form meant, however many rows (not 80 lines)', () => {
    const rows = Array.from({ length: 80 }, (_, k) => `${new Date(Date.UTC(2026, 0, 1 + k)).toISOString().slice(0, 10)},${100 + (k % 3)}`);
    expect(problems(() => readHistory(['timestamp,BTC', ...rows].join('\n')))).toEqual([
      'history.csv:2: "2026-01-01" has no zone: give timestamps with their zone ("2026-01-01T00:00:00Z" for UTC); 80 places need it: history.csv:2, history.csv:3, history.csv:4, … and 77 more',
    ]);
    // JSON with two assets on the same zone-less timestamps: that one problem, not also "their timestamps differ"
    const zoneless = Array.from({ length: 3 }, (_, k) => ({ t: `2026-01-0${k + 1}`, close: 1 }));
    expect(problems(() => readHistory({ assets: { BTC: zoneless, ETH: zoneless } }))).toEqual([
      'history.assets.BTC[0].t: "2026-01-01" has no zone: give timestamps with their zone ("2026-01-01T00:00:00Z" for UTC); 6 places need it: history.assets.BTC[0].t, history.assets.BTC[1].t, history.assets.BTC[2].t, … and 3 more',
    ]);
    expect(problems(() => readHistory('timestamp,asset,close\n2026-01-01T08:00:00,BTC,1\n'))[0]).toBe(
      'history.csv:2: "2026-01-01T08:00:00" has no zone: give timestamps with their zone ("2026-01-01T08:00:00Z" for UTC)',
    );
  });

  it('JSON: paths to the field, unknown fields, and assets on different timestamps', () => {
    const found = problems(() => readHistory({
      assets: { BTC: [{ t: '2026-01-01T00:00:00Z', close: 1 }, { t: '2026-01-02T00:00:00Z', close: Infinity, clse: 2 }], ETH: [{ t: '2026-01-01T00:00:00Z', close: 1 }] },
    }));
    expect(found).toEqual([
      'history.assets.BTC[1].clse: unknown field (expected t, close)',
      'history.assets.BTC[1].close: is not a finite number (Infinity)',
      'history.assets.ETH: its timestamps differ from "BTC"\'s: every asset needs the same ones',
    ]);
    // a row without its close: no "empty cell" in JSON
    expect(problems(() => readHistory({ assets: { BTC: [{ t: '2026-01-01T00:00:00Z' }] } }))).toContain('history.assets.BTC[0].close: is missing (expected a finite number)');
  });

  it('long CSV: an asset missing a timestamp, and a repeated observation', () => {
    expect(problems(() => readHistory('timestamp,asset,close\n2026-01-01T00:00:00Z,BTC,1\n2026-01-02T00:00:00Z,BTC,1\n2026-01-02T00:00:00Z,BTC,2\n2026-01-01T00:00:00Z,ETH,1\n'))).toEqual([
      'history.csv:4: BTC at 2026-01-02T00:00:00Z again',
      'history.csv: ETH has no close at 2026-01-02T00:00:00Z (every asset needs every timestamp)',
    ]);
  });
});

describe('synthetic history', () => {
  const btc = { symbol: 'BTC', price: 40_000, ...DEFAULT_SYNTHETIC_ASSET };

  it('is deterministic: the same seed, the same bits', () => {
    const a = syntheticHistory({ assets: [btc], days: 500, seed: 3 });
    const b = syntheticHistory({ assets: [btc], days: 500, seed: 3 });
    expect([...a.closes[0]]).toEqual([...b.closes[0]]);
    expect([...syntheticHistory({ assets: [btc], days: 500, seed: 4 }).closes[0]]).not.toEqual([...a.closes[0]]);
  });

  it('clusters volatility and has fat tails from its jumps', () => {
    const kurtosis = (x: Float64Array) => {
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const v2 = x.reduce((s, v) => s + (v - mx) ** 2, 0) / x.length, v4 = x.reduce((s, v) => s + (v - mx) ** 4, 0) / x.length;
      return v4 / (v2 * v2);
    };
    const r = logReturns(syntheticHistory({ assets: [btc], days: 20_000, seed: 9 }))[0];
    const noJumps = logReturns(syntheticHistory({ assets: [{ ...btc, jumpsPerDay: 0 }], days: 20_000, seed: 9 }))[0];
    // GARCH alone already has tails fatter than the normal's 3; the jumps add more
    expect(kurtosis(noJumps)).toBeGreaterThan(3);
    expect(kurtosis(r)).toBeGreaterThan(kurtosis(noJumps) + 0.5);
    const n = r.length, mean = r.reduce((s, x) => s + x, 0) / n;
    const m2 = r.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    // squared returns are autocorrelated at lag 1 (clustering); plain returns are not
    const sq = r.map((x) => x * x), sqMean = sq.reduce((s, x) => s + x, 0) / n;
    let c1 = 0, c0 = 0, p1 = 0;
    for (let t = 1; t < n; t++) {
      c1 += (sq[t] - sqMean) * (sq[t - 1] - sqMean);
      p1 += (r[t] - mean) * (r[t - 1] - mean);
    }
    for (let t = 0; t < n; t++) c0 += (sq[t] - sqMean) ** 2;
    expect(c1 / c0).toBeGreaterThan(0.05);
    expect(Math.abs(p1 / (m2 * n))).toBeLessThan(0.03);
  });

  it('correlates assets through the given matrix', () => {
    const calm = { ...DEFAULT_SYNTHETIC_ASSET, jumpsPerDay: 0 };
    const h = syntheticHistory({ assets: [{ symbol: 'A', price: 1, ...calm }, { symbol: 'B', price: 1, ...calm }], correlation: [[1, 0.8], [0.8, 1]], days: 20_000, seed: 2 });
    const [a, b] = logReturns(h);
    // standardised by each day's GARCH variance the correlation is 0.8; the raw returns' sample correlation stays close to it
    const corr = (x: Float64Array, y: Float64Array) => {
      const mx = x.reduce((s, v) => s + v, 0) / x.length, my = y.reduce((s, v) => s + v, 0) / y.length;
      let sxy = 0, sxx = 0, syy = 0;
      for (let t = 0; t < x.length; t++) {
        sxy += (x[t] - mx) * (y[t] - my);
        sxx += (x[t] - mx) ** 2;
        syy += (y[t] - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    expect(corr(a, b)).toBeGreaterThan(0.7);
    expect(() => syntheticHistory({ assets: [{ symbol: 'A', price: 1, ...calm }], days: 1, seed: 1 })).toThrow(RangeError);
  });
});
