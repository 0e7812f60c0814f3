/**
 * The input domain the Greeks kernels accept: the batch API's own (engine.greeks), wider in price than a book's
 * (src/model/domain.ts), and the same in vol and rate (the domain reads them from here, so a page that only prices
 * options does not carry the book's domain table). Bounds keep every intermediate finite (S/K,
 * e^(−rT), e^(−qT) never overflow or underflow to a misleading value); anything outside is rejected, never silently
 * clamped. The ranges cover any real market with room to spare.
 */
export const GREEKS_LIMITS = Object.freeze({
  /** spot and strike: [1e-100, 1e100]. */
  priceMin: 1e-100,
  priceMax: 1e100,
  /** expiryYears ≤ 50 (negative = expired, any finite value). */
  expiryYearsMax: 50,
  /** vol in [0, 3,000] (0 to 300,000 %: venues' SVI feeds quote far wings of short expiries far above 1,000 %). */
  volMax: 3_000,
  /** |rate|, |carry| ≤ 2 (200% a year), so |(r−q)·T| ≤ 200 and F/K stays below 1e287. */
  rateAbsMax: 2,
} as const);
