/**
 * The input domain the Greeks kernels accept. Bounds keep every intermediate finite (S/K, e^(−rT),
 * e^(−qT) never overflow or underflow to a misleading value); anything outside is rejected, never
 * silently clamped. The ranges cover any real market with room to spare.
 */
export const GREEKS_LIMITS = {
  /** spot and strike: [1e-100, 1e100]. */
  priceMin: 1e-100,
  priceMax: 1e100,
  /** expiryYears ≤ 50 (negative = expired, any finite value). */
  expiryYearsMax: 50,
  /**
   * vol in [0, 3,000] (0 to 300,000 % a year): venues' SVI feeds quote the far wings of expiries hours away far above
   * 1,000 %; Derive's published cases quote up to 2,511.4. σ√T stays below 3,000·√50 ≈ 21,213, so d1, d2 and every
   * exponential of the kernels stay finite (e^(−d²/2) underflows to an exact 0, the normal tails to 0 or 1).
   */
  volMax: 3_000,
  /** |rate|, |carry| ≤ 2 (200% a year), so |(r−q)·T| ≤ 200 and F/K stays below 1e287. */
  rateAbsMax: 2,
} as const;
