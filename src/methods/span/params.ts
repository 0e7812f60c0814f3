/**
 * Parameters of the CME SPAN method (`method: 'span'`), the `span` section of the params JSON: a documented subset
 * of what a SPAN risk parameter file carries for each combined commodity (price and volatility scan ranges, delta
 * weights, intra-commodity tiers and spreads, the short option minimum rate) and for the exchange complex
 * (inter-commodity spreads). Money in USD; deltas and spread ratios in units of the underlying (a contract of
 * multiplier m is m units); rates as fractions. The algorithm: docs/span-margin.md.
 *
 * A combined commodity is one underlying asset of the market: every future, perpetual, spot position and option on
 * that asset. Its key in `commodities` is the asset symbol; `default` serves every asset without an entry of its own.
 */
import { deepFreeze } from '../../model/deep-freeze.js';

/** Side of a spread leg: a spread is long the A legs against short the B legs, or short A against long B. */
export type SpreadSide = 'A' | 'B';

/** An expiry tier of a combined commodity: contracts expiring within `upToDays` (after the previous tier's bound). */
export interface SpanTier {
  /** Inclusive upper bound in days to expiry (ACT/365 × 365); null: no bound (the last tier). */
  upToDays: number | null;
}

/** One leg of an intra-commodity (calendar) spread: a tier, its side, and the delta one spread takes from it. */
export interface IntraLeg {
  /** Tier number, 1-based, in the commodity's `tiers`. */
  tier: number;
  side: SpreadSide;
  /** Delta (units of underlying) one spread consumes from the tier (> 0). */
  deltaPerSpread: number;
}

/** An intra-commodity spread; `intraSpreads` lists them in priority order (the first is formed first). */
export interface IntraSpread {
  /** USD charged per spread formed. */
  chargePerSpread: number;
  legs: IntraLeg[];
}

/** A price scan range of its own for the months expiring within `upToDays` (after the previous entry's bound). */
export interface SpanMonthScanRange {
  /** Inclusive upper bound in days to expiry; null: no bound (the last entry). */
  upToDays: number | null;
  /** USD per unit of the underlying. */
  priceScanRange: number;
}

/** The risk parameters of one combined commodity. */
export interface SpanCommodity {
  /** Price scan range in USD per unit of the underlying; null: `priceScanRate` × price. */
  priceScanRange: number | null;
  /** Price scan range as a fraction of the underlying price, used when `priceScanRange` is null; in (0, 0.5). */
  priceScanRate: number;
  /** Volatility scan range as a fraction of each option's implied vol (0.35: vol × 1.35 up, × 0.65 down), in [0, 1). */
  volScanRange: number;
  /** Short option minimum in USD per unit of underlying, charged on max(short call units, short put units). */
  shortOptionMinimum: number;
  /**
   * Per-month price scan ranges (CME's risk parameter file gives each futures month its own, "B" records), ascending,
   * the last open; every scenario moves each month by its own range, in the same direction. [] : every month moves by
   * the commodity's range. Perpetuals and spot positions count as day 0.
   */
  monthScanRanges: SpanMonthScanRange[];
  /** Scenarios 15 and 16 move the price by ± this many price scan ranges (CME's "extreme move multiplier")... */
  extremeMove: number;
  /** ...and count this fraction of their loss (the "extreme move covered fraction"). */
  extremeCover: number;
  /** Expiry tiers for intra-commodity spreads, ascending; the last has `upToDays: null`. */
  tiers: SpanTier[];
  /** Intra-commodity spreads in priority order. */
  intraSpreads: IntraSpread[];
}

/** One leg of an inter-commodity spread: a combined commodity (asset symbol), its side and delta per spread. */
export interface InterLeg {
  commodity: string;
  side: SpreadSide;
  /** Delta (units of underlying) one spread consumes from the commodity's remaining delta (> 0). */
  deltaPerSpread: number;
}

/** An inter-commodity spread; `interSpreads` lists them in priority order. */
export interface InterSpread {
  /** Credit as a fraction of each leg's weighted price risk on the delta the spreads consume, in (0, 1]. */
  creditRate: number;
  legs: InterLeg[];
}

/**
 * A scanning-based inter-commodity spread (CME's method 4): the legs' commodities, in the share the spreads formed
 * take of each (spreads × deltaPerSpread / |net delta|), are scanned together, scenario by scenario, a gain of one leg
 * offsetting the others' losses at `creditRate`: combined loss = Σ losses − creditRate × Σ gains. The largest combined
 * loss is charged to the first leg's commodity (CME's target); the rest of each commodity is margined as before.
 */
