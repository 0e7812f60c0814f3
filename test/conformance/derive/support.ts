/**
 * Derive's transcribed PMRM_2 cases (cases.json, made by transcribe.mjs) fed to the `derive` method's own modules:
 * each case is one account on one underlying, its options, perp, balances and cash, under the case's parameters.
 */
import { readFileSync } from 'node:fs';
import { accountMargin, type DeriveAccountResult } from '../../../src/methods/derive/account.js';
import { validateDeriveParams } from '../../../src/methods/derive/validate.js';
import { type OptionSpec, type RiskArrayRunner, revalue, shockColumns } from '../../../src/methods/derive/revalue.js';
import { expiryTerms } from '../../../src/methods/derive/terms.js';

export interface DeriveCase {
  id: number;
  name: string;
  file: string;
  upstreamSkipped?: string;
  portfolio: {
    cash: number;
    spot: { price: number; confidence: number };
    perp: { position: number; price: number; confidence: number; unrealisedPnl: number; unrealisedFunding: number };
    stablePrice: number;
    collaterals: { name: string; amount: number; price: number; confidence: number; riskCancelling: boolean; imHaircut: number; mmHaircut: number }[];
    expiries: {
      secondsToExpiry: number; forward: number; forwardFixed: number; rate: number;
      forwardConfidence: number; rateConfidence: number; volConfidence: number;
      options: { strike: number; isCall: boolean; vol: number; amount: number }[];
    }[];
  };
  params: Record<string, unknown>;
  expected: { im: number; mm: number; optionMtm: number; collateralMtm: number; scenarioPnl: number[] };
}

export interface DeriveCases {
  source: { repository: string; commit: string; directory: string };
  cases: DeriveCase[];
}

export function loadCases(): DeriveCases {
  return JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8')) as DeriveCases;
}

/** Derive's figures for a case: its margins (MtM + cash − requirement) and the method's breakdown. */
export interface CaseResult {
  im: number;
  mm: number;
  result: DeriveAccountResult;
}

export function runCase(c: DeriveCase, riskArrays: RiskArrayRunner): CaseResult {
  const p = c.portfolio;
  const params = validateDeriveParams({ ...c.params, stablePrice: p.stablePrice });
  const expiries = p.expiries.map((e) =>
    expiryTerms({
      underlying: 0, seconds: e.secondsToExpiry, forward: e.forward, forwardFixed: e.forwardFixed, rate: e.rate,
      confidence: Math.min(e.forwardConfidence, e.rateConfidence),
    }, params),
  );
  const options: OptionSpec[] = [];
  const amounts: { option: number; amount: number }[] = [];
  const optionConfidence: number[] = [];
  p.expiries.forEach((e, k) => {
    for (const o of e.options) {
      amounts.push({ option: options.length, amount: o.amount });
      options.push({ expiry: k, strike: o.strike, isCall: o.isCall, vol: o.vol });
      optionConfidence.push(e.volConfidence);
    }
  });
  const columns = shockColumns(params);
  const values = revalue(options, expiries, columns, params, riskArrays);
  const result = accountMargin(
    {
      params, columns, expiries, options, values, optionConfidence: Float64Array.from(optionConfidence),
      underlyings: [{ spot: p.spot.price, spotConfidence: p.spot.confidence, perpConfidence: p.perp.confidence }],
    },
    {
      markets: [0],
      options: amounts,
      perps: p.perp.position !== 0 ? [{ underlying: 0, position: p.perp.position, price: p.perp.price }] : [],
      collaterals: p.collaterals.map((x) => ({
        value: (x.amount * x.price) / p.stablePrice, confidence: x.confidence, riskCancelling: x.riskCancelling ? 0 : -1,
        imHaircut: x.imHaircut, mmHaircut: x.mmHaircut,
      })),
    },
  );
  const perpValue = p.perp.position !== 0 ? p.perp.unrealisedPnl + p.perp.unrealisedFunding : 0;
  const equity = result.optionMtm + result.collateralValue + perpValue + p.cash;
  return { im: equity - result.im, mm: equity - result.mm, result };
}
