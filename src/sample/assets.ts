/**
 * The assets of the sample universe and how each trades: reference price and vol (late-2026-ish
 * levels, perturbed per seed), how deep its listings go, and its lot sizes.
 */

export interface AssetProfile {
  readonly symbol: string;
  /** Reference spot in USD (the generator perturbs it by a few %). */
  readonly price: number;
  /** Reference annualised vol. */
  readonly vol: number;
  readonly stablecoin: boolean;
  /** Loading on the common crypto factor and on the "alt" factor (correlation model). */
  readonly marketBeta: number;
  readonly altBeta: number;
  /** Annualised futures basis (forward premium), so carry = rate − basis. */
  readonly basis: number;
  /** SVI correlation parameter: < 0 is the usual put skew. */
  readonly skew: number;
  /** Option expiries listed: counts of dailies, weeklies, monthlies, quarterlies (0 = no options). */
  readonly optionExpiries: readonly [daily: number, weekly: number, monthly: number, quarterly: number];
  /** Strikes listed on each side of the forward per expiry. */
  readonly strikesPerSide: number;
  /** Quarterly futures listed. */
  readonly futures: number;
  /** Contract multiplier (units of the asset per contract) for this asset's derivatives. */
  readonly multiplier: number;
  /** Smallest tradable quantity (contracts) for perps/futures and for options. */
  readonly linearLot: number;
  readonly optionLot: number;
  /** Decimal places for balances of this asset. */
  readonly balanceDecimals: number;
}

export const ASSET_PROFILES: readonly AssetProfile[] = [
  { symbol: 'BTC', price: 91_500, vol: 0.52, stablecoin: false, marketBeta: 0.86, altBeta: 0, basis: 0.085, skew: -0.15, optionExpiries: [3, 3, 3, 3], strikesPerSide: 8, futures: 3, multiplier: 1, linearLot: 0.001, optionLot: 0.1, balanceDecimals: 4 },
  { symbol: 'ETH', price: 3_050, vol: 0.68, stablecoin: false, marketBeta: 0.82, altBeta: 0.25, basis: 0.09, skew: -0.2, optionExpiries: [3, 3, 3, 3], strikesPerSide: 8, futures: 3, multiplier: 1, linearLot: 0.01, optionLot: 1, balanceDecimals: 3 },
  { symbol: 'SOL', price: 142, vol: 0.82, stablecoin: false, marketBeta: 0.74, altBeta: 0.38, basis: 0.1, skew: -0.22, optionExpiries: [0, 2, 2, 1], strikesPerSide: 6, futures: 2, multiplier: 1, linearLot: 0.1, optionLot: 1, balanceDecimals: 2 },
  { symbol: 'XRP', price: 2.15, vol: 0.86, stablecoin: false, marketBeta: 0.64, altBeta: 0.22, basis: 0.1, skew: -0.08, optionExpiries: [0, 1, 2, 0], strikesPerSide: 6, futures: 1, multiplier: 100, linearLot: 1, optionLot: 1, balanceDecimals: 1 },
  { symbol: 'DOGE', price: 0.162, vol: 0.95, stablecoin: false, marketBeta: 0.66, altBeta: 0.3, basis: 0.12, skew: 0.05, optionExpiries: [0, 0, 0, 0], strikesPerSide: 0, futures: 1, multiplier: 1000, linearLot: 1, optionLot: 1, balanceDecimals: 0 },
  { symbol: 'AVAX', price: 14.2, vol: 0.9, stablecoin: false, marketBeta: 0.7, altBeta: 0.4, basis: 0.1, skew: -0.18, optionExpiries: [0, 0, 2, 0], strikesPerSide: 6, futures: 0, multiplier: 1, linearLot: 0.1, optionLot: 1, balanceDecimals: 2 },
  { symbol: 'USDC', price: 1, vol: 0, stablecoin: true, marketBeta: 0, altBeta: 0, basis: 0, skew: 0, optionExpiries: [0, 0, 0, 0], strikesPerSide: 0, futures: 0, multiplier: 1, linearLot: 1, optionLot: 1, balanceDecimals: 2 },
  { symbol: 'USDT', price: 1.0002, vol: 0, stablecoin: true, marketBeta: 0, altBeta: 0, basis: 0, skew: 0, optionExpiries: [0, 0, 0, 0], strikesPerSide: 0, futures: 0, multiplier: 1, linearLot: 1, optionLot: 1, balanceDecimals: 2 },
];

export function profileOf(symbol: string): AssetProfile {
  const profile = ASSET_PROFILES.find((p) => p.symbol === symbol);
  if (!profile) throw new Error(`no sample profile for ${symbol}`);
  return profile;
}

/** `x` rounded to `decimals` places, as the shortest JSON number (no 0.30000000000000004). */
export function roundTo(x: number, decimals: number): number {
  return Number(x.toFixed(decimals));
}

/** Decimal places of a lot size such as 0.001 → 3. */
export function decimalsOf(step: number): number {
  return step >= 1 ? 0 : Math.round(-Math.log10(step));
}

/** `quantity` in whole lots (at least one lot, sign kept). */
export function toLots(quantity: number, lot: number): number {
  const lots = Math.max(1, Math.round(Math.abs(quantity) / lot));
  return roundTo(Math.sign(quantity || 1) * lots * lot, decimalsOf(lot));
}
