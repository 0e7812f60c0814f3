/**
 * Deribit's segregated portfolio margin (S:PM) as it was documented before its 2024 model, as a profile: the
 * `portfolio` method with the parameter values Deribit published, written out in full so that a change to the
 * library's defaults never changes it. Where Deribit's rule has no published number or a different shape, the value
 * is margin-core's and `notes` says so. The 2024 model is the `deribit` profile (deribit.ts); this one stays what it
 * was for books margined under it.
 */
import type { MethodologyProfile } from './profile.js';

/** Haircut-free collateral (stablecoins): full weight as an asset and as a liability. */
const STABLE = { brackets: [{ upTo: null, imHaircut: 0, mmHaircut: 0 }], liabilityWeightIm: 1, liabilityWeightMm: 1 };

/** The rule-based sections of both Deribit profiles: every method's equity (collateral haircuts, liability weights) reads them. */
/**
 * How the deribit profiles liquidate (docs/liquidation.md `order`): futures and perpetuals before options, as Deribit's
 * liquidation page says its engine does, aiming at a delta-neutral account.
 */
export const DERIBIT_LIQUIDATION = { order: 'linear-first' } as const;

/** The source of {@link DERIBIT_LIQUIDATION}, in each deribit profile's sources. */
export const DERIBIT_LIQUIDATION_SOURCE = {
  title: 'Deribit support, "Liquidations" (how the engine reduces an account below maintenance)',
  url: 'https://support.deribit.com/hc/en-us/articles/25944769313309-Liquidations',
  used: 'the liquidation order: futures first, then options (params.liquidation.order linear-first); the fee, step size and rates of the liquidation stay margin-core\'s defaults',
} as const;

export const DERIBIT_RULE_BASED = {
  linear: {
    BTC: [
      { upTo: 50_000, imRate: 0.008, mmRate: 0.004 },
      { upTo: 600_000, imRate: 0.01, mmRate: 0.005 },
      { upTo: 3_000_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 12_000_000, imRate: 0.04, mmRate: 0.02 },
      { upTo: 70_000_000, imRate: 0.1, mmRate: 0.05 },
      { upTo: null, imRate: 0.2, mmRate: 0.1 },
    ],
    ETH: [
      { upTo: 50_000, imRate: 0.01, mmRate: 0.005 },
      { upTo: 600_000, imRate: 0.0133, mmRate: 0.0065 },
      { upTo: 3_000_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 12_000_000, imRate: 0.05, mmRate: 0.025 },
      { upTo: null, imRate: 0.2, mmRate: 0.1 },
    ],
    default: [
      { upTo: 10_000, imRate: 0.02, mmRate: 0.01 },
      { upTo: 100_000, imRate: 0.05, mmRate: 0.025 },
      { upTo: 1_000_000, imRate: 0.1, mmRate: 0.05 },
      { upTo: null, imRate: 0.25, mmRate: 0.125 },
    ],
  },
  options: { default: { imBase: 0.15, imFloor: 0.1, mmRate: 0.075 } },
  collateral: {
    USD: STABLE, // a balance of asset USD is cash, as cashUsd (it fell to `default` before 0.2.0)
    USDC: STABLE,
    USDT: STABLE,
    BTC: {
      brackets: [
        { upTo: 5_000_000, imHaircut: 0.05, mmHaircut: 0.025 },
        { upTo: 50_000_000, imHaircut: 0.1, mmHaircut: 0.05 },
        { upTo: null, imHaircut: 0.2, mmHaircut: 0.1 },
      ],
      liabilityWeightIm: 1.1,
      liabilityWeightMm: 1.05,
    },
    ETH: {
      brackets: [
        { upTo: 2_000_000, imHaircut: 0.07, mmHaircut: 0.035 },
        { upTo: 20_000_000, imHaircut: 0.15, mmHaircut: 0.075 },
        { upTo: null, imHaircut: 0.3, mmHaircut: 0.15 },
      ],
      liabilityWeightIm: 1.1,
      liabilityWeightMm: 1.05,
    },
    default: {
      brackets: [
        { upTo: 1_000_000, imHaircut: 0.2, mmHaircut: 0.1 },
        { upTo: null, imHaircut: 0.4, mmHaircut: 0.2 },
      ],
      liabilityWeightIm: 1.2,
      liabilityWeightMm: 1.1,
    },
  },
};

