// Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite m×m matrix, in place.
// Twin of src/kernels/js/risk/cholesky.ts.
//
// Storage: row-major m×m f64. The kernel reads the lower triangle (A[i][j], i ≥ j) and leaves L there,
// with zeros above the diagonal. Internally it factors the upper form U = Lᵀ (row-major U is
// column-major L), because then the right-looking update A[i][j] −= U[k][i]·U[k][j] walks contiguous
// rows: U[k][i] is a splat and U[k][j..j+7] a run of four f64x2 loads.
//
// Per element the arithmetic is the textbook right-looking order (Golub & Van Loan, Matrix
// Computations, Alg. 4.2.1 in outer-product form), identical on every backend:
//   a_ij ← (((a_ij − u_0i·u_0j) − u_1i·u_1j) − …) − u_(i−1)i·u_(i−1)j;  u_ii = √a_ii;  u_ij = a_ij / u_ii.
// Blocking (panels of PANEL pivots, then a register-tiled trailing update per panel) only changes the
// order in which *elements* are visited, never the order of the updates *within* an element.
//
// Failure: a pivot that is not > 0 (or is NaN) stops the factorisation; the kernel returns its index
// and the matrix contents are unspecified. Success returns −1.

const PANEL = 16; // pivots per panel: the panel's rows (16 × 8m bytes) stay in L1/L2 during the update

/** Tile edge of the transposes below: an 8 × 8 f64 tile is eight cache lines read and eight written. */
const TILE = 8;

/**
 * Copies the lower triangle onto the upper one (A[j][i] = A[i][j], i > j), tile by tile so that both
 * the rows read and the rows written stay in L1 (a plain column walk touches a new line per write).
 */
function mirrorLowerToUpper(m: i32, a: usize): void {
  const row = <usize>m << 3;
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = min(i0 + TILE, m);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = min(j0 + TILE, i);
        for (let j = j0; j < j1; j++) store<f64>(a + <usize>j * row + (<usize>i << 3), load<f64>(a + <usize>i * row + (<usize>j << 3)));
      }
    }
  }
}

/** L = Uᵀ into the lower triangle, zeros above the diagonal (tiled as mirrorLowerToUpper). */
function upperToLower(m: i32, a: usize): void {
  const row = <usize>m << 3;
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = min(i0 + TILE, m);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = min(j0 + TILE, i);
        for (let j = j0; j < j1; j++) {
          const upper = a + <usize>j * row + (<usize>i << 3);
          store<f64>(a + <usize>i * row + (<usize>j << 3), load<f64>(upper));
          store<f64>(upper, 0.0);
        }
      }
    }
  }
}

/**
 * Pivot k: u_kk = √a_kk, u_kj = a_kj / u_kk (j > k). Returns false when a_kk is not > 0.
 */
@inline function pivotRow(m: i32, a: usize, k: i32): bool {
  const row = a + <usize>k * (<usize>m << 3);
  const d = load<f64>(row + (<usize>k << 3));
  if (!(d > 0.0)) return false;
  const u = sqrt(d);
  store<f64>(row + (<usize>k << 3), u);
  let j = k + 1;
  if (ASC_FEATURE_SIMD) {
    const uv = f64x2.splat(u);
    for (; j + 2 <= m; j += 2) {
      const p = row + (<usize>j << 3);
      v128.store(p, f64x2.div(v128.load(p), uv));
    }
  }
  for (; j < m; j++) {
    const p = row + (<usize>j << 3);
    store<f64>(p, load<f64>(p) / u);
  }
  return true;
}

/** Row i (> k), columns [i, m): a_ij −= u_ki·u_kj. */
@inline function updateRow(m: i32, a: usize, k: i32, i: i32): void {
  const row = <usize>m << 3;
  const pk = a + <usize>k * row;
  const pi = a + <usize>i * row;
  const uki = load<f64>(pk + (<usize>i << 3));
  let j = i;
  if (ASC_FEATURE_SIMD) {
    const s = f64x2.splat(uki);
    for (; j + 2 <= m; j += 2) {
      const o = <usize>j << 3;
      v128.store(pi + o, f64x2.sub(v128.load(pi + o), f64x2.mul(s, v128.load(pk + o))));
    }
  }
  for (; j < m; j++) {
    const o = <usize>j << 3;
    store<f64>(pi + o, load<f64>(pi + o) - uki * load<f64>(pk + o));
  }
}

/**
 * Trailing update by the panel's pivot rows [k0, k1), rows i, i+1 and columns [j, j + 8): each element
 * keeps its running value in a register while k runs through the panel, in ascending order.
 * (Row i+1's column i lies below the diagonal: scratch, overwritten by upperToLower.)
 */
