/**
 * CME SPAN as a profile: the `span` method (src/methods/span/) with a parameter set written out in full. The
 * algorithm is CME's published SPAN (the sources below); the parameter VALUES are margin-core's illustrative set for
 * crypto futures and options on futures, not a CME risk parameter file: CME publishes its parameters daily in the
 * SPAN risk parameter file, and a user margining real CME positions overrides `params.span` with that day's values.
 */
import { DERIBIT_PROFILE } from './deribit.js';
import type { MethodologyProfile } from './profile.js';

/** Calendar tiers of BTC and ETH: front month, the next two, the rest (days to expiry). */
const TIERS = [{ upToDays: 31 }, { upToDays: 92 }, { upToDays: null }];

/** One scan range for every month; scenarios 15, 16 at ±2 ranges with 35% of the loss (the standard's). */
const STANDARD_EXTREMES = { monthScanRanges: [], extremeMove: 2, extremeCover: 0.35 };

/** Tier 1 against 2, 1 against 3, 2 against 3, one unit of delta on each leg, in that priority. */
function calendarSpreads(front: number, far: number, back: number) {
  return [
    { chargePerSpread: front, legs: [{ tier: 1, side: 'A', deltaPerSpread: 1 }, { tier: 2, side: 'B', deltaPerSpread: 1 }] },
    { chargePerSpread: far, legs: [{ tier: 1, side: 'A', deltaPerSpread: 1 }, { tier: 3, side: 'B', deltaPerSpread: 1 }] },
    { chargePerSpread: back, legs: [{ tier: 2, side: 'A', deltaPerSpread: 1 }, { tier: 3, side: 'B', deltaPerSpread: 1 }] },
  ];
}

