/** The SPAN method's explain section of a report row (`account.span`, with breakdown). Money in USD. */
import type { SpanParams } from './params.js';

/** One combined commodity of an account, as SPAN evaluated it. */
export interface SpanCommodityExplain {
  /** The asset symbol. */
  commodity: string;
  /** Price scan range used, USD per unit of the underlying (scanned by month: the widest of the months held). */
  priceScanRange: number;
  /** Present when the commodity is scanned by month (`monthScanRanges`): the months the account holds, each its range. */
  monthScanRanges?: { upToDays: number | null; priceScanRange: number }[] | undefined;
  /** The largest weighted loss over the 16 scenarios, floored at 0. */
  scanRisk: number;
  /** The scenario (1–16, standard order) where it occurs. */
  scenario: number;
  /** Average loss of scenarios 1 and 2 (price unchanged, vol up and down): the look-ahead's time decay. */
  timeRisk: number;
  /** Half the difference of the losses of the worst scenario's vol-up / vol-down pair (0 for scenarios 15, 16). */
  volatilityRisk: number;
  /** max(scanRisk − timeRisk − volatilityRisk, 0): what the inter-commodity credit is a fraction of. */
  priceRisk: number;
  /** Σ quantity × multiplier × composite delta (units of the underlying). */
  netDelta: number;
  /** Delta per tier before and after intra-commodity spreading. */
  tiers: { tier: number; delta: number; remaining: number }[];
  /** Intra-commodity (calendar) spread charge. */
  intraCharge: number;
  /** Inter-commodity spread credit granted to this commodity. */
  interCredit: number;
  /** Short option minimum: rate × max(short call units, short put units). */
  shortOptionMinimum: number;
  /**
   * max((1 − scannedShare)·scanRisk + scanSpreadRisk + intraCharge − interCredit, shortOptionMinimum): the commodity's
   * maintenance requirement.
   */
  requirement: number;
  /** Present when scanning-based spreads took part of this commodity: that share (of its positions, in (0, 1]). */
  scannedShare?: number | undefined;
  /** Present when scanning-based spreads charge this commodity (their first leg): the combined scan risk charged. */
  scanSpreadRisk?: number | undefined;
}

/** A spread formed in the account: intra (within `commodity`), inter (across commodities) or scan (scanning-based). */
export interface SpanSpreadExplain {
  kind: 'intra' | 'inter' | 'scan';
  /** Intra spreads: the commodity. */
  commodity?: string | undefined;
  /** Position of the spread in its priority list (0-based). */
  priority: number;
  /** Spreads formed (fractional: option deltas are). */
  spreads: number;
  /** Intra: the charge; inter: the credit summed over the legs; scan: the combined scan risk charged. */
  amount: number;
  /** Scan: the scenario (1–16) of the combined scan risk (0 when no scenario loses). */
  scenario?: number | undefined;
}

/** SPAN margin of one account, explained (with `breakdown`). */
export interface SpanExplain {
  /** Σ commodity requirements: the SPAN (maintenance) requirement; the report's MM. */
  maintenance: number;
  /** initialToMaintenance × maintenance: the report's IM. */
  initial: number;
  /** Σ quantity × multiplier × mark of long options (USD). */
  longOptionValue: number;
  /** Σ |quantity| × multiplier × mark of short options (USD, ≥ 0). */
  shortOptionValue: number;
  /** longOptionValue − shortOptionValue; equity already includes it (options are marked to market). */
  netOptionValue: number;
  /**
   * maintenance − netOptionValue: CME's "total SPAN requirement", the figure compared with the ledger balance (cash
   * without the options). margin-core compares the maintenance requirement with equity, which includes the NOV: the
   * same comparison.
   */
  totalRequirement: number;
  commodities: SpanCommodityExplain[];
  spreads: SpanSpreadExplain[];
}

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** CME SPAN: 16-scenario risk arrays per combined commodity, spreads, short option minimum (docs/span-margin.md). */
    span: SpanParams;
  }
  interface AccountMargin {
    /** Method `span` with breakdown: each combined commodity's scan risk, charges, credits and the NOV. */
    span?: SpanExplain | undefined;
  }
}
