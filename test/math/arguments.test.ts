/**
 * margin-core/math and margin-core/plugin fail closed (src/math-checked.ts, src/plugin-checked.ts): every argument
 * outside its domain (docs/api.md, "margin-core/math") throws an InputError whose first problem names it by path, and
 * every argument at the edges of the domain gives a finite result, bit for bit the unchecked function's.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  coinGreeks, ewmaCovariance, ewmaVariance, filteredHistoricalReturns, forwardPrice, inverseMovePnl, inversePnlCoin, inverseSizeCoin,
  logReturns, nearestCorrelation, normalQuantile, normCdf, normPdf, semidefiniteFactor, variancePath,
} from '../../src/math.js';
import { ArrayLease, BUILT_IN_METHODS, paramsSchema, reportSchema, requirementAt, type RequirementModel } from '../../src/plugin.js';
import * as normal from '../../src/kernels/js/normal.js';
import * as quantile from '../../src/methods/var/normal-quantile.js';
import * as correlation from '../../src/model/correlation.js';
import * as covariance from '../../src/methods/var/covariance.js';
import * as coin from '../../src/margin/coin-valuation.js';
import * as history from '../../src/dynamic/history.js';
import * as ewma from '../../src/dynamic/ewma.js';
import * as fhs from '../../src/dynamic/fhs.js';
import * as requirement from '../../src/margin/requirement-model.js';
import * as schemas from '../../src/schemas/generate.js';
import { ArrayLease as UncheckedArrayLease } from '../../src/memory/array-lease.js';
import { flatMethod } from '../support/methods/flat/index.js';

/** The path of the first problem of the InputError `call` throws (it must throw one). */
function refusedAt(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(InputError);
    return (error as InputError).problems[0].path;
  }
  throw new Error('not refused');
}

/** Each case's call refused at its path. */
function expectRefused(cases: readonly [path: string, call: () => unknown][]): void {
  for (const [path, call] of cases) expect(refusedAt(call), `${call}`).toBe(path);
}

/** `got` is `want` bit for bit (Object.is on every number, through arrays, typed arrays and objects), and finite. */
function expectSame(got: unknown, want: unknown, at = 'result'): void {
  if (typeof want === 'number') {
    expect(Object.is(got, want), `${at}: ${got} vs ${want}`).toBe(true);
    expect(Number.isFinite(got), `${at} finite`).toBe(true);
  } else if (want !== null && typeof want === 'object') {
    expect(got?.constructor, at).toBe(want.constructor);
    const keys = Object.keys(want);
    expect(Object.keys(got as object), at).toEqual(keys);
    for (const key of keys) expectSame((got as Record<string, unknown>)[key], (want as Record<string, unknown>)[key], `${at}.${key}`);
  } else {
    expect(got, at).toBe(want);
  }
}

const ABOVE_MINUS_ONE = -1 + 2 ** -53;
const BELOW_ONE = 1 - 2 ** -53;

describe('normCdf, normPdf: x any number but NaN', () => {
  it('refuses what is not a number', () => {
    for (const f of [normCdf, normPdf]) expectRefused([['x', () => f('x' as never)], ['x', () => f(Number.NaN)], ['x', () => f(undefined as never)], ['x', () => f(1n as never)]]);
  });
  it('takes ±Infinity and the rest, as the kernels give them', () => {
    for (const x of [-Infinity, -1e308, -40, -0, 0, 0.66291, 5.7, 40, 1e308, Infinity]) {
      expectSame(normCdf(x), normal.normCdf(x));
      expectSame(normPdf(x), normal.normPdf(x));
    }
    expect([normCdf(-Infinity), normCdf(Infinity)]).toEqual([0, 1]);
  });
});

