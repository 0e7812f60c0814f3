import { describe, expect, it } from 'vitest';
import { isPositiveSemidefinite, minEigenvalue, nearestCorrelation, symmetricEigen, toRowMajor, toRows } from '../../src/model/correlation.js';

function expectMatrixClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((value, j) => expect(Math.abs(value - expected[i][j])).toBeLessThanOrEqual(tolerance)));
}

function tridiagonal(n: number, diagonal: number, off: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = diagonal;
    if (i + 1 < n) m[i * n + i + 1] = m[(i + 1) * n + i] = off;
  }
  return m;
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('finds the eigenvalues 1 and 3 of [[2, 1], [1, 2]]', () => {
    expect(Array.from(symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2).values)).toEqual([expect.closeTo(1, 14), expect.closeTo(3, 14)]);
  });

  it('matches the closed form 2 − 2cos(kπ/(n+1)) for the [−1, 2, −1] tridiagonal matrix', () => {
    const n = 8;
    const values = symmetricEigen(tridiagonal(n, 2, -1), n).values;
    for (let k = 1; k <= n; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 13);
  });

  it('returns orthonormal eigenvectors that reconstruct the matrix', () => {
    const a = toRowMajor([
      [4, 1, -2],
      [1, 2, 0.5],
      [-2, 0.5, 3],
    ]);
    const { values, vectors } = symmetricEigen(a, 3, true);
    const v = vectors as Float64Array;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let sum = 0;
        for (let k = 0; k < 3; k++) sum += v[i * 3 + k] * values[k] * v[j * 3 + k];
        expect(sum).toBeCloseTo(a[i * 3 + j], 12);
      }
    }
  });
});

describe('positive semidefinite check', () => {
  it('accepts the identity and a valid correlation', () => {
    expect(isPositiveSemidefinite(toRowMajor([[1, 0], [0, 1]]), 2)).toBe(true);
    expect(isPositiveSemidefinite(toRowMajor([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]]), 3)).toBe(true);
  });

  it('accepts a singular correlation (perfectly correlated pair): min eigenvalue 0', () => {
    expect(minEigenvalue(toRowMajor([[1, 1], [1, 1]]), 2)).toBeCloseTo(0, 14);
    expect(isPositiveSemidefinite(toRowMajor([[1, 1], [1, 1]]), 2)).toBe(true);
  });

  it('rejects [[1,1,0],[1,1,1],[0,1,1]]: eigenvalues 1 − √2, 1, 1 + √2', () => {
    const a = toRowMajor([[1, 1, 0], [1, 1, 1], [0, 1, 1]]);
    expect(minEigenvalue(a, 3)).toBeCloseTo(1 - Math.SQRT2, 14);
    expect(isPositiveSemidefinite(a, 3)).toBe(false);
  });
});

describe('nearestCorrelation reproduces Higham (2002)', () => {
  it('the 3×3 example [[1,1,0],[1,1,1],[0,1,1]]', () => {
    // Higham, IMA J. Numer. Anal. 22 (2002) 329–343, section 4 example; values as reproduced in
    // Breeze's NearPdTest ("Higham(2002), p.334f - simple example"): 0.76069, 0.15730.
    const result = nearestCorrelation(toRowMajor([[1, 1, 0], [1, 1, 1], [0, 1, 1]]), 3);
    expect(result.converged).toBe(true);
    expectMatrixClose(
      toRows(result.matrix, 3),
      [
        [1, 0.76069, 0.1573],
        [0.76069, 1, 0.76069],
        [0.1573, 0.76069, 1],
      ],
      1e-4,
    );
  });

  it('the 4×4 tridiagonal [−1, 2, −1] example', () => {
    // Input and result from the NAG Library g02aa documentation (example data g02aace.d, results
    // g02aafe.r), which takes it from Higham (2002): −0.8084, 0.1916, 0.1068, −0.6562.
    const result = nearestCorrelation(tridiagonal(4, 2, -1), 4);
    expect(result.converged).toBe(true);
    expectMatrixClose(
      toRows(result.matrix, 4),
      [
        [1, -0.8084, 0.1916, 0.1068],
        [-0.8084, 1, -0.6562, 0.1916],
        [0.1916, -0.6562, 1, -0.8084],
        [0.1068, 0.1916, -0.8084, 1],
      ],
      1e-4,
    );
  });

  it('returns a valid correlation matrix unchanged', () => {
    const valid = toRowMajor([[1, 0.5, 0.3], [0.5, 1, 0.4], [0.3, 0.4, 1]]);
    const result = nearestCorrelation(valid, 3);
    expect(result.distance).toBeLessThan(1e-12);
    Array.from(result.matrix).forEach((v, i) => expect(v).toBeCloseTo(valid[i], 12));
  });

  it('returns a symmetric, unit-diagonal, PSD matrix', () => {
    const result = nearestCorrelation(toRowMajor([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]), 3);
    const m = toRows(result.matrix, 3);
    for (let i = 0; i < 3; i++) {
      expect(m[i][i]).toBe(1);
      for (let j = 0; j < 3; j++) expect(m[i][j]).toBe(m[j][i]);
    }
    expect(minEigenvalue(result.matrix, 3)).toBeGreaterThan(-1e-12);
  });
});