@inline function trailing2x8(a: usize, row: usize, k0: i32, k1: i32, i: i32, j: i32): void {
  const pi = a + <usize>i * row + (<usize>j << 3);
  const pn = pi + row;
  let x0 = v128.load(pi), x1 = v128.load(pi, 16), x2 = v128.load(pi, 32), x3 = v128.load(pi, 48);
  let y0 = v128.load(pn), y1 = v128.load(pn, 16), y2 = v128.load(pn, 32), y3 = v128.load(pn, 48);
  let pk = a + <usize>k0 * row;
  const ci = <usize>i << 3, cj = <usize>j << 3;
  for (let k = k0; k < k1; k++) {
    const u0 = v128.load(pk + cj), u1 = v128.load(pk + cj, 16), u2 = v128.load(pk + cj, 32), u3 = v128.load(pk + cj, 48);
    const si = v128.load64_splat(pk + ci);
    const sn = v128.load64_splat(pk + ci, 8);
    x0 = f64x2.sub(x0, f64x2.mul(si, u0));
    x1 = f64x2.sub(x1, f64x2.mul(si, u1));
    x2 = f64x2.sub(x2, f64x2.mul(si, u2));
    x3 = f64x2.sub(x3, f64x2.mul(si, u3));
    y0 = f64x2.sub(y0, f64x2.mul(sn, u0));
    y1 = f64x2.sub(y1, f64x2.mul(sn, u1));
    y2 = f64x2.sub(y2, f64x2.mul(sn, u2));
    y3 = f64x2.sub(y3, f64x2.mul(sn, u3));
    pk += row;
  }
  v128.store(pi, x0); v128.store(pi, x1, 16); v128.store(pi, x2, 32); v128.store(pi, x3, 48);
  v128.store(pn, y0); v128.store(pn, y1, 16); v128.store(pn, y2, 32); v128.store(pn, y3, 48);
}

/** As trailing2x8 for one row i and columns [j, j + 2). */
@inline function trailing1x2(a: usize, row: usize, k0: i32, k1: i32, i: i32, j: i32): void {
  const pi = a + <usize>i * row + (<usize>j << 3);
  let x = v128.load(pi);
  let pk = a + <usize>k0 * row;
  const ci = <usize>i << 3, cj = <usize>j << 3;
  for (let k = k0; k < k1; k++) {
    x = f64x2.sub(x, f64x2.mul(v128.load64_splat(pk + ci), v128.load(pk + cj)));
    pk += row;
  }
  v128.store(pi, x);
}

/** As trailing2x8 for one element (i, j). */
@inline function trailing1x1(a: usize, row: usize, k0: i32, k1: i32, i: i32, j: i32): void {
  const pi = a + <usize>i * row + (<usize>j << 3);
  let x = load<f64>(pi);
  let pk = a + <usize>k0 * row;
  const ci = <usize>i << 3, cj = <usize>j << 3;
  for (let k = k0; k < k1; k++) {
    x -= load<f64>(pk + ci) * load<f64>(pk + cj);
    pk += row;
  }
  store<f64>(pi, x);
}

/** Rows [k1, m) updated by pivot rows [k0, k1), upper triangle (columns j ≥ i). */
function trailingUpdate(m: i32, a: usize, k0: i32, k1: i32): void {
  const row = <usize>m << 3;
  let i = k1;
  for (; i + 2 <= m; i += 2) {
    let j = i;
    for (; j + 8 <= m; j += 8) trailing2x8(a, row, k0, k1, i, j);
    for (; j + 2 <= m; j += 2) {
      trailing1x2(a, row, k0, k1, i, j);
      trailing1x2(a, row, k0, k1, i + 1, j);
    }
    if (j < m) {
      trailing1x1(a, row, k0, k1, i, j);
      trailing1x1(a, row, k0, k1, i + 1, j);
    }
  }
  if (i < m) {
    let j = i;
    for (; j + 2 <= m; j += 2) trailing1x2(a, row, k0, k1, i, j);
    if (j < m) trailing1x1(a, row, k0, k1, i, j);
  }
}

/**
 * Factors the SPD matrix at aPtr (m×m f64, row-major; lower triangle read) into L (lower triangle,
 * zeros above). Returns −1 on success, else the index of the first pivot that is not > 0 (the matrix
 * is not positive definite to working precision; contents then unspecified).
 */
export function cholesky(m: i32, aPtr: usize): i32 {
  mirrorLowerToUpper(m, aPtr);
  if (ASC_FEATURE_SIMD) {
    for (let k0 = 0; k0 < m; k0 += PANEL) {
      const k1 = min(k0 + PANEL, m);
      for (let k = k0; k < k1; k++) {
        if (!pivotRow(m, aPtr, k)) return k;
        for (let i = k + 1; i < k1; i++) updateRow(m, aPtr, k, i);
      }
      trailingUpdate(m, aPtr, k0, k1);
    }
  } else {
    for (let k = 0; k < m; k++) {
      if (!pivotRow(m, aPtr, k)) return k;
      for (let i = k + 1; i < m; i++) updateRow(m, aPtr, k, i);
    }
  }
  upperToLower(m, aPtr);
  return -1;
}