describe('normalQuantile: p in (0, 1)', () => {
  it('refuses the ends, outside and non-numbers with an InputError, not a RangeError', () => {
    expectRefused([0, 1, 1.5, -0.1, Number.NaN, Infinity, '0.5', undefined].map((p) => ['p', () => normalQuantile(p as never)]));
  });
  it('gives the unchecked quantile at the edges', () => {
    for (const p of [Number.MIN_VALUE, 1e-300, 1e-17, 0.5, 0.99, BELOW_ONE]) expectSame(normalQuantile(p), quantile.normalQuantile(p));
  });
});

describe('nearestCorrelation: a, n × n entries (0 or 1e-100 to 1e100 in size), n ≥ 0; options.tol ≥ 0, options.maxIterations ≥ 1', () => {
  const a = [1, 0.9, 0.7, 0.9, 1, -0.4, 0.7, -0.4, 1];
  it('refuses a short or non-finite matrix as before, and every other argument', () => {
    expect(() => nearestCorrelation(new Float64Array(5), 3)).toThrow(/^invalid input: a: expected 3 × 3 = 9 entries \(row-major\), got 5$/);
    expectRefused([
      ['a', () => nearestCorrelation(new Float64Array(5), 3)],
      ['a', () => nearestCorrelation('abcd' as never, 2)],
      ['a', () => nearestCorrelation(null as never, 2)],
      ['a[1]', () => nearestCorrelation(Float64Array.of(1, Number.NaN, 0, 1), 2)],
      ['a[2]', () => nearestCorrelation([1, 0, -Infinity, 1] as never, 2)],
      ['a[1]', () => nearestCorrelation(Float64Array.of(1, 1e101, 1e101, 1), 2)],
      ['a[1]', () => nearestCorrelation(Float64Array.of(1, 1e-101, 1e-101, 1), 2)],
      ['n', () => nearestCorrelation(new Float64Array(4), 1.5)],
      ['n', () => nearestCorrelation(new Float64Array(0), -1)],
      ['options', () => nearestCorrelation(Float64Array.from(a), 3, 'fast' as never)],
      ['options.maxIter', () => nearestCorrelation(Float64Array.from(a), 3, { maxIter: 5 } as never)],
      ['options.maxIterations', () => nearestCorrelation(Float64Array.from(a), 3, { maxIterations: 0 })],
      ['options.maxIterations', () => nearestCorrelation(Float64Array.from(a), 3, { maxIterations: Infinity })],
      ['options.tol', () => nearestCorrelation(Float64Array.from(a), 3, { tol: Number.NaN })],
      ['options.tol', () => nearestCorrelation(Float64Array.from(a), 3, { tol: -1e-10 })],
    ]);
  });
  it('gives the unchecked result at the edges', () => {
    expectSame(nearestCorrelation(new Float64Array(0), 0), correlation.nearestCorrelation(new Float64Array(0), 0));
    expectSame(nearestCorrelation(Float64Array.from(a), 3), correlation.nearestCorrelation(Float64Array.from(a), 3));
    expectSame(nearestCorrelation(a as never, 3, { tol: 0, maxIterations: 1 }), correlation.nearestCorrelation(a as never, 3, { tol: 0, maxIterations: 1 }));
    for (const s of [1e100, 1e-100]) {
      const big = Float64Array.of(s, -s, 0, s);
      expectSame(nearestCorrelation(big, 2), correlation.nearestCorrelation(big, 2));
    }
  });
});