export interface ScanSpread {
  /** Share of a leg's gain credited against the other legs' losses in every scenario (CME: the gain allowance), in (0, 1]. */
  creditRate: number;
  legs: InterLeg[];
}

export interface SpanParams {
  /** Initial requirement = this × the maintenance requirement SPAN computes (≥ 1; CME: 1.1 for most accounts). */
  initialToMaintenance: number;
  /** Look-ahead time of the risk arrays in calendar days: options are revalued with this much less time to expiry. */
  lookAheadDays: number;
  /**
   * Probability weights of the composite delta's seven price points, the price moved by −3/3, −2/3, −1/3, 0, +1/3,
   * +2/3, +3/3 of the price scan range (vol unchanged); non-negative, summing to 1.
   */
  deltaWeights: number[];
  /** Per combined commodity (asset symbol, or `default`), a null-prototype map. */
  commodities: Record<string, SpanCommodity>;
  /** Inter-commodity spreads in priority order. */
  interSpreads: InterSpread[];
  /** Scanning-based inter-commodity spreads in priority order, formed before any other spread. */
  scanSpreads: ScanSpread[];
}

/** Scenarios of the standard SPAN risk array, in the standard order (scenario k + 1 at index k). */
export const SPAN_SCENARIOS: readonly { priceMove: number; volMove: number; cover: number }[] = [
  { priceMove: 0, volMove: 1, cover: 1 }, { priceMove: 0, volMove: -1, cover: 1 },
  { priceMove: 1 / 3, volMove: 1, cover: 1 }, { priceMove: 1 / 3, volMove: -1, cover: 1 },
  { priceMove: -1 / 3, volMove: 1, cover: 1 }, { priceMove: -1 / 3, volMove: -1, cover: 1 },
  { priceMove: 2 / 3, volMove: 1, cover: 1 }, { priceMove: 2 / 3, volMove: -1, cover: 1 },
  { priceMove: -2 / 3, volMove: 1, cover: 1 }, { priceMove: -2 / 3, volMove: -1, cover: 1 },
  { priceMove: 1, volMove: 1, cover: 1 }, { priceMove: 1, volMove: -1, cover: 1 },
  { priceMove: -1, volMove: 1, cover: 1 }, { priceMove: -1, volMove: -1, cover: 1 },
  // the extreme moves: twice the price scan range, vol unchanged, 35% of the loss counts (each commodity's
  // extremeMove and extremeCover replace the 2 and the 35%)
  { priceMove: 2, volMove: 0, cover: 0.35 }, { priceMove: -2, volMove: 0, cover: 0.35 },
];

/** Scenario s of commodity c: its price move (scan ranges) and the fraction of its loss that counts. */
export function scenarioOf(c: SpanCommodity, s: number): { priceMove: number; volMove: number; cover: number } {
  const sc = SPAN_SCENARIOS[s];
  return sc.volMove !== 0 ? sc : { priceMove: Math.sign(sc.priceMove) * c.extremeMove, volMove: 0, cover: c.extremeCover };
}

/** Number of scenarios of a SPAN risk array. */
export const SPAN_SCENARIO_COUNT = 16;

/** Price points of the composite delta, in multiples of the price scan range (the order of `deltaWeights`). */
export const DELTA_POINTS: readonly number[] = [-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 1];

/** The default combined commodity: one tier, no spreads. */
export const DEFAULT_SPAN_COMMODITY: Readonly<SpanCommodity> = {
  priceScanRange: null,
  priceScanRate: 0.1,
  volScanRange: 0.25,
  shortOptionMinimum: 0,
  tiers: [{ upToDays: null }],
  intraSpreads: [],
  monthScanRanges: [],
  extremeMove: 2,
  extremeCover: 0.35,
};

export const DEFAULT_SPAN_PARAMS: Readonly<SpanParams> = {
  initialToMaintenance: 1.1,
  lookAheadDays: 1,
  // the normal probabilities of the seven points' bins when the price scan range is 3 standard deviations
  // (bins of one standard deviation centred on the points, the outer ones open): margin-core's, see the profile notes
  deltaWeights: [0.0062, 0.0606, 0.2417, 0.383, 0.2417, 0.0606, 0.0062],
  commodities: { default: DEFAULT_SPAN_COMMODITY },
  interSpreads: [],
  scanSpreads: [],
};
// frozen, deeply: a plug-in author's write into the defaults would change every later run that reads them
deepFreeze(DEFAULT_SPAN_PARAMS);

/** The commodity parameters of asset `symbol`: its own entry, else `default`. */
export function commodityFor(params: SpanParams, symbol: string): SpanCommodity {
  return Object.hasOwn(params.commodities, symbol) ? params.commodities[symbol] : params.commodities.default;
}
