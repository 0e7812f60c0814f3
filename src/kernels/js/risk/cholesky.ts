/**
 * Cholesky factorisation A = L·Lᵀ in place: the JS twin of assembly/risk/cholesky.ts.
 *
 * `a` is m×m row-major; the lower triangle (A[i][j], i ≥ j) is read and L is left there with zeros above
 * the diagonal. The algorithm is the unblocked right-looking (outer-product) form on the upper factor
 * U = Lᵀ (Golub & Van Loan, Matrix Computations, Alg. 4.2.1): per element
 *   a_ij ← (((a_ij − u_0i·u_0j) − u_1i·u_1j) − …),  u_ii = √a_ii,  u_ij = a_ij / u_ii,
 * the same per-element order as the blocked, register-tiled WASM kernel, hence the same bits.
 *
 * Returns −1 on success, else the index of the first pivot that is not > 0 (not positive definite to
 * working precision; `a` is then left in an unspecified state).
 */
export function choleskyJs(m: number, a: Float64Array): number {
  for (let i = 1; i < m; i++) for (let j = 0; j < i; j++) a[j * m + i] = a[i * m + j];
  for (let k = 0; k < m; k++) {
    const pk = k * m;
    const pivot = a[pk + k];
    if (!(pivot > 0)) return k;
    const u = Math.sqrt(pivot);
    a[pk + k] = u;
    for (let j = k + 1; j < m; j++) a[pk + j] = a[pk + j] / u;
    for (let i = k + 1; i < m; i++) {
      const pi = i * m;
      const uki = a[pk + i];
      for (let j = i; j < m; j++) a[pi + j] = a[pi + j] - uki * a[pk + j];
    }
  }
  for (let i = 1; i < m; i++) {
    for (let j = 0; j < i; j++) {
      a[i * m + j] = a[j * m + i];
      a[j * m + i] = 0;
    }
  }
  return -1;
}