describe('semidefiniteFactor: a symmetric m × m (entries 0 or 1e-100 to 1e100 in size), m ≥ 0, tolerance ≥ 0', () => {
  it('refuses a matrix of the wrong size (it came back { l: null, minEigenvalue: NaN }) and every other argument', () => {
    expectRefused([
      ['a', () => semidefiniteFactor(new Float64Array(4), 3)],
      ['a', () => semidefiniteFactor({} as never, 1)],
      ['a[3]', () => semidefiniteFactor(Float64Array.of(1, 0, 0, Number.NaN), 2)],
      ['a[0]', () => semidefiniteFactor(Float64Array.of(1e101), 1)],
      ['a[0]', () => semidefiniteFactor(Float64Array.of(1e-101), 1)],
      ['a[1]', () => semidefiniteFactor(Float64Array.of(1, 0.5, 0.4, 1), 2)],
      ['m', () => semidefiniteFactor(new Float64Array(4), Number.NaN)],
      ['m', () => semidefiniteFactor(new Float64Array(4), '2' as never)],
      ['tolerance', () => semidefiniteFactor(Float64Array.of(1), 1, -1)],
      ['tolerance', () => semidefiniteFactor(Float64Array.of(1), 1, Infinity)],
    ]);
  });
  it('gives the unchecked factor at the edges, a matrix not semidefinite included (no l)', () => {
    const cases: [number[], number, number?][] = [
      [[], 0], [[1e100, 5e99, 5e99, 1e100], 2], [[1e-100, 0, 0, 1e-100], 2], [[1, 1, 1, 1], 2], [[1, 2, 2, 1], 2],
      [[4, 2, 2, 4 * (1 + 1e-11)], 2, 0], [[1, 0.5 + 1e-11, 0.5, 1], 2],
    ];
    for (const [entries, m, tolerance] of cases) {
      expectSame(semidefiniteFactor(Float64Array.from(entries), m, tolerance), correlation.semidefiniteFactor(Float64Array.from(entries), m, tolerance));
    }
    expectSame(semidefiniteFactor([2, 1, 1, 2] as never, 2), correlation.semidefiniteFactor([2, 1, 1, 2] as never, 2));
  });
});

describe('ewmaCovariance: returns nDates × nAssets (each at most 1e100 in size), nDates ≥ 1, nAssets ≥ 0, lambda in (0, 1)', () => {
  const r = Float64Array.of(0.01, -0.02, 0.03, 0.005, -0.01, 0.02);
  it('refuses lambda outside (0, 1) with an InputError, not a RangeError, and every other argument', () => {
    expectRefused([
      ...[2, 1, 0, -0.5, Number.NaN, undefined].map((lambda): [string, () => unknown] => ['lambda', () => ewmaCovariance(r, 3, 2, lambda as never)]),
      ['returns', () => ewmaCovariance(r, 2, 2, 0.94)],
      ['returns', () => ewmaCovariance('abcdef' as never, 3, 2, 0.94)],
      ['returns[3]', () => ewmaCovariance(Float64Array.of(0, 0, 0, Number.NaN, 0, 0), 3, 2, 0.94)],
      ['returns[0]', () => ewmaCovariance(Float64Array.of(2e100, 0), 1, 2, 0.94)],
      ['nDates', () => ewmaCovariance(new Float64Array(0), 0, 2, 0.94)],
      ['nAssets', () => ewmaCovariance(r, 4, 1.5, 0.94)],
    ]);
  });
  it('gives the unchecked covariance at the edges', () => {
    for (const lambda of [Number.MIN_VALUE, 0.94, BELOW_ONE]) expectSame(ewmaCovariance(r, 3, 2, lambda), covariance.ewmaCovariance(r, 3, 2, lambda));
    const big = Float64Array.of(1e100, -1e100, 0, 1e100);
    expectSame(ewmaCovariance(big, 2, 2, 0.5), covariance.ewmaCovariance(big, 2, 2, 0.5));
    expectSame(ewmaCovariance(new Float64Array(0), 1, 0, 0.94), covariance.ewmaCovariance(new Float64Array(0), 1, 0, 0.94));
    expectSame(ewmaCovariance([0.01, 0.02] as never, 2, 1, 0.9), covariance.ewmaCovariance([0.01, 0.02] as never, 2, 1, 0.9));
  });
});

