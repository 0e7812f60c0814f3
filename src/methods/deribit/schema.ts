/**
 * The deribit method's part of the published JSON Schemas: its params section (`params.deribit`) and its part of a
 * report row with breakdown (`accounts[].deribit`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';

export const deribitSchema: MethodSchema = {
  params: {
    description: 'Deribit\'s 2024 portfolio margin model, method `deribit` (docs/profiles.md, "Deribit"): fields named after pme/simulate\'s model_params; pairs by underlying, currencies by margin currency, each merged over its `default`.',
    type: 'object',
    additionalProperties: false,
    properties: {
      mmFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      bucketsCount: { type: 'integer', minimum: 1, maximum: 100 },
      extendedMoves: { type: 'array', maxItems: 64, items: { type: 'number', exclusiveMinimum: -1, maximum: 100 } },
      stableAssets: { type: 'array', items: { type: 'string', minLength: 1 } },
      pairs: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            priceRange: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
            volatilityRangeUp: { type: 'number', minimum: 0, maximum: 10 },
            volatilityRangeDown: { type: 'number', minimum: 0, maximum: 1 },
            shortTermVegaPower: { type: 'number', minimum: 0, maximum: 2 },
            longTermVegaPower: { type: 'number', minimum: 0, maximum: 2 },
            minVolatilityForShockUp: { type: 'number', minimum: 0, maximum: 10 },
            extendedTableFactor: { type: 'number', minimum: 0, maximum: 1 },
            maxDeltaShock: { type: 'number', minimum: 0, maximum: 1 },
            deltaTotalLiqShockThreshold: { type: 'number', minimum: 0 },
            mInc: { type: 'number', minimum: 0, maximum: 1 },
          },
        },
      },
      currencies: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            annualisedMoveRisk: { type: 'number', minimum: 0, maximum: 2 },
            minAnnualisedMove: { type: 'number', minimum: 0, maximum: 1 },
            extendedDampener: { type: 'number', minimum: 0 },
          },
        },
      },
    },
  },
  explain: { $ref: '#/$defs/deribitExplain' },
  explainDefs: {
    deribitExplain: {
      description: 'Method deribit with breakdown, in the account\'s margin currency: worst case per underlying, roll and delta shocks (docs/profiles.md, "Deribit").',
      type: 'object',
      required: ['currency', 'underlyings', 'rollShock', 'deltaShock', 'worstCase', 'riskMatrixMargin', 'mmFactor'],
      additionalProperties: false,
      properties: {
        currency: { type: 'string' },
        underlyings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'worstCase', 'scenario', 'dampened'],
            additionalProperties: false,
            properties: {
              underlying: { type: 'string' },
              worstCase: { $ref: '#/$defs/figure' },
              dampened: { type: 'boolean' },
              scenario: {
                type: 'object',
                required: ['spotMove', 'volShock', 'extended', 'label'],
                additionalProperties: false,
                properties: {
                  spotMove: { $ref: '#/$defs/figure' },
                  volShock: { type: 'string' },
                  extended: { type: 'boolean' },
                  label: { type: 'string' },
                },
              },
            },
          },
        },
        rollShock: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'expiry', 'netDelta', 'rate', 'amount'],
            additionalProperties: false,
            properties: {
              underlying: { type: 'string' },
              expiry: { type: ['string', 'null'] },
              netDelta: { $ref: '#/$defs/figure' },
              rate: { $ref: '#/$defs/figure' },
              amount: { $ref: '#/$defs/figure' },
            },
          },
        },
        deltaShock: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'deltaTotal', 'rate', 'amount'],
            additionalProperties: false,
            properties: {
              underlying: { type: 'string' },
              deltaTotal: { $ref: '#/$defs/figure' },
              rate: { $ref: '#/$defs/figure' },
              amount: { $ref: '#/$defs/figure' },
            },
          },
        },
        worstCase: { $ref: '#/$defs/figure' },
        riskMatrixMargin: { $ref: '#/$defs/figure' },
        mmFactor: { type: 'number' },
      },
    },
  },
};
