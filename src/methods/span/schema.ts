/**
 * The span method's part of the published JSON Schemas: its params section (`params.span`) and its part of a
 * report row with breakdown (`accounts[].span`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';

export const spanSchema: MethodSchema = {
  params: {
    description: 'CME SPAN (docs/profiles.md, "SPAN"): scan ranges (per month if given), extreme scenarios, tiers and spreads per combined commodity (asset symbol or "default"), inter-commodity and scanning-based spreads in priority order.',
    type: 'object',
    additionalProperties: false,
    properties: {
      initialToMaintenance: { type: 'number', minimum: 1, maximum: 10 },
      lookAheadDays: { type: 'number', minimum: 0, maximum: 30 },
      deltaWeights: { type: 'array', minItems: 7, maxItems: 7, items: { type: 'number', minimum: 0, maximum: 1 } },
      commodities: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            priceScanRange: { type: ['number', 'null'], exclusiveMinimum: 0 },
            priceScanRate: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.5 },
            volScanRange: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
            shortOptionMinimum: { type: 'number', minimum: 0 },
            tiers: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['upToDays'],
                properties: { upToDays: { type: ['number', 'null'], minimum: 0 } },
              },
            },
            intraSpreads: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['chargePerSpread', 'legs'],
                properties: {
                  chargePerSpread: { type: 'number', minimum: 0 },
                  legs: {
                    type: 'array',
                    minItems: 2,
                    items: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['tier', 'side', 'deltaPerSpread'],
                      properties: {
                        tier: { type: 'integer', minimum: 1 },
                        side: { enum: ['A', 'B'] },
                        deltaPerSpread: { type: 'number', exclusiveMinimum: 0 },
                      },
                    },
                  },
                },
              },
            },
            monthScanRanges: {
              type: 'array',
              description: 'price scan ranges by expiry month, ascending, the last open (upToDays null); [] : the commodity\'s range for every month',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['upToDays', 'priceScanRange'],
                properties: {
                  upToDays: { type: ['number', 'null'], minimum: 0 },
                  priceScanRange: { type: 'number', exclusiveMinimum: 0 },
                },
              },
            },
            extremeMove: {
              type: 'number',
              exclusiveMinimum: 0,
              maximum: 10,
              description: 'scenarios 15, 16 move the price by ± this many scan ranges (default 2)',
            },
            extremeCover: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              description: 'fraction of the extreme scenarios\' loss that counts (default 0.35)',
            },
          },
        },
      },
      interSpreads: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['creditRate', 'legs'],
          properties: {
            creditRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            legs: {
              type: 'array',
              minItems: 2,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['commodity', 'side', 'deltaPerSpread'],
                properties: {
                  commodity: { type: 'string', minLength: 1 },
                  side: { enum: ['A', 'B'] },
                  deltaPerSpread: { type: 'number', exclusiveMinimum: 0 },
                },
              },
            },
          },
        },
      },
      scanSpreads: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['creditRate', 'legs'],
          properties: {
            creditRate: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            legs: {
              type: 'array',
              minItems: 2,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['commodity', 'side', 'deltaPerSpread'],
                properties: {
                  commodity: { type: 'string', minLength: 1 },
                  side: { enum: ['A', 'B'] },
                  deltaPerSpread: { type: 'number', exclusiveMinimum: 0 },
                },
              },
            },
          },
        },
        description: 'scanning-based inter-commodity spreads (CME method 4), formed first: the legs\' shares scanned together, each gain credited at creditRate',
      },
    },
  },
  explain: { $ref: '#/$defs/spanExplain' },
  explainDefs: {
    spanExplain: {
      type: 'object',
      required: [
        'maintenance',
        'initial',
        'longOptionValue',
        'shortOptionValue',
        'netOptionValue',
        'totalRequirement',
        'commodities',
        'spreads',
      ],
      additionalProperties: false,
      properties: {
        maintenance: { $ref: '#/$defs/figure' },
        initial: { $ref: '#/$defs/figure' },
        longOptionValue: { $ref: '#/$defs/figure' },
        shortOptionValue: { $ref: '#/$defs/figure' },
        netOptionValue: { $ref: '#/$defs/figure' },
        totalRequirement: { $ref: '#/$defs/figure' },
        commodities: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: [
              'commodity',
              'priceScanRange',
              'scanRisk',
              'scenario',
              'timeRisk',
              'volatilityRisk',
              'priceRisk',
              'netDelta',
              'tiers',
              'intraCharge',
              'interCredit',
              'shortOptionMinimum',
              'requirement',
            ],
            properties: {
              commodity: { type: 'string' },
              priceScanRange: { type: 'number' },
              scanRisk: { $ref: '#/$defs/figure' },
              scenario: { type: 'integer', minimum: 0, maximum: 16 },
              timeRisk: { $ref: '#/$defs/figure' },
              volatilityRisk: { $ref: '#/$defs/figure' },
              priceRisk: { $ref: '#/$defs/figure' },
              netDelta: { $ref: '#/$defs/figure' },
              tiers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['tier', 'delta', 'remaining'],
                  additionalProperties: false,
                  properties: {
                    tier: { type: 'integer', minimum: 1 },
                    delta: { $ref: '#/$defs/figure' },
                    remaining: { $ref: '#/$defs/figure' },
                  },
                },
              },
              intraCharge: { $ref: '#/$defs/figure' },
              interCredit: { $ref: '#/$defs/figure' },
              shortOptionMinimum: { $ref: '#/$defs/figure' },
              requirement: { $ref: '#/$defs/figure' },
              scannedShare: { type: 'number', exclusiveMinimum: 0 },
              scanSpreadRisk: { $ref: '#/$defs/figure' },
            },
          },
        },
        spreads: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'priority', 'spreads', 'amount'],
            additionalProperties: false,
            properties: {
              kind: { enum: ['intra', 'inter', 'scan'] },
              commodity: { type: 'string' },
              priority: { type: 'integer', minimum: 0 },
              spreads: { $ref: '#/$defs/figure' },
              amount: { $ref: '#/$defs/figure' },
              scenario: { type: 'integer', minimum: 0, maximum: 16 },
            },
          },
        },
      },
    },
  },
};