describe('inverse contracts: quantity, multiplier and prices in the book\'s domain; a move above −1 and at most 1e6; a size at most 1e33 coins', () => {
  it('refuses a mark of 0 (Infinity came back) and every argument outside', () => {
    expectRefused([
      ['mark', () => inversePnlCoin(1, 100, 50_000, 0)],
      ['entry', () => inversePnlCoin(1, 100, -1, 50_000)],
      ['quantity', () => inversePnlCoin(Number.NaN, 100, 50_000, 50_000)],
      ['quantity', () => inversePnlCoin(1e13, 100, 50_000, 50_000)],
      ['multiplier', () => inversePnlCoin(1, 0, 50_000, 50_000)],
      ['mark', () => inversePnlCoin(1, 100, 50_000, undefined as never)],
      ['mark', () => inverseSizeCoin(1, 100, 1e-13)],
      ['multiplier', () => inverseSizeCoin(1, '100' as never, 50_000)],
      ['m', () => inverseMovePnl(1, -1)],
      ['m', () => inverseMovePnl(1, -2)],
      ['m', () => inverseMovePnl(1, 2e6)],
      ['sizeCoin', () => inverseMovePnl(Infinity, 0.1)],
      ['sizeCoin', () => inverseMovePnl(2e33, 0.1)],
    ]);
  });
  it('gives the unchecked figures at the edges', () => {
    for (const [q, mult, entry, mark] of [[1e12, 1e9, 1e-12, 1e12], [-1e12, 1e9, 1e12, 1e-12], [0, 1e-9, 1, 1], [-1e-12, 100, 50_000, 49_000]]) {
      expectSame(inversePnlCoin(q, mult, entry, mark), coin.inversePnlCoin(q, mult, entry, mark));
      expectSame(inverseSizeCoin(q, mult, mark), coin.inverseSizeCoin(q, mult, mark));
    }
    for (const [size, m] of [[1e33, ABOVE_MINUS_ONE], [-1e33, 1e6], [0.5, -0.16], [1, 0]]) expectSame(inverseMovePnl(size, m), coin.inverseMovePnl(size, m));
  });
});

describe('forwardPrice, coinGreeks: a market\'s price, rate and carry, expiryYears in [0, 50], the USD Greeks at most 1e100 in size', () => {
  const usd = { price: 5_000, delta: 0.6, gamma: 1e-5, vega: 30_000, theta: -9_000, rho: 20_000 };
  it('refuses NaN, a missing Greek and every argument outside', () => {
    expectRefused([
      ['spot', () => forwardPrice(Number.NaN, 0, 0, 1)],
      ['spot', () => forwardPrice(0, 0, 0, 1)],
      ['rate', () => forwardPrice(100, 3, 0, 1)],
      ['carry', () => forwardPrice(100, 0, -2.5, 1)],
      ['expiryYears', () => forwardPrice(100, 0, 0, -1)],
      ['expiryYears', () => forwardPrice(100, 0, 0, 51)],
      ['usd.price', () => coinGreeks({} as never, 100, 0, 0, 1)],
      ['usd', () => coinGreeks(null as never, 100, 0, 0, 1)],
      ['usd.delta', () => coinGreeks({ ...usd, delta: Number.NaN }, 100, 0, 0, 1)],
      ['usd.gamma', () => coinGreeks({ ...usd, gamma: 2e100 }, 100, 0, 0, 1)],
      ['spot', () => coinGreeks(usd, -100, 0, 0, 1)],
    ]);
  });
  it('gives the unchecked figures at the edges', () => {
    const edges: [number, number, number, number][] = [[1e12, 2, -2, 50], [1e-12, -2, 2, 50], [1e-12, 2, -2, 50], [100, 0, 0, 0]];
    const extreme = { price: 1e100, delta: -1e100, gamma: 1e100, vega: -1e100, theta: 1e100, rho: -1e100 };
    for (const [s, r, q, t] of edges) {
      expectSame(forwardPrice(s, r, q, t), coin.forwardPrice(s, r, q, t));
      for (const g of [usd, extreme]) expectSame(coinGreeks(g, s, r, q, t), coin.coinGreeks(g, s, r, q, t));
    }
  });
});

