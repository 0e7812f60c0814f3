/**
 * Derive's portfolio margin (PMRM_2) as a profile: the `derive` method with the parameter set of Derive's published
 * portfolio cases, written out in full so that a change to the library's defaults never changes it.
 */
import { DEFAULT_RULE_BASED_PARAMS } from '../margin/params.js';
import { DEFAULT_DERIVE_PARAMS } from '../methods/derive/params.js';
import type { MethodologyProfile } from './profile.js';

/** Full weight as an asset and as a liability: Derive values balances at their price and charges haircuts as contingencies. */
const FULL = { brackets: [{ upTo: null, imHaircut: 0, mmHaircut: 0 }], liabilityWeightIm: 1, liabilityWeightMm: 1 };

const d = DEFAULT_DERIVE_PARAMS;

export const DERIVE_PROFILE: MethodologyProfile = {
  name: 'derive',
  version: 'v2-core@7736900d (2026-01-21)',
  method: 'derive',
  description: 'Derive portfolio margin (PMRM_2): spot ±18% × vol up/none/down with static discounting, tails, basis and skew scenarios, perp/option/confidence/de-peg/collateral contingencies',
  sources: [
    {
      title: 'derivexyz/v2-core, src/risk-managers/PMRMLib_2.sol and PMRM_2.sol (BUSL-1.1; rules learnt, no code copied)',
      url: 'https://github.com/derivexyz/v2-core/tree/7736900d395703c4f675376caa4c315402943831/src/risk-managers',
      used: 'the rules: scenario P&L per expiry with static discounts, basis contingency, vol shock term structure, skew rotations, contingencies, IM and MM',
    },
    {
      title: 'derivexyz/v2-core, test/risk-managers/unit-tests/PMRM_2/portfolio_cases/ (139 cases)',
      url: 'https://github.com/derivexyz/v2-core/tree/7736900d395703c4f675376caa4c315402943831/test/risk-managers/unit-tests/PMRM_2/portfolio_cases',
      used: 'every parameter value (the cases\' common parameter set), and the conformance cases (test/conformance/derive/)',
    },
  ],
  notes: [
    'Derive margins one market per subaccount; margin-core sums the per-underlying worst losses of an account with positions on several underlyings, and charges each balance\'s contingencies once.',
    'Futures count as Derive perps (linear, moving with spot); spot positions as risk-cancelling balances of their underlying.',
    'Collateral haircuts, confidences and per-expiry forwards are venue data: set them under derive.collateral and derive.feeds (defaults: no haircut, confidence 1, the market\'s forward). The profile marks BTC and ETH balances as risk-cancelling for their own underlying.',
    'Equity is margin-core\'s (no haircut in the rule-based collateral section): equity − IM is Derive\'s initial margin figure when margin-core\'s option marks are Derive\'s (give Derive\'s marks in market.marks when its forward differs from spot·e^((rate − carry)τ)).',
    'USDC balances are Derive\'s cash (derive.cashAsset): in equity, never in the requirement; other balances are collaterals.',
    'An option expiring at the valuation time is worth its intrinsic value on its expiry\'s forward (Derive\'s settlement price, from derive.feeds); implied vols are admitted up to GREEKS_LIMITS.volMax (3,000): Derive\'s published cases 44, 45, 61 and 66 quote SVI vols of 339.8 to 2,511.4.',
  ],
  params: {
    derive: {
      scenarios: d.scenarios.map((s) => ({ ...s })),
      volShock: { ...d.volShock },
      skew: { ...d.skew },
      margin: { ...d.margin },
      basis: { ...d.basis },
      contingency: { ...d.contingency },
      stablePrice: 1,
      cashAsset: 'USDC',
      collateral: {
        BTC: { riskCancelling: 'BTC', imHaircut: 0, mmHaircut: 0, confidence: 1 },
        ETH: { riskCancelling: 'ETH', imHaircut: 0, mmHaircut: 0, confidence: 1 },
      },
      feeds: {},
    },
    // every asset full weight: an asset the library's defaults give a rule of its own (BTC, ETH) would keep its haircut
    // under a `default` alone (each asset's rule replaces the default for that asset)
    collateral: Object.fromEntries(['default', ...Object.keys(DEFAULT_RULE_BASED_PARAMS.collateral)].map((asset) => [asset, structuredClone(FULL)])),
  },
};
