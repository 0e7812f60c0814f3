/**
 * The portfolio method's part of the published JSON Schemas: its params section (`params.portfolio`) and its part of a
 * report row with breakdown (`accounts[].portfolio`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';

export const portfolioSchema: MethodSchema = {
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      aggregation: { enum: ['sum', 'correlation'] },
      mmFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      stableAssets: { type: 'array', items: { type: 'string' } },
      assets: { type: 'object', additionalProperties: { $ref: '#/$defs/portfolioRule' } },
    },
  },
  paramsDefs: {
    portfolioRule: {
      type: 'object',
      additionalProperties: false,
      properties: {
        spotRange: { type: 'number', exclusiveMinimum: 0 },
        spotSteps: { type: 'integer', minimum: 1 },
        volUp: { type: 'number', minimum: 0 },
        volDown: { type: 'number', minimum: 0 },
        volPowerShort: { type: 'number' },
        volPowerLong: { type: 'number' },
        volFloorDays: { type: 'number', exclusiveMinimum: 0 },
        volFloor: { type: 'number', minimum: 0 },
        tails: {
          type: 'array',
          items: {
            type: 'object',
            required: ['move', 'weight'],
            additionalProperties: false,
            properties: { move: { type: 'number' }, weight: { type: 'number' } },
          },
        },
        shortOptionRate: { type: 'number', minimum: 0 },
        linearRate: { type: 'number', minimum: 0 },
      },
    },
  },
  explain: { $ref: '#/$defs/portfolioExplain' },
  explainDefs: {
    portfolioExplain: {
      type: 'object',
      required: ['underlyings', 'aggregation', 'scenarioLoss', 'addOns'],
      additionalProperties: false,
      properties: {
        underlyings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'worstLoss', 'worstScenario', 'contributions', 'grid'],
            additionalProperties: false,
            properties: {
              underlying: { type: 'string' },
              worstLoss: { $ref: '#/$defs/figure' },
              worstScenario: {
                type: 'object',
                required: ['spotMove', 'volShock', 'tail', 'weight', 'label'],
                additionalProperties: false,
                properties: {
                  spotMove: { type: 'number' },
                  volShock: { type: 'string' },
                  tail: { type: 'boolean' },
                  weight: { type: 'number' },
                  label: { type: 'string' },
                },
              },
              contributions: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['source', 'id', 'pnl'],
                  additionalProperties: false,
                  properties: {
                    source: { enum: ['position', 'collateral'] },
                    id: { type: 'string' },
                    pnl: { $ref: '#/$defs/figure' },
                  },
                },
              },
              grid: {
                type: 'object',
                required: ['spotMoves', 'volShocks', 'pnl', 'tails'],
                additionalProperties: false,
                properties: {
                  spotMoves: { type: 'array', items: { type: 'number' } },
                  volShocks: { type: 'array', items: { type: 'string' } },
                  pnl: { type: 'array', items: { type: 'array', items: { $ref: '#/$defs/figure' } } },
                  tails: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['spotMove', 'volShock', 'weight', 'pnl'],
                      additionalProperties: false,
                      properties: {
                        spotMove: { type: 'number' },
                        volShock: { type: 'string' },
                        weight: { type: 'number' },
                        pnl: { $ref: '#/$defs/figure' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        aggregation: { enum: ['sum', 'correlation'] },
        scenarioLoss: { $ref: '#/$defs/figure' },
        addOns: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'underlying', 'net', 'amount'],
            additionalProperties: false,
            properties: {
              kind: { enum: ['shortOption', 'linearNotional'] },
              underlying: { type: 'string' },
              strike: { type: 'number' },
              net: { type: 'number' },
              amount: { $ref: '#/$defs/figure' },
            },
          },
        },
      },
    },
  },
};