describe('logReturns: history.closes, each close a price in [1e-12, 1e12]', () => {
  it('refuses a history without closes (a TypeError came back) and every close outside', () => {
    expectRefused([
      ['history.closes', () => logReturns({} as never)],
      ['history', () => logReturns(null as never)],
      ['history.closes', () => logReturns({ closes: 'x' } as never)],
      ['history.closes[1]', () => logReturns({ closes: [[1, 2], 5] } as never)],
      ['history.closes[0][1]', () => logReturns({ closes: [[100, 0]] } as never)],
      ['history.closes[2][4]', () => logReturns({ closes: [[1], [1], [1, 1, 1, 1, Number.NaN]] } as never)],
      ['history.closes[0][0]', () => logReturns({ closes: [['100']] } as never)],
      ['history.closes[0][1]', () => logReturns({ closes: [Float64Array.of(1, 1e13)] } as never)],
    ]);
  });
  it('gives the unchecked returns at the edges', () => {
    const h = { assets: ['A', 'B'], times: Float64Array.of(0, 1, 2), closes: [Float64Array.of(1e-12, 1e12, 1e-12), Float64Array.of(1, 1, 2)] };
    expectSame(logReturns(h), history.logReturns(h));
    expectSame(logReturns({ closes: [] } as never), history.logReturns({ closes: [] } as never));
  });
});

describe('ewmaVariance: returns (at least 1, each at most 1e100 in size), lambda in (0, 1), seedDays ≥ 1', () => {
  it('refuses a string (NaN variances came back), λ with an InputError, and every other argument', () => {
    expectRefused([
      ['returns', () => ewmaVariance('abc' as never)],
      ['returns', () => ewmaVariance([])],
      ['returns[3]', () => ewmaVariance([0.01, 0.02, 0.03, Number.NaN])],
      ['returns[0]', () => ewmaVariance([2e100])],
      ['lambda', () => ewmaVariance([0.01], 1.5)],
      ['lambda', () => ewmaVariance([0.01], 1)],
      ['seedDays', () => ewmaVariance([0.01], 0.94, 0)],
      ['seedDays', () => ewmaVariance([0.01], 0.94, 1.5)],
    ]);
  });
  it('gives the unchecked variances at the edges', () => {
    const r = [0.01, -0.02, 0.015, 0, -0.01];
    for (const [lambda, seed] of [[0.94, 30], [Number.MIN_VALUE, 1], [BELOW_ONE, 2], [undefined, undefined]] as const) expectSame(ewmaVariance(r, lambda, seed), ewma.ewmaVariance(r, lambda, seed));
    expectSame(ewmaVariance(Float64Array.of(1e100, -1e100)), ewma.ewmaVariance(Float64Array.of(1e100, -1e100)));
  });
});

