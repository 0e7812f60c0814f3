/**
 * Deribit's standard (segregated) margin as a profile: the `cross` method with Deribit's futures rates, which grow with
 * the position's size in coin, and its short-option formulas, each account in its settlement currency
 * (docs/coin-margined.md). The rules and their sources: docs/profiles.md ("Deribit standard margin").
 */
import { DERIBIT_LIQUIDATION, DERIBIT_LIQUIDATION_SOURCE, DERIBIT_RULE_BASED } from './deribit-legacy.js';
import type { MethodologyProfile } from './profile.js';

export const DERIBIT_STANDARD_PROFILE: MethodologyProfile = {
  name: 'deribit-standard',
  version: '2022-01-11',
  method: 'cross',
  description: "Deribit's standard margin: BTC futures IM 2% + 0.005% per BTC of size, MM 1% + 0.005% per BTC (ETH 0.0004% per ETH); short options IM max(0.15 − OTM/U, 0.1) + mark (U the option's forward), MM 0.075 + mark (a put max(0.075, 0.075 × mark) + mark), tested against the margin balance; in each account's settlement currency",
  sources: [
    DERIBIT_LIQUIDATION_SOURCE,
    {
      title: 'Deribit support, "11 January 2022" (standard margin of BTC and ETH futures and perpetuals)',
      url: 'https://support.deribit.com/hc/en-us/articles/25944826427293',
      used: 'BTC: IM = 2% + (position size in BTC) × 0.005%, MM = 1% + (position size in BTC) × 0.005%; ETH: 2% / 1% + (size in ETH) × 0.0004%',
    },
    {
      title: 'Deribit API reference, private/get_account_summary (margin_balance = equity − options_value)',
      url: 'https://docs.deribit.com/api-reference/account-management/private-get_account_summary',
      used: 'maintenance tested against the margin balance, the options\' value out of it and a short option\'s mark in its requirement: margin-core holds equity (options at value) against the rates alone, the same excess',
    },
    {
      title: "Deribit's short-option margin as restated by doc.tslab.pro (\"Deribit margin requirements calculation\") and helpcenter.bit.com (\"Margin Rules for Coin-Margined Options\")",
      url: 'https://doc.tslab.pro/tslab/eng/data-providers/cryptocurrency-exchanges/deribit/deribit-margin-requirements-calculation',
      used: 'short call IM max(0.15 − OTM/U, 0.1) + mark, MM 0.075 + mark; short put IM max(max(0.15 − OTM/U, 0.1) + mark, MM), MM max(0.075, 0.075 × mark) + mark; long options 0 (their premium paid)',
    },
  ],
  notes: [
    "Deribit's own page of the option formulas was not found: the coefficients are the restatements' (identical at tslab and bit.com).",
    "Requirements are reported without the short options' marks (margin-core's MM = Deribit's MM + options value, equity = Deribit's margin balance + options value): health and status decide as Deribit's test does; a long option's mark is its requirement rather than out of the balance (the same excess).",
    'Rates from the size in coin carry no bracket (one flat bracket per asset); other assets keep the rule-based defaults\' brackets (Deribit lists BTC and ETH).',
    'Collateral: each coin account holds its coin at full weight; USD accounts take the rule-based haircuts of the deribit profiles.',
  ],
  params: {
    liquidation: { ...DERIBIT_LIQUIDATION },
    ...structuredClone(DERIBIT_RULE_BASED),
    linear: {
      BTC: [{ upTo: null, imRate: 0.02, mmRate: 0.01 }],
      ETH: [{ upTo: null, imRate: 0.02, mmRate: 0.01 }],
      default: structuredClone(DERIBIT_RULE_BASED.linear.default),
    },
    linearSize: {
      BTC: { imPerUnit: 0.00005, mmPerUnit: 0.00005 },
      ETH: { imPerUnit: 0.000004, mmPerUnit: 0.000004 },
    },
  },
};
