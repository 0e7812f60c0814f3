/**
 * Parameters of Derive portfolio margin (method `derive`, Derive's PMRM_2 rules; docs/profiles.md): the `derive`
 * section of the params JSON. Fractions are decimals (0.05 = 5%); shocks are multipliers of the spot (1.18 = spot up
 * 18%). The defaults are the parameter set of Derive's published portfolio cases (derivexyz/v2-core, PMRM_2
 * portfolio_cases), which the `derive` profile pins.
 *
 * Besides the rules, the section carries the market terms Derive's feeds give and margin-core's market model lacks
 * (`stablePrice`, `feeds`, `collateral`): per-expiry forwards and the confidence of each feed.
 */
import { deepFreeze } from '../../model/deep-freeze.js';

/** How a scenario moves vols: up / down by the expiry's vol shock, none, or one of the two skew rotations. */
export type DeriveVolShock = 'up' | 'down' | 'none' | 'linear' | 'abs';

export interface DeriveScenario {
  /** Spot multiplier (> 0): 1.18 = +18%. Skew scenarios need exactly 1. */
  spotShock: number;
  vol: DeriveVolShock;
  /** Weight of the scenario's P&L (tails: < 1). */
  dampening: number;
}

export interface DeriveVolShockParams {
  /** Relative vol rise at 30 days to expiry: vol × (1 + rangeUp·m), m = (30 days / max(time to expiry, floor))^power. */
  rangeUp: number;
  /** Relative vol fall at 30 days: vol × max(0, 1 − rangeDown·m). */
  rangeDown: number;
  /** The power for expiries up to 30 days away... */
  shortTermPower: number;
  /** ...and beyond. */
  longTermPower: number;
  /** Days: the floor of the time to expiry in m. */
  dteFloorDays: number;
  /** Annual vol: the lowest vol of the vol-up scenarios (a low vol is lifted to it). */
  minVolUp: number;
}

export interface DeriveSkewParams {
  /** Cap of the linear skew multiplier at expiry 0: cap(τ) = linearCap + linearCapSlope·√τ (τ years). */
  linearCap: number;
  linearCapSlope: number;
  /** The same for the absolute (smile) rotation. */
  absCap: number;
  absCapSlope: number;
  /** Log-moneyness where the multiplier reaches its cap: k* = max(minKStar, widthScale·√τ·(volParamStatic + volParamScale·√τ)). */
  minKStar: number;
  widthScale: number;
  volParamStatic: number;
  volParamScale: number;
}

export interface DeriveMarginParams {
  /** The worst scenario loss is scaled by imFactor for IM (plus the de-peg term) and by mmFactor for MM. */
  imFactor: number;
  mmFactor: number;
  /** Static discount of an expiry's positive shocked value: longStaticDiscount·e^(−τ·(rate·longRateMultScale + longRateAddScale)). */
  longRateMultScale: number;
  longRateAddScale: number;
  longStaticDiscount: number;
  /** ...of a negative one: min(1/discount, shortStaticDiscount·e^(τ·(rate·shortRateMultScale + shortRateAddScale))). */
  shortRateMultScale: number;
  shortRateAddScale: number;
  shortStaticDiscount: number;
}

export interface DeriveBasisParams {
  /** Spot multipliers of the forward (basis) contingency, which revalues each expiry with vols unchanged. */
  spotUp: number;
  spotDown: number;
  /** Each expiry's worst basis loss counts × (addFactor + multFactor·τ). */
  addFactor: number;
  multFactor: number;
}

export interface DeriveContingencyParams {
  /** IM only: below this stable-coin price the IM factor grows by (threshold − price)·pegLossFactor. */
  pegLossThreshold: number;
  pegLossFactor: number;
  /** IM only: a feed below this confidence c charges (1 − c)·confMargin of the notional it prices. */
  confThreshold: number;
  confMargin: number;
  /** Of |perp position| × spot. */
  mmPerpPercent: number;
  imPerpPercent: number;
  /** Of net short option contracts per strike × spot. */
  mmOptionPercent: number;
  imOptionPercent: number;
}

/** A collateral asset's terms (Derive's per-asset collateral parameters and the confidence of its price feed). */
export interface DeriveCollateral {
  /** The underlying whose scenarios move this asset's value (an LRT of ETH: `ETH`), or null: no scenario risk. */
  riskCancelling: string | null;
  /** Fractions of the value charged as contingencies. */
  imHaircut: number;
  mmHaircut: number;
  /** Confidence of its price feed in [0, 1]. */
  confidence: number;
}

