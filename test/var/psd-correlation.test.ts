/**
 * Issue 13 item 3: correlation repair is reachable (engine option, CLI flag) and recorded with the
 * distance moved; Monte Carlo accepts the positive SEMI-definite matrix a repair produces; a matrix that
 * is not PSD blocks only the methods that use correlations.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { semidefiniteFactor } from '../../src/model/correlation.js';
import { validateInputs } from '../../src/model/validate.js';
import { marginCore } from '../support/cli.js';
import { allEngines } from '../support/engines.js';
import { problemLines } from '../support/problems.js';
import { mulberry32 } from '../support/random.js';
import { randomSpd, riskBackends } from '../risk/support.js';

/** [[1, .9, −.9], [.9, 1, .9], [−.9, .9, 1]]: eigenvalues 1.9, 1.9 and 1 − 2·0.9 = −0.8 (eigenvector (1, −1, 1)). */
const NOT_PSD = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]];

function market(matrix: number[][] = NOT_PSD): any {
  return {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { BTC: { price: 50_000, vol: 0.5 }, ETH: { price: 2_500, vol: 0.8 }, SOL: { price: 150, vol: 0.9 }, USDC: { price: 1, vol: 0 } },
    impliedVols: { 'BTC-C': 0.6 },
    correlation: { assets: ['BTC', 'ETH', 'SOL'], matrix },
  };
}

function book(): any {
  return {
    instruments: [
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
      { id: 'SOL-PERP', kind: 'perpetual', underlying: 'SOL' },
      { id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 55_000, expiry: '2026-12-25T08:00:00Z' },
    ],
    accounts: [
      { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 49_000 }, { instrument: 'SOL-PERP', quantity: -100, entryPrice: 150 }], collateral: [{ asset: 'USDC', amount: 20_000 }] },
      { id: 'b', positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 2_400 }, { instrument: 'BTC-C', quantity: -2, entryPrice: 900 }], collateral: [{ asset: 'BTC', amount: 0.5 }] },
    ],
  };
}

const IDENTITY = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('a correlation that is not PSD', () => {
  test('does not block isolated, cross and portfolio (sum): same numbers as with any valid correlation, and a warning', () => {
    for (const [method, params] of [['isolated', {}], ['cross', {}], ['portfolio', { portfolio: { aggregation: 'sum' } }]] as const) {
      const report = engine.margin(book(), market(), { method, params, breakdown: true });
      expect(report.warnings, method).toHaveLength(1);
      expect(report.warnings![0].path).toBe('market.correlation.matrix');
      expect(report.warnings![0].message).toMatch(/^not positive semidefinite \(min eigenvalue -0\.8\); the methods that use correlations/);
      const { warnings: _, ...numbers } = report;
      expect(numbers, method).toEqual(engine.margin(book(), market(IDENTITY), { method, params, breakdown: true }));
    }
  });

  test('is rejected by the methods that use it, with the path and a hint to repair', () => {
    const hint = 'repairCorrelation: true (CLI --repair-correlation) replaces it by the nearest correlation matrix';
    expect(problemLines(() => engine.margin(book(), market(), { method: 'var' }))).toEqual([
      `market.correlation.matrix: not positive semidefinite (min eigenvalue -0.8), so the var method cannot use it; ${hint}`,
    ]);
    expect(problemLines(() => engine.margin(book(), market(), { method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } } }))).toEqual([
      `market.correlation.matrix: not positive semidefinite (min eigenvalue -0.8), so portfolio margin with aggregation "correlation" cannot use it; ${hint}`,
    ]);
  });

  test('does not block VaR models that do not read it (historical returns, EWMA covariance)', () => {
    const returns = { assets: ['BTC', 'ETH', 'SOL'], matrix: [[0.01, -0.02, 0.03], [-0.015, 0.01, 0.02], [0.02, 0.03, -0.01]] };
    for (const v of [{ model: 'historical', returns }, { covariance: 'ewma', returns }]) {
      const report = engine.margin(book(), market(), { method: 'var', params: { var: v } });
      expect(report.accounts.every((a) => a.status !== 'error' && a.im > 0)).toBe(true);
      expect(report.warnings!.map((w) => w.path)).toEqual(['market.correlation.matrix']);
    }
  });

  test('an EWMA covariance from returns that never move is refused, not a VaR of 0 (one pegged column is fine)', () => {
    const still = { assets: ['BTC', 'ETH', 'SOL'], matrix: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] };
    expect(problemLines(() => engine.margin(book(), market(), { method: 'var', params: { var: { covariance: 'ewma', floorRate: 0, returns: still } } })))
      .toEqual(['params.var.returns: the returns do not vary (every return of "BTC", "ETH", "SOL" is 0): no covariance to estimate']);
    const pegged = { assets: ['BTC', 'ETH', 'SOL'], matrix: [[0.01, 0, 0.03], [-0.015, 0, 0.02], [0.02, 0, -0.01]] };
    const report = engine.margin(book(), market(), { method: 'var', params: { var: { covariance: 'ewma', returns: pegged } } });
    expect(report.accounts.every((a) => a.status !== 'error')).toBe(true);
  });
});