export const SPAN_PROFILE: MethodologyProfile = {
  name: 'span',
  version: '2026-11-23',
  method: 'span',
  description: 'CME SPAN: 16-scenario risk arrays (±1/3, 2/3, 3/3 of the scan range × vol up/down, ±2× at 35%), Black-76, calendar spread charges by tier, inter-commodity credits, short option minimum; IM = 1.1 × the SPAN requirement',
  sources: [
    {
      title: 'CME Group, "Components of SPAN" (Risk Arrays; Risk Scenarios)',
      url: 'http://www.cme.com/clearing/rmspan/span/components.html',
      used: 'risk array values for one long contract per scenario, losses positive; scenarios defined by the price scan range and the volatility scan range over a one-day look-ahead',
    },
    {
      title: 'CME Group PC-SPAN report documentation, "Risk Arrays" and "Risk Scenarios"',
      url: 'https://www.cmegroup.com/confluence/display/pubspan/Risk+Arrays',
      used: 'the 16 scenarios in the standard order (price unchanged, ±1/3, ±2/3, ±3/3 of the price scan range, each with vol up and down; ±2× the range with 35% of the loss counted as scenarios 15, 16); paired scenarios and the composite delta as the probability-weighted average of the deltas at the price scan points',
    },
    {
      title: 'CME Group PC-SPAN report documentation, "Intra Spreads", "Inter Spreads", "Intercommodity Spreading Tier Requirements"',
      url: 'https://cmegroupclientsite.atlassian.net/wiki/spaces/pubspan/pages/46923800/Inter+Spreads',
      used: 'spreads formed in priority order from legs with a tier, a side (A against B: long against short) and a delta ratio; intra spreads charged per spread; inter spreads crediting each leg a rate of its weighted price risk (built from the scan, time and volatility risk and the delta)',
    },
    {
      title: 'CME Group PC-SPAN report documentation, "PB Requirement Listing", "PB Requirements Report", "Short Option Minimum"',
      url: 'https://cmegroupclientsite.atlassian.net/wiki/spaces/pubspan/pages/46465134/PB+Requirement+Listing',
      used: 'SPAN requirement = scan risk + intra-commodity charge − inter-commodity credit, compared with the short option minimum (broken down by short calls and puts); NOV = long option value − short option value; total requirement = SPAN requirement − NOV, i.e. the requirement is met by equity including the NOV',
    },
    {
      title: 'CME Group, "Spread calculations" (scanning based spreads; inter spread and intra spread calculations)',
      url: 'https://www.cmegroup.com/clearing/margins/spread-calc.html',
      used: 'scanning-based spreads: the legs scanned together, a share of the gaining leg credited against the loss in every scenario (+2 30-year, −3 10-year at 70%: 2,840); inter spreads as a rate of each leg\'s outright; months with their own outright rates; the method\'s conformance cases',
    },
    {
      title: 'CME Group SPAN risk parameter file layouts: type "6" (method 4, scanning-based spreads) and type "B" (array calculation parameters)',
      url: 'https://cmegroupclientsite.atlassian.net/wiki/spaces/pubspan/pages/46301203/Risk+Parameter+File+Layouts+for+the+Positional+Formats',
      used: 'a scanning-based spread names its legs, a target commodity and a gain allowance percentage; each futures month carries its own price scan range, extreme move multiplier and extreme move covered fraction',
    },
    {
      title: 'SPAN methodology slides (CME Group material, S&P 500 example)',
      url: 'https://www.scribd.com/document/493970809/Span-Methodology',
      used: 'the volatility scan range as a percentage of the implied volatility (35% on a 16% vol)',
    },
  ],
  notes: [
    'Parameter values (scan ranges, vol scan ranges, tiers, charges, credit rate, short option minimums) are margin-core\'s illustrative set, not a CME risk parameter file: override params.span with the day\'s published values.',
    'Composite delta weights: CME\'s parameter file carries them; margin-core uses the normal probabilities of the seven price points\' bins for a scan range of 3 standard deviations (0.0062, 0.0606, 0.2417, 0.383, …).',
    'A combined commodity is one underlying asset; its market price is read as the futures price the options are written on (Black-76 = BSM with carry = rate), and every futures month moves by the same USD scan amount unless monthScanRanges gives the months their own. One underlying price per commodity: basis between months is covered by the intra-commodity charge only, as in SPAN.',
    'Weighted price risk (inter-commodity credits) = max(scan − time − volatility risk, 0) / |net delta|, time risk = the average loss of scenarios 1 and 2, volatility risk = half the difference of the worst scenario\'s vol-up and vol-down losses (0 for scenarios 15, 16): margin-core\'s reading of the documented decomposition.',
    'Short option minimum = rate × max(short call units, short put units) per commodity; spot (delivery) charges, inter-exchange credits and the NOV limits of some commodities are not modelled.',
    'This parameter set uses one scan range per commodity, the standard extreme scenarios and no scanning-based spread; params.span takes per-month scan ranges (monthScanRanges), extremeMove / extremeCover and scanSpreads (the legs\' shares scanned together, gains credited at the rate, charged to the first leg: margin-core\'s reading of CME\'s target leg; leg-required flags are not modelled).',
    'Collateral balances are not SPAN positions: equity counts them with the rule-based haircuts below (Deribit\'s version pinned), as in every margin-core method.',
  ],
  params: {
    span: {
      initialToMaintenance: 1.1,
      lookAheadDays: 1,
      deltaWeights: [0.0062, 0.0606, 0.2417, 0.383, 0.2417, 0.0606, 0.0062],
      commodities: {
        default: { priceScanRange: null, priceScanRate: 0.15, volScanRange: 0.3, shortOptionMinimum: 0, tiers: [{ upToDays: null }], intraSpreads: [], ...STANDARD_EXTREMES },
        BTC: { priceScanRange: null, priceScanRate: 0.1, volScanRange: 0.25, shortOptionMinimum: 500, tiers: TIERS, intraSpreads: calendarSpreads(400, 800, 600), ...STANDARD_EXTREMES },
        ETH: { priceScanRange: null, priceScanRate: 0.12, volScanRange: 0.3, shortOptionMinimum: 20, tiers: TIERS, intraSpreads: calendarSpreads(20, 40, 30), ...STANDARD_EXTREMES },
      },
      interSpreads: [
        { creditRate: 0.5, legs: [{ commodity: 'BTC', side: 'A', deltaPerSpread: 1 }, { commodity: 'ETH', side: 'B', deltaPerSpread: 30 }] },
      ],
      scanSpreads: [],
    },
    // the rule-based sections (every method's equity: collateral haircuts, liability weights): Deribit's 2024-06-17
    // values, copied so that neither profile's data is the other's
    linear: structuredClone(DERIBIT_PROFILE.params.linear),
    options: structuredClone(DERIBIT_PROFILE.params.options),
    collateral: structuredClone(DERIBIT_PROFILE.params.collateral),
  },
};