describe('filteredHistoricalReturns, variancePath', () => {
  const input = { assets: ['BTC', 'ETH'], returns: [[0.01, -0.02, 0.03], Float64Array.of(0.02, 0, -0.01)], varianceDaily: [[1e-4, 2e-4, 1.5e-4, 1e-4], Float64Array.of(4e-4, 3e-4, 2e-4, 1e-4)] };
  it('refuses an input without assets (a TypeError came back) and every part outside', () => {
    expectRefused([
      ['input.assets', () => filteredHistoricalReturns({} as never)],
      ['input', () => filteredHistoricalReturns(null as never)],
      ['input.assets', () => filteredHistoricalReturns({ ...input, assets: [] })],
      ['input.assets[1]', () => filteredHistoricalReturns({ ...input, assets: ['BTC', 5] } as never)],
      ['input.returns', () => filteredHistoricalReturns({ ...input, returns: undefined } as never)],
      ['input.returns', () => filteredHistoricalReturns({ ...input, returns: [input.returns[0]] })],
      ['input.returns[1]', () => filteredHistoricalReturns({ ...input, returns: [input.returns[0], [0.01]] })],
      ['input.returns[0][1]', () => filteredHistoricalReturns({ ...input, returns: [[0.01, Number.NaN, 0], input.returns[1]] })],
      ['input.varianceDaily[0]', () => filteredHistoricalReturns({ ...input, varianceDaily: [[1e-4], input.varianceDaily[1]] })],
      ['input.varianceDaily[1][2]', () => filteredHistoricalReturns({ ...input, varianceDaily: [input.varianceDaily[0], [1e-4, 1e-4, 0, 1e-4]] })],
      // 700 rescaled by √(1 / 1e-10) is 7e7: e^r − 1 overflows
      ['input.returns[0][0]', () => filteredHistoricalReturns({ assets: ['X'], returns: [[700]], varianceDaily: [[1e-10, 1]] })],
      // 709 as it is: e^709 is finite, but its e^r − 1 (Kahan's, (u − 1)·r / ln u) overflows from about 705
      ['input.returns[0][0]', () => filteredHistoricalReturns({ assets: ['X'], returns: [[709]], varianceDaily: [[1, 1]] })],
    ]);
    expectRefused([
      ['forecast.variance', () => variancePath({} as never)],
      ['forecast', () => variancePath(undefined as never)],
      ['forecast.variance', () => variancePath({ variance: 'x', nextVariance: 1 } as never)],
      ['forecast.variance[0]', () => variancePath({ variance: Float64Array.of(Number.NaN), nextVariance: 1 })],
      ['forecast.variance[1]', () => variancePath({ variance: Float64Array.of(1, -1), nextVariance: 1 })],
      ['forecast.nextVariance', () => variancePath({ variance: Float64Array.of(1) } as never)],
    ]);
  });
  it('gives the unchecked results at the edges (a return rescaled to just below the overflow included)', () => {
    expectSame(filteredHistoricalReturns(input), fhs.filteredHistoricalReturns(input));
    const edge = { assets: ['X'], returns: [[700, -1e100]], varianceDaily: [[1, 1, 1]] };
    expectSame(filteredHistoricalReturns(edge), fhs.filteredHistoricalReturns(edge));
    const forecast = ewma.ewmaVariance([0.01, -0.02, 0]);
    expectSame(variancePath(forecast), fhs.variancePath(forecast));
    expectSame(variancePath({ variance: new Float64Array(0), nextVariance: 0 }), fhs.variancePath({ variance: new Float64Array(0), nextVariance: 0 }));
  });
});

