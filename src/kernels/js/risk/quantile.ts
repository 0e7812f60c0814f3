/**
 * Scenario P&L per account and per-account VaR / ES by selection: the JS twin of
 * assembly/risk/quantile.ts (conventions stated there and in docs/risk-kernels.md):
 *   pnl[a][s] = Σ_p qty[p]·R[inst[p]][s], positions p in [start[a], end[a]) ascending, from +0;
 *   loss = −pnl;  VaR = K-th largest loss;  ES = (Σ_{loss > VaR} loss + (K − c)·VaR)/K, the sum in
 *   scenario order, c = #{loss > VaR}. A non-finite P&L entry makes both NaN.
 */

/** Account P&L rows: out[a·M + s]. `risk` is instruments × M row-major (P&L per unit quantity). */
export function accountPnlJs(
  nAccounts: number, nScenarios: number, risk: Float64Array, start: Int32Array, end: Int32Array, inst: Int32Array, qty: Float64Array, out: Float64Array,
): void {
  const M = nScenarios;
  for (let a = 0; a < nAccounts; a++) {
    const base = a * M;
    out.fill(0, base, base + M);
    // positions outer, scenarios inner: per element the same p-ascending order as the WASM tiles
    for (let p = start[a]; p < end[a]; p++) {
      const q = qty[p];
      const row = inst[p] * M;
      for (let s = 0; s < M; s++) out[base + s] += q * risk[row + s];
    }
  }
}

function median3(x: number, y: number, z: number): number {
  const lo = x < y ? x : y, hi = x < y ? y : x;
  return z < lo ? lo : z > hi ? hi : z;
}

/**
 * The k-th smallest (0-based) of a[0..n), finite values, permuting `a`: Hoare's FIND (CACM 4(7), 1961,
 * Algorithm 65; loop as in Wirth, Algorithms + Data Structures = Programs, §2.3.4) with a median-of-three
 * pivot value. Expected O(n), O(n²) worst case.
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let l = 0, r = n - 1;
  while (l < r) {
    const x = median3(a[l], a[(l + r) >>> 1], a[r]);
    let i = l, j = r;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return a[k];
}

/** Tail counts up to this use the insertion buffer ({@link offer}); larger ones use selectKth. */
export const TOP_K_MAX = 48;

/**
 * Offers x to buf[0..k), the k largest values so far in ascending order; returns the new fill count.
 * Twin of `offer` in assembly/risk/quantile.ts.
 */
function offer(buf: Float64Array, k: number, filled: number, x: number): number {
  if (filled < k) {
    let j = filled;
    while (j > 0 && buf[j - 1] > x) {
      buf[j] = buf[j - 1];
      j--;
    }
    buf[j] = x;
    return filled + 1;
  }
  if (x > buf[0]) {
    let j = 1;
    while (j < k && buf[j] < x) {
      buf[j - 1] = buf[j];
      j++;
    }
    buf[j - 1] = x;
  }
  return filled;
}

/**
 * VaR and ES per account from P&L rows pnl[a·M + s], tail count K (1 ≤ K ≤ M). `work`: M scratch entries.
 * K ≤ TOP_K_MAX: the K largest losses kept in a sorted buffer during the finiteness pass; else copy and
 * select. Either finds the same value (the K-th largest loss), so the choice never changes the bits.
 */
export function tailRiskJs(
  nAccounts: number, nScenarios: number, pnl: Float64Array, tailCount: number, work: Float64Array, varOut: Float64Array, esOut: Float64Array,
): void {
  const M = nScenarios;
  const small = tailCount <= TOP_K_MAX;
  for (let a = 0; a < nAccounts; a++) {
    const base = a * M;
    let finite = true;
    let v = NaN, es = NaN;
    if (small) {
      let filled = 0;
      for (let s = 0; s < M; s++) {
        const loss = 0 - pnl[base + s]; // not −x: a zero P&L is a +0 loss
        finite = finite && loss - loss === 0;
        filled = offer(work, tailCount, filled, loss);
      }
      if (finite) v = work[0];
    } else {
      for (let s = 0; s < M; s++) {
        const loss = 0 - pnl[base + s]; // not −x: a zero P&L is a +0 loss
        finite = finite && loss - loss === 0;
        work[s] = loss;
      }
      if (finite) v = selectKth(work, M, M - tailCount);
    }
    if (finite) {
      let sum = 0;
      let beyond = 0;
      for (let s = 0; s < M; s++) {
        const loss = 0 - pnl[base + s]; // not −x: a zero P&L is a +0 loss
        if (loss > v) {
          sum += loss;
          beyond++;
        }
      }
      es = (sum + (tailCount - beyond) * v) / tailCount;
    }
    varOut[a] = v;
    esOut[a] = es;
  }
}
