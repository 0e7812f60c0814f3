/**
 * Batched covariance quadratic forms for delta-normal VaR: the JS twin of assembly/risk/quadratic.ts.
 *
 * For account a with exposures d = D[a·m .. a·m + m) (money per unit return of each underlying) and the
 * exactly symmetric m×m covariance Σ of underlying returns over the horizon (row-major):
 *   q = dᵀΣd (money², the P&L variance), from Σ's lower triangle only:
 *       V = lower triangle of Σ with the diagonal halved (exact), h[j] = Σ_{k ≥ j} d[k]·V[k][j],
 *       q = 2·(qEven + qOdd) with qEven / qOdd = Σ d[j]·h[j] over even / odd j;
 *   optionally g = dᵀΣ (= Σd), g[j] = Σ_k d[k]·Σ[k][j]: Euler component j is d[j]·g[j]/√q.
 * Every sum runs in ascending index order from +0, exactly as in the WASM kernels (whose SIMD lanes are
 * the even/odd partial sums), so the backends agree bit for bit on finite inputs.
 */

/**
 * q[a] and, when `grad` is given, grad[a·m + j] = g[j], for a in [0, n).
 * `sigma`: m² entries; `d`: n·m; `q`: n; `grad`: n·m or null.
 */
export function quadFormsJs(n: number, m: number, sigma: Float64Array, d: Float64Array, q: Float64Array, grad: Float64Array | null): void {
  const v = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    for (let j = 0; j < k; j++) v[k * m + j] = sigma[k * m + j];
    v[k * m + k] = 0.5 * sigma[k * m + k];
  }
  const h = new Float64Array(m);
  for (let a = 0; a < n; a++) {
    const base = a * m;
    // k outer, j inner: per element the same ascending-k order, over contiguous rows.
    h.fill(0);
    for (let k = 0; k < m; k++) {
      const x = d[base + k];
      const row = k * m;
      for (let j = 0; j <= k; j++) h[j] += x * v[row + j];
    }
    let qEven = 0, qOdd = 0;
    for (let j = 0; j < m; j++) {
      const p = d[base + j] * h[j];
      if ((j & 1) === 0) qEven += p;
      else qOdd += p;
    }
    q[a] = 2.0 * (qEven + qOdd);
    if (grad) {
      grad.fill(0, base, base + m);
      for (let k = 0; k < m; k++) {
        const x = d[base + k];
        const row = k * m;
        for (let j = 0; j < m; j++) grad[base + j] += x * sigma[row + j];
      }
    }
  }
}
