// Small helpers for f64x2 code. Constants are loaded from tables in linear memory with
// v128.load64_splat. perf: const-table (docs/performance.md)

/** Lane-wise `mask ? a : b` (mask lanes all-ones or all-zeros, as comparisons produce). */
@inline export function select(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}

/** Both lanes set to table[index], where table is a `memory.data` block of 8-byte entries. */
@inline export function splat(table: usize, index: i32): v128 {
  return v128.load64_splat(table + (<usize>index << 3));
}

@inline export function fma2(a: v128, b: v128, c: v128): v128 {
  // Not a fused operation: a*b then +c, rounded twice, exactly as the scalar and JS twins do.
  return f64x2.add(f64x2.mul(a, b), c);
}

/** Two f64s at byte offsets a, b from `base`, as one f64x2. */
@inline export function gather(base: usize, a: usize, b: usize): v128 {
  return v128.load64_lane(base + b, v128.load64_zero(base + a), 1);
}
