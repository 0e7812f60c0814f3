/**
 * Correlation-matrix numerics: symmetric eigenvalues (cyclic Jacobi), a positive-semidefinite check,
 * and the nearest correlation matrix (Higham 2002, alternating projections with Dykstra's correction).
 *
 * Matrices are row-major `Float64Array`s of n² entries. The sizes here are assets (tens, maybe a few
 * hundred), so O(n³) per sweep is fine and Jacobi's accuracy on small eigenvalues is what we want: the
 * PSD verdict hinges on the sign of the smallest one.
 */

import { describeValue, InputError } from '../errors.js';

/** Eigenvalues at or above −this count as non-negative: rounding in a JSON matrix must not fail it. */
export const PSD_TOLERANCE = 1e-10;

const MAX_JACOBI_SWEEPS = 100;

export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Row-major n×n; column k is the unit eigenvector of `values[k]`. Null when not requested. */
  readonly vectors: Float64Array | null;
}

/**
 * Eigen-decomposition of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Matrix
 * Computations, §8.5): sweep every off-diagonal pair with a rotation that zeroes it, until the
 * off-diagonal mass is negligible. Reads only the input; the upper and lower triangles must agree.
 */
export function symmetricEigen(matrix: Float64Array, n: number, wantVectors = false): SymmetricEigen {
  if (matrix.length !== n * n) throw new RangeError(`expected ${n * n} entries for a ${n}×${n} matrix, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = wantVectors ? identity(n) : null;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    // Converged when what is left off the diagonal is below double rounding of the whole matrix.
    if (off <= 1e-32 * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation angle from tau = cot(2θ); t = tan θ is the smaller root, for stability.
        const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        rotate(a, v, n, p, q, c, s);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  let vectors: Float64Array | null = null;
  if (v) {
    vectors = new Float64Array(n * n);
    for (let k = 0; k < n; k++) for (let r = 0; r < n; r++) vectors[r * n + k] = v[r * n + order[k]];
  }
  return { values, vectors };
}

/** A ← JᵀAJ for the Givens rotation J in plane (p, q); V ← VJ accumulates eigenvectors. */
function rotate(a: Float64Array, v: Float64Array | null, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = 0; // exactly zero by construction; drop the rounding residue
  a[q * n + p] = 0;
  if (v) {
    for (let k = 0; k < n; k++) {
      const vkp = v[k * n + p];
      const vkq = v[k * n + q];
      v[k * n + p] = c * vkp - s * vkq;
      v[k * n + q] = s * vkp + c * vkq;
    }
  }
}

/** Smallest eigenvalue of a symmetric matrix (row-major). */
export function minEigenvalue(matrix: Float64Array, n: number): number {
  return n === 0 ? 0 : symmetricEigen(matrix, n).values[0];
}

/** True when the symmetric matrix has no eigenvalue below −{@link PSD_TOLERANCE}. */
export function isPositiveSemidefinite(matrix: Float64Array, n: number, tolerance = PSD_TOLERANCE): boolean {
  return minEigenvalue(matrix, n) >= -tolerance;
}

export interface SemidefiniteFactor {
  /** Row-major m×m lower-triangular L with L·Lᵀ = the matrix (to rounding), negative eigenvalues within tolerance clipped to 0. */
  readonly l: Float64Array | null;
  /** Smallest eigenvalue of the matrix; when below −tolerance × largest diagonal entry there is no `l`. */
  readonly minEigenvalue: number;
}

/**
 * A lower-triangular factor L (L·Lᵀ = A) of a symmetric positive SEMI-definite matrix, where plain
 * Cholesky stops at a zero pivot: perfectly correlated assets, a repaired (nearest) correlation matrix,
 * an EWMA covariance from fewer dates than assets. Null `l` when A has an eigenvalue below
 * −`tolerance` × max(A_ii) (not PSD beyond rounding) or a non-finite entry.
 *
 * Implementation note: A = V·Λ·Vᵀ by cyclic Jacobi ({@link symmetricEigen}), F = V·diag(√λ⁺) so that
 * F·Fᵀ = A, where λ⁺ is λ with eigenvalues at or below m·ε·λmax (rounding, or negative within the
 * tolerance) set to 0; then the Householder QR of Fᵀ
 * (Golub & Van Loan, Alg. 5.2.1), Fᵀ = Q·R, gives L = Rᵀ: L·Lᵀ = Rᵀ·QᵀQ·R = F·Fᵀ, lower triangular as the
 * correlated-draws kernel reads it. Plain TypeScript with + − × ÷ and √ only (each correctly rounded), so
 * every backend gets the same bits. O(m³) per Jacobi sweep: fine for tens of assets, seconds at 500.
 */
export function semidefiniteFactor(a: Float64Array, m: number, tolerance = PSD_TOLERANCE): SemidefiniteFactor {
  let scale = 0;
  for (let i = 0; i < m * m; i++) if (!Number.isFinite(a[i])) return { l: null, minEigenvalue: NaN };
  for (let i = 0; i < m; i++) scale = Math.max(scale, a[i * m + i]);
  const { values, vectors } = symmetricEigen(a, m, true);
  const v = vectors as Float64Array;
  const lowest = m === 0 ? 0 : values[0];
  if (!(lowest >= -tolerance * scale)) return { l: null, minEigenvalue: lowest };
  // Eigenvalues within rounding of zero (≤ m·ε·λmax) are zero: their √ would turn rounding noise of
  // ~1e-19 into a spurious independent direction of ~3e-10, e.g. in draws of perfectly correlated assets.
  const floor = m * Number.EPSILON * (m === 0 ? 0 : values[m - 1]);
  // t = Fᵀ (row k = √λ_k · v_k), factored in place into R.
  const t = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    const root = values[k] > floor ? Math.sqrt(values[k]) : 0;
    for (let j = 0; j < m; j++) t[k * m + j] = root * v[j * m + k];
  }
  householderR(t, m);
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    // R's row i, sign-normalised to a non-negative diagonal (flipping a row of R keeps RᵀR).
    const sign = t[i * m + i] < 0 ? -1 : 1;
    for (let j = i; j < m; j++) l[j * m + i] = sign * t[i * m + j];
  }
  return { l, minEigenvalue: lowest };
}

/** In place: the upper-triangular R of the QR factorisation of the m×m row-major `a` (below the diagonal: zeros). */
function householderR(a: Float64Array, m: number): void {
  const w = new Float64Array(m);
  for (let k = 0; k < m - 1; k++) {
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[i * m + k] * a[i * m + k];
    if (norm2 === 0) continue; // a zero column: nothing to eliminate
    const x0 = a[k * m + k];
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    // Reflector v = x − αe₁ (no cancellation: α has the sign opposite to x₀), H = I − 2vvᵀ/(vᵀv).
    for (let i = k; i < m; i++) w[i] = a[i * m + k];
    w[k] = x0 - alpha;
    let vtv = 0;
    for (let i = k; i < m; i++) vtv += w[i] * w[i];
    for (let j = k + 1; j < m; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += w[i] * a[i * m + j];
      const f = (2 * dot) / vtv;
      for (let i = k; i < m; i++) a[i * m + j] -= f * w[i];
    }
    a[k * m + k] = alpha;
    for (let i = k + 1; i < m; i++) a[i * m + k] = 0;
  }
}

export interface NearestCorrelationOptions {
  /** Stop when successive iterates and the two projections agree to this relative Frobenius distance. Default 1e-10. */
  tol?: number | undefined;
  /** Give up (with `converged: false`) after this many iterations. Default 10,000. */
  maxIterations?: number | undefined;
}

export interface NearestCorrelationResult {
  /** Row-major n×n: symmetric, unit diagonal, entries in [−1, 1], positive semidefinite. */
  readonly matrix: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** Frobenius distance from the input (after symmetrising it). */
  readonly distance: number;
}

/**
 * The correlation matrix nearest in the Frobenius norm to a symmetric matrix `a` (row-major n×n).
 *
 * Higham, "Computing the nearest correlation matrix — a problem from finance", IMA J. Numer. Anal.
 * 22 (2002) 329–343, Algorithm 3.3 with unit weights: alternate the projection onto the PSD cone
 * (clip negative eigenvalues) and onto unit-diagonal matrices, with Dykstra's correction ΔS applied
 * before the PSD projection (plain alternation would converge to a correlation matrix, not the nearest).
 *
 * Implementation note: the iteration ends on the PSD iterate X rescaled to a unit diagonal,
 * D^{-1/2} X D^{-1/2}. That congruence keeps it PSD exactly, so the result passes the PSD check
 * without depending on how far the unit-diagonal iterate Y still is from the cone.
 */
export function nearestCorrelation(a: Float64Array, n: number, options: NearestCorrelationOptions = {}): NearestCorrelationResult {
  // a length that is not n², or a value that is not finite, ran 10,000 iterations to an all-NaN "correlation matrix"
  if (!Number.isInteger(n) || n < 0) throw new InputError([{ path: 'n', message: `expected the matrix's order, a whole number ≥ 0, got ${describeValue(n)}` }]);
  if (a.length !== n * n) throw new InputError([{ path: 'a', message: `expected ${n} × ${n} = ${n * n} entries (row-major), got ${a.length}` }]);
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) throw new InputError([{ path: `a[${k}]`, message: `not a finite number (got ${describeValue(a[k])})` }]);
  if (n === 0) return { matrix: new Float64Array(0), iterations: 0, converged: true, distance: 0 };
  const tol = options.tol ?? 1e-10;
  const maxIterations = options.maxIterations ?? 10_000;
  const size = n * n;
  const target = new Float64Array(size);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) target[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);

  const y = Float64Array.from(target);
  const x = new Float64Array(size);
  const r = new Float64Array(size);
  const dykstra = new Float64Array(size);
  const previousX = new Float64Array(size);
  const previousY = new Float64Array(size);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    previousX.set(x);
    previousY.set(y);
    for (let i = 0; i < size; i++) r[i] = y[i] - dykstra[i];
    projectOntoPsdCone(r, n, x);
    for (let i = 0; i < size; i++) dykstra[i] = x[i] - r[i];
    y.set(x);
    for (let i = 0; i < n; i++) y[i * n + i] = 1;
    const changeX = frobeniusDistance(x, previousX) / frobeniusNorm(x);
    const changeY = frobeniusDistance(y, previousY) / frobeniusNorm(y);
    const gap = frobeniusDistance(x, y) / frobeniusNorm(y);
    if (Math.max(changeX, changeY, gap) <= tol) {
      converged = true;
      break;
    }
  }
  const result = rescaleToUnitDiagonal(x, n);
  return { matrix: result, iterations, converged, distance: frobeniusDistance(result, target) };
}