describe('requirementAt (margin-core/plugin): a well-formed model, x one finite change per candidate, a finite result', () => {
  const model = (): RequirementModel => ({
    hedges: 2,
    terms: [{ label: 'BTC', constants: Float64Array.of(100, -50), slopes: Float64Array.of(1, 2, -1, 0.5) }, { label: 'ETH', constants: Float64Array.of(10), slopes: Float64Array.of(0, 3) }],
    bounds: [
      { label: 'sum', constant: 5, terms: [{ term: 0, coef: 1 }, { term: 1, coef: 2 }] },
      { label: 'norm', constant: 0, terms: [], norm: { scale: 2, matrix: Float64Array.of(1, 0.5, 0.5, 1), vector: { kind: 'terms', terms: Int32Array.of(0, 1) } } },
      { label: 'affine', constant: 1, terms: [], norm: { scale: 1, matrix: Float64Array.of(4), vector: { kind: 'affine', base: Float64Array.of(3), slopes: Float64Array.of(1, -1) } } },
    ],
  });
  const edit = (change: (m: any) => void): RequirementModel => {
    const m = model();
    change(m);
    return m;
  };
  it('refuses each mistake at its path (a NaN requirement came back)', () => {
    expectRefused([
      ['model', () => requirementAt(null as never, [0, 0])],
      ['model.hedges', () => requirementAt({} as never, [0, 0])],
      ['x', () => requirementAt(model(), [1])],
      ['x[1]', () => requirementAt(model(), [1, Number.NaN])],
      ['x', () => requirementAt(model(), 'ab' as never)],
      ['model.terms[0].slopes', () => requirementAt(edit((m) => { m.terms[0].slopes = Float64Array.of(1, 2, 3); }), [0, 0])],
      ['model.terms[1].constants', () => requirementAt(edit((m) => { m.terms[1].constants = new Float64Array(0); m.terms[1].slopes = new Float64Array(0); }), [0, 0])],
      ['model.bounds', () => requirementAt(edit((m) => { m.bounds = []; }), [0, 0])],
      ['model.bounds[0].constant', () => requirementAt(edit((m) => { m.bounds[0].constant = Infinity; }), [0, 0])],
      ['model.bounds[0].terms[1].term', () => requirementAt(edit((m) => { m.bounds[0].terms[1].term = 2; }), [0, 0])],
      ['model.bounds[1].norm.matrix', () => requirementAt(edit((m) => { m.bounds[1].norm.matrix = Float64Array.of(1); }), [0, 0])],
      ['model.bounds[1].norm.vector.terms[1]', () => requirementAt(edit((m) => { m.bounds[1].norm.vector.terms = Int32Array.of(0, 7); }), [0, 0])],
      ['model.bounds[2].norm.vector.kind', () => requirementAt(edit((m) => { m.bounds[2].norm.vector.kind = 'linear'; }), [0, 0])],
      ['model.bounds[2].norm.vector.slopes', () => requirementAt(edit((m) => { m.bounds[2].norm.vector.slopes = Float64Array.of(1); }), [0, 0])],
      // finite figures whose products overflow: a term, and a norm's quadratic form (read as 0 unchecked)
      ['model.terms[0]', () => requirementAt(model(), [1e308, 1e308])],
      ['model.bounds[2].norm', () => requirementAt(edit((m) => { m.bounds[2].norm.vector.base = Float64Array.of(1e200); }), [0, 0])],
      // a matrix that is not semidefinite: a form of −4·(3 + 0)² read as a norm of 0 (the requirement came back 5)
      ['model.bounds[2].norm.matrix', () => requirementAt(edit((m) => { m.bounds[2].norm.matrix = Float64Array.of(-4); }), [0, 0])],
    ]);
  });
  it('gives the unchecked requirement at the edges', () => {
    for (const x of [[0, 0], [1e12, -1e12], Float64Array.of(-3, 2.5)]) expectSame(requirementAt(model(), x), requirement.requirementAt(model(), x));
    // a singular semidefinite matrix whose form is 0 at x is taken: v = (100, 100) (the terms at 0), vᵀ[[1, −1], [−1, 1]]v = 0
    const flat = edit((m) => { m.bounds[1].norm.matrix = Float64Array.of(1, -1, -1, 1); m.terms[1].constants = Float64Array.of(100); });
    expectSame(requirementAt(flat, [0, 0]), requirement.requirementAt(flat, [0, 0]));
    const none: RequirementModel = { hedges: 0, terms: [], bounds: [{ label: 'flat', constant: 7, terms: [] }] };
    expectSame(requirementAt(none, []), requirement.requirementAt(none, []));
  });
});

