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
  /** vol in [0, 50] (0 to 5,000%): venues' SVI feeds quote short-dated wings far above 1,000%. */
  volMax: 50,
  /** |rate|, |carry| ≤ 2 (200% a year), so |(r−q)·T| ≤ 200 and F/K stays below 1e287. */
  rateAbsMax: 2,
} as const;
