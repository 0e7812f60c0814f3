/**
 * Deribit's 2024 portfolio margin model as a profile: the `deribit` method (src/methods/deribit/) with the parameter
 * values Deribit's `private/pme/simulate` publishes, written out in full. BTC from the API reference's example
 * (2024-06-17), ETH from a live response (2026-02-15); what Deribit does not publish is margin-core's, said in `notes`.
 * The model before 2024 is the `deribit-legacy` profile. Conformance: test/conformance/deribit/, docs/profiles.md.
 */
import { DERIBIT_BTC_PAIR } from '../methods/deribit/params.js';
import { DERIBIT_LIQUIDATION, DERIBIT_LIQUIDATION_SOURCE, DERIBIT_RULE_BASED } from './deribit-legacy.js';
import type { MethodologyProfile } from './profile.js';

export { DERIBIT_RULE_BASED };

export const DERIBIT_PROFILE: MethodologyProfile = {
  name: 'deribit',
  version: '2026-02-15',
  method: 'deribit',
  description: "Deribit's 2024 portfolio margin model: ±16% (ETH ±18%) in 9 buckets × vol up/same/down by term, the extended table at priceRange/|move| with the dampener, roll and delta shocks, MM = 0.8 × the risk matrix margin, in each account's settlement currency",
  sources: [
    DERIBIT_LIQUIDATION_SOURCE,
    {
      title: 'Deribit support, "Portfolio Margin" (segregated and cross portfolio margin components)',
      url: 'https://support.deribit.com/hc/en-us/articles/25944756247837-Portfolio-Margin',
      used: 'each settlement currency margined separately; the price range split into 9 evenly spaced buckets including zero; vol up, same and down per bucket; the extended table (−66%, −33%, +50%, +100%, +200%, +300%, +400%, +500%) on vol up only, at a fraction of its P&L, with a dampener',
    },
    {
      title: 'Deribit API reference, private/pme/simulate, example response (model_params, timestamp 1718619740501 = 2024-06-17)',
      url: 'https://docs.deribit.com/api-reference/account-management/private-simulate',
      used: 'BTC: price_range 0.16, volatility_range_up 0.5, volatility_range_down 0.25, short_term_vega_power 0.3, long_term_vega_power 0.13, min_volatility_for_shock_up 0.5, extended_table_factor 1, max_delta_shock 0.1, delta_total_liq_shock_threshold 20,000,000, m_inc 0.00005; currency btc: annualised_move_risk 0.075, min_annualised_move 0.01, extended_dampener 100,000; usd (here also USDC-margined accounts): 0.1, 0.01, 25,000; mm_factor 0.8, buckets_count 4; the risk vectors q·m/(1 + m) of inverse futures, the roll shock Σ |delta| × 0.01, risk matrix margin = worst case + roll shock + delta shock, MM = 0.8 × it (reproduced: test/conformance/deribit)',
    },
    {
      title: 'Deribit private/pme/simulate, live mainnet response of 2026-02-15 (ETH-PERPETUAL), saved in a public repository',
      used: 'ETH: price_range 0.18, volatility_range_up 0.4, m_inc 0.000004 (the rest as BTC); currency eth: annualised_move_risk 0.05, min_annualised_move 0.005, extended_dampener 200,000 (reproduced: test/conformance/deribit)',
    },
    {
      title: 'Deribit, "Introducing changes to Deribit\'s portfolio margin model" (summary at blockfer.com)',
      url: 'https://blockfer.com/research/introducing-changes-to-deribits-portfolio-margin-model/',
      used: 'the option contingency removed (the extended table covers large far out-of-the-money shorts), the futures contingency replaced by the delta and roll shocks, the short vega cap removed',
    },
  ],
  notes: [
    'Vol shocks: up max(σ·(1 + up·(30/DTE)^p), min_volatility_for_shock_up), down max(σ·(1 − down·(30/DTE)^p), 0), p short-term below 30 days: a public restatement of Deribit\'s rule (docs.oreome.com); the days to expiry are floored at 1 (margin-core\'s).',
    'Extended table: each move\'s P&L × extended_table_factor × price_range/|move|, in coin converted at the grid edge\'s price ((1 + m)/(1 + sign(m)·range)): reproduces the published extended vectors of futures; the dampener (|m|/range − 1) × extended_dampener in USD, converted at the edge price, reduces an extended loss towards 0 (a public reimplementation\'s form; it zeroes both published extended vectors). For a USD-margined account the dampener is in USD as it stands (margin-core\'s reading).',
    'Roll shock per expiry max(e^{annualised_move_risk·T} − 1, min_annualised_move) × |net delta|: both published examples are at the minimum; the form beyond it is a public reimplementation\'s, not verified against Deribit output.',
    'Delta shock: Deribit publishes its parameters, not its formula (0 in both examples); margin-core charges |delta total| × min(max_delta_shock, m_inc × the units beyond delta_total_liq_shock_threshold / index).',
    'Gains are not credited (pnl_offset): in a segregated account it cannot change the worst case, the unchanged scenario being 0; cross-currency offsets (X:PM), MMP and open-order margins are not modelled.',
    'Equity: the margin currency\'s balance at full weight in a coin-margined account; a USD account\'s collateral with the rule-based haircuts below (this version\'s defaults, pinned).',
  ],
  params: {
    liquidation: { ...DERIBIT_LIQUIDATION },
    deribit: {
      mmFactor: 0.8,
      bucketsCount: 4,
      extendedMoves: [-0.66, -0.33, 0.5, 1, 2, 3, 4, 5],
      pairs: {
        default: { ...DERIBIT_BTC_PAIR }, // Deribit's published BTC values (the method's defaults)
        ETH: { priceRange: 0.18, volatilityRangeUp: 0.4, mInc: 0.000004 },
      },
      currencies: {
        default: { annualisedMoveRisk: 0.075, minAnnualisedMove: 0.01, extendedDampener: 100_000 },
        ETH: { annualisedMoveRisk: 0.05, minAnnualisedMove: 0.005, extendedDampener: 200_000 },
        USD: { annualisedMoveRisk: 0.1, minAnnualisedMove: 0.01, extendedDampener: 25_000 },
        USDC: { annualisedMoveRisk: 0.1, minAnnualisedMove: 0.01, extendedDampener: 25_000 },
      },
      stableAssets: ['USD', 'USDC', 'USDT', 'DAI'],
    },
    ...structuredClone(DERIBIT_RULE_BASED),
  },
};
