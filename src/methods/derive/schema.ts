/**
 * The derive method's part of the published JSON Schemas: its params section (`params.derive`) and its part of a
 * report row with breakdown (`accounts[].derive`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';
import { choice, list, map, nullable, number, record, section, string } from '../../model/schema-builder.js';

const confidence = number('[0, 1]');

export const deriveSchema: MethodSchema = {
  params: section({
    scenarios: list(record({
      spotShock: number('(0, 100]'),
      vol: choice(['up', 'down', 'none', 'linear', 'abs']),
      dampening: number('[0, 100]'),
    }), { minItems: 1, maxItems: 40 }),
    volShock: section({
      rangeUp: number('[0, 10]'),
      rangeDown: number('[0, 10]'),
      shortTermPower: number('[0, 10]'),
      longTermPower: number('[0, 10]'),
      dteFloorDays: number('[0, 400]'),
      minVolUp: number('[0, 20]'),
    }),
    skew: section({
      linearCap: number('[0, 10]'),
      linearCapSlope: number('[-10, 10]'),
      absCap: number('[0, 10]'),
      absCapSlope: number('[-10, 10]'),
      minKStar: number('[0, 10]'),
      widthScale: number('[0, 10]'),
      volParamStatic: number('[0, 10]'),
      volParamScale: number('[-20, 20]'),
    }),
    margin: section({
      imFactor: number('[0.5, 10]'),
      mmFactor: number('[0.5, 10]'),
      longRateMultScale: number('[0, 10]'),
      longRateAddScale: number('[0, 10]'),
      longStaticDiscount: number('[0, 4]'),
      shortRateMultScale: number('[0, 10]'),
      shortRateAddScale: number('[0, 10]'),
      shortStaticDiscount: number('[0, 4]'),
    }),
    basis: section({
      spotUp: number('(1, 3)'),
      spotDown: number('(0, 1)'),
      addFactor: number('[0, 20]'),
      multFactor: number('[0, 20]'),
    }),
    contingency: section({
      pegLossThreshold: number('[0, 100]'),
      pegLossFactor: number('[0, 10]'),
      confThreshold: number('[0, 1]'),
      confMargin: number('[0, 20]'),
      mmPerpPercent: number('[0, 3]'),
      imPerpPercent: number('[0, 3]'),
      mmOptionPercent: number('[0, 2]'),
      imOptionPercent: number('[0, 2]'),
    }),
    stablePrice: number('(0, 1000000]'),
    cashAsset: nullable(string(true, 'the asset whose balances are Derive\'s cash (default USDC): in equity, never in the requirement; null: every balance is a collateral')),
    collateral: map(section({
      riskCancelling: nullable(string()),
      imHaircut: number('[0, 1]'),
      mmHaircut: number('[0, 1]'),
      confidence,
    })),
    feeds: map(section({
      spotConfidence: confidence,
      perpConfidence: confidence,
      expiries: map(section({
        forward: number('(0, ∞)'),
        rate: number('[-10, 10]'),
        forwardFixed: number('[0, ∞)'),
        forwardConfidence: confidence,
        rateConfidence: confidence,
        volConfidence: confidence,
      })),
    })),
  }, 'Derive portfolio margin (PMRM_2), method `derive` (docs/profiles.md): scenarios, vol and skew shocks, margin factors and static discounts, basis contingency, contingencies, and the feeds margin-core\'s market lacks (stable price, collateral terms, per-expiry forward, rate and confidences).'),
  explain: {
    description: 'Method derive with breakdown: per underlying the scenario P&Ls, the worst and the basis contingency; the factors and contingencies (docs/profiles.md).',
    type: 'object',
  },
};