/** One expiry's feeds: what margin-core's market model does not hold. */
export interface DeriveExpiryFeed {
  /** USD: the forward; default: spot·e^((rate − carry)·τ) from the market. */
  forward?: number | undefined;
  /** Continuously compounded per year: this expiry's rate (Derive's rate feed); default: the market's rate of the underlying. */
  rate?: number | undefined;
  /** USD: the part of `forward` already fixed by settlement averaging (does not move with spot). Default 0. */
  forwardFixed: number;
  forwardConfidence: number;
  rateConfidence: number;
  /** Confidence of the vol feed of this expiry's options. */
  volConfidence: number;
}

/** An underlying's feeds: confidences of spot and perp, and its expiries' feeds by expiry (ISO-8601, as instruments give it). */
export interface DeriveUnderlyingFeed {
  spotConfidence: number;
  perpConfidence: number;
  expiries: Record<string, DeriveExpiryFeed>;
}

export interface DeriveParams {
  scenarios: DeriveScenario[];
  volShock: DeriveVolShockParams;
  skew: DeriveSkewParams;
  margin: DeriveMarginParams;
  basis: DeriveBasisParams;
  contingency: DeriveContingencyParams;
  /** USD price of the stable coin balances are valued in (collateral value = amount × price / stablePrice). */
  stablePrice: number;
  /**
   * The asset whose balances are Derive's cash (its USDC balance, negative when borrowed): part of the margin (MtM +
   * cash − requirement) but not a collateral, so no scenario risk, haircut or confidence charge; null: every balance
   * is a collateral.
   */
  cashAsset: string | null;
  /** By asset symbol; assets not listed count as collateral without haircut and without scenario risk. */
  collateral: Record<string, DeriveCollateral>;
  /** By underlying symbol; missing underlyings and expiries have confidence 1 and the market's forward. */
  feeds: Record<string, DeriveUnderlyingFeed>;
}

/** Derive's published grid: spot ±18% (vol up only at the edges), 9 steps of 4.5% × vol down/none/up, tails, two skews. */
function defaultScenarios(): DeriveScenario[] {
  const out: DeriveScenario[] = [{ spotShock: 1.18, vol: 'up', dampening: 1 }];
  for (const shock of [1.135, 1.09, 1.045, 1, 0.955, 0.91, 0.865]) {
    for (const vol of ['down', 'none', 'up'] as const) out.push({ spotShock: shock, vol, dampening: 1 });
  }
  out.push({ spotShock: 0.8200000000000001, vol: 'up', dampening: 1 }); // 1 − 0.18 in doubles, as published
  // tails: weight 0.018/|move| or 0.036/|move|, as published (e.g. −66% at 0.0545…)
  out.push(
    { spotShock: 0.33999999999999997, vol: 'up', dampening: 0.054545454545454536 },
    { spotShock: 0.6699999999999999, vol: 'up', dampening: 0.10909090909090907 },
    { spotShock: 1.5, vol: 'up', dampening: 0.072 },
    { spotShock: 2, vol: 'up', dampening: 0.036 },
    { spotShock: 3, vol: 'up', dampening: 0.018 },
    { spotShock: 4, vol: 'up', dampening: 0.011999999999999999 },
  );
  out.push({ spotShock: 1, vol: 'linear', dampening: 1 }, { spotShock: 1, vol: 'abs', dampening: 1 });
  return out;
}

export const DEFAULT_DERIVE_PARAMS: DeriveParams = {
  scenarios: defaultScenarios(),
  volShock: { rangeUp: 0.5, rangeDown: 0.275, shortTermPower: 0.3, longTermPower: 0.13, dteFloorDays: 1, minVolUp: 0.45 },
  skew: { linearCap: 0.15, linearCapSlope: -0.05, absCap: 0.15, absCapSlope: -0.05, minKStar: 0.01, widthScale: 4, volParamStatic: 0.6, volParamScale: -0.1 },
  margin: {
    imFactor: 1, mmFactor: 0.8,
    longRateMultScale: 1, longRateAddScale: 0.08, longStaticDiscount: 0.95,
    shortRateMultScale: 0.5, shortRateAddScale: 0.08, shortStaticDiscount: 1.04,
  },
  basis: { spotUp: 1.045, spotDown: 0.955, addFactor: 0.5, multFactor: 2 },
  contingency: {
    pegLossThreshold: 0.98, pegLossFactor: 2, confThreshold: 0.55, confMargin: 1,
    mmPerpPercent: 0.015, imPerpPercent: 0.005000000000000001, mmOptionPercent: 0.003, imOptionPercent: 0.002,
  },
  stablePrice: 1,
  cashAsset: 'USDC',
  collateral: Object.create(null) as Record<string, DeriveCollateral>,
  feeds: Object.create(null) as Record<string, DeriveUnderlyingFeed>,
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_DERIVE_PARAMS);