describe('paramsSchema, reportSchema (margin-core/plugin): an array of plug-ins with a name, a section (a name or null) and JSON schema parts claimed once', () => {
  const own = (fields: Record<string, unknown>) => ({ name: 'mine', section: 'mine', schema: { params: { type: 'object' }, explain: { type: 'object' } }, ...fields });
  it('refuses each mistake at its path (plain Errors and TypeErrors came back)', () => {
    for (const f of [paramsSchema, reportSchema]) {
      expectRefused([
        ['methods', () => f('var' as never)],
        ['methods[0]', () => f([null] as never)],
        ['methods[0].name', () => f([own({ name: 5 })] as never)],
        ['methods[0].section', () => f([own({ section: '' })] as never)],
        ['methods[0].schema', () => f([own({ schema: 'x' })] as never)],
        ['methods[0].schema.params.properties.k', () => f([own({ schema: { params: { properties: { k: () => 1 } } } })] as never)],
        ['methods[0].schema.explainDefs.row', () => f([own({ schema: { params: {}, explainDefs: { row: 3 } } })] as never)],
      ]);
    }
    const cyclic: Record<string, unknown> = { type: 'object' };
    cyclic.self = cyclic;
    expectRefused([
      ['methods[0].schema.params', () => paramsSchema([own({ schema: {} })] as never)],
      ['methods[0].section', () => paramsSchema([own({ section: 'liquidation' })] as never)],
      ['methods[1].section', () => paramsSchema([own({}), own({ name: 'other' })] as never)],
      ['methods[1].schema.paramsDefs.k', () => paramsSchema([own({ schema: { params: {}, paramsDefs: { k: {} } } }), own({ name: 'b', section: 'b', schema: { params: {}, paramsDefs: { k: {} } } })] as never)],
      ['methods[0].schema.params.self', () => paramsSchema([own({ schema: { params: cyclic } })] as never)],
      ['methods[0].name', () => reportSchema([own({ name: 'status' })] as never)],
      ['methods[0].schema.explainDefs.account', () => reportSchema([own({ schema: { explain: {}, explainDefs: { account: {} } } })] as never)],
    ]);
  });
  it('gives the unchecked schemas for the built-in methods and a method of one\'s own', () => {
    for (const methods of [BUILT_IN_METHODS, [...BUILT_IN_METHODS, flatMethod], []]) {
      expect(paramsSchema(methods)).toEqual(schemas.paramsSchema(methods));
      expect(reportSchema(methods)).toEqual(schemas.reportSchema(methods));
    }
  });
});

describe('ArrayLease (margin-core/plugin): a BufferPool, whole lengths, flags, arrays of the three kinds', () => {
  const pool = () => {
    const given: ArrayBuffer[] = [];
    return { take: (bytes: number) => given.pop() ?? new ArrayBuffer(bytes), give: (b: ArrayBuffer) => void given.push(b) };
  };
  it('refuses each mistake at its path (a length of NaN lent an array of length 0)', () => {
    const lease = new ArrayLease(pool());
    expectRefused([
      ['length', () => lease.f64(Number.NaN)],
      ['length', () => lease.i32(-1)],
      ['length', () => new ArrayLease().u8(1.5)],
      ['cleared', () => lease.f64(4, 'yes' as never)],
      ['array', () => lease.drop(null as never)],
      ['array', () => lease.drop([1, 2] as never)],
      ['heap.take', () => new ArrayLease({} as never)],
      ['heap', () => new ArrayLease('pool' as never)],
      ['heap.give', () => new ArrayLease({ take: () => new ArrayBuffer(8) } as never)],
      ['heap.discard', () => new ArrayLease({ ...pool(), discard: 5 } as never)],
      ['heap.take', () => new ArrayLease({ take: () => new ArrayBuffer(8), give: () => {} }).f64(100)],
    ]);
  });
  it('lends what the unchecked lease lends, and is one', () => {
    const shared = pool(), lease = new ArrayLease(shared);
    expect(lease).toBeInstanceOf(UncheckedArrayLease);
    const first = lease.f64(1000).fill(2.5);
    lease.release();
    const next = new ArrayLease(shared).f64(1000);
    expect([next.buffer === first.buffer, next[0], next.length]).toEqual([true, 2.5, 1000]);
    for (const length of [0, 1, 8, 100]) {
      expect(new ArrayLease().i32(length)).toEqual(new UncheckedArrayLease().i32(length));
      expect(new ArrayLease(pool()).u8(length, true)).toEqual(new UncheckedArrayLease(pool()).u8(length, true));
    }
    const dropped = new ArrayLease(pool());
    dropped.drop(dropped.f64(100));
  });
});
