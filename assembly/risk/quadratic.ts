// Batched covariance quadratic forms for delta-normal VaR. Twin of src/kernels/js/risk/quadratic.ts.
//
// For each account a with exposure row d = D[a, 0..m) (row-major n×m) and the symmetric m×m covariance
// Σ (row-major):
//   q = dᵀΣd, from the lower triangle only (half the work of a full matrix–vector product):
//       V = the lower triangle of Σ with its diagonal halved (exact), zeros above;
//       h[j] = Σ_{k ≥ j} d[k]·V[k][j]      (k ascending, from +0)
//       q = 2·(qEven + qOdd), qEven / qOdd = Σ d[j]·h[j] over even / odd j (j ascending, from +0)
//   and, on request, the gradient g = dᵀΣ (= Σd), g[j] = Σ_k d[k]·Σ[k][j] (k ascending, from +0), for
//   Euler component VaR d[j]·g[j]/√q (the caller's job, with z and horizon scaling).
// Every backend follows exactly these orders, so results are bit-identical (for finite inputs: see
// below). qEven / qOdd are the two lanes of one f64x2 accumulator in the SIMD build.
//
// SIMD: register tiles of 2 accounts × 8 columns (8 f64x2 accumulators, 4 matrix-row vectors and 2
// splats: 14 of the 16 xmm registers WASM gets, perf: short-phases), k innermost; column tails of 2, then 1; an odd
// last account runs the scalar path. In the triangular pass a tile starts k at its first column j0, so
// columns j > j0 also receive d[k]·0 for j0 ≤ k < j: with +0-started sums and finite d these additions
// change no bit (x + ±0 = x for x ≠ 0, and +0 + ±0 = +0).

const ZERO = memory.data<f64>([0.0]);

/** V (m×m at v) from Σ: lower triangle, diagonal halved, zeros above. */
function halfLower(m: i32, sigma: usize, v: usize): void {
  for (let k = 0; k < m; k++) {
    for (let j = 0; j < m; j++) {
      const o = (<usize>k * <usize>m + <usize>j) << 3;
      store<f64>(v + o, j < k ? load<f64>(sigma + o) : j == k ? 0.5 * load<f64>(sigma + o) : 0.0);
    }
  }
}

/**
 * out[j] = Σ_{k=kFrom(j)..m−1} d[k]·mat[k][j] for j in [0, m), scalar, k outer (contiguous rows; per
 * element the same ascending k order). triangular: kFrom(j) = j (mat has zeros above the diagonal),
 * else 0.
 */
function matVecScalar(m: i32, mat: usize, d: usize, out: usize, triangular: bool): void {
  for (let j = 0; j < m; j++) store<f64>(out + (<usize>j << 3), 0.0);
  const rowBytes = <usize>m << 3;
  for (let k = 0; k < m; k++) {
    const x = load<f64>(d + (<usize>k << 3));
    const row = mat + <usize>k * rowBytes;
    const end = triangular ? k + 1 : m;
    for (let j = 0; j < end; j++) {
      const p = out + (<usize>j << 3);
      store<f64>(p, load<f64>(p) + x * load<f64>(row + (<usize>j << 3)));
    }
  }
}

/** Two accounts (rows da, db), columns [j0, j0 + 8), k from kStart: sums to outA/outB[j0..j0+8). */
@inline function tile2x8(m: i32, mat: usize, da: usize, db: usize, kStart: i32, j0: i32, outA: usize, outB: usize): void {
  // +0 from a table, not v128.const: perf: const-table (docs/performance.md)
  let a0 = v128.load64_splat(ZERO), a1 = a0, a2 = a0, a3 = a0;
  let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const rowBytes = <usize>m << 3;
  let s = mat + <usize>kStart * rowBytes + (<usize>j0 << 3);
  const end = <usize>m << 3;
  for (let k = <usize>kStart << 3; k < end; k += 8) {
    const s0 = v128.load(s), s1 = v128.load(s, 16), s2 = v128.load(s, 32), s3 = v128.load(s, 48);
    const xa = v128.load64_splat(da + k);
    const xb = v128.load64_splat(db + k);
    a0 = f64x2.add(a0, f64x2.mul(xa, s0));
    a1 = f64x2.add(a1, f64x2.mul(xa, s1));
    a2 = f64x2.add(a2, f64x2.mul(xa, s2));
    a3 = f64x2.add(a3, f64x2.mul(xa, s3));
    b0 = f64x2.add(b0, f64x2.mul(xb, s0));
    b1 = f64x2.add(b1, f64x2.mul(xb, s1));
    b2 = f64x2.add(b2, f64x2.mul(xb, s2));
    b3 = f64x2.add(b3, f64x2.mul(xb, s3));
    s += rowBytes;
  }
  const oa = outA + (<usize>j0 << 3), ob = outB + (<usize>j0 << 3);
  v128.store(oa, a0); v128.store(oa, a1, 16); v128.store(oa, a2, 32); v128.store(oa, a3, 48);
  v128.store(ob, b0); v128.store(ob, b1, 16); v128.store(ob, b2, 32); v128.store(ob, b3, 48);
}