export const DERIBIT_LEGACY_PROFILE: MethodologyProfile = {
  name: 'deribit-legacy',
  version: '2024-06-17',
  method: 'portfolio',
  description: 'Deribit segregated portfolio margin before its 2024 model: ±16% in 9 buckets × vol up/none/down with the vega-power term structure, the extended table on vol up, the option and futures contingencies, MM = 0.8 × IM',
  sources: [
    DERIBIT_LIQUIDATION_SOURCE,
    {
      title: 'Deribit support, "Portfolio Margin" (S:PM components)',
      url: 'https://support.deribit.com/hc/en-us/articles/25944756247837-Portfolio-Margin',
      used: 'the price range split into 9 evenly spaced buckets including zero; vol up, same and down per bucket; the extended table (−66%, −33%, +50%, +100%, +200%, +300%, +400%, +500%) on vol up only, at a fraction of its P&L',
    },
    {
      title: 'Deribit API reference, private/pme/simulate, example response (model_params, timestamp 1718619740501 = 2024-06-17)',
      used: 'price_range 0.16, volatility_range_up 0.5, volatility_range_down 0.25, short_term_vega_power 0.3, long_term_vega_power 0.13, mm_factor 0.8',
    },
    {
      title: 'Deribit, "Portfolio Margin" (legacy documentation page)',
      url: 'https://www.deribit.com/pages/docs/portfoliomargin',
      used: 'the IV change (30 / days to expiry)^power × range; the contingency of 0.01 (in the underlying) per net short option per strike',
    },
  ],
  notes: [
    'Extended table: Deribit applies "a fraction of simulated P&L" and a dampener whose formula it does not publish; margin-core weights each tail so that weight × |move| < 0.16 (a linear position loses no more in a tail than at the grid edge), the weights of its default rule.',
    'Futures contingency: margin-core charges linearRate × |net linear notional| per underlying (0.5%); the legacy page charges 1% of offsetting futures, a gross measure margin-core does not model.',
    'Vol floor (0.10) and the 1-day floor of the days to expiry in the vol scaling are margin-core\'s; Deribit\'s min_volatility_for_shock_up has no published definition.',
    'Equity: collateral haircuts are margin-core\'s rule-based defaults of this version, pinned here; Deribit\'s S:PM margins each settlement currency in that currency.',
    'Correlation across underlyings is off (aggregation "sum"), as segregated portfolio margin treats each currency alone.',
  ],
  params: {
    liquidation: { ...DERIBIT_LIQUIDATION },
    portfolio: {
      aggregation: 'sum',
      mmFactor: 0.8,
      stableAssets: ['USD', 'USDC', 'USDT', 'DAI'],
      assets: {
        default: {
          spotRange: 0.16,
          spotSteps: 9,
          volUp: 0.5,
          volDown: 0.25,
          volPowerShort: 0.3,
          volPowerLong: 0.13,
          volFloorDays: 1,
          volFloor: 0.1,
          tails: [
            { move: -0.66, weight: 0.24 },
            { move: -0.33, weight: 0.48 },
            { move: 0.5, weight: 0.3 },
            { move: 1, weight: 0.15 },
            { move: 2, weight: 0.075 },
            { move: 3, weight: 0.05 },
            { move: 4, weight: 0.0375 },
            { move: 5, weight: 0.03 },
          ],
          shortOptionRate: 0.01,
          linearRate: 0.005,
        },
      },
    },
    // the rule-based sections: every method's equity (collateral haircuts, liability weights) reads them
    ...structuredClone(DERIBIT_RULE_BASED),
  },
};
