/**
 * Implied vol smiles from Gatheral's raw SVI total variance, one slice per expiry:
 *   w(k) = a + b·(ρ·(k − m) + √((k − m)² + s²)),   k = ln(K/F),   σ_impl = √(w/T).
 * Parameterised by what a trader would quote: the ATM vol, the skew ρ, and a wing steepness.
 */

export interface SmileSlice {
  readonly a: number;
  readonly b: number;
  readonly rho: number;
  readonly m: number;
  readonly s: number;
  readonly years: number;
}

/**
 * A slice with ATM implied vol `atmVol` at `years`. Wings scale with √T (b ∝ σ_atm√T), so short
 * expiries are steep in log-moneyness and long ones flat, as on listed crypto options.
 */
export function smileSlice(atmVol: number, years: number, rho: number, wing: number): SmileSlice {
  const s = 0.1;
  const b = wing * atmVol * Math.sqrt(years);
  const atmVariance = atmVol * atmVol * years;
  // w(0) = a + b·s when m = 0; pick a so the slice passes through the ATM variance.
  return { a: atmVariance - b * s, b, rho, m: 0, s, years };
}

/** Implied vol at strike `strike` for forward `forward`. */
export function impliedVol(slice: SmileSlice, forward: number, strike: number): number {
  const k = Math.log(strike / forward) - slice.m;
  const w = slice.a + slice.b * (slice.rho * k + Math.sqrt(k * k + slice.s * slice.s));
  return Math.sqrt(Math.max(w, 1e-8) / slice.years);
}

/** ATM vol term structure: a short-dated premium decaying over ~a month onto the asset's vol. */
export function atmVolAt(baseVol: number, years: number): number {
  return baseVol * (0.92 + 0.18 * Math.exp(-years / 0.08));
}
