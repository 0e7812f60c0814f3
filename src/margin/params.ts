/**
 * Risk parameters of the rule-based (standard) margin methods, with defaults modelled on public
 * crypto venue rules. Every rate is a fraction (0.01 = 1%), every bound is in USD.
 *
 * - Linear instruments (futures, perpetuals, spot on margin): IM = Σ imRate·(part of the position's
 *   notional in each bracket), MM likewise with mmRate. Brackets apply marginally, like tax brackets
 *   (the same result as Binance's rate-minus-maintenance-amount tables), so requirements are
 *   continuous in position size while bigger positions pay higher rates.
 * - Short options (per unit of underlying): IM = max(a − OTM/S, b)·S, MM = c·S, a short put's MM
 *   max(c·S, c·mark), IM at least MM; their mark is a loss in equity (Deribit's MM c + mark against its margin
 *   balance = equity − options value, the same excess). Long options: IM = MM = their mark value, so a long
 *   option's value in equity never supports other positions ("premium only").
 * - linearSize: a linear rate that grows with size (SizeRateRule).
 * - Collateral: value = amount·price; a positive balance counts Σ (1 − haircut)·(part of its value in
 *   each bracket) (bigger holdings, bigger haircut); a negative one (borrowed) counts
 *   −|value|·liabilityWeight. IM and MM use their own haircuts and weights.
 */
import { deepFreeze } from '../model/deep-freeze.js';

/** One bracket of a tiered schedule: applies to the part of the amount up to `upTo` (USD) above the previous bracket. */
export interface RateBracket {
  /** Upper bound in USD of notional; the last bracket must be Infinity (JSON: omit it or use null). */
  upTo: number;
  imRate: number;
  mmRate: number;
}

export interface HaircutBracket {
  /** Upper bound in USD of collateral value; the last bracket must be Infinity (JSON: omit or null). */
  upTo: number;
  imHaircut: number;
  mmHaircut: number;
}

export interface OptionRule {
  /** a: base IM rate for short options, reduced by out-of-the-moneyness. */
  imBase: number;
  /** b: floor of the short-option IM rate. */
  imFloor: number;
  /** c: MM rate for short options. */
  mmRate: number;
}

export interface CollateralRule {
  brackets: HaircutBracket[];
  /** Weight ≥ 1 on borrowed value for the IM equity. */
  liabilityWeightIm: number;
  /** Weight ≥ 1 on borrowed value for the MM equity. */
  liabilityWeightMm: number;
}

/**
 * A linear rate that grows with the position's size in units of the underlying (Deribit's futures: IM 2% + 0.005% per
 * BTC of size, MM 1% + 0.005% per BTC): the position's IM is its bracket requirement plus notional × imPerUnit × size,
 * MM likewise; for an inverse contract the size is its `size_currency`, units of face ÷ F.
 */
export interface SizeRateRule {
  /** IM rate added per unit of the underlying held (0.00005 = 0.005% per BTC). */
  imPerUnit: number;
  /** MM rate added per unit of the underlying held. */
  mmPerUnit: number;
}

/** Rule-based margin parameters. Keys are asset symbols; `default` applies to assets not listed. */
export interface RuleBasedParams {
  linear: Record<string, RateBracket[]>;
  options: Record<string, OptionRule>;
  collateral: Record<string, CollateralRule>;
  /** Size-dependent linear rates by underlying (absent: none, the brackets alone). */
  linearSize?: Record<string, SizeRateRule> | undefined;
}

const STABLE: CollateralRule = {
  brackets: [{ upTo: Infinity, imHaircut: 0, mmHaircut: 0 }],
  liabilityWeightIm: 1,
  liabilityWeightMm: 1,
};

/** Defaults modelled on public crypto venue schedules (Binance USDⓈ-M brackets, Deribit option margin, portfolio-collateral haircuts). */
export const DEFAULT_RULE_BASED_PARAMS: RuleBasedParams = {
  linear: {
    BTC: [
      { upTo: 50_000, imRate: 0.008, mmRate: 0.004 },
      { upTo: 600_000, imRate: 0.01, mmRate: 0.005 },
      { upTo: 3_000_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 12_000_000, imRate: 0.04, mmRate: 0.02 },
      { upTo: 70_000_000, imRate: 0.1, mmRate: 0.05 },
      { upTo: Infinity, imRate: 0.2, mmRate: 0.1 },
    ],
    ETH: [
      { upTo: 50_000, imRate: 0.01, mmRate: 0.005 },
      { upTo: 600_000, imRate: 0.0133, mmRate: 0.0065 },
      { upTo: 3_000_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 12_000_000, imRate: 0.05, mmRate: 0.025 },
      { upTo: Infinity, imRate: 0.2, mmRate: 0.1 },
    ],
    default: [
      { upTo: 10_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 100_000, imRate: 0.05, mmRate: 0.025 },
      { upTo: 1_000_000, imRate: 0.1, mmRate: 0.05 },
      { upTo: Infinity, imRate: 0.25, mmRate: 0.125 },
    ],
  },
  options: {
    default: { imBase: 0.15, imFloor: 0.1, mmRate: 0.075 },
  },
  collateral: {
    // a balance of asset USD is cash (as cashUsd): the numeraire, never haircut
    USD: STABLE,
    USDC: STABLE,
    USDT: STABLE,
    BTC: {
      brackets: [
        { upTo: 5_000_000, imHaircut: 0.05, mmHaircut: 0.025 },
        { upTo: 50_000_000, imHaircut: 0.1, mmHaircut: 0.05 },
        { upTo: Infinity, imHaircut: 0.2, mmHaircut: 0.1 },
      ],
      liabilityWeightIm: 1.1,
      liabilityWeightMm: 1.05,
    },
    ETH: {
      brackets: [
        { upTo: 2_000_000, imHaircut: 0.07, mmHaircut: 0.035 },
        { upTo: 20_000_000, imHaircut: 0.15, mmHaircut: 0.075 },
        { upTo: Infinity, imHaircut: 0.3, mmHaircut: 0.15 },
      ],
      liabilityWeightIm: 1.1,
      liabilityWeightMm: 1.05,
    },
    default: {
      brackets: [
        { upTo: 1_000_000, imHaircut: 0.2, mmHaircut: 0.1 },
        { upTo: Infinity, imHaircut: 0.4, mmHaircut: 0.2 },
      ],
      liabilityWeightIm: 1.2,
      liabilityWeightMm: 1.1,
    },
  },
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_RULE_BASED_PARAMS);
