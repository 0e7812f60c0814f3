/**
 * The input domain the Greeks kernels accept. Bounds keep every intermediate finite (S/K, e^(−rT),
 * e^(−qT) never overflow or underflow to a misleading value); anything outside is rejected, never
 * silently clamped. The ranges cover any real market with room to spare.
 */
export const GREEKS_LIMITS = {
  /** spot and strike: [1e-150, 1e150]. */
  priceMin: 1e-150,
  priceMax: 1e150,
  /** expiryYears ≤ 100 (negative = expired, any finite value). */
  expiryYearsMax: 100,
  /** vol in [0, 10] (0 to 1000%). */
  volMax: 10,
  /** |rate|, |carry| ≤ 5 (500% a year), so |r·T| ≤ 500. */
  rateAbsMax: 5,
} as const;
