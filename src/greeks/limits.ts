/**
 * The input domain the Greeks kernels accept: the batch API's own (engine.greeks), wider in price than a book's
 * (src/model/domain.ts), and the same in vol and rate (read from there). Bounds keep every intermediate finite (S/K,
 * e^(−rT), e^(−qT) never overflow or underflow to a misleading value); anything outside is rejected, never silently
 * clamped. The ranges cover any real market with room to spare.
 */
import { DOMAIN } from '../model/domain.js';

export const GREEKS_LIMITS = {
  /** spot and strike: [1e-100, 1e100]. */
  priceMin: 1e-100,
  priceMax: 1e100,
  /** expiryYears ≤ 50 (negative = expired, any finite value). */
  expiryYearsMax: 50,
  /** vol in [0, 3,000] (0 to 300,000 %: venues' SVI feeds quote far wings of short expiries far above 1,000 %). */
  volMax: DOMAIN.vol.max,
  /** |rate|, |carry| ≤ 2 (200% a year), so |(r−q)·T| ≤ 200 and F/K stays below 1e287. */
  rateAbsMax: DOMAIN.rate.max,
} as const;