/** out = V·diag(max(λ, 0))·Vᵀ: the nearest PSD matrix in the Frobenius norm. */
function projectOntoPsdCone(symmetric: Float64Array, n: number, out: Float64Array): void {
  const { values, vectors } = symmetricEigen(symmetric, n, true);
  const v = vectors as Float64Array;
  out.fill(0);
  for (let k = 0; k < n; k++) {
    const lambda = values[k];
    if (lambda <= 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = v[i * n + k] * lambda;
      if (vik === 0) continue;
      for (let j = i; j < n; j++) out[i * n + j] += vik * v[j * n + k];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i];
}

function rescaleToUnitDiagonal(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) scale[i] = x[i * n + i] > 0 ? 1 / Math.sqrt(x[i * n + i]) : 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // A zero diagonal means a zero row of a PSD matrix: that asset is then uncorrelated.
      const value = i === j ? 1 : x[i * n + j] * scale[i] * scale[j];
      out[i * n + j] = Math.min(1, Math.max(-1, value));
    }
  }
  return out;
}

function frobeniusNorm(m: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < m.length; i++) sum += m[i] * m[i];
  return Math.sqrt(sum);
}

function frobeniusDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum);
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** Row-major copy of a square `number[][]`. */
export function toRowMajor(rows: readonly (readonly number[])[]): Float64Array {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = rows[i][j];
  return out;
}

/** `number[][]` from a row-major n×n matrix. */
export function toRows(matrix: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(matrix.subarray(i * n, i * n + n)));
}