/** As tile2x8 for columns [j0, j0 + 2). */
@inline function tile2x2(m: i32, mat: usize, da: usize, db: usize, kStart: i32, j0: i32, outA: usize, outB: usize): void {
  let a = v128.load64_splat(ZERO), b = a;
  const rowBytes = <usize>m << 3;
  let s = mat + <usize>kStart * rowBytes + (<usize>j0 << 3);
  const end = <usize>m << 3;
  for (let k = <usize>kStart << 3; k < end; k += 8) {
    const s0 = v128.load(s);
    a = f64x2.add(a, f64x2.mul(v128.load64_splat(da + k), s0));
    b = f64x2.add(b, f64x2.mul(v128.load64_splat(db + k), s0));
    s += rowBytes;
  }
  v128.store(outA + (<usize>j0 << 3), a);
  v128.store(outB + (<usize>j0 << 3), b);
}

/** One account, column j, k from kStart (scalar). */
@inline function column1(m: i32, mat: usize, d: usize, kStart: i32, j: i32, out: usize): void {
  let acc = 0.0;
  const rowBytes = <usize>m << 3;
  let s = mat + <usize>kStart * rowBytes + (<usize>j << 3);
  for (let k = kStart; k < m; k++) {
    acc += load<f64>(d + (<usize>k << 3)) * load<f64>(s);
    s += rowBytes;
  }
  store<f64>(out + (<usize>j << 3), acc);
}

/** Matrix–vector products for accounts at da, db = da + row (SIMD tiles). */
@inline function matVecPair(m: i32, mat: usize, da: usize, db: usize, triangular: bool, outA: usize, outB: usize): void {
  let j = 0;
  for (; j + 8 <= m; j += 8) tile2x8(m, mat, da, db, triangular ? j : 0, j, outA, outB);
  for (; j + 2 <= m; j += 2) tile2x2(m, mat, da, db, triangular ? j : 0, j, outA, outB);
  if (j < m) {
    column1(m, mat, da, triangular ? j : 0, j, outA);
    column1(m, mat, db, triangular ? j : 0, j, outB);
  }
}

/** 2·(qEven + qOdd) of d·h (scalar). */
@inline function dotEvenOdd(m: i32, d: usize, h: usize): f64 {
  let qEven = 0.0, qOdd = 0.0;
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const o = <usize>j << 3;
    qEven += load<f64>(d + o) * load<f64>(h + o);
    qOdd += load<f64>(d + o, 8) * load<f64>(h + o, 8);
  }
  if (j < m) qEven += load<f64>(d + (<usize>j << 3)) * load<f64>(h + (<usize>j << 3));
  return 2.0 * (qEven + qOdd);
}

/** f64x2 twin of dotEvenOdd. */
@inline function dotEvenOddV(m: i32, d: usize, h: usize): f64 {
  let acc = v128.load64_splat(ZERO);
  let j = 0;
  for (; j + 2 <= m; j += 2) {
    const o = <usize>j << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(d + o), v128.load(h + o)));
  }
  let qEven = f64x2.extract_lane(acc, 0);
  if (j < m) qEven += load<f64>(d + (<usize>j << 3)) * load<f64>(h + (<usize>j << 3));
  return 2.0 * (qEven + f64x2.extract_lane(acc, 1));
}

/**
 * q[a] = dₐᵀΣdₐ for a in [0, n), and when gradPtr ≠ 0, grad[a][j] = (dₐᵀΣ)[j] (n×m row-major).
 * sigmaPtr: m×m f64 row-major, exactly symmetric (q reads its lower triangle, the gradient all of it);
 * dPtr: n×m f64 row-major; qPtr: n f64; workPtr: m·m + 2·m f64 of scratch.
 * Units: Σ in (return)² over the horizon, d in money per unit return, q in money². Non-finite inputs
 * propagate (the caller validates; bit parity is promised for finite inputs).
 */
export function quadForms(n: i32, m: i32, sigmaPtr: usize, dPtr: usize, qPtr: usize, gradPtr: usize, workPtr: usize): void {
  const rowBytes = <usize>m << 3;
  const v = workPtr;
  const ha = v + <usize>m * rowBytes;
  const hb = ha + rowBytes;
  halfLower(m, sigmaPtr, v);
  let a = 0;
  if (ASC_FEATURE_SIMD) {
    for (; a + 2 <= n; a += 2) {
      const da = dPtr + <usize>a * rowBytes;
      const db = da + rowBytes;
      matVecPair(m, v, da, db, true, ha, hb);
      store<f64>(qPtr + (<usize>a << 3), dotEvenOddV(m, da, ha));
      store<f64>(qPtr + (<usize>(a + 1) << 3), dotEvenOddV(m, db, hb));
      if (gradPtr != 0) {
        const ga = gradPtr + <usize>a * rowBytes;
        matVecPair(m, sigmaPtr, da, db, false, ga, ga + rowBytes);
      }
    }
  }
  for (; a < n; a++) {
    const d = dPtr + <usize>a * rowBytes;
    matVecScalar(m, v, d, ha, true);
    store<f64>(qPtr + (<usize>a << 3), dotEvenOdd(m, d, ha));
    if (gradPtr != 0) matVecScalar(m, sigmaPtr, d, gradPtr + <usize>a * rowBytes, false);
  }
}
