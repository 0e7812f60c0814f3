/**
 * The derive method's part of the published JSON Schemas: its params section (`params.derive`) and its part of a
 * report row with breakdown (`accounts[].derive`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';

export const deriveSchema: MethodSchema = {
  params: {
    description: 'Derive portfolio margin (PMRM_2), method `derive` (README, "Derive portfolio margin"): scenarios, vol and skew shocks, margin factors and static discounts, basis contingency, contingencies, and the feeds margin-core\'s market lacks (stable price, collateral terms, per-expiry forward, rate and confidences).',
    type: 'object',
    additionalProperties: false,
    properties: {
      scenarios: {
        type: 'array',
        minItems: 1,
        maxItems: 40,
        items: {
          type: 'object',
          additionalProperties: false,
          properties: {
            spotShock: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
            vol: { enum: ['up', 'down', 'none', 'linear', 'abs'] },
            dampening: { type: 'number', minimum: 0, maximum: 100 },
          },
          required: ['spotShock', 'vol', 'dampening'],
        },
      },
      volShock: {
        type: 'object',
        additionalProperties: false,
        properties: {
          rangeUp: { type: 'number', minimum: 0, maximum: 10 },
          rangeDown: { type: 'number', minimum: 0, maximum: 10 },
          shortTermPower: { type: 'number', minimum: 0, maximum: 10 },
          longTermPower: { type: 'number', minimum: 0, maximum: 10 },
          dteFloorDays: { type: 'number', minimum: 0, maximum: 400 },
          minVolUp: { type: 'number', minimum: 0, maximum: 20 },
        },
      },
      skew: {
        type: 'object',
        additionalProperties: false,
        properties: {
          linearCap: { type: 'number', minimum: 0, maximum: 10 },
          linearCapSlope: { type: 'number', minimum: -10, maximum: 10 },
          absCap: { type: 'number', minimum: 0, maximum: 10 },
          absCapSlope: { type: 'number', minimum: -10, maximum: 10 },
          minKStar: { type: 'number', minimum: 0, maximum: 10 },
          widthScale: { type: 'number', minimum: 0, maximum: 10 },
          volParamStatic: { type: 'number', minimum: 0, maximum: 10 },
          volParamScale: { type: 'number', minimum: -20, maximum: 20 },
        },
      },
      margin: {
        type: 'object',
        additionalProperties: false,
        properties: {
          imFactor: { type: 'number', minimum: 0.5, maximum: 10 },
          mmFactor: { type: 'number', minimum: 0.1, maximum: 10 },
          longRateMultScale: { type: 'number', minimum: 0, maximum: 10 },
          longRateAddScale: { type: 'number', minimum: 0, maximum: 10 },
          longStaticDiscount: { type: 'number', minimum: 0, maximum: 4 },
          shortRateMultScale: { type: 'number', minimum: 0, maximum: 10 },
          shortRateAddScale: { type: 'number', minimum: 0, maximum: 10 },
          shortStaticDiscount: { type: 'number', minimum: 0, maximum: 4 },
        },
      },
      basis: {
        type: 'object',
        additionalProperties: false,
        properties: {
          spotUp: { type: 'number', exclusiveMinimum: 1, exclusiveMaximum: 3 },
          spotDown: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          addFactor: { type: 'number', minimum: 0, maximum: 20 },
          multFactor: { type: 'number', minimum: 0, maximum: 20 },
        },
      },
      contingency: {
        type: 'object',
        additionalProperties: false,
        properties: {
          pegLossThreshold: { type: 'number', minimum: 0, maximum: 100 },
          pegLossFactor: { type: 'number', minimum: 0, maximum: 10 },
          confThreshold: { type: 'number', minimum: 0, maximum: 1 },
          confMargin: { type: 'number', minimum: 0, maximum: 20 },
          mmPerpPercent: { type: 'number', minimum: 0, maximum: 3 },
          imPerpPercent: { type: 'number', minimum: 0, maximum: 3 },
          mmOptionPercent: { type: 'number', minimum: 0, maximum: 2 },
          imOptionPercent: { type: 'number', minimum: 0, maximum: 2 },
        },
      },
      stablePrice: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 },
      cashAsset: {
        type: ['string', 'null'],
        minLength: 1,
        description: 'the asset whose balances are Derive\'s cash (default USDC): in equity, never in the requirement; null: every balance is a collateral',
      },
      collateral: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            riskCancelling: { type: ['string', 'null'] },
            imHaircut: { type: 'number', minimum: 0, maximum: 1 },
            mmHaircut: { type: 'number', minimum: 0, maximum: 1 },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
          },
        },
      },
      feeds: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            spotConfidence: { type: 'number', minimum: 0, maximum: 1 },
            perpConfidence: { type: 'number', minimum: 0, maximum: 1 },
            expiries: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  forward: { type: 'number', exclusiveMinimum: 0 },
                  rate: { type: 'number', minimum: -10, maximum: 10 },
                  forwardFixed: { type: 'number', minimum: 0 },
                  forwardConfidence: { type: 'number', minimum: 0, maximum: 1 },
                  rateConfidence: { type: 'number', minimum: 0, maximum: 1 },
                  volConfidence: { type: 'number', minimum: 0, maximum: 1 },
                },
              },
            },
          },
        },
      },
    },
  },
  explain: {
    description: 'Method derive with breakdown: per underlying the scenario P&Ls, the worst and the basis contingency; the factors and contingencies (README, "Derive portfolio margin").',
    type: 'object',
  },
};