describe('repairCorrelation', () => {
  test('engine.margin and compareMethods repair it and record the distance moved', () => {
    const report = engine.margin(book(), market(), { method: 'var', repairCorrelation: true });
    expect(report.warnings).toHaveLength(1);
    const message = report.warnings![0].message;
    expect(message).toMatch(/^not positive semidefinite \(min eigenvalue -0\.8\); replaced by the nearest correlation matrix \(Higham 2002\) after \d+ iterations/);
    // The distances reported are those of the matrix used: recompute both from it.
    const repaired = validateInputs(book(), market(), { repairCorrelation: true }).market.correlation.matrix;
    const input = NOT_PSD.flat();
    let sum = 0, max = 0;
    input.forEach((x, i) => {
      sum += (repaired[i] - x) ** 2;
      max = Math.max(max, Math.abs(repaired[i] - x));
    });
    const three = (x: number) => String(Number(x.toPrecision(3)));
    expect(message).toContain(`Frobenius norm of the change ${three(Math.sqrt(sum))}, largest entry change |Δρ| ${three(max)}`);
    // The symmetric problem moves all three correlations by the same amount, towards 0.
    expect(max).toBeGreaterThan(0.1);
    const comparison = engine.compareMethods(book(), market(), { repairCorrelation: true });
    expect(comparison.warnings).toEqual(report.warnings);
  });

  test('Monte Carlo runs on the repaired (singular) matrix, with the same bits on every backend', async () => {
    const valid = validateInputs(book(), market(), { repairCorrelation: true });
    // The repaired matrix is singular: the Cholesky kernel alone stops at a zero pivot.
    expect(valid.market.correlation.minEigenvalue).toBeLessThan(1e-9);
    const params = { var: { model: 'monte-carlo', scenarios: 500 } };
    const reports = (await allEngines()).map((e) => e.margin(valid.book, valid.market, { method: 'var', params, breakdown: true }));
    expect(reports[0].accounts.every((a) => a.status !== 'error' && a.im > 0)).toBe(true);
    for (const r of reports.slice(1)) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
  });

  test('is a CLI flag: without it var is rejected (exit 1) and cross warns; with it var runs and says what moved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-psd-'));
    const files = { book: join(dir, 'book.json'), market: join(dir, 'market.json') };
    await writeFile(files.book, JSON.stringify(book()));
    await writeFile(files.market, JSON.stringify(market()));
    const run = (...args: string[]) => marginCore('margin', '--book', files.book, '--market', files.market, ...args);
    const cross = await run('--method', 'cross');
    expect(cross.code).toBe(0);
    expect(cross.stderr).toMatch(/^margin-core: warning: market\.correlation\.matrix: not positive semidefinite \(min eigenvalue -0\.8\)/);
    const rejected = await run('--method', 'var');
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('market.correlation.matrix: not positive semidefinite (min eigenvalue -0.8), so the var method cannot use it');
    const repaired = await run('--method', 'var', '--repair-correlation', '--format', 'json');
    expect(repaired.code).toBe(0);
    expect(repaired.stderr).toMatch(/margin-core: warning: market\.correlation\.matrix: .* Frobenius norm of the change [\d.]+, largest entry change \|Δρ\| [\d.]+\n$/);
    expect(JSON.parse(repaired.stdout).warnings[0].path).toBe('market.correlation.matrix');
  });
});

describe('semidefiniteFactor', () => {
  /** max |(L·Lᵀ − A)ij| / max |Aij|, and whether L is lower triangular. */
  function check(l: Float64Array, a: Float64Array, m: number): { error: number; lower: boolean } {
    let worst = 0, scale = 0, lower = true;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (j > i && l[i * m + j] !== 0) lower = false;
        let s = 0;
        for (let k = 0; k < m; k++) s += l[i * m + k] * l[j * m + k];
        worst = Math.max(worst, Math.abs(s - a[i * m + j]));
        scale = Math.max(scale, Math.abs(a[i * m + j]));
      }
    }
    return { error: worst / scale, lower };
  }

  test('factors rank-deficient PSD matrices (B·Bᵀ, B m×r) to rounding, lower triangular', () => {
    const rnd = mulberry32(13);
    for (const [m, r] of [[2, 1], [3, 2], [8, 3], [20, 19], [40, 5]]) {
      const b = Float64Array.from({ length: m * r }, () => 2 * rnd() - 1);
      const a = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < r; k++) a[i * m + j] += b[i * r + k] * b[j * r + k];
      for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) a[j * m + i] = a[i * m + j];
      const f = semidefiniteFactor(a, m);
      expect(f.l, `${m}×${m} rank ${r}`).not.toBeNull();
      const { error, lower } = check(f.l!, a, m);
      expect(lower).toBe(true);
      expect(error, `${m}×${m} rank ${r}`).toBeLessThan(1e-13);
    }
  });

  test('on a positive definite matrix, agrees with the Cholesky factor (unique with a positive diagonal)', async () => {
    const a = randomSpd(12, mulberry32(5));
    const chol = (await riskBackends())[0].cholesky(a, 12);
    if (!chol.ok) throw new Error('SPD matrix rejected');
    const f = semidefiniteFactor(a, 12).l!;
    for (let i = 0; i < 144; i++) expect(Math.abs(f[i] - chol.l[i])).toBeLessThan(1e-12);
  });

  test('a perfectly correlated pair: L = [[s1, 0], [s2, 0]] (hand-computed)', () => {
    // Σ = s·sᵀ with s = (0.03, 0.05): one draw direction, so the second column of L is zero.
    const l = semidefiniteFactor(Float64Array.of(0.0009, 0.0015, 0.0015, 0.0025), 2).l!;
    expect(l[0]).toBeCloseTo(0.03, 15);
    expect(l[2]).toBeCloseTo(0.05, 15);
    expect(l[1]).toBe(0);
    expect(l[3]).toBe(0);
  });

  test('refuses a matrix that is not PSD beyond rounding, or not finite', () => {
    const f = semidefiniteFactor(Float64Array.from(NOT_PSD.flat()), 3);
    expect(f.l).toBeNull();
    expect(f.minEigenvalue).toBeCloseTo(-0.8, 12);
    expect(semidefiniteFactor(Float64Array.of(1, NaN, NaN, 1), 2).l).toBeNull();
  });
});
